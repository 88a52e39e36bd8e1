// Run by client-node20.test.ts: bundled for Node 20 with the client as tsc builds it for the
// package (client/dist), and run by the system Node with --expose-gc. The client first gets
// WARM_UP answers from a server that answers at once, as a long-running page's client does (V8
// then optimizes its code); then each request goes to a local server that accepts the
// connection and never answers (or answers the status line and never the body) while a GC is
// forced every 50 ms. Runs the case named by its third argument and prints one JSON line: how
// it ended.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { BucketStatusClient } from '../../../client/index.ts';

const TIMEOUT_MS = Number(process.argv[2]);
const WARM_UP = Number(process.argv[3]);
const CASE = String(process.argv[4]);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const sockets = new Set<Socket>();
async function listen(
  onConnection: (socket: Socket) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // read the request, answer nothing (or what onConnection writes)
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

const silent = await listen(() => undefined);
const noBody = await listen((socket) => {
  socket.once('data', () => {
    socket.write(
      'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 64\r\n\r\n{',
    );
  });
});

const print = (name: string, outcome: unknown) =>
  process.stdout.write(`${JSON.stringify({ case: name, outcome })}\n`);
const failure = (error: unknown) =>
  error instanceof Error || error instanceof DOMException
    ? { name: error.name, message: error.message }
    : { thrown: String(error) };
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { resolved: await call() };
  } catch (error) {
    return failure(error);
  }
}

// A caller's signal that never fires: the client combines the timeout with it.
const idle = new AbortController();
const answering = createHttpServer((_request, response) => {
  response.setHeader('content-type', 'application/json');
  response.end('{"bucketId":"b1","nodes":[]}');
});
await new Promise<void>((resolve) => answering.listen(0, '127.0.0.1', resolve));
const address = answering.address();
if (address === null || typeof address === 'string') throw new Error('no port');
const warm = new BucketStatusClient({
  baseUrl: `http://127.0.0.1:${address.port}/`,
  timeoutMs: 60_000,
});
for (let i = 0; i < WARM_UP; i++) await warm.getBucketStatus('b1', { signal: idle.signal });
answering.closeAllConnections();
answering.close();

// One case per process: the first request that fails changes what V8 has optimized.
const cases: Record<string, () => Promise<unknown>> = {
  'a silent server': () =>
    new BucketStatusClient({ baseUrl: silent.url, timeoutMs: TIMEOUT_MS }).getBucketStatus('b1'),
  'a silent server, with a signal': () =>
    new BucketStatusClient({ baseUrl: silent.url, timeoutMs: TIMEOUT_MS }).getBucketStatus('b1', {
      signal: idle.signal,
    }),
  'a server that never sends the body, with a signal': () =>
    new BucketStatusClient({ baseUrl: noBody.url, timeoutMs: TIMEOUT_MS }).getBucketStatus('b1', {
      signal: idle.signal,
    }),
  // The caller aborts while the request hangs (the timeout far off): its reason ends the call.
  'a silent server, aborted by the caller': () => {
    const caller = new AbortController();
    setTimeout(() => caller.abort(new Error('caller gave up')), TIMEOUT_MS);
    return new BucketStatusClient({ baseUrl: silent.url, timeoutMs: 600_000 }).getBucketStatus(
      'b1',
      { signal: caller.signal },
    );
  },
};
const run = cases[CASE];
if (run === undefined) throw new Error(`no case "${CASE}"`);

const collector = setInterval(() => gc(), 50);
try {
  print(CASE, await outcome(run));
} finally {
  clearInterval(collector);
  for (const socket of sockets) socket.destroy();
  silent.server.close();
  noBody.server.close();
}
