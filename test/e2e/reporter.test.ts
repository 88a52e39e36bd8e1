import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateNodeKeyPair,
  publicKeyFromRaw,
  verifyNodeSignature,
} from '../../functions/domain/node-signature.ts';
import {
  backoffDelayMs,
  createHeadProbe,
  createReporter,
  parseRetryAfterMs,
  type ReportBody,
  ReportError,
  type ReportLogEvent,
  sendReport,
} from '../../reporter/reporter.ts';

/**
 * The reporter against small real HTTP servers that misbehave on purpose (5xx, 429, slow,
 * gone), to check retries, backoff, re-signing and probing. Reporting to the real API is
 * covered in local-runtime.test.ts and reporter-cli.test.ts.
 */

interface Recorded {
  method: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Reply = (res: ServerResponse, recorded: Recorded) => void;

async function startServer(replies: Reply[]) {
  const recorded: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      recorded.push(entry);
      const reply = replies[Math.min(recorded.length - 1, replies.length - 1)] as Reply;
      reply(res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(server);
  return { url, recorded };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

const accepted = (bucketId = 'b1') =>
  json(200, { success: true, message: 'Accepted 1 of 1', accepted: [bucketId], rejected: [] });

const keys = generateNodeKeyPair();
const body: ReportBody = {
  ip: '192.0.2.10',
  region: 'us-east-1',
  version: '1.0.0',
  buckets: [{ bucketId: 'b1', status: 'ONLINE', latency_ms: 12 }],
};
const fastRetry = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

describe('sendReport', () => {
  it('retries 5xx and re-signs every attempt with a newer timestamp', async () => {
    const server = await startServer([
      json(503, { success: false, message: 'busy' }, { 'retry-after': '0' }),
      json(500, { success: false, message: 'Internal server error' }),
      accepted(),
    ]);
    const retries: string[] = [];
    const result = await sendReport({
      apiUrl: server.url,
      nodeId: 'node-a',
      privateKey: keys.privateKey,
      body,
      retry: fastRetry,
      onRetry: (info) => retries.push(info.reason),
    });
    expect(result).toMatchObject({ status: 200, attempts: 3, body: { accepted: ['b1'] } });
    expect(retries).toEqual(['503: busy', '500: Internal server error']);

    const publicKey = publicKeyFromRaw(keys.publicKey);
    const timestamps = server.recorded.map((attempt) => {
      expect(attempt.method).toBe('POST');
      expect(attempt.headers['content-type']).toBe('application/json');
      expect(JSON.parse(attempt.body.toString())).toEqual(body);
      const ts = attempt.headers['x-node-timestamp'] as string;
      const signature = attempt.headers['x-node-signature'] as string;
      expect(attempt.headers['x-node-id']).toBe('node-a');
      expect(verifyNodeSignature(publicKey, 'node-a', ts, attempt.body, signature)).toBe(true);
      return Number(ts);
    });
    expect(timestamps).toHaveLength(3);
    expect(timestamps[1]).toBeGreaterThan(timestamps[0] as number);
    expect(timestamps[2]).toBeGreaterThan(timestamps[1] as number);
  });

  it('waits at least Retry-After on 429', async () => {
    const server = await startServer([
      json(429, { success: false, message: 'slow down' }, { 'retry-after': '1' }),
      accepted(),
    ]);
    const delays: number[] = [];
    const started = Date.now();
    await sendReport({
      apiUrl: server.url,
      nodeId: 'node-b',
      privateKey: keys.privateKey,
      body,
      retry: fastRetry,
      onRetry: (info) => delays.push(info.delayMs),
    });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it.each([400, 401, 403, 413])('does not retry a %i', async (status) => {
    const server = await startServer([json(status, { success: false, message: 'no' }), accepted()]);
    const error = await sendReport({
      apiUrl: server.url,
      nodeId: 'node-c',
      privateKey: keys.privateKey,
      body,
      retry: fastRetry,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect(error).toMatchObject({ status, attempts: 1, body: { success: false, message: 'no' } });
    expect(server.recorded).toHaveLength(1);
  });

  it('retries network errors, then gives up with the last reason', async () => {
    const server = await startServer([accepted()]);
    const goneUrl = server.url;
    await new Promise((resolve) => (servers.pop() as Server).close(resolve));
    const error = await sendReport({
      apiUrl: goneUrl,
      nodeId: 'node-d',
      privateKey: keys.privateKey,
      body,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect(error).toMatchObject({ status: undefined, attempts: 3 });
    expect((error as Error).message).toMatch(/after 3 attempts.*ECONNREFUSED/);
  });

  it('gives up after maxAttempts of 5xx', async () => {
    const server = await startServer([json(502, { message: 'Bad Gateway' })]);
    const error = await sendReport({
      apiUrl: server.url,
      nodeId: 'node-e',
      privateKey: keys.privateKey,
      body,
      retry: fastRetry,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, attempts: 4 });
    expect(server.recorded).toHaveLength(4);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 8_000 };

  it('grows exponentially up to the cap, with full jitter below it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
    expect(backoffDelayMs(6, policy, () => 0)).toBe(0);
    const samples = Array.from({ length: 200 }, () => backoffDelayMs(3, policy));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(2_000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });
});

describe('the HEAD probe', () => {
  const signal = new AbortController().signal;

  it('counts any HTTP response as ONLINE with its latency', async () => {
    const server = await startServer([
      (res) => {
        setTimeout(() => {
          res.writeHead(404);
          res.end();
        }, 30);
      },
    ]);
    const result = await createHeadProbe(2_000)({ bucketId: 'b', probeUrl: server.url }, signal);
    expect(result.status).toBe('ONLINE');
    expect(result.latencyMs).toBeGreaterThanOrEqual(25);
    expect(result.latencyMs).toBeLessThan(2_000);
    expect(server.recorded[0]?.method).toBe('HEAD');
  });

  it('counts a timeout as OFFLINE without latency', async () => {
    const server = await startServer([() => undefined]); // never answers
    const started = Date.now();
    const result = await createHeadProbe(150)({ bucketId: 'b', probeUrl: server.url }, signal);
    expect(result).toEqual({ status: 'OFFLINE' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('counts a refused connection as OFFLINE', async () => {
    const server = await startServer([accepted()]);
    await new Promise((resolve) => (servers.pop() as Server).close(resolve));
    const result = await createHeadProbe(1_000)({ bucketId: 'b', probeUrl: server.url }, signal);
    expect(result).toEqual({ status: 'OFFLINE' });
  });

  it('reports a bucket without a probe URL as ONLINE without latency', async () => {
    expect(await createHeadProbe(1_000)({ bucketId: 'b' }, signal)).toEqual({ status: 'ONLINE' });
  });
});

describe('createReporter', () => {
  it('reports at once, logs one line per report, and stops promptly mid-wait', async () => {
    const api = await startServer([
      json(200, {
        success: true,
        message: 'Accepted 1 of 2',
        accepted: ['b1'],
        rejected: [{ bucketId: 'b2', reason: 'not assigned' }],
      }),
    ]);
    const probeServer = await startServer([json(200, {})]);
    const lines: string[] = [];
    const events: ReportLogEvent[] = [];
    const reporter = createReporter({
      apiUrl: api.url,
      nodeId: 'node-loop',
      privateKey: keys.privateKey,
      buckets: [{ bucketId: 'b1', probeUrl: probeServer.url }, { bucketId: 'b2' }],
      identity: { ip: '192.0.2.1', region: 'local', version: '1.0.0' },
      intervalMs: 60_000,
      log: (line, event) => {
        lines.push(line);
        events.push(event);
      },
    });
    const started = Date.now();
    const first = await reporter.start();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(first).toMatchObject({ ok: true, accepted: ['b1'] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\S+Z node node-loop: accepted 1, rejected 1 \[b2: not assigned\] \| b1=ONLINE\/\d+ms b2=ONLINE$/,
    );
    const report = JSON.parse(api.recorded[0]?.body.toString() ?? '{}');
    expect(report.buckets).toEqual([
      { bucketId: 'b1', status: 'ONLINE', latency_ms: expect.any(Number) },
      { bucketId: 'b2', status: 'ONLINE' },
    ]);

    const stopping = Date.now();
    await reporter.stop();
    expect(Date.now() - stopping).toBeLessThan(500);
    expect(api.recorded).toHaveLength(1);
  });

  it('logs a failed report and keeps going', async () => {
    const api = await startServer([
      json(401, { success: false, message: 'Unknown or disabled node' }),
      accepted(),
    ]);
    const events: ReportLogEvent[] = [];
    const lines: string[] = [];
    const reporter = createReporter({
      apiUrl: api.url,
      nodeId: 'node-fail',
      privateKey: keys.privateKey,
      buckets: [{ bucketId: 'b1' }],
      identity: { ip: '192.0.2.1', region: 'local', version: '1.0.0' },
      intervalMs: 50,
      jitterRatio: 0,
      log: (line, event) => {
        lines.push(line);
        events.push(event);
      },
    });
    await reporter.start();
    await expect.poll(() => events.length, { timeout: 2_000 }).toBeGreaterThanOrEqual(2);
    await reporter.stop();
    expect(events[0]).toMatchObject({ ok: false, attempts: 1 });
    expect(lines[0]).toContain('FAILED: report refused with 401: Unknown or disabled node');
    expect(events[1]).toMatchObject({ ok: true, accepted: ['b1'] });
  });
});
