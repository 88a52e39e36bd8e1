import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalHttpServer, type ServerLimits } from '../../local/http-adapter.ts';
import { startLocalRuntime } from '../../local/runtime.ts';

/**
 * The local HTTP server against slow, idle and vanishing clients (without limits a slow body
 * holds a connection 317 s, slow headers 77 s, and an aborted request is an unhandled error with
 * a stack). The limits are shortened for the test; what is asserted is that the server closes
 * the connection and how, never how fast.
 */

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

interface Started {
  server: Server;
  port: number;
  errors: unknown[];
  aborts: { requestId: string; routeKey: string }[];
  handled: string[];
  aborted: Promise<void>;
}

const SHORT: Partial<ServerLimits> = {
  headersTimeoutMs: 200,
  requestTimeoutMs: 400,
  keepAliveTimeoutMs: 200,
  idleTimeoutMs: 1_000,
};

async function start(limits: Partial<ServerLimits> = SHORT): Promise<Started> {
  const errors: unknown[] = [];
  const aborts: Started['aborts'] = [];
  const handled: string[] = [];
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
  });
  const handler = async (event: { rawPath: string }) => {
    handled.push(event.rawPath);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
  };
  const server = createLocalHttpServer({
    routes: [
      { method: 'GET', path: '/bucket/{bucketId}/status', handler },
      { method: 'POST', path: '/node/status', handler },
    ],
    limits,
    onError: (error) => errors.push(error),
    onClientAbort: (context) => {
      aborts.push(context);
      onAbort();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, errors, aborts, handled, aborted };
}

/** A raw connection: what the server sent, and a promise of the close. */
function open(
  port: number,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

describe('the local HTTP server closes connections that hold it', () => {
  it('slow headers: answers 408 and closes', async () => {
    const { port, handled } = await start();
    const client = await open(port);
    client.socket.write('GET /bucket/b/status HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(handled).toEqual([]);
  });

  it('a connection that never sends a byte is closed', async () => {
    const { port } = await start();
    const client = await open(port);
    await client.closed;
    expect(client.socket.destroyed).toBe(true);
  });

  it('slow body: answers 408 and closes, the handler never runs', async () => {
    const { port, handled, errors } = await start();
    const client = await open(port);
    client.socket.write(
      'POST /node/status HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ip":',
    );
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(handled).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('an idle kept-alive connection is closed after its response', async () => {
    const { port, handled } = await start();
    const client = await open(port);
    client.socket.write(
      'GET /bucket/b/status HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n',
    );
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(handled).toEqual(['/bucket/b/status']);
  });

  it('caps the number of connections: one over the cap is closed at once', async () => {
    const { port } = await start({
      ...SHORT,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
      maxConnections: 2,
    });
    const first = await open(port);
    const second = await open(port);
    // The server has accepted both before the third arrives.
    first.socket.write('GET /bucket/b/status HTTP/1.1\r\nHost: localhost\r\n');
    second.socket.write('GET /bucket/b/status HTTP/1.1\r\nHost: localhost\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    const third = await open(port);
    await third.closed;
    expect(third.received()).toBe('');
    expect(first.socket.destroyed).toBe(false);
    expect(second.socket.destroyed).toBe(false);
    first.socket.destroy();
    second.socket.destroy();
  });

  it('a client that aborts mid-body is one quiet abort, not an unhandled error', async () => {
    const { port, errors, aborts, handled, aborted } = await start({
      ...SHORT,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    });
    const client = await open(port);
    client.socket.write(
      'POST /node/status HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ip":',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.socket.destroy();
    await aborted;
    expect(aborts).toEqual([{ requestId: expect.any(String), routeKey: 'POST /node/status' }]);
    expect(errors).toEqual([]);
    expect(handled).toEqual([]);
  });
});

describe('clients that never read', () => {
  // The idle timeout is the default (60 s), longer than this test may run: only the header or
  // request timeout can free the slots in time.
  const HELD: Partial<ServerLimits> = { ...SHORT, idleTimeoutMs: 60_000, maxConnections: 4 };

  it('a timed-out connection frees its slot at once, though its client never reads the 408', async () => {
    const { server, port, handled } = await start(HELD);
    const freed: Promise<void>[] = [];
    server.on('connection', (socket: Socket) => {
      freed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    });
    // Every slot taken: two with headers that never end, two with a body that never ends, each
    // client paused (it reads nothing, so it never sees the 408 nor closes its side).
    const stalled = [
      'GET /bucket/b/status HTTP/1.1\r\nHost: localhost\r\nX-Slow: ',
      'GET /bucket/b/status HTTP/1.1\r\nHost: localhost\r\nX-Slow: ',
      'POST /node/status HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ip":',
      'POST /node/status HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ip":',
    ];
    const clients = await Promise.all(
      stalled.map(async (request) => {
        const client = await open(port);
        client.socket.pause();
        client.socket.write(request);
        return client;
      }),
    );
    await expect.poll(() => freed.length).toBe(stalled.length);
    // The server closes its side of each after the 408; before, each was held until idle.
    await Promise.all(freed);
    expect(await new Promise((resolve) => server.getConnections((_, n) => resolve(n)))).toBe(0);

    const next = await open(port);
    next.socket.write(
      'GET /bucket/b/status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    await next.closed;
    expect(next.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(handled).toEqual(['/bucket/b/status']);
    for (const client of clients) client.socket.destroy();
  });
});

describe('the local runtime', () => {
  it('applies the server limits it is given', async () => {
    const runtime = await startLocalRuntime({
      env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
      port: 0,
      simulateNodes: false,
      serverLimits: SHORT,
      log: () => undefined,
    });
    servers.push({ close: () => runtime.stop() });
    const client = await open(runtime.port);
    client.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });
});
