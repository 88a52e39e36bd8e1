// The overview index's reader (functions/data/overview-index.ts) over the real engine, on rows
// written straight to the table: the rows that never reported are counted, a pending row makes
// the bucket pending (and nothing else is read), the rows whose last report's slot is at or
// before `now - stale` are read with their reports, and no other row: not a fresh
// slot, not a swept one (`~`), not another bucket's.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bucketPk, META_SK, nodeSk } from '../../functions/data/keys.ts';
import { createOverviewRowsReader } from '../../functions/data/overview-index.ts';
import { sweepAtOf, sweepSlotMs } from '../../functions/data/sweep-index.ts';
import { OVERVIEW_MARK } from '../../functions/data/table-definition.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable } from '../support/table.ts';

const STALE_S = 60;
const NOW = Date.parse('2027-06-01T10:00:00.000Z');
const SLOT = sweepSlotMs(STALE_S);
/** The slot of `now - stale`: a row whose last report's slot is this one or older is read, the next one not. */
const CUTOFF = sweepAtOf(NOW - STALE_S * 1000, STALE_S);
const slotAfter = (iso: string, slots: number) =>
  new Date(Date.parse(iso) + slots * SLOT).toISOString();

/** A reported NODE# row of `bucketId` as the ingest writes it, its `ovAt` given. */
const reported = (bucketId: string, nodeId: string, ovAt: string, lastAt: number) => ({
  pk: bucketPk(bucketId),
  sk: nodeSk(nodeId),
  ovAt,
  status: 'ONLINE',
  ip: '192.0.2.7',
  region: 'eu-west-1',
  version: '1.2.3',
  latency_ms: 12,
  lastUpdated: new Date(lastAt).toISOString(),
  lastAt,
});

async function setup() {
  const table = await createTestTable('overview-index');
  const seed = new Seeder(table.client, table.tableName);
  return { table, seed };
}

describe('the overview rows reader', () => {
  it('counts the never-reported rows and reads only the rows that may be stale, with their reports', async () => {
    const { table, seed } = await setup();
    const bucketId = randomUUID();
    const other = randomUUID();
    const staleAt = Date.parse(CUTOFF) + 5;
    await seed.putMany([
      { pk: bucketPk(bucketId), sk: META_SK, workspaceId: 'w', orgId: 'o' },
      { pk: bucketPk(bucketId), sk: nodeSk('never-1'), ovAt: OVERVIEW_MARK.neverReported },
      { pk: bucketPk(bucketId), sk: nodeSk('never-2'), ovAt: OVERVIEW_MARK.neverReported },
      // At the cut-off slot exactly, and one slot older: both read.
      reported(bucketId, 'at-cutoff', CUTOFF, staleAt),
      reported(bucketId, 'older', slotAfter(CUTOFF, -1), staleAt - SLOT),
      // One slot after the cut-off (fresh for a whole slot longer), and swept: not read.
      reported(bucketId, 'fresh', slotAfter(CUTOFF, 1), staleAt + SLOT),
      reported(bucketId, 'swept', OVERVIEW_MARK.idle, staleAt - 10 * SLOT),
      // Another bucket's rows, marked and old.
      { pk: bucketPk(other), sk: nodeSk('never'), ovAt: OVERVIEW_MARK.neverReported },
      { pk: bucketPk(other), sk: nodeSk('pending'), ovAt: OVERVIEW_MARK.pending },
      reported(other, 'old', CUTOFF, staleAt),
    ]);
    const read = createOverviewRowsReader(table.client, table.tableName, STALE_S);
    const answer = await read(bucketId, NOW);
    if (answer.pending) throw new Error('not pending');
    expect(answer.neverReported).toBe(2);
    const rows = [...answer.rows].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    expect(rows).toStrictEqual([
      {
        nodeId: 'at-cutoff',
        ip: '192.0.2.7',
        region: 'eu-west-1',
        version: '1.2.3',
        status: 'ONLINE',
        latencyMs: 12,
        lastUpdated: new Date(staleAt).toISOString(),
        lastAt: staleAt,
      },
      {
        nodeId: 'older',
        ip: '192.0.2.7',
        region: 'eu-west-1',
        version: '1.2.3',
        status: 'ONLINE',
        latencyMs: 12,
        lastUpdated: new Date(staleAt - SLOT).toISOString(),
        lastAt: staleAt - SLOT,
      },
    ]);
  });

  it('a bucket with a pending row is pending, and no row is read', async () => {
    const { table, seed } = await setup();
    const bucketId = randomUUID();
    await seed.putMany([
      reported(bucketId, 'old', CUTOFF, Date.parse(CUTOFF)),
      { pk: bucketPk(bucketId), sk: nodeSk('never'), ovAt: OVERVIEW_MARK.neverReported },
      { ...reported(bucketId, 'pending', OVERVIEW_MARK.pending, NOW - 1000) },
    ]);
    await withFaultProxy(table.endpoint, async (proxy) => {
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      const answer = await createOverviewRowsReader(
        client,
        table.tableName,
        STALE_S,
      )(bucketId, NOW);
      expect(answer).toStrictEqual({ pending: true });
      expect(proxy.seen.map((r) => r.operation)).toStrictEqual(['Query']);
    });
  });

  it('a bucket with no marked and no old row: nothing but the index Query, no rows', async () => {
    const { table, seed } = await setup();
    const bucketId = randomUUID();
    await seed.putMany([
      { pk: bucketPk(bucketId), sk: META_SK, workspaceId: 'w', orgId: 'o' },
      reported(bucketId, 'fresh', slotAfter(CUTOFF, 1), NOW - 1000),
    ]);
    await withFaultProxy(table.endpoint, async (proxy) => {
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      const answer = await createOverviewRowsReader(
        client,
        table.tableName,
        STALE_S,
      )(bucketId, NOW);
      expect(answer).toStrictEqual({ pending: false, neverReported: 0, rows: [] });
      expect(proxy.seen.map((r) => r.operation)).toStrictEqual(['Query']);
    });
  });

  it('an index entry that is no NODE# row is not taken for a node', async () => {
    const { table, seed } = await setup();
    const bucketId = randomUUID();
    await seed.putMany([
      reported(bucketId, 'old', CUTOFF, Date.parse(CUTOFF)),
      { pk: bucketPk(bucketId), sk: 'OTHER#x', ovAt: CUTOFF, status: 'ONLINE' },
    ]);
    const answer = await createOverviewRowsReader(
      table.client,
      table.tableName,
      STALE_S,
    )(bucketId, NOW);
    if (answer.pending) throw new Error('not pending');
    expect(answer.rows.map((r) => r.nodeId)).toStrictEqual(['old']);
  });
});
