import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { signNodeReport } from '../../functions/domain/node-signature.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { ingestEvent, lambdaContext } from '../support/events.ts';
import type { FaultKind, FaultProxy } from '../support/fault-proxy.ts';
import { bearer, buildStatusHandler, hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { type TableFixtures, type TestTable, tableFixtures } from '../support/table.ts';
import { ingestHandlerFor, statusHandlerFor, testSettings } from '../support/wiring.ts';

/**
 * Faults injected between the SDK and a real engine: the SDK's own retry, backoff and parsing
 * run for real. Function timeout assumed by the stack: 10 s; every case must answer well
 * inside it.
 */
const FUNCTION_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 300;
const MAX_ATTEMPTS = 3;

let token: string;
const BUCKET = 'fault-bucket';
const BUCKETS = ['fault-b1', 'fault-b2', 'fault-b3'];
/** `latency` stored for every one of BUCKETS. */
const everyBucket = (latency: number) =>
  Object.fromEntries(BUCKETS.map((bucketId) => [bucketId, latency]));
let nodeKey: string;
const NODE = 'fault-node';

const it = tableFixtures('faults');

it.beforeAll(async ({ seed }) => {
  const userId = randomUUID();
  await seed.user(userId, { orgId: 'org' });
  await seed.membership(userId, 'ws', 'READ');
  for (const bucketId of [BUCKET, ...BUCKETS])
    await seed.bucket(bucketId, { workspaceId: 'ws', orgId: 'org' });
  nodeKey = await seed.node(NODE);
  for (const bucketId of BUCKETS) await seed.assignment(bucketId, NODE);
  await seed.assignment(BUCKET, NODE);
  token = await hs256Token(userId);
});

it.beforeEach(({ proxy }) => proxy.clear());

const faultyClient = (proxy: FaultProxy) =>
  createDynamoClient({
    endpoint: proxy.endpoint,
    maxAttempts: MAX_ATTEMPTS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

describe('status read under DynamoDB faults', () => {
  const read = ({ table, proxy }: Pick<TableFixtures, 'table' | 'proxy'>) =>
    buildStatusHandler(faultyClient(proxy), table.tableName);

  it.for<FaultKind>(['throttle', 'provisioned', 'internal', 'unavailable', 'reset', 'timeout'])(
    'a passing %s fault is retried away: 200',
    async (kind, { table, proxy }) => {
      proxy.fail({ kind, operation: 'Query', times: 2 });
      const [response] = await timed(() => read({ table, proxy })(BUCKET, bearer(token)));
      expect(response.statusCode).toBe(200);
      expect(proxy.count('Query', true)).toBe(2);
    },
  );

  it.for<FaultKind>(['throttle', 'provisioned', 'internal', 'unavailable', 'reset', 'timeout'])(
    'a lasting %s fault ends in 503 + Retry-After after the SDK retries, inside the function timeout',
    async (kind, { table, proxy }) => {
      proxy.fail({
        kind,
        operation: 'Query',
        bodyIncludes: 'BUCKET#',
        times: Number.POSITIVE_INFINITY,
      });
      const [response, elapsed] = await timed(() => read({ table, proxy })(BUCKET, bearer(token)));
      expect(response.statusCode).toBe(503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.json).toStrictEqual({ success: false, message: expect.any(String) });
      // The bucket Query was tried MAX_ATTEMPTS times by the SDK before giving up.
      expect(proxy.count('Query', true)).toBe(MAX_ATTEMPTS);
      expect(elapsed).toBeLessThan(FUNCTION_TIMEOUT_MS);
    },
  );

  it('answers 503 before the Lambda deadline when DynamoDB hangs past the remaining time', async ({
    table,
    proxy,
  }) => {
    proxy.fail({ kind: 'timeout', operation: 'Query', times: Number.POSITIVE_INFINITY });
    const slowClient = createDynamoClient({
      endpoint: proxy.endpoint,
      maxAttempts: 3,
      requestTimeoutMs: 5_000,
    });
    const { statusEvent } = await import('../support/events.ts');
    const handler = statusHandlerFor({
      client: slowClient,
      settings: testSettings(table.tableName, TEST_SECRET),
    });
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => 1_500 };
    const response = (await handler(statusEvent(BUCKET, bearer(token)), context)) as HttpResult;
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    // The early-timeout guard answered (its own message), not the SDK giving up: the DynamoDB
    // request timeout (5 s) is longer than the remaining time the context reports (1.5 s).
    expect(JSON.parse(response.body)).toStrictEqual({
      success: false,
      message: 'The request took too long; retry shortly',
    });
  });
});

describe('ingestion under DynamoDB faults', () => {
  let handler: ReturnType<typeof ingestHandlerFor>;
  it.beforeAll(({ table, proxy }) => {
    handler = ingestHandlerFor({
      client: faultyClient(proxy),
      settings: testSettings(table.tableName, TEST_SECRET, {
        // No key cache, so the key read goes through the proxy on every report.
        nodeKeyCacheSeconds: 0,
        // Reports follow each other at once here; the limit has its own tests.
        nodeMinReportIntervalMs: 0,
      }),
    });
  });
  let clock = Date.now();
  async function report(latency: number) {
    const body = JSON.stringify({
      ip: '203.0.113.7',
      region: 'us-east-1',
      version: '1.2.3',
      buckets: BUCKETS.map((bucketId) => ({ bucketId, status: 'ONLINE', latency_ms: latency })),
    });
    clock += 1;
    const headers = signNodeReport(NODE, nodeKey, body, clock);
    const response = (await handler(ingestEvent(body, headers), lambdaContext())) as HttpResult;
    return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
  }
  async function storedLatencies(table: TestTable) {
    const result: Record<string, number | undefined> = {};
    for (const bucketId of BUCKETS) {
      const response = await buildStatusHandler(table.client, table.tableName)(
        bucketId,
        bearer(token),
      );
      result[bucketId] = (response.json.nodeStatus as { latency_ms?: number }[])[0]?.latency_ms;
    }
    return result;
  }

  it('a lasting fault on one bucket: 503 naming each outcome, the others stored, then the next report applies', async ({
    table,
    proxy,
  }) => {
    proxy.fail({
      kind: 'throttle',
      operation: 'UpdateItem',
      bodyIncludes: 'BUCKET#fault-b2',
      times: Number.POSITIVE_INFINITY,
    });
    const faulted = await report(11);
    expect(faulted.statusCode).toBe(503);
    expect(Number(faulted.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(faulted.json).toStrictEqual({
      success: false,
      message: expect.stringMatching(/1 of 3/),
      accepted: ['fault-b1', 'fault-b3'],
      rejected: [{ bucketId: 'fault-b2', reason: 'temporarily unavailable, retry' }],
    });
    expect(proxy.count('UpdateItem', true)).toBe(MAX_ATTEMPTS);
    const afterFault = await storedLatencies(table);
    expect(afterFault['fault-b1']).toBe(11);
    expect(afterFault['fault-b3']).toBe(11);
    expect(afterFault['fault-b2']).not.toBe(11);

    proxy.clear();
    const retried = await report(12);
    expect(retried.statusCode).toBe(200);
    expect(retried.json.accepted).toStrictEqual(BUCKETS);
    expect(await storedLatencies(table)).toStrictEqual(everyBucket(12));
  });

  it('a passing fault on bucket writes is retried away by the SDK: 200, all stored', async ({
    table,
    proxy,
  }) => {
    proxy.fail({ kind: 'internal', operation: 'UpdateItem', bodyIncludes: 'BUCKET#', times: 2 });
    const response = await report(21);
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual(BUCKETS);
    expect(await storedLatencies(table)).toStrictEqual(everyBucket(21));
  });

  it.for<FaultKind>(['throttle', 'reset', 'timeout'])(
    'a lasting %s fault on the replay guard: 503 and no bucket row touched',
    async (kind, { table, proxy }) => {
      const before = await storedLatencies(table);
      proxy.fail({
        kind,
        operation: 'UpdateItem',
        bodyIncludes: 'NODE#fault-node',
        times: Number.POSITIVE_INFINITY,
      });
      const response = await report(99);
      expect(response.statusCode).toBe(503);
      expect(response.json).toStrictEqual({ success: false, message: expect.any(String) });
      expect(proxy.count('UpdateItem')).toBe(MAX_ATTEMPTS);
      proxy.clear();
      expect(await storedLatencies(table)).toStrictEqual(before);
    },
  );

  it('a lasting fault on the key read: 503, not 401', async ({ proxy }) => {
    proxy.fail({ kind: 'unavailable', operation: 'GetItem', times: Number.POSITIVE_INFINITY });
    const response = await report(5);
    expect(response.statusCode).toBe(503);
    expect(proxy.count('GetItem', true)).toBe(MAX_ATTEMPTS);
  });
});
