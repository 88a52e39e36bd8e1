// The public and badge functions (DESIGN.md section 17) through their production wiring, on
// the run's engine: what each route answers for a share (body, headers, ETag and 304), the one
// 404 for every token that opens nothing (with the reads it made), a share whose bucket is
// gone, bad queries, an outage, and the share rows' edge cases (a lookup row missing a field,
// a lookup write that fails, a slot freed by another request).
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { wire as wireBadge } from '../../functions/badge/wiring.ts';
import {
  bucketPk,
  META_SK,
  shareSlotSk,
  sharesPk,
  shareTokenPk,
} from '../../functions/data/keys.ts';
import { createShareStore, type ShareSummary } from '../../functions/data/shares.ts';
import { generateShareToken, shareTokenHash } from '../../functions/domain/shares.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { wire as wirePublic } from '../../functions/public/wiring.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { commandName, traceCalls } from '../support/call-trace.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { Seeder } from '../support/seed.ts';
import { TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

let table: TestTable;
const bucketId = randomUUID();
const goneBucketId = randomUUID();
const hiddenToken = generateShareToken();
const shownToken = generateShareToken();
const goneToken = generateShareToken();
const NOT_FOUND = '{"success":false,"message":"Share not found"}';
/** The functions' clock, fixed after the seeding: every answer of a route is the same bytes. */
let now: number;

const summary = (token: string, slot: number, showIps: boolean): ShareSummary => ({
  shareId: `shr_${slot}_${randomUUID().slice(0, 8)}`,
  slot,
  label: undefined,
  showIps,
  createdAt: new Date().toISOString(),
  tokenHash: shareTokenHash(token),
});

beforeAll(async () => {
  table = await createTestTable('public-handlers');
  const seed = new Seeder(table.client, table.tableName);
  const workspaceId = randomUUID();
  const orgId = randomUUID();
  await seed.workspace(workspaceId, { orgId });
  await seed.bucket(bucketId, { workspaceId, orgId });
  await seed.bucket(goneBucketId, { workspaceId, orgId });
  const lastUpdated = new Date().toISOString();
  await seed.putMany(
    Array.from({ length: 3 }, (_, i) =>
      seed.assignmentRow(bucketId, `n-${i}`, {
        ip: `192.0.2.${10 + i}`,
        region: 'eu-west-1',
        version: '1.0.0',
        status: 'ONLINE',
        lastUpdated,
      }),
    ),
  );
  const shares = createShareStore(table.client, table.tableName);
  expect(await shares.putShare(bucketId, summary(hiddenToken, 0, false))).toBe(true);
  expect(await shares.putShare(bucketId, summary(shownToken, 1, true))).toBe(true);
  expect(await shares.putShare(goneBucketId, summary(goneToken, 0, true))).toBe(true);
  now = Date.now() + 60_000;
  // The bucket goes; its share's lookup row stays.
  await table.client.send(
    new DeleteItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: bucketPk(goneBucketId) }, sk: { S: META_SK } },
    }),
  );
});

type Handler = (event: APIGatewayProxyEventV2, context: unknown) => Promise<unknown>;

/** Both functions' routes on one client (a traced one when given). */
function routesOn(client = table.client): Record<string, Handler> {
  const deps = {
    client,
    settings: testSettings(table.tableName, TEST_SECRET),
    logger: createLogger('public-handlers'),
    overrides: { now: () => now },
  };
  return {
    ...(wirePublic(deps).routes as Record<string, Handler>),
    ...(wireBadge(deps).routes as Record<string, Handler>),
  };
}

async function get(
  route: string,
  token: unknown,
  options: {
    query?: Record<string, string>;
    headers?: Record<string, string>;
    client?: typeof table.client;
  } = {},
): Promise<HttpResult> {
  const routeKey = `GET /public/{token}/${route}`;
  const handler = routesOn(options.client)[routeKey];
  if (handler === undefined) throw new Error(`no handler for ${routeKey}`);
  const event = httpApiEvent({
    method: 'GET',
    path: `/public/${String(token)}/${route}`,
    routeKey,
    headers: options.headers ?? {},
    ...(token !== undefined && { pathParameters: { token: token as string } }),
  });
  if (options.query !== undefined) event.queryStringParameters = options.query;
  return (await handler(event, lambdaContext())) as HttpResult;
}

const ROUTES = ['status', 'uptime', 'health', 'health/events', 'badge.svg'] as const;
const maxAgeOf = (route: string) => (route === 'badge.svg' ? 60 : 30);

describe('a share that opens its bucket', () => {
  it.each(ROUTES)('%s: 200, cached publicly for its max-age, CORS *, an ETag', async (route) => {
    const result = await get(route, hiddenToken);
    expect(result.statusCode, result.body).toBe(200);
    expect(result.headers?.['cache-control']).toBe(`public, max-age=${maxAgeOf(route)}`);
    expect(result.headers?.['access-control-allow-origin']).toBe('*');
    const etag = result.headers?.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    if (route === 'badge.svg') {
      expect(result.headers?.['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(result.body).toMatch(/^<svg /);
    } else {
      expect(JSON.parse(result.body).bucketId).toBe(bucketId);
    }
    expect(result.body).not.toContain('192.0.2.');
    // The same answer again, conditionally: a 304 with the same public headers.
    const again = await get(route, hiddenToken, { headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.headers?.['cache-control']).toBe(`public, max-age=${maxAgeOf(route)}`);
    expect(again.headers?.['access-control-allow-origin']).toBe('*');
  });

  it('ips only when the share shows them', async () => {
    const shownStatus = JSON.parse((await get('status', shownToken)).body);
    expect(shownStatus.nodeStatus.map((n: { ip?: string }) => n.ip).sort()).toEqual([
      '192.0.2.10',
      '192.0.2.11',
      '192.0.2.12',
    ]);
    const shownUptime = JSON.parse((await get('uptime', shownToken)).body);
    expect(shownUptime.nodes.map((n: { ip?: string }) => n.ip).sort()).toEqual([
      '192.0.2.10',
      '192.0.2.11',
      '192.0.2.12',
    ]);
    for (const route of ['status', 'uptime'] as const) {
      const hidden = JSON.parse((await get(route, hiddenToken)).body);
      const nodes = (hidden.nodeStatus ?? hidden.nodes) as Record<string, unknown>[];
      expect(nodes).toHaveLength(3);
      for (const node of nodes) expect(node).not.toHaveProperty('ip');
    }
  });

  it('the uptime and health queries are the routes own: days, limit', async () => {
    const uptime = JSON.parse((await get('uptime', hiddenToken, { query: { days: '3' } })).body);
    expect(uptime.nodes[0].days).toHaveLength(3);
    const events = await get('health/events', hiddenToken, { query: { limit: '1' } });
    expect(events.statusCode).toBe(200);
    const badge = await get('badge.svg', hiddenToken, { query: { show: 'uptime', days: '3' } });
    expect(badge.body).toContain('uptime 3d');
    // No report in the window's days is "no data"; the verdict badge says its verdict.
    const verdict = await get('badge.svg', hiddenToken, { query: { show: 'health' } });
    expect(verdict.body).toMatch(/<title>bucket: [a-z ]+<\/title>/);
  });
});

describe('a token that opens nothing', () => {
  it.each(ROUTES)(
    '%s: the one 404, no-store, CORS *, and no read for a malformed token',
    async (route) => {
      const revoked = generateShareToken();
      const shares = createShareStore(table.client, table.tableName);
      const share = summary(revoked, 5, false);
      expect(await shares.putShare(bucketId, share)).toBe(true);
      expect((await get(route, revoked)).statusCode).toBe(200);
      expect(await shares.deleteShare(bucketId, share)).toBe(true);
      for (const token of [
        undefined,
        'nope',
        `${hiddenToken}x`,
        generateShareToken(),
        revoked,
        goneToken,
      ]) {
        const client = createDynamoClient({ endpoint: table.endpoint });
        const traced = traceCalls(client, (command) => ({ command: commandName(command) }));
        const result = await get(route, token, { client });
        client.destroy();
        expect(result.statusCode, String(token)).toBe(404);
        expect(result.body).toBe(NOT_FOUND);
        expect(result.headers?.['cache-control']).toBe('no-store');
        expect(result.headers?.['access-control-allow-origin']).toBe('*');
        expect(result.headers?.['content-type']).toBe('application/json');
        const reads = traced.calls.map((c) => c.command);
        if (token === undefined || token === 'nope' || token === `${hiddenToken}x`) {
          // Not a token's form: refused before any read.
          expect(reads).toEqual([]);
        } else if (token !== goneToken) {
          // One consistent GetItem of the lookup row, nothing of any bucket.
          expect(reads).toEqual(['GetItem']);
        }
      }
    },
  );

  it('a lookup row without its bucket or share id opens nothing', async () => {
    for (const [name, item] of [
      ['no bucketId', { shareId: { S: 'shr_x' } }],
      ['no shareId', { bucketId: { S: bucketId } }],
    ] as const) {
      const token = generateShareToken();
      await table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: {
            pk: { S: shareTokenPk(shareTokenHash(token)) },
            sk: { S: META_SK },
            showIps: { BOOL: true },
            ...item,
          },
        }),
      );
      const result = await get('status', token);
      expect(result.statusCode, name).toBe(404);
      expect(result.body, name).toBe(NOT_FOUND);
      const shares = createShareStore(table.client, table.tableName);
      expect(await shares.findShare(shareTokenHash(token)), name).toBeUndefined();
    }
  });

  it('a lookup row without showIps shows no ip', async () => {
    const token = generateShareToken();
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: shareTokenPk(shareTokenHash(token)) },
          sk: { S: META_SK },
          bucketId: { S: bucketId },
          shareId: { S: 'shr_no_flag' },
        },
      }),
    );
    const body = JSON.parse((await get('status', token)).body);
    expect(body.bucketId).toBe(bucketId);
    for (const node of body.nodeStatus) expect(node).not.toHaveProperty('ip');
    expect(
      await createShareStore(table.client, table.tableName).findShare(shareTokenHash(token)),
    ).toEqual({ bucketId, shareId: 'shr_no_flag', showIps: false });
  });
});

describe('bad queries and outages', () => {
  it.each([
    [
      'uptime',
      { days: '0' },
      'days must be an integer from 1 to 90, in decimal digits without a leading zero',
    ],
    [
      'uptime',
      { days: '91' },
      'days must be an integer from 1 to 90, in decimal digits without a leading zero',
    ],
    ['badge.svg', { show: 'ips' }, 'show must be health or uptime'],
    [
      'badge.svg',
      { show: 'uptime', days: 'x' },
      'days must be an integer from 1 to 90, in decimal digits without a leading zero',
    ],
  ] as const)('%s %j: 400 "%s", no-store, CORS *', async (route, query, message) => {
    const result = await get(route, hiddenToken, { query });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toEqual({ success: false, message });
    expect(result.headers?.['cache-control']).toBe('no-store');
    expect(result.headers?.['access-control-allow-origin']).toBe('*');
  });

  it('the lookup unavailable: 503, never cached, CORS *', async () => {
    await withFaultProxy(table.endpoint, async (proxy) => {
      proxy.rules = [{ kind: 'internal', operation: 'GetItem', times: Number.POSITIVE_INFINITY }];
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      try {
        for (const route of ['status', 'badge.svg']) {
          const result = await get(route, hiddenToken, { client });
          expect(result.statusCode, route).toBe(503);
          expect(result.headers?.['cache-control']).toBe('no-store');
          expect(result.headers?.['access-control-allow-origin']).toBe('*');
          expect(result.body).not.toContain(hiddenToken);
        }
      } finally {
        client.destroy();
      }
    });
  });
});

describe('the share rows', () => {
  const slotOf = async (bucket: string, slot: number) =>
    (
      await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: { pk: { S: sharesPk(bucket) }, sk: { S: shareSlotSk(slot) } },
          ConsistentRead: true,
        }),
      )
    ).Item;

  it('a slot already held: false, and the holder keeps it', async () => {
    const bucket = randomUUID();
    const shares = createShareStore(table.client, table.tableName);
    const first = summary(generateShareToken(), 2, false);
    expect(await shares.putShare(bucket, first)).toBe(true);
    const second = summary(generateShareToken(), 2, true);
    expect(await shares.putShare(bucket, second)).toBe(false);
    expect((await slotOf(bucket, 2))?.shareId?.S).toBe(first.shareId);
    expect(await shares.findShare(second.tokenHash)).toBeUndefined();
  });

  it('a lookup write that fails releases the slot again, and the error is a 503', async () => {
    const bucket = randomUUID();
    const share = summary(generateShareToken(), 4, false);
    await withFaultProxy(table.endpoint, async (proxy) => {
      // The slot's PutItem goes through; the lookup row's PutItem fails for good.
      proxy.rules = [
        { kind: 'internal', operation: 'PutItem', after: 1, times: Number.POSITIVE_INFINITY },
      ];
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      try {
        const shares = createShareStore(client, table.tableName);
        await expect(shares.putShare(bucket, share)).rejects.toMatchObject({
          name: 'Unavailable',
        });
      } finally {
        client.destroy();
      }
    });
    expect(await slotOf(bucket, 4)).toBeUndefined();
    const shares = createShareStore(table.client, table.tableName);
    expect(await shares.listShares(bucket)).toEqual([]);
    expect(await shares.findShare(share.tokenHash)).toBeUndefined();
  });

  it('a lookup row that exists already is not overwritten, and the slot is released', async () => {
    const bucket = randomUUID();
    const token = generateShareToken();
    const shares = createShareStore(table.client, table.tableName);
    expect(await shares.putShare(bucketId, summary(token, 6, false))).toBe(true);
    // The same token's hash again, for another bucket: the lookup row is kept as it is.
    await expect(shares.putShare(bucket, summary(token, 0, true))).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect(await slotOf(bucket, 0)).toBeUndefined();
    expect((await shares.findShare(shareTokenHash(token)))?.bucketId).toBe(bucketId);
  });

  it('a slot another request freed (or took) is not deleted: false, the lookup row gone', async () => {
    const bucket = randomUUID();
    const shares = createShareStore(table.client, table.tableName);
    const share = summary(generateShareToken(), 3, true);
    expect(await shares.putShare(bucket, share)).toBe(true);
    const other = { ...share, shareId: 'shr_other' };
    expect(await shares.deleteShare(bucket, other)).toBe(false);
    expect((await slotOf(bucket, 3))?.shareId?.S).toBe(share.shareId);
    expect(await shares.findShare(share.tokenHash)).toBeUndefined();
    expect(await shares.deleteShare(bucket, share)).toBe(true);
    expect(await slotOf(bucket, 3)).toBeUndefined();
    expect(await shares.deleteShare(bucket, share)).toBe(false);
  });

  it('the list: slot order, a label only when given, malformed and foreign rows left out', async () => {
    const bucket = randomUUID();
    const shares = createShareStore(table.client, table.tableName);
    const b = { ...summary(generateShareToken(), 7, true), label: 'ops' };
    const a = summary(generateShareToken(), 1, false);
    expect(await shares.putShare(bucket, b)).toBe(true);
    expect(await shares.putShare(bucket, a)).toBe(true);
    const seed = new Seeder(table.client, table.tableName);
    await seed.putMany([
      // Slot rows each missing one field, one past the ten slots, one that is no slot.
      { pk: sharesPk(bucket), sk: shareSlotSk(2), shareId: 'shr_bad', createdAt: 'x' },
      { pk: sharesPk(bucket), sk: shareSlotSk(4), createdAt: 'x', tokenHash: 'h' },
      { pk: sharesPk(bucket), sk: shareSlotSk(5), shareId: 'shr_no_date', tokenHash: 'h' },
      {
        pk: sharesPk(bucket),
        sk: 'SLOT#10',
        shareId: 'shr_eleven',
        createdAt: 'x',
        tokenHash: 'h',
      },
      { pk: sharesPk(bucket), sk: 'OTHER', shareId: 'shr_other', createdAt: 'x', tokenHash: 'h' },
    ]);
    expect(await shares.listShares(bucket)).toEqual([a, b]);
    // A slot row without showIps shows none.
    await seed.putMany([
      {
        pk: sharesPk(bucket),
        sk: shareSlotSk(8),
        shareId: 'shr_old',
        createdAt: '2026-12-01T00:00:00.000Z',
        tokenHash: 'h8',
      },
    ]);
    expect((await shares.listShares(bucket)).map((x) => [x.shareId, x.showIps])).toEqual([
      [a.shareId, false],
      [b.shareId, true],
      ['shr_old', false],
    ]);
  });

  it("reads consistently: the list and a token's lookup", async () => {
    await withFaultProxy(table.endpoint, async (proxy) => {
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      try {
        const shares = createShareStore(client, table.tableName);
        await shares.listShares(bucketId);
        await shares.findShare(shareTokenHash(hiddenToken));
      } finally {
        client.destroy();
      }
      expect(proxy.seen.map((r) => r.operation)).toEqual(['Query', 'GetItem']);
      for (const request of proxy.seen) {
        expect(JSON.parse(request.body).ConsistentRead, request.operation).toBe(true);
      }
    });
  });

  it('an outage is a 503, not a slot taken or already freed', async () => {
    const bucket = randomUUID();
    const share = summary(generateShareToken(), 0, false);
    expect(await createShareStore(table.client, table.tableName).putShare(bucket, share)).toBe(
      true,
    );
    await withFaultProxy(table.endpoint, async (proxy) => {
      proxy.rules = [{ kind: 'internal', times: Number.POSITIVE_INFINITY }];
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      try {
        const shares = createShareStore(client, table.tableName);
        await expect(
          shares.putShare(bucket, summary(generateShareToken(), 1, false)),
        ).rejects.toMatchObject({ name: 'Unavailable' });
        // The lookup row's delete goes through; the slot's fails.
        proxy.rules = [
          {
            kind: 'internal',
            operation: 'DeleteItem',
            after: 1,
            times: Number.POSITIVE_INFINITY,
          },
        ];
        await expect(shares.deleteShare(bucket, share)).rejects.toMatchObject({
          name: 'Unavailable',
        });
      } finally {
        client.destroy();
      }
    });
  });
});
