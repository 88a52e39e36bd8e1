import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateNodeKeyPair,
  publicKeyFromRaw,
  verifyNodeSignature,
} from '../../functions/domain/node-signature.ts';
import type { ReportLogEvent } from '../../reporter/log-format.ts';
import { createHeadProbe } from '../../reporter/probe.ts';
import { createReporter, splitIntoReports } from '../../reporter/reporter.ts';
import {
  backoffDelayMs,
  parseRetryAfterMs,
  ReportError,
  sendReport,
  withTimeout,
} from '../../reporter/transport.ts';
import type { ReportBody } from '../../reporter/wire.ts';

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
    const result = await sendReport({
      apiUrl: server.url,
      nodeId: 'node-b',
      privateKey: keys.privateKey,
      body,
      retry: fastRetry,
      onRetry: (info) => delays.push(info.delayMs),
    });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1_000);
    expect(result).toMatchObject({ status: 200, attempts: 2 });
    expect(server.recorded).toHaveLength(2);
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
    // The server answered after 30 ms: the measured round trip cannot be shorter.
    expect(result.latencyMs).toBeGreaterThanOrEqual(25);
    expect(server.recorded[0]?.method).toBe('HEAD');
  });

  it('counts a timeout as OFFLINE without latency', async () => {
    const server = await startServer([() => undefined]); // never answers
    const result = await createHeadProbe(150)({ bucketId: 'b', probeUrl: server.url }, signal);
    expect(result).toEqual({ status: 'OFFLINE' });
    expect(server.recorded.map((r) => r.method)).toEqual(['HEAD']);
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
    const first = await reporter.start();
    // One bucket rejected: the report was answered, but not accepted in full.
    expect(first.ok).toBe(false);
    expect(first.reports).toHaveLength(1);
    expect(first.reports[0]).toMatchObject({ ok: true, fullyAccepted: false, accepted: ['b1'] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\S+Z node node-loop: accepted 1, rejected 1 \[b2: not assigned\] \| b1=ONLINE\/\d+ms b2=ONLINE$/,
    );
    const report = JSON.parse(api.recorded[0]?.body.toString() ?? '{}');
    expect(report.buckets).toEqual([
      { bucketId: 'b1', status: 'ONLINE', latency_ms: expect.any(Number) },
      { bucketId: 'b2', status: 'ONLINE' },
    ]);

    // The interval is a minute: stop() must end the wait, not sit it out (the test's timeout
    // is shorter), and no second report may have gone out.
    await reporter.stop();
    expect(api.recorded).toHaveLength(1);
    expect(lines).toHaveLength(1);
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
    expect(events[1]).toMatchObject({ ok: true, fullyAccepted: true, accepted: ['b1'] });
  });
});

describe('a 200 that is not the API', () => {
  it.each([
    ['an HTML page', (res: ServerResponse) => res.end('<html>Welcome to the hotel Wi-Fi</html>')],
    ['JSON of another shape', json(200, { ok: true })],
    ['success false', json(200, { success: false, message: 'x', accepted: [], rejected: [] })],
  ])('%s is a failed report, not retried', async (_what, reply) => {
    const server = await startServer([reply as Reply, accepted()]);
    const error = await sendReport({
      apiUrl: server.url,
      nodeId: 'node-portal',
      privateKey: keys.privateKey,
      body,
      retry: fastRetry,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect(error).toMatchObject({ status: 200, attempts: 1 });
    expect((error as Error).message).toContain("without the API's JSON body");
    expect(server.recorded).toHaveLength(1);
  });
});

describe('an API URL with credentials', () => {
  it('is refused before any request, not retried as a network error', async () => {
    const server = await startServer([accepted()]);
    const withCredentials = server.url.replace('http://', 'http://user:secret@');
    const error = await sendReport({
      apiUrl: withCredentials,
      nodeId: 'node-creds',
      privateKey: keys.privateKey,
      body,
      retry: fastRetry,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('the API URL must not carry a user name or password');
    expect(server.recorded).toHaveLength(0);
  });
});

describe('a node with more than 100 buckets', () => {
  it('splits the buckets into reports of at most 100, in order', () => {
    const ids = Array.from({ length: 250 }, (_, i) => i);
    const parts = splitIntoReports(ids);
    expect(parts.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(parts.flat()).toEqual(ids);
    expect(splitIntoReports(ids.slice(0, 100))).toHaveLength(1);
  });

  /** A server that enforces a per-node rate limit as the API does (429 + Retry-After). */
  async function rateLimitedApi(minIntervalMs: number, rejectId?: string) {
    let lastAcceptedAt = Number.NEGATIVE_INFINITY;
    const outcomes: number[] = [];
    const server = await startServer([
      (res, recorded) => {
        const now = performance.now();
        if (now - lastAcceptedAt < minIntervalMs) {
          outcomes.push(429);
          json(
            429,
            { success: false, message: 'too frequent' },
            { 'retry-after': '1' },
          )(res, recorded);
          return;
        }
        lastAcceptedAt = now;
        outcomes.push(200);
        const ids = (JSON.parse(recorded.body.toString()) as ReportBody).buckets.map(
          (b) => b.bucketId,
        );
        json(200, {
          success: true,
          message: 'ok',
          accepted: ids.filter((id) => id !== rejectId),
          rejected: ids.includes(rejectId ?? '')
            ? [{ bucketId: rejectId, reason: 'not assigned' }]
            : [],
        })(res, recorded);
      },
    ]);
    return { ...server, outcomes };
  }

  const manyBuckets = Array.from({ length: 250 }, (_, i) => ({ bucketId: `bucket-${i}` }));

  it('sends them all in one round, spaced by the rate limit (no 429 on the way)', async () => {
    const api = await rateLimitedApi(200);
    const events: ReportLogEvent[] = [];
    const reporter = createReporter({
      apiUrl: api.url,
      nodeId: 'node-many',
      privateKey: keys.privateKey,
      buckets: manyBuckets,
      identity: { ip: '192.0.2.1', region: 'local', version: '1.0.0' },
      intervalMs: 60_000,
      minReportIntervalMs: 200,
      retry: { maxAttempts: 1 }, // a 429 would fail the report instead of being waited out
      log: (_line, event) => events.push(event),
    });
    const round = await reporter.start();
    await reporter.stop();
    expect(api.outcomes).toEqual([200, 200, 200]);
    expect(round.ok).toBe(true);
    expect(round.reports.map((r) => [r.part, r.parts, r.buckets.length, r.fullyAccepted])).toEqual([
      [1, 3, 100, true],
      [2, 3, 100, true],
      [3, 3, 50, true],
    ]);
    const sent = api.recorded.flatMap((r) =>
      (JSON.parse(r.body.toString()) as ReportBody).buckets.map((b) => b.bucketId),
    );
    expect(sent).toEqual(manyBuckets.map((b) => b.bucketId));
    const timestamps = api.recorded.map((r) => Number(r.headers['x-node-timestamp']));
    expect([...timestamps].sort((a, b) => a - b)).toEqual(timestamps);
    expect(events).toHaveLength(3);
  });

  it('is not ok when one bucket of one report is rejected', async () => {
    const api = await rateLimitedApi(0, 'bucket-170');
    const reporter = createReporter({
      apiUrl: api.url,
      nodeId: 'node-many-rejected',
      privateKey: keys.privateKey,
      buckets: manyBuckets,
      identity: { ip: '192.0.2.1', region: 'local', version: '1.0.0' },
      intervalMs: 60_000,
      minReportIntervalMs: 0,
      log: () => undefined,
    });
    const round = await reporter.start();
    await reporter.stop();
    expect(round.ok).toBe(false);
    expect(round.reports.map((r) => r.fullyAccepted)).toEqual([true, false, true]);
    expect(round.reports[1]?.rejected).toEqual([
      { bucketId: 'bucket-170', reason: 'not assigned' },
    ]);
  });
});

describe('withTimeout', () => {
  it('aborts on the caller signal and on the timeout; clear() detaches both', async () => {
    const caller = new AbortController();
    const linked = withTimeout(caller.signal, 60_000);
    expect(linked.signal.aborted).toBe(false);
    caller.abort(new Error('stop'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('stop');
    linked.clear();

    const timed = withTimeout(new AbortController().signal, 10);
    await expect.poll(() => timed.signal.aborted).toBe(true);
    expect((timed.signal.reason as Error).name).toBe('TimeoutError');
    timed.clear();

    const alreadyStopped = new AbortController();
    alreadyStopped.abort(new Error('gone'));
    const late = withTimeout(alreadyStopped.signal, 60_000);
    expect((late.signal.reason as Error).message).toBe('gone');
    late.clear();

    // Cleared: neither the caller's signal nor the (short) timer reaches the request's signal.
    const other = new AbortController();
    const cleared = withTimeout(other.signal, 1);
    cleared.clear();
    other.abort(new Error('after the request'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cleared.signal.aborted).toBe(false);
  });
});
