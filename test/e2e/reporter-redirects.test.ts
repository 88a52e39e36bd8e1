import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateNodeKeyPair } from '../../functions/domain/node-signature.ts';
import { ReportError, sendReport } from '../../reporter/transport.ts';

/** The reporter sends a signed report to --api only: a redirect is never followed. */

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen(
  handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a redirect from --api', () => {
  it.for([301, 302, 307, 308])(
    '%i: refused, and the signed report never reaches the other host',
    async (status) => {
      const received: string[] = [];
      const elsewhere = await listen((req, res) => {
        received.push(`${req.method} ${String(req.headers['x-node-signature'])}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      const api = await listen((_req, res) => {
        res.writeHead(status, { location: `${elsewhere}/node/status` }).end();
      });
      const { privateKey } = generateNodeKeyPair();
      const sent = sendReport({
        apiUrl: api,
        nodeId: 'redirected-node',
        privateKey,
        body: {
          ip: '203.0.113.7',
          region: 'us-east-1',
          version: '1.0.0',
          buckets: [{ bucketId: 'b', status: 'ONLINE' }],
        },
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      });
      const error = await sent.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ReportError);
      expect((error as ReportError).status).toBe(status);
      expect((error as ReportError).attempts).toBe(1);
      expect((error as Error).message).toMatch(/redirect, which is not followed/);
      expect(received).toStrictEqual([]);
    },
  );
});
