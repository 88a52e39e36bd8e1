/**
 * GET uptime reads at most MAX_UPTIME_NODE_DAYS history rows (nodes x ended days): a bucket's
 * node count has no bound, so without it one reader's request could read hundreds of thousands
 * of rows. At the bound the route answers; one day over, it is a 400 naming the largest `days`
 * the bucket allows, sent before any history row is read (a proxy in front of the engine fails
 * any history Query). The rows of nodes that have left the bucket stay in its day partitions, so
 * each day's Query reads at most its share of the bound.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { historyPk } from '../../functions/data/history-days.ts';
import { MAX_UPTIME_NODE_DAYS } from '../../functions/domain/uptime.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type HistoryApi, historyApi } from '../support/history-fixture.ts';
import { userToken } from '../support/ingest-fixture.ts';
import { Seeder } from '../support/seed.ts';
import { tableFixtures } from '../support/table.ts';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const ORG = 'org-uptime-bound';
const WORKSPACE = 'ws-uptime-bound';
const BUCKET = `bucket-uptime-bound-${randomUUID()}`;
const NODES = 2000;
/** The largest `days` for NODES nodes: today is free, so one more than the ended days that fit. */
const ALLOWED_DAYS = MAX_UPTIME_NODE_DAYS / NODES + 1;

let api: HistoryApi;
let token: string;

const it = tableFixtures('history-uptime-bound');

it.beforeAll(async ({ table, seed, proxy }) => {
  api = historyApi(createDynamoClient({ endpoint: proxy.endpoint }), table.tableName, {
    now: () => NOW,
  });
  await seed.bucket(BUCKET, { workspaceId: WORKSPACE, orgId: ORG });
  const nodeIds = Array.from({ length: NODES }, (_, i) => `n${String(i).padStart(4, '0')}`);
  await seed.putMany(
    nodeIds.map((nodeId) =>
      seed.assignmentRow(BUCKET, nodeId, { assignedAt: NOW - 100 * 86_400_000 }),
    ),
  );
  const userId = randomUUID();
  await seed.user(userId, { orgId: ORG, orgRole: 'MEMBER' });
  await seed.membership(userId, WORKSPACE, 'READ');
  token = await userToken(userId);
}, 60_000);

/** GET uptime with gzip: the answer at the bound is over 6 MB as plain JSON. */
const uptime = (days: number) => api.uptime(BUCKET, days, token, { 'accept-encoding': 'gzip' });

describe(`GET uptime of a bucket of ${NODES} nodes`, () => {
  it('at the bound (ended days x nodes = MAX_UPTIME_NODE_DAYS): every node and day', async () => {
    expect(Number.isInteger(ALLOWED_DAYS)).toBe(true);
    const response = await uptime(ALLOWED_DAYS);
    expect(response.statusCode).toBe(200);
    const nodes = response.json.nodes as { days: unknown[] }[];
    expect(nodes).toHaveLength(NODES);
    expect(nodes.every((node) => node.days.length === ALLOWED_DAYS)).toBe(true);
  }, 60_000);

  it('one day over: 400 naming the largest days, and no history Query was sent', async ({
    proxy,
  }) => {
    proxy.clear();
    // Any Query of a HIST# partition fails: had the refusal sent one, the answer would be a 503.
    proxy.fail({ kind: 'internal', operation: 'Query', bodyIncludes: 'HIST#', times: Infinity });
    const refused = await api.uptime(BUCKET, ALLOWED_DAYS + 1, token);
    expect(proxy.count('Query', true)).toBe(0);
    expect(refused.statusCode).toBe(400);
    expect(refused.json).toStrictEqual({
      success: false,
      message:
        `days=${ALLOWED_DAYS + 1} would read ${NODES} nodes x ${ALLOWED_DAYS} days of history, ` +
        `over the ${MAX_UPTIME_NODE_DAYS} a request may read; ask for days=${ALLOWED_DAYS} or fewer`,
    });
    expect((await api.uptime(BUCKET, 90, token)).statusCode).toBe(400);
    // The fault is real: the allowed read sends day Queries and gets the 503.
    expect((await api.uptime(BUCKET, ALLOWED_DAYS, token)).statusCode).toBe(503);
    proxy.clear();
  }, 60_000);
});

describe('GET uptime of a bucket whose departed nodes left their history rows', () => {
  it('reads at most its share of the bound per day: a day holding more rows is a 400', async ({
    table,
    proxy,
  }) => {
    // Two nodes now; yesterday's partition also holds the rows of 2,000 nodes that have left.
    const bucketId = `bucket-departed-${randomUUID()}`;
    const seed = new Seeder(table.client, table.tableName);
    await seed.bucket(bucketId, { workspaceId: WORKSPACE, orgId: ORG });
    await seed.putMany(
      ['now-1', 'now-2'].map((nodeId) =>
        seed.assignmentRow(bucketId, nodeId, { assignedAt: NOW - 100 * 86_400_000 }),
      ),
    );
    const yesterday = '2026-11-30';
    await seed.putMany(
      Array.from({ length: NODES + 1 }, (_, i) => ({
        pk: historyPk(bucketId, yesterday),
        sk: `NODE#gone-${String(i).padStart(4, '0')}`,
        day: yesterday,
        on: 86_400_000,
        ls: 0,
        lc: 0,
      })),
    );
    // days=46: 45 ended days, so each may read 90,000 / 45 = 2,000 rows; yesterday holds 2,001.
    proxy.clear();
    const refused = await api.uptime(bucketId, 46, token, { 'accept-encoding': 'gzip' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json).toStrictEqual({
      success: false,
      message:
        `the bucket's history of ${yesterday} holds more than ${NODES} rows (nodes that have ` +
        'left the bucket keep theirs), the most each of 45 days may read; ask for fewer days',
    });
    // One day fewer: 2,045 rows a day, so yesterday is read, and only the two nodes are shown.
    const allowed = await api.uptime(bucketId, 45, token);
    expect(allowed.statusCode).toBe(200);
    const nodes = allowed.json.nodes as { host: string }[];
    expect(nodes.map((node) => node.host)).toStrictEqual(['now-1', 'now-2']);
  }, 60_000);
});
