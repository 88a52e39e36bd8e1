import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP receiver on a free loopback port that records every request it gets. */
export interface Receiver {
  url: string;
  port: number;
  requests: { headers: IncomingMessage['headers']; body: string; url: string | undefined }[];
  close(): Promise<void>;
}

export async function startReceiver(
  respond: (request: IncomingMessage, response: ServerResponse, index: number) => void,
): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = requests.length;
      requests.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        url: request.url,
      });
      respond(request, response, index);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
