import { randomUUID } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTR } from '../../functions/data/attributes.ts';
import { createEventWriter } from '../../functions/data/events.ts';
import { historyPk } from '../../functions/data/history-days.ts';
import { bucketPk, META_SK, nodePk, nodeSk } from '../../functions/data/keys.ts';
import { encodePendingEvent } from '../../functions/data/pending-events.ts';
import {
  ALL_SWEEP_SHARDS,
  createSweepIndex,
  SWEEP_GRACE_SECONDS,
  type SweepIndex,
  sweepAtOf,
  sweepShardOf,
  sweepSlotMs,
} from '../../functions/data/sweep-index.ts';
import { Unavailable } from '../../functions/domain/errors.ts';
import type { PendingEvent } from '../../functions/domain/ports/ingest.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import { eventRows, GRACE_MS, iso, reportedRow, STALE_MS, STALE_S } from '../events/support.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { laggingReplica } from '../support/lagging-replica.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

describe('sweep index layout', () => {
  it('slots are 60 % of stale + grace: 60 s for the default 90 s', () => {
    expect(SWEEP_GRACE_SECONDS).toBe(10);
    expect(sweepSlotMs(90)).toBe(60_000);
    expect(sweepSlotMs(30)).toBe(24_000);
    expect(sweepSlotMs(1)).toBe(6_000);
  });

  it('reports in one slot share sweepAt (no index write); the next slot moves it', () => {
    const t = Date.parse('2026-12-01T09:00:00.000Z');
    expect(sweepAtOf(t, 90)).toBe('2026-12-01T09:00:00.000Z');
    expect(sweepAtOf(t + 59_999, 90)).toBe('2026-12-01T09:00:00.000Z');
    expect(sweepAtOf(t + 60_000, 90)).toBe('2026-12-01T09:01:00.000Z');
    // A slot never starts after the report it holds, and ends less than a slot after it.
    for (const ms of [t + 1, t + 12_345, t + 45_000]) {
      const start = Date.parse(sweepAtOf(ms, 90));
      expect(start).toBeLessThanOrEqual(ms);
      expect(ms - start).toBeLessThan(60_000);
    }
  });

  it('shards are stable and spread rows over all of them', () => {
    expect(sweepShardOf('b', 'n')).toBe(sweepShardOf('b', 'n'));
    const seen = new Map<string, number>();
    for (let i = 0; i < 8_000; i++) {
      const shard = sweepShardOf(`bucket-${i % 7}`, `node-${i}`);
      seen.set(shard, (seen.get(shard) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toStrictEqual([...ALL_SWEEP_SHARDS].sort());
    for (const count of seen.values()) expect(count).toBeGreaterThan(700);
  });
});

// The index's adapter on the engine: which entries are candidates, what the re-read returns,
// and what the conditional clear answers.
describe('the sweep index over the engine', () => {
  let table: TestTable;
  let seed: Seeder;
  let index: SweepIndex;

  beforeAll(async () => {
    table = await createTestTable('sweep-index');
    seed = new Seeder(table.client, table.tableName);
    index = createSweepIndex(table.client, table.tableName);
  });

  const NOW = Date.parse('2026-12-01T09:00:00.000Z');
  const SILENT = NOW - STALE_MS - GRACE_MS - 1;

  it('names only the node rows of buckets, whatever else carries the index attributes', async () => {
    // A table of its own: the shard's every entry is asserted.
    const own = await createTestTable('sweep-index-keys');
    const ownSeed = new Seeder(own.client, own.tableName);
    const bucketId = randomUUID();
    await ownSeed.put(
      reportedRow(ownSeed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }),
    );
    const entry = {
      sweepShard: sweepShardOf(bucketId, 'n1'),
      sweepAt: sweepAtOf(SILENT, STALE_S),
    };
    // Rows of other kinds that carry the attributes (by hand, or a future writer): the bucket's
    // META row, a history row of the same node, and the node's own META row.
    await ownSeed.putMany([
      { pk: bucketPk(bucketId), sk: META_SK, workspaceId: 'ws', orgId: 'org', ...entry },
      { pk: historyPk(bucketId, '2026-11-30'), sk: nodeSk('n1'), on: 1, ...entry },
      { pk: nodePk('n1'), sk: META_SK, status: 'ACTIVE', ...entry },
    ]);
    const rows = await createSweepIndex(own.client, own.tableName).findSilentRows(
      entry.sweepShard,
      iso(NOW),
    );
    expect(rows).toStrictEqual([{ bucketId, nodeId: 'n1' }]);
  });

  it('re-reads a reported row as stored; an unassigned or never-reported node reads as nothing', async () => {
    const bucketId = randomUUID();
    await seed.put({
      ...reportedRow(seed, bucketId, 'n1', {
        status: 'OFFLINE',
        lastUpdatedMs: SILENT - 2_000,
        lastAtMs: SILENT,
        ip: '198.51.100.4',
        region: 'eu-west-1',
      }),
    });
    // Assigned, never reported (no lastUpdated), though it carries an index entry: nothing to sweep.
    await seed.put({
      pk: bucketPk(bucketId),
      sk: nodeSk('never'),
      sweepShard: sweepShardOf(bucketId, 'never'),
      sweepAt: sweepAtOf(SILENT, STALE_S),
    });
    expect(await index.readRow(bucketId, 'n1')).toStrictEqual({
      bucketId,
      nodeId: 'n1',
      lastUpdated: iso(SILENT - 2_000),
      lastAt: SILENT,
      status: 'OFFLINE',
      ip: '198.51.100.4',
      region: 'eu-west-1',
      indexed: true,
      pending: [],
    });
    expect(await index.readRow(bucketId, 'never')).toBeUndefined();
    expect(await index.readRow(bucketId, 'unassigned')).toBeUndefined();
  });

  it('clears an unchanged row (entry and pending events gone) and answers "cleared"', async () => {
    const bucketId = randomUUID();
    const row = reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT });
    await seed.put(row);
    await addPending(bucketId, 'n1', { from: 'OFFLINE', to: 'ONLINE', at: SILENT });
    expect((await index.readRow(bucketId, 'n1'))?.pending).toStrictEqual([
      { from: 'OFFLINE', to: 'ONLINE', at: SILENT },
    ]);
    expect(await index.clearRow(bucketId, 'n1', iso(SILENT))).toBe('cleared');
    expect(await index.readRow(bucketId, 'n1')).toMatchObject({
      lastUpdated: iso(SILENT),
      status: 'ONLINE',
      indexed: false,
      pending: [],
    });
    expect(await index.findSilentRows(String(row.sweepShard), iso(NOW))).not.toContainEqual({
      bucketId,
      nodeId: 'n1',
    });
  });

  it('leaves a row a report changed since the read (entry and pending events kept): "changed"', async () => {
    const bucketId = randomUUID();
    const row = reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT });
    await seed.put(row);
    await addPending(bucketId, 'n1', { from: 'OFFLINE', to: 'ONLINE', at: SILENT });
    expect(await index.clearRow(bucketId, 'n1', iso(SILENT - 60_000))).toBe('changed');
    expect(await index.readRow(bucketId, 'n1')).toMatchObject({
      indexed: true,
      pending: [{ from: 'OFFLINE', to: 'ONLINE', at: SILENT }],
    });
    expect(await index.findSilentRows(String(row.sweepShard), iso(NOW))).toContainEqual({
      bucketId,
      nodeId: 'n1',
    });
  });

  it("reads the row consistently: a lagging replica's older copy makes no phantom DISCONNECTED", async () => {
    const bucketId = randomUUID();
    await seed.put(reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }));
    const client = createDynamoClient({ endpoint: table.endpoint });
    const replica = laggingReplica(client, table.tableName);
    // The replica still holds the row as the index named it ...
    await replica.freeze(bucketPk(bucketId), nodeSk('n1'));
    // ... when a report received in time lands, after the index Query.
    await seed.put(
      reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT + STALE_MS - 1 }),
    );
    const real = createSweepIndex(client, table.tableName);
    const outcome = await runSweep({
      index: {
        ...real,
        findSilentRows: async () => [{ bucketId, nodeId: 'n1' }],
      },
      shards: ['0'],
      recordEvents: createEventWriter(client, table.tableName, { retentionDays: 90 }),
      staleAfterSeconds: STALE_S,
      now: () => NOW,
    });
    expect(outcome).toStrictEqual({ found: 1, recorded: 0, skipped: 1, failed: 0 });
    expect(await eventRows(table.client, table.tableName, bucketId)).toStrictEqual([]);
  });

  it('a clear the engine keeps refusing (throttled) is a transient fault, not a changed row', async () => {
    const bucketId = randomUUID();
    await seed.put(reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }));
    await withFaultProxy(table.endpoint, async (proxy) => {
      proxy.fail({
        kind: 'throttle',
        operation: 'UpdateItem',
        bodyIncludes: bucketId,
        times: Infinity,
      });
      const throttled = createSweepIndex(
        createDynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 }),
        table.tableName,
      );
      await expect(throttled.clearRow(bucketId, 'n1', iso(SILENT))).rejects.toBeInstanceOf(
        Unavailable,
      );
    });
    // The entry stays for the next run.
    expect((await index.readRow(bucketId, 'n1'))?.indexed).toBe(true);
  });

  /** Appends a pending event to the row, as a report whose event write failed leaves it. */
  async function addPending(bucketId: string, nodeId: string, event: PendingEvent) {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: bucketPk(bucketId) }, sk: { S: nodeSk(nodeId) } },
        UpdateExpression: `SET ${ATTR.pendingEvents} = list_append(if_not_exists(${ATTR.pendingEvents}, :none), :e)`,
        ExpressionAttributeValues: {
          ':none': { L: [] },
          ':e': { L: [{ S: encodePendingEvent(event) }] },
        },
      }),
    );
  }
});
