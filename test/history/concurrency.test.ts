/**
 * 16 simulated containers (each its own client, key cache and clock, like Lambda) serve the
 * shuffled reports of several nodes and buckets at once: replays are refused, older reports
 * that land after newer ones are rejected per bucket, and the history of every node and bucket
 * equals the reference model of exactly the reports each response accepted. Nothing lost,
 * nothing counted twice.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { shuffle } from '../support/call-trace.ts';
import { historyApi } from '../support/history-fixture.ts';
import { reportBody, signed, userToken } from '../support/ingest-fixture.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { daysBetween, type ModelReport, modelDay } from '../support/uptime-model.ts';

const CONTAINERS = 16;
const NODES = 6;
const BUCKETS = 3;
const ROUNDS = 14;
const STALE_MS = 90_000;
// Start shortly before a midnight so the rounds cross it.
const START = Date.parse('2026-11-30T23:57:00.000Z');

let table: TestTable;
let seed: Seeder;
let token: string;
const workspaceId = randomUUID();
const orgId = randomUUID();
const bucketIds = Array.from({ length: BUCKETS }, () => randomUUID());
const nodeIds = Array.from({ length: NODES }, (_, n) => `conc-${n}-${randomUUID()}`);
const keys: string[] = [];

beforeAll(async () => {
  table = await createTestTable('history-concurrency');
  seed = new Seeder(table.client, table.tableName);
  const userId = randomUUID();
  await seed.user(userId, { orgId, orgRole: 'MEMBER' });
  await seed.membership(userId, workspaceId, 'READ');
  token = await userToken(userId);
  const admin = createAdminStore(table.client, table.tableName, { now: () => START });
  for (const bucketId of bucketIds) await seed.bucket(bucketId, { workspaceId, orgId });
  for (const nodeId of nodeIds) {
    keys.push(await seed.node(nodeId));
    for (const bucketId of bucketIds) await admin.assignNode({ bucketId, nodeId });
  }
});

/** A round's spacing: mostly 30 s, some gaps just over the staleness window. */
const gapOf = (round: number) => (round % 5 === 4 ? STALE_MS + 1 : 30_000);

describe(`${CONTAINERS} containers, ${NODES} nodes x ${BUCKETS} buckets, ${ROUNDS} rounds shuffled`, () => {
  it('history equals the model of the accepted reports, none lost or doubled', async () => {
    const receivedAt: number[] = [START + 1000];
    for (let r = 1; r < ROUNDS; r++) receivedAt.push((receivedAt[r - 1] as number) + gapOf(r));
    const deliveries = shuffle(
      nodeIds.flatMap((nodeId, n) =>
        receivedAt.map((at, round) => {
          const buckets = bucketIds.map((bucketId, b) => ({
            bucketId,
            status: (round + n + b) % 3 === 0 ? 'OFFLINE' : 'ONLINE',
            latency_ms: round * 100 + n * 10 + b,
          }));
          // Each node's receive times follow its timestamps: one node, one clock order.
          const at2 = at + n;
          return {
            n,
            at: at2,
            buckets,
            ...signed(nodeId, keys[n] as string, reportBody(buckets), at2),
          };
        }),
      ),
    );

    const accepted = new Map<string, ModelReport[]>();
    const statuses: number[] = [];
    const queue = [...deliveries];
    await Promise.all(
      Array.from({ length: CONTAINERS }, async () => {
        let current = 0;
        const container = historyApi(
          createDynamoClient({ endpoint: table.endpoint, requestTimeoutMs: 15_000 }),
          table.tableName,
          { now: () => current, settings: { staleAfterSeconds: STALE_MS / 1000 } },
        );
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          current = next.at;
          const response = await container.report(next.body, next.headers);
          statuses.push(response.statusCode);
          if (response.statusCode !== 200) continue;
          for (const bucketId of response.json.accepted as string[]) {
            const bucket = next.buckets.find((b) => b.bucketId === bucketId);
            const key = `${nodeIds[next.n]}|${bucketId}`;
            const list = accepted.get(key) ?? [];
            list.push({
              at: next.at,
              status: bucket?.status as 'ONLINE' | 'OFFLINE',
              latencyMs: bucket?.latency_ms,
            });
            accepted.set(key, list);
          }
        }
      }),
    );
    // Only acceptances and replays (a newer report of the node got there first).
    expect(new Set(statuses)).toStrictEqual(
      new Set(statuses.filter((s) => s === 200 || s === 401)),
    );
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(NODES);

    const readAt = (receivedAt.at(-1) as number) + 60_000;
    const reader = historyApi(table.client, table.tableName, {
      now: () => readAt,
      settings: { staleAfterSeconds: STALE_MS / 1000 },
    });
    const days = daysBetween('2026-11-30', '2026-12-01');
    for (const bucketId of bucketIds) {
      const uptime = await reader.uptime(bucketId, 2, token);
      expect(uptime.statusCode).toBe(200);
      const nodes = uptime.json.nodes as { host: string; days: Record<string, unknown>[] }[];
      expect(nodes.map((node) => node.host)).toStrictEqual([...nodeIds].sort());
      for (const node of nodes) {
        // In acceptance order: the node's timestamps (= receive times here).
        const reports = (accepted.get(`${node.host}|${bucketId}`) ?? []).sort(
          (a, b) => a.at - b.at,
        );
        const want = days.map((day) => modelDay(reports, START, day, readAt, STALE_MS));
        expect(node.days).toStrictEqual(
          want.map((m) => ({
            day: m.day,
            perc_uptime: m.perc_uptime,
            online_seconds: m.online_seconds,
            observed_seconds: m.observed_seconds,
            ...(m.avg_latency_ms !== undefined && { avg_latency_ms: m.avg_latency_ms }),
          })),
        );
      }
      for (const day of days) {
        const stats = await reader.stats(bucketId, { day }, token);
        for (const entry of stats.json.nodeStats as Record<string, unknown>[]) {
          const reports = (accepted.get(`${entry.host}|${bucketId}`) ?? []).sort(
            (a, b) => a.at - b.at,
          );
          const { day: _d, ...model } = modelDay(reports, START, day, readAt, STALE_MS);
          const { host: _h, ip: _i, region: _r, version: _v, ...figures } = entry;
          expect(figures).toStrictEqual(model);
        }
      }
    }
  }, 120_000);
});
