// GET /bucket/{bucketId}/events through the production wiring (functions/events/wiring.ts) on
// the real engine: the page, the cursor, the limits, and the status route's access rule and
// error table.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEventWriter } from '../../functions/data/events.ts';
import { eventId, type NodeEvent } from '../../functions/domain/events.ts';
import { encodeCursor } from '../../functions/domain/events-cursor.ts';
import { wire } from '../../functions/events/wiring.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { deriveCursorKey } from '../../functions/shared/cursor-key.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { accessMatrix } from '../support/access-matrix.ts';
import { bucketEventsEvent, lambdaContext } from '../support/events.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { createContract } from '../support/openapi-contract.ts';
import { Seeder } from '../support/seed.ts';
import { bearer, hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

let table: TestTable;
let seed: Seeder;
const NOW = Date.parse('2026-12-01T09:00:00.000Z');
const ACCESS_ORG = 'org-owner';
const ACCESS_WORKSPACE = 'ws-main';
const BUCKET = 'bucket-events';
const OTHER_BUCKET = 'bucket-events-other';
let reader: string; // a READ member's token

function eventsRoute(client = table.client, endpointTable = table.tableName) {
  const handler = wire({
    client,
    settings: testSettings(endpointTable, TEST_SECRET),
    logger: createLogger('bucket-status-test'),
    overrides: { now: () => NOW },
  }).routes['GET /bucket/{bucketId}/events'];
  return async (bucketId: string, query: Record<string, string> = {}, token = reader) => {
    const headers = token === '' ? {} : bearer(token);
    const result = (await handler(
      bucketEventsEvent(bucketId, query, headers),
      lambdaContext(),
    )) as HttpResult;
    const json = JSON.parse(result.body || '{}') as Record<string, unknown>;
    // Every response of this suite is checked against openapi.yaml (status, headers, body).
    contract.assertResponse({
      method: 'GET',
      path: `/bucket/${bucketId}/events`,
      status: result.statusCode,
      headers: new Headers(result.headers),
      body: json,
    });
    return { ...result, json };
  };
}
const contract = createContract();
let getEvents: ReturnType<typeof eventsRoute>;

/** 7 events of BUCKET, one minute apart from 08:00, node-1 flipping; newest at 08:06. */
const seeded: NodeEvent[] = Array.from({ length: 7 }, (_, i) => ({
  bucketId: BUCKET,
  nodeId: 'node-1',
  ip: '203.0.113.7',
  region: 'us-east-1',
  from: i === 0 ? 'DISCONNECTED' : i % 2 === 1 ? 'ONLINE' : 'OFFLINE',
  to: i % 2 === 0 ? 'ONLINE' : 'OFFLINE',
  at: new Date(Date.parse('2026-12-01T08:00:00.000Z') + i * 60_000).toISOString(),
}));
const view = (e: NodeEvent) => ({
  id: eventId(e),
  host: e.nodeId,
  ip: e.ip,
  region: e.region,
  from: e.from,
  to: e.to,
  at: e.at,
});
const newestFirst = [...seeded].reverse().map(view);

beforeAll(async () => {
  table = await createTestTable('events-route');
  seed = new Seeder(table.client, table.tableName);
  await seed.bucket(BUCKET, { workspaceId: ACCESS_WORKSPACE, orgId: ACCESS_ORG });
  await seed.bucket(OTHER_BUCKET, { workspaceId: ACCESS_WORKSPACE, orgId: ACCESS_ORG });
  const record = createEventWriter(table.client, table.tableName, { retentionDays: 90 });
  await record(seeded);
  // One past the retention (90 days) and one of the other bucket: neither shows below.
  await record([
    { ...(seeded[0] as NodeEvent), at: new Date(NOW - 91 * 86_400_000).toISOString() },
    { ...(seeded[0] as NodeEvent), bucketId: OTHER_BUCKET },
  ]);
  const userId = randomUUID();
  await seed.user(userId, { orgId: ACCESS_ORG, orgRole: 'MEMBER' });
  await seed.membership(userId, ACCESS_WORKSPACE, 'READ');
  reader = await hs256Token(userId);
  getEvents = eventsRoute();
});

function expectError(response: Awaited<ReturnType<typeof getEvents>>, status: number) {
  expect({ status: response.statusCode, keys: Object.keys(response.json).sort() }).toStrictEqual({
    status,
    keys: ['message', 'success'],
  });
  expect(response.json.success).toBe(false);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.body).not.toMatch(/\bat .*\.ts:\d+|Error:|node_modules/);
  return response.json.message as string;
}

describe('the page', () => {
  it('lists the events newest first, exactly the contract fields, without nextCursor when all fit', async () => {
    const response = await getEvents(BUCKET);
    expect(response.statusCode).toBe(200);
    expect(response.json).toStrictEqual({ bucketId: BUCKET, events: newestFirst });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('pages with an opaque cursor until the last page, which has none', async () => {
    const seen: unknown[] = [];
    let cursor: string | undefined;
    const pages: number[] = [];
    do {
      const response = await getEvents(BUCKET, { limit: '3', ...(cursor && { cursor }) });
      expect(response.statusCode).toBe(200);
      const events = response.json.events as unknown[];
      pages.push(events.length);
      seen.push(...events);
      cursor = response.json.nextCursor as string | undefined;
      if (cursor !== undefined) expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    } while (cursor !== undefined);
    expect(pages).toStrictEqual([3, 3, 1]);
    expect(seen).toStrictEqual(newestFirst);
  });

  it('a page that ends exactly at the last event has no nextCursor', async () => {
    const response = await getEvents(BUCKET, { limit: '7' });
    expect(response.json.events).toHaveLength(7);
    expect(response.json).not.toHaveProperty('nextCursor');
  });

  it('defaults to 50 events a page', async () => {
    const bucketId = `bucket-many-${randomUUID().slice(0, 8)}`;
    await seed.bucket(bucketId, { workspaceId: ACCESS_WORKSPACE, orgId: ACCESS_ORG });
    const record = createEventWriter(table.client, table.tableName, { retentionDays: 90 });
    await record(
      Array.from({ length: 51 }, (_, i) => ({
        ...(seeded[1] as NodeEvent),
        bucketId,
        at: new Date(NOW - 3_600_000 + i * 1_000).toISOString(),
      })),
    );
    const first = await getEvents(bucketId);
    expect(first.json.events).toHaveLength(50);
    const second = await getEvents(bucketId, { cursor: first.json.nextCursor as string });
    expect(second.json.events).toHaveLength(1);
    expect(second.json).not.toHaveProperty('nextCursor');
  });

  it('an empty bucket has an empty list', async () => {
    const bucketId = `bucket-quiet-${randomUUID().slice(0, 8)}`;
    await seed.bucket(bucketId, { workspaceId: ACCESS_WORKSPACE, orgId: ACCESS_ORG });
    expect((await getEvents(bucketId)).json).toStrictEqual({ bucketId, events: [] });
  });
});

describe('400s', () => {
  it.each(['0', '201', '-1', '1.5', 'abc', '', '1e2', '50,60'])('limit=%s', async (limit) => {
    expect(expectError(await getEvents(BUCKET, { limit }), 400)).toMatch(/limit/);
  });

  // One rule for every numeric query parameter (GET uptime's days too): a canonical decimal
  // integer, no leading zero, no sign, no spaces, like ids and cursors are strict.
  it.each(['01', '050', '0200', '+5', ' 5', '5 ', '007'])(
    'limit=%j: not canonical',
    async (limit) => {
      expect(expectError(await getEvents(BUCKET, { limit }), 400)).toBe(
        'limit must be an integer from 1 to 200, in decimal digits without a leading zero',
      );
    },
  );

  it('a cursor of another bucket, a forged one, an edited one, garbage', async () => {
    const first = await getEvents(BUCKET, { limit: '2' });
    const mine = first.json.nextCursor as string;
    const other = await getEvents(OTHER_BUCKET, { limit: '1' });
    expect(other.statusCode).toBe(200);
    const [text, tag] = mine.split('.') as [string, string];
    // Another bucket's position signed with a key the attacker does not have.
    const forged = encodeCursor(
      deriveCursorKey('an-attacker-secret-of-32-bytes-or-more'),
      BUCKET,
      Buffer.from(text, 'base64url').toString(),
    );
    const edited = `${Buffer.from('2026-12-01T08:05:00.000Z#node-1#ONLINE').toString('base64url')}.${tag}`;
    for (const cursor of [
      forged,
      edited,
      `${text}.${'A'.repeat(22)}`,
      'garbage',
      'a.b.c',
      'x'.repeat(600),
    ]) {
      expect(expectError(await getEvents(BUCKET, { cursor }), 400), cursor).toMatch(/cursor/);
    }
    // BUCKET's own cursor presented for OTHER_BUCKET.
    expect(expectError(await getEvents(OTHER_BUCKET, { cursor: mine }), 400)).toMatch(/cursor/);
    // The genuine one still works (control).
    expect((await getEvents(BUCKET, { cursor: mine })).statusCode).toBe(200);
  });

  it('a bucketId that is not an id', async () => {
    expect(expectError(await getEvents('bad#id'), 400)).toMatch(/bucketId/);
  });
});

describe('access rule matrix (shared with GET status)', () => {
  it.each(accessMatrix(ACCESS_ORG))('%s gets %i', async (_label, profile, role, expected) => {
    const userId = randomUUID();
    await seed.user(userId, profile);
    if (role !== undefined) await seed.membership(userId, ACCESS_WORKSPACE, role);
    const response = await getEvents(BUCKET, {}, await hs256Token(userId));
    expect(response.statusCode).toBe(expected);
    if (expected === 200) expect(response.json.events).toStrictEqual(newestFirst);
    else expectError(response, expected);
  });
});

describe('the error table of GET status', () => {
  it('401 with an RFC 6750 challenge without a token or with a bad one', async () => {
    const missing = await getEvents(BUCKET, {}, '');
    expectError(missing, 401);
    expect(missing.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const forged = await hs256Token(randomUUID(), {
      secret: 'another-secret-at-least-32-bytes-long!!',
    });
    expectError(await getEvents(BUCKET, {}, forged), 401);
  });

  it('404 for a bucket that does not exist, or a user that does not exist', async () => {
    expect(expectError(await getEvents('no-such-bucket'), 404)).toMatch(/Bucket/);
    expect(expectError(await getEvents(BUCKET, {}, await hs256Token(randomUUID())), 404)).toMatch(
      /User/,
    );
  });

  it('401 for a token issued before the user revoked their tokens', async () => {
    const userId = randomUUID();
    await seed.user(userId, {
      orgId: ACCESS_ORG,
      orgRole: 'OWNER',
      tokensValidAfter: Math.floor(Date.now() / 1000) + 60,
    });
    expectError(await getEvents(BUCKET, {}, await hs256Token(userId)), 401);
  });

  it('503 with Retry-After when DynamoDB fails after retries, no internals', async () => {
    await withFaultProxy(table.endpoint, async (proxy) => {
      proxy.fail({ kind: 'unavailable', operation: 'Query', times: Number.POSITIVE_INFINITY });
      const faulty = eventsRoute(createDynamoClient({ endpoint: proxy.endpoint }));
      const response = await faulty(BUCKET);
      expectError(response, 503);
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
    });
  });
});

describe('openapi.yaml', () => {
  it('documents exactly the status codes of GET status for GET events, each with a JSON body but 304', () => {
    const paths = contract.doc.paths as Record<
      string,
      { get?: { responses?: Record<string, unknown> } }
    >;
    const codes = (path: string) => Object.keys(paths[path]?.get?.responses ?? {}).sort();
    expect(codes('/bucket/{bucketId}/events')).toStrictEqual(codes('/bucket/{bucketId}/status'));
    expect(codes('/bucket/{bucketId}/events')).toStrictEqual(
      ['200', '304', '400', '401', '403', '404', '406', '500', '503'].sort(),
    );
  });
});
