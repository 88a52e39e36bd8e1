/**
 * GET uptime reads at most MAX_UPTIME_NODE_DAYS history rows (nodes x ended days): a bucket's
 * node count has no bound, so without it one reader's request could read hundreds of thousands
 * of rows. At the bound the route answers; one day over, it is a 400 naming the largest `days`
 * the bucket allows, sent before any history row is read (counted at a proxy in front of the
 * engine).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPTIME_NODE_DAYS } from '../../functions/domain/uptime.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { type HistoryApi, historyApi } from '../support/history-fixture.ts';
import { userToken } from '../support/ingest-fixture.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const ORG = 'org-uptime-bound';
const WORKSPACE = 'ws-uptime-bound';
const BUCKET = `bucket-uptime-bound-${randomUUID()}`;
const NODES = 2000;
/** The largest `days` for NODES nodes: today is free, so one more than the ended days that fit. */
const ALLOWED_DAYS = MAX_UPTIME_NODE_DAYS / NODES + 1;

let table: TestTable;
let proxy: FaultProxy;
let api: HistoryApi;
let token: string;

beforeAll(async () => {
  table = await createTestTable('history-uptime-bound');
  const seed = new Seeder(table.client, table.tableName);
  proxy = await FaultProxy.start(table.endpoint);
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
afterAll(async () => {
  await proxy?.close();
});

/** GET uptime with gzip (the answer at the bound is over 6 MB as plain JSON) and its Queries. */
async function uptime(days: number) {
  proxy.clear();
  const response = await api.uptime(BUCKET, days, token, { 'accept-encoding': 'gzip' });
  return { response, queries: proxy.count('Query') };
}

describe(`GET uptime of a bucket of ${NODES} nodes`, () => {
  it('at the bound (ended days x nodes = MAX_UPTIME_NODE_DAYS): every node and day', async () => {
    expect(Number.isInteger(ALLOWED_DAYS)).toBe(true);
    const { response } = await uptime(ALLOWED_DAYS);
    expect(response.statusCode).toBe(200);
    const nodes = response.json.nodes as { days: unknown[] }[];
    expect(nodes).toHaveLength(NODES);
    expect(nodes.every((node) => node.days.length === ALLOWED_DAYS)).toBe(true);
  }, 60_000);

  it('one day over: 400 naming the largest days, and no history Query was sent', async () => {
    const allowed = await uptime(ALLOWED_DAYS);
    const refused = await uptime(ALLOWED_DAYS + 1);
    expect(refused.response.statusCode).toBe(400);
    expect(refused.response.json).toStrictEqual({
      success: false,
      message:
        `days=${ALLOWED_DAYS + 1} would read ${NODES} nodes x ${ALLOWED_DAYS} days of history, ` +
        `over the ${MAX_UPTIME_NODE_DAYS} a request may read; ask for days=${ALLOWED_DAYS} or fewer`,
    });
    // The allowed read's Queries less its one per ended day: what the refusal cost.
    expect(refused.queries).toBe(allowed.queries - (ALLOWED_DAYS - 1));
    expect((await uptime(90)).response.statusCode).toBe(400);
  }, 60_000);
});
