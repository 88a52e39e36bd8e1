import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { lambdaContext, statusEvent } from '../support/events.ts';
import { Seeder } from '../support/seed.ts';
import { hs256Token } from '../support/status-fixture.ts';
import { statusHandlerFor, testSettings } from '../support/wiring.ts';

/**
 * ETag, 304 and gzip on GET status (DESIGN.md section 7) on both adapters: the Lambda handler
 * given API Gateway payload v2 events (what API Gateway passes through), and the local runtime
 * over real HTTP (which passes compressed bodies through as API Gateway does).
 */

let runtime: LocalRuntime;
let dynamo: ReturnType<typeof createDynamoClient>;
let seed: Seeder;
let lambda: ReturnType<typeof statusHandlerFor>;
let token: string;
let smallBucket: string;
let bigBucket: string;

const report = (i: number) => ({
  ip: `198.51.100.${i % 250}`,
  region: 'eu-west-1',
  version: '1.4.2',
  status: 'ONLINE',
  latency_ms: 40 + i,
  lastUpdated: new Date(Date.now() - 1_000).toISOString(),
  reportedAt: Date.now() - 1_000,
});

beforeAll(async () => {
  runtime = await startLocalRuntime({
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    port: 0,
    simulateNodes: false,
    log: () => undefined,
  });
  dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
  seed = new Seeder(dynamo, runtime.tableName);
  const userId = `u-${randomUUID()}`;
  const orgId = `o-${randomUUID()}`;
  const workspaceId = `w-${randomUUID()}`;
  await seed.user(userId, { orgId });
  await seed.membership(userId, workspaceId, 'READ');
  smallBucket = randomUUID();
  bigBucket = randomUUID();
  await seed.bucket(smallBucket, { workspaceId, orgId });
  await seed.bucket(bigBucket, { workspaceId, orgId });
  await seed.assignment(smallBucket, 'node-a', report(1));
  await seed.putMany(
    Array.from({ length: 40 }, (_, i) =>
      seed.assignmentRow(bigBucket, `node-${String(i).padStart(3, '0')}`, report(i)),
    ),
  );
  token = await hs256Token(userId, { secret: runtime.demo.jwtSecret });
  lambda = statusHandlerFor({
    client: dynamo,
    settings: testSettings(runtime.tableName, runtime.demo.jwtSecret, { staleAfterSeconds: 90 }),
    logger: createLogger('conditional-get-test'),
  });
});

afterAll(async () => {
  dynamo?.destroy();
  await runtime?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  /** The body as sent (compressed when content-encoding says so). */
  raw: Buffer;
}

/** The Lambda handler's result, as API Gateway would turn it into a response. */
async function viaLambda(bucketId: string, headers: Record<string, string>): Promise<Answer> {
  const result = (await lambda(
    statusEvent(bucketId, { authorization: `Bearer ${token}`, ...headers }),
    lambdaContext(),
  )) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
    isBase64Encoded?: boolean;
  };
  return {
    status: result.statusCode,
    headers: result.headers,
    raw: Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}

/** A raw HTTP request to the local runtime: no client-side decompression. */
function viaHttp(bucketId: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(`/bucket/${bucketId}/status`, runtime.apiUrl);
    const request = httpRequest(
      url,
      { headers: { authorization: `Bearer ${token}`, ...headers }, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers as Record<string, string | undefined>,
            raw: Buffer.concat(chunks),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

const decoded = (answer: Answer) =>
  JSON.parse(
    (answer.headers['content-encoding'] === 'gzip'
      ? gunzipSync(answer.raw)
      : answer.raw
    ).toString(),
  ) as { bucketId: string; nodeStatus: unknown[] };

for (const [adapter, get] of [
  ['Lambda handler', viaLambda],
  ['local HTTP adapter', viaHttp],
] as const) {
  describe(`GET status ETag, 304 and gzip (${adapter})`, () => {
    it('sends a strong ETag and Vary: Accept-Encoding on a 200', async () => {
      const answer = await get(smallBucket, {});
      expect(answer.status).toBe(200);
      expect(answer.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(answer.headers.vary?.toLowerCase()).toBe('accept-encoding');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(decoded(answer).bucketId).toBe(smallBucket);
    });

    it('answers 304 with no body to a matching If-None-Match, 200 to another', async () => {
      const first = await get(smallBucket, {});
      const etag = first.headers.etag as string;
      const again = await get(smallBucket, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.raw.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers['content-length']).toBeUndefined();
      expect(again.headers['content-type']).toBeUndefined();
      const other = await get(smallBucket, { 'if-none-match': '"something-else"' });
      expect(other.status).toBe(200);
      expect(decoded(other).bucketId).toBe(smallBucket);
    });

    it('gives a new ETag after a report changes the body', async () => {
      const before = (await get(smallBucket, {})).headers.etag as string;
      await seed.assignment(smallBucket, 'node-a', { ...report(2), latency_ms: 999 });
      const after = await get(smallBucket, { 'if-none-match': before });
      expect(after.status).toBe(200);
      expect(after.headers.etag).not.toBe(before);
      expect(JSON.stringify(decoded(after))).toContain('"latency_ms":999');
    });

    it('gzips a body of 1 KiB or more when accepted, and only then', async () => {
      const plain = await get(bigBucket, {});
      expect(plain.raw.length).toBeGreaterThanOrEqual(1024);
      expect(plain.headers['content-encoding']).toBeUndefined();

      const zipped = await get(bigBucket, { 'accept-encoding': 'gzip, deflate, br' });
      expect(zipped.status).toBe(200);
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary?.toLowerCase()).toBe('accept-encoding');
      expect(zipped.raw.length).toBeLessThan(plain.raw.length / 2);
      expect(decoded(zipped)).toEqual(decoded(plain));
      expect(zipped.headers.etag).toBe(plain.headers.etag);

      const refused = await get(bigBucket, { 'accept-encoding': 'gzip;q=0, br' });
      expect(refused.headers['content-encoding']).toBeUndefined();

      const small = await get(smallBucket, { 'accept-encoding': 'gzip' });
      expect(small.raw.length).toBeLessThan(1024);
      expect(small.headers['content-encoding']).toBeUndefined();
    });

    it('never compresses or tags an error', async () => {
      const answer = await get(randomUUID(), { 'accept-encoding': 'gzip' });
      expect(answer.status).toBe(404);
      expect(answer.headers.etag).toBeUndefined();
      expect(answer.headers['content-encoding']).toBeUndefined();
    });
  });
}

it('the local adapter sends the compressed bytes with their length (as API Gateway does)', async () => {
  const zipped = await viaHttp(bigBucket, { 'accept-encoding': 'gzip' });
  expect(Number(zipped.headers['content-length'])).toBe(zipped.raw.length);
  expect(zipped.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
});

describe('every GET route has ETag and 304 from the shared chain', () => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${runtime.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });

  it.each([
    ['uptime', (bucket: string) => `/bucket/${bucket}/uptime?days=7`],
    ['events', (bucket: string) => `/bucket/${bucket}/events?limit=5`],
  ])('GET %s', async (_, path) => {
    const first = await get(path(smallBucket));
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first.headers.get('vary')).toBe('accept-encoding');
    const again = await get(path(smallBucket), { 'if-none-match': etag as string });
    // Today's uptime grows with the clock (observed seconds to the millisecond), so its body,
    // and its ETag, change on every read; the events page is stable until the next change.
    if (again.headers.get('etag') === etag) {
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    } else {
      expect(again.status).toBe(200);
    }
  });

  it('GET events: 304 while nothing changes', async () => {
    const path = `/bucket/${smallBucket}/events?limit=5`;
    const etag = (await get(path)).headers.get('etag') as string;
    const again = await get(path, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
});
