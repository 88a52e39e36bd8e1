import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startDynalite } from '../../local/embedded-dynamodb.ts';
import { createInFlight, createLocalHttpServer } from '../../local/http-adapter.ts';

/**
 * Stopping the local runtime while a handler still runs: a client that gave up (the simulated
 * nodes abort their fetch on stop) does not stop its handler, as it does not stop a Lambda. The
 * runtime waits for such handlers before it closes the engine behind them; dynalite throws an
 * uncaught "Database is closed" from a write it is still doing when its server closes.
 */

describe('shutdown with work in flight', () => {
  it('settled() waits for a handler whose client went away, and for one tracked meanwhile', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const inFlight = createInFlight();
    const server = createLocalHttpServer({
      inFlight,
      routes: [
        {
          method: 'POST',
          path: '/node/status',
          functionName: 'ingest',
          handler: async () => {
            started();
            await released;
            order.push('handler finished');
            return { statusCode: 200, body: '{}' };
          },
        },
      ],
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const controller = new AbortController();
    const aborted = fetch(`http://127.0.0.1:${port}/node/status`, {
      method: 'POST',
      body: '{}',
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await handlerStarted;
    controller.abort();
    expect(await aborted).toBeInstanceOf(Error);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    order.push('server closed');

    const settled = inFlight.settled().then(() => order.push('settled'));
    // Work tracked while settled() waits is waited for as well.
    let releaseLate: () => void = () => undefined;
    inFlight.track(
      new Promise<void>((resolve) => {
        releaseLate = resolve;
      }).then(() => order.push('late work finished')),
    );
    await Promise.resolve();
    release();
    await released;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['server closed', 'handler finished']);
    releaseLate();
    await settled;
    expect(order).toEqual(['server closed', 'handler finished', 'late work finished', 'settled']);
  });

  it("a failed handler counts as settled (its error is the adapter's to report)", async () => {
    const inFlight = createInFlight();
    inFlight.track(Promise.reject(new Error('boom')));
    await expect(inFlight.settled()).resolves.toBeUndefined();
  });

  it('dynalite close waits for a request in progress, which gets its answer', async () => {
    const engine = await startDynalite();
    const { port } = new URL(engine.endpoint);
    const body = '{}';
    const socket = connect(Number(port), '127.0.0.1');
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('close', () => resolve(text));
    });
    // Headers and half the body: the engine has the request and waits for the rest.
    socket.write(
      [
        'POST / HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Content-Type: application/x-amz-json-1.0',
        'X-Amz-Target: DynamoDB_20120810.ListTables',
        'X-Amz-Date: 20261201T000000Z',
        'Authorization: AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
        'Connection: close',
        `Content-Length: ${body.length}`,
        '',
        body.slice(0, 1),
      ].join('\r\n'),
    );
    while (engine.requestsInProgress === 0) await new Promise((resolve) => setImmediate(resolve));
    const closing = engine.close();
    socket.end(body.slice(1));
    const response = await answer;
    await closing;
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response).toContain('"TableNames":[]');
    expect(engine.requestsInProgress).toBe(0);
  });
});
