// Run by reporter-node20.test.ts: bundled for Node 20 and run by the system Node with
// --expose-gc. Each request goes to a local server that accepts the connection and never
// answers (or answers the status line and never the body) while a GC is forced every 50 ms,
// as happens in a long-running reporter. Prints one JSON line per case: how it ended.
import { createServer, type Server, type Socket } from 'node:net';
import { generateNodeKeyPair } from '../../../functions/domain/node-signature.ts';
import { createHeadProbe } from '../../../reporter/probe.ts';
import { createReporter } from '../../../reporter/reporter.ts';
import { sendReport } from '../../../reporter/transport.ts';
import type { ReportBody } from '../../../reporter/wire.ts';

const TIMEOUT_MS = Number(process.argv[2]);
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

const keys = generateNodeKeyPair();
const body: ReportBody = {
  ip: '192.0.2.10',
  region: 'local',
  version: '1.0.0',
  buckets: [{ bucketId: 'b1', status: 'ONLINE' }],
};
const print = (name: string, outcome: unknown) =>
  process.stdout.write(`${JSON.stringify({ case: name, outcome })}\n`);
const failure = (error: unknown) =>
  error instanceof Error ? { name: error.name, message: error.message } : { thrown: String(error) };

const collector = setInterval(() => gc(), 50);
// A stop signal that never fires, as the reporter's own: the timeout is combined with it.
const stop = new AbortController();
try {
  for (const [name, url] of [
    ['report to a silent server', silent.url],
    ['report to a server that never sends the body', noBody.url],
  ] as const) {
    try {
      const sent = await sendReport({
        apiUrl: url,
        nodeId: 'node-20',
        privateKey: keys.privateKey,
        body,
        requestTimeoutMs: TIMEOUT_MS,
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
        signal: stop.signal,
      });
      print(name, { sent: sent.status });
    } catch (error) {
      print(name, failure(error));
    }
  }

  const probe = createHeadProbe(TIMEOUT_MS);
  print(
    'probe of a silent server',
    await probe({ bucketId: 'b1', probeUrl: silent.url }, stop.signal),
  );

  const reporter = createReporter({
    apiUrl: silent.url,
    nodeId: 'node-20',
    privateKey: keys.privateKey,
    buckets: [{ bucketId: 'b1', probeUrl: silent.url }],
    identity: { ip: '192.0.2.10', region: 'local', version: '1.0.0' },
    intervalMs: 60_000,
    probeTimeoutMs: TIMEOUT_MS,
    requestTimeoutMs: TIMEOUT_MS,
    retry: { maxAttempts: 1 },
    log: () => undefined,
  });
  const round = await reporter.start();
  await reporter.stop();
  print(
    'a reporter round against a silent server',
    round.reports.map((r) => ({ ok: r.ok, buckets: r.buckets, error: r.error })),
  );
} finally {
  clearInterval(collector);
  for (const socket of sockets) socket.destroy();
  silent.server.close();
  noBody.server.close();
}
