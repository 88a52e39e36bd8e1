// The sweep over dynalite (or DynamoDB Local in the CI pass): what it records, the races it
// survives, and what a run costs.
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { createEventWriter } from '../../functions/data/events.ts';
import {
  ALL_SWEEP_SHARDS,
  createSweepIndex,
  SWEEP_SHARDS,
  type SweepIndex,
  sweepShardOf,
} from '../../functions/data/sweep-index.ts';
import type { NodeEvent } from '../../functions/domain/events.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { runSweep, type SweepDeps } from '../../functions/sweep/run-sweep.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable, tableFixtures } from '../support/table.ts';
import {
  countRequests,
  eventRows,
  GRACE_MS,
  iso,
  reportedRow,
  STALE_MS,
  STALE_S,
} from './support.ts';

const it = tableFixtures('sweep');

const NOW = Date.parse('2026-12-01T09:00:00.000Z');
/** A last report whose change to DISCONNECTED is just past the grace: swept now. */
const SILENT = NOW - STALE_MS - GRACE_MS - 1;

function sweepDeps(
  table: TestTable,
  options: {
    client?: TestTable['client'];
    index?: SweepDeps['index'];
    published?: NodeEvent[];
    now?: number;
  } = {},
): SweepDeps {
  const client = options.client ?? table.client;
  return {
    index: options.index ?? createSweepIndex(client, table.tableName),
    shards: ALL_SWEEP_SHARDS,
    recordEvents: createEventWriter(client, table.tableName, {
      retentionDays: 90,
      onEventsRecorded: (events) => void options.published?.push(...events),
    }),
    staleAfterSeconds: STALE_S,
    now: () => options.now ?? NOW,
  };
}

async function indexed(table: TestTable, bucketId: string, nodeId: string): Promise<boolean> {
  const { Item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: `BUCKET#${bucketId}` }, sk: { S: `NODE#${nodeId}` } },
      ConsistentRead: true,
    }),
  );
  return Item?.sweepShard !== undefined;
}

/** Waits for the publish port, which is called after the writer returns. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('a silent node', () => {
  it('gets one change to DISCONNECTED at last report + stale, then leaves the index', async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    await seed.put(
      reportedRow(seed, bucketId, 'n1', {
        status: 'OFFLINE',
        lastUpdatedMs: SILENT,
        ip: '198.51.100.4',
        region: 'eu-west-1',
      }),
    );
    const published: NodeEvent[] = [];
    const first = await runSweep(sweepDeps(table, { published }));
    expect(first).toMatchObject({ recorded: 1, failed: 0 });
    const rows = await eventRows(table.client, table.tableName, bucketId);
    expect(rows).toStrictEqual([
      {
        sk: `${iso(SILENT + STALE_MS)}#n1#DISCONNECTED`,
        id: expect.stringMatching(/^evt_[A-Za-z0-9_-]{22}$/),
        nodeId: 'n1',
        from: 'OFFLINE',
        to: 'DISCONNECTED',
        at: iso(SILENT + STALE_MS),
        ip: '198.51.100.4',
        region: 'eu-west-1',
        expiresAt: Math.floor((SILENT + STALE_MS) / 1000) + 90 * 86_400,
      },
    ]);
    await settle();
    expect(published).toStrictEqual([
      {
        id: rows[0]?.id,
        bucketId,
        nodeId: 'n1',
        ip: '198.51.100.4',
        region: 'eu-west-1',
        from: 'OFFLINE',
        to: 'DISCONNECTED',
        at: iso(SILENT + STALE_MS),
      },
    ]);
    expect(await indexed(table, bucketId, 'n1')).toBe(false);
    // The next run finds nothing of this bucket: no second event.
    await runSweep(sweepDeps(table, { published, now: NOW + 60_000 }));
    expect(await eventRows(table.client, table.tableName, bucketId)).toHaveLength(1);
    await settle();
    expect(published.filter((e) => e.bucketId === bucketId)).toHaveLength(1);
  });

  it('is left alone until its change is more than the grace in the past', async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    await seed.put(
      reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT + 1 }),
    );
    await runSweep(sweepDeps(table));
    expect(await eventRows(table.client, table.tableName, bucketId)).toStrictEqual([]);
    expect(await indexed(table, bucketId, 'n1')).toBe(true);
    // One millisecond later it is swept.
    await runSweep(sweepDeps(table, { now: NOW + 1 }));
    expect(await eventRows(table.client, table.tableName, bucketId)).toHaveLength(1);
  });

  it("takes the change instant from the timeline's lastAt when a report was moved to it", async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    // Received 2 s before its predecessor's instant (two containers' clocks): placed at it.
    await seed.put(
      reportedRow(seed, bucketId, 'n1', {
        status: 'ONLINE',
        lastUpdatedMs: SILENT - 2_000,
        lastAtMs: SILENT,
      }),
    );
    await runSweep(sweepDeps(table, { now: NOW - 1 })); // lastAt + stale + grace not yet past
    expect(await eventRows(table.client, table.tableName, bucketId)).toStrictEqual([]);
    await runSweep(sweepDeps(table));
    const rows = await eventRows(table.client, table.tableName, bucketId);
    expect(rows.map((r) => r.at)).toStrictEqual([iso(SILENT + STALE_MS)]);
  });

  it('a node that never reported is not in the index and gets no event', async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    await seed.assignment(bucketId, 'never');
    await runSweep(sweepDeps(table));
    expect(await eventRows(table.client, table.tableName, bucketId)).toStrictEqual([]);
  });
});

describe('races', () => {
  it('two overlapping sweeps record the change once and publish it once', async ({
    table,
    seed,
  }) => {
    const bucketIds: string[] = [randomUUID(), randomUUID(), randomUUID()];
    for (const bucketId of bucketIds) {
      await seed.put(
        reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }),
      );
    }
    const published: NodeEvent[] = [];
    const [a, b] = await Promise.all([
      runSweep(
        sweepDeps(table, { published, client: createDynamoClient({ endpoint: table.endpoint }) }),
      ),
      runSweep(
        sweepDeps(table, { published, client: createDynamoClient({ endpoint: table.endpoint }) }),
      ),
    ]);
    await settle();
    const mine = (events: NodeEvent[]) => events.filter((e) => bucketIds.includes(e.bucketId));
    expect(mine(published)).toHaveLength(3);
    expect(new Set(mine(published).map((e) => e.bucketId)).size).toBe(3);
    for (const bucketId of bucketIds) {
      expect(await eventRows(table.client, table.tableName, bucketId)).toHaveLength(1);
    }
    expect(a.failed + b.failed).toBe(0);
  });

  it('a report that lands after the index was read wins: no phantom event', async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    await seed.put(reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }));
    const real = createSweepIndex(table.client, table.tableName);
    // The report was received in time (1 ms before the change instant) and lands between the
    // index Query and the sweep's own read of the row: the node never was DISCONNECTED.
    const index: SweepIndex = {
      ...real,
      findSilentRows: async (shard, before) => {
        const rows = await real.findSilentRows(shard, before);
        if (rows.some((r) => r.bucketId === bucketId)) {
          await seed.put(
            reportedRow(seed, bucketId, 'n1', {
              status: 'ONLINE',
              lastUpdatedMs: SILENT + STALE_MS - 1,
            }),
          );
        }
        return rows;
      },
    };
    const outcome = await runSweep(sweepDeps(table, { index }));
    expect(outcome.skipped).toBeGreaterThanOrEqual(1);
    expect(await eventRows(table.client, table.tableName, bucketId)).toStrictEqual([]);
    expect(await indexed(table, bucketId, 'n1')).toBe(true);
  });

  it('a late report after the gap and the sweep record DISCONNECTED once, and the return', async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    await seed.put(reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }));
    const disconnected: NodeEvent = {
      bucketId,
      nodeId: 'n1',
      ip: '203.0.113.7',
      region: 'us-east-1',
      from: 'ONLINE',
      to: 'DISCONNECTED',
      at: iso(SILENT + STALE_MS),
    };
    const returned: NodeEvent = {
      ...disconnected,
      from: 'DISCONNECTED',
      to: 'ONLINE',
      at: iso(NOW),
    };
    const reportWriter = createEventWriter(table.client, table.tableName, { retentionDays: 90 });
    const real = createSweepIndex(table.client, table.tableName);
    // The late report lands after the sweep read the row and before it records: the report
    // records both of its changes (the same DISCONNECTED key) and its row write.
    const index: SweepIndex = {
      ...real,
      readRow: async (b, n) => {
        const row = await real.readRow(b, n);
        if (b === bucketId) {
          await Promise.all([
            reportWriter([disconnected, returned]),
            seed.put(reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: NOW })),
          ]);
        }
        return row;
      },
    };
    const outcome = await runSweep(sweepDeps(table, { index }));
    expect(outcome.recorded).toBe(0); // the report's writer got there first
    const rows = await eventRows(table.client, table.tableName, bucketId);
    expect(rows.map(({ from, to, at }) => ({ from, to, at }))).toStrictEqual([
      { from: 'ONLINE', to: 'DISCONNECTED', at: iso(SILENT + STALE_MS) },
      { from: 'DISCONNECTED', to: 'ONLINE', at: iso(NOW) },
    ]);
    // The report's index entry stays: its own silence will be swept later.
    expect(await indexed(table, bucketId, 'n1')).toBe(true);
  });

  it('a crash between recording and leaving the index is repaired by the next run', async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    await seed.put(reportedRow(seed, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }));
    const real = createSweepIndex(table.client, table.tableName);
    const crashing: SweepIndex = {
      ...real,
      clearRow: async () => {
        throw Object.assign(new Error('connection reset'), { name: 'TimeoutError' });
      },
    };
    const first = await runSweep(sweepDeps(table, { index: crashing }));
    expect(first.failed).toBeGreaterThanOrEqual(1);
    expect(first.error).toMatchObject({ message: 'connection reset' }); // for the run's log
    expect(await indexed(table, bucketId, 'n1')).toBe(true);
    const published: NodeEvent[] = [];
    await runSweep(sweepDeps(table, { published }));
    await settle();
    expect(await eventRows(table.client, table.tableName, bucketId)).toHaveLength(1);
    expect(published.filter((e) => e.bucketId === bucketId)).toStrictEqual([]);
    expect(await indexed(table, bucketId, 'n1')).toBe(false);
  });
});

describe('cost of a run', () => {
  /** A fresh table with `total` reported rows, `silent` of them past stale + grace. */
  async function fleet(total: number, silent: number) {
    const fresh = await createTestTable('sweep-cost');
    const seeder = new Seeder(fresh.client, fresh.tableName);
    const bucketId = randomUUID();
    const rows = Array.from({ length: total }, (_, i) =>
      reportedRow(seeder, bucketId, `node-${String(i).padStart(5, '0')}`, {
        status: 'ONLINE',
        lastUpdatedMs: i < silent ? SILENT - i : NOW - 1_000 - (i % 30_000),
      }),
    );
    await seeder.putMany(rows);
    const client = createDynamoClient({ endpoint: fresh.endpoint });
    const counter = countRequests(client);
    const outcome = await runSweep({
      index: createSweepIndex(client, fresh.tableName),
      shards: ALL_SWEEP_SHARDS,
      recordEvents: createEventWriter(client, fresh.tableName, { retentionDays: 90 }),
      staleAfterSeconds: STALE_S,
      now: () => NOW,
    });
    return { outcome, requests: counter.total(), counts: Object.fromEntries(counter.counts) };
  }

  it('10 silent nodes among 100 and among 10,000 take the same requests', async () => {
    const small = await fleet(100, 10);
    const large = await fleet(10_000, 10);
    expect(small.outcome).toMatchObject({ found: 10, recorded: 10, failed: 0 });
    expect(large.outcome).toMatchObject({ found: 10, recorded: 10, failed: 0 });
    expect(large.counts).toStrictEqual(small.counts);
    // One Query per shard, then a read, a put and an update per silent row.
    expect(small.counts).toStrictEqual({
      Query: SWEEP_SHARDS,
      GetItem: 10,
      PutItem: 10,
      UpdateItem: 10,
    });
  }, 120_000);
});

describe('what a run does and reports (SweepOutcome: metrics and logs), each on a table of its own', () => {
  async function freshTable() {
    const fresh = await createTestTable('sweep-outcome');
    const client = createDynamoClient({ endpoint: fresh.endpoint });
    return {
      fresh,
      seeder: new Seeder(fresh.client, fresh.tableName),
      client,
      counter: countRequests(client),
      real: createSweepIndex(client, fresh.tableName),
      deps: (index: SweepDeps['index'], extra: Partial<SweepDeps> = {}): SweepDeps => ({
        index,
        shards: ALL_SWEEP_SHARDS,
        recordEvents: createEventWriter(client, fresh.tableName, { retentionDays: 90 }),
        staleAfterSeconds: STALE_S,
        now: () => NOW,
        ...extra,
      }),
    };
  }

  it('an index entry the previous run already took out (the index lags): one read, no write', async () => {
    const { seeder, counter, real, deps, fresh } = await freshTable();
    const bucketId = randomUUID();
    await seeder.put(
      reportedRow(seeder, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }),
    );
    const seen = (
      await Promise.all(ALL_SWEEP_SHARDS.map((s) => real.findSilentRows(s, iso(NOW))))
    ).flat();
    expect(await runSweep(deps(real))).toMatchObject({ found: 1, recorded: 1, failed: 0 });
    counter.reset();
    // The keys-only index still names the row for a moment: the row itself says it is done.
    const lagging = {
      ...real,
      findSilentRows: async (shard: string) => (shard === '0' ? seen : []),
    };
    expect(await runSweep(deps(lagging))).toStrictEqual({
      found: 1,
      recorded: 0,
      skipped: 1,
      failed: 0,
    });
    expect(Object.fromEntries(counter.counts)).toStrictEqual({ GetItem: 1 });
    expect(await eventRows(fresh.client, fresh.tableName, bucketId)).toHaveLength(1);
  });

  it('a node unassigned after the index was read is skipped, not a failure', async () => {
    const { seeder, real, deps, fresh } = await freshTable();
    const bucketId = randomUUID();
    await seeder.put(
      reportedRow(seeder, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }),
    );
    const index: SweepIndex = {
      ...real,
      findSilentRows: async (shard, before) => {
        const rows = await real.findSilentRows(shard, before);
        if (rows.length > 0) {
          await fresh.client.send(
            new DeleteItemCommand({
              TableName: fresh.tableName,
              Key: { pk: { S: `BUCKET#${bucketId}` }, sk: { S: 'NODE#n1' } },
            }),
          );
        }
        return rows;
      },
    };
    expect(await runSweep(deps(index))).toStrictEqual({
      found: 1,
      recorded: 0,
      skipped: 1,
      failed: 0,
    });
    expect(await eventRows(fresh.client, fresh.tableName, bucketId)).toStrictEqual([]);
  });

  it('a node silent for less than stale + grace minus a slot is not even read', async () => {
    const { seeder, counter, real, deps } = await freshTable();
    // Reported 1 s into a slot (slots are 60 s here); 89 s later it is not silent yet, and its
    // slot started after now - stale - grace: the Query does not return it.
    const reportedAt = NOW - 59_000;
    await seeder.put(
      reportedRow(seeder, randomUUID(), 'n1', { status: 'ONLINE', lastUpdatedMs: reportedAt }),
    );
    const outcome = await runSweep(deps(real, { now: () => reportedAt + 89_000 }));
    expect(outcome).toStrictEqual({ found: 0, recorded: 0, skipped: 0, failed: 0 });
    expect(counter.counts.get('GetItem')).toBeUndefined();
  });

  /** Found, no event made up, and out of the index so that no run retries it forever. */
  async function expectDroppedWithoutEvent(
    outcome: Awaited<ReturnType<typeof runSweep>>,
    fresh: Awaited<ReturnType<typeof freshTable>>['fresh'],
    real: Awaited<ReturnType<typeof freshTable>>['real'],
    bucketId: string,
  ) {
    expect(outcome).toStrictEqual({ found: 1, recorded: 0, skipped: 0, failed: 0 });
    expect(await eventRows(fresh.client, fresh.tableName, bucketId)).toStrictEqual([]);
    expect(await real.findSilentRows(sweepShardOf(bucketId, 'n1'), iso(NOW))).toStrictEqual([]);
  }

  it('a row whose stored status is not a reported one gets no made-up change and leaves the index', async () => {
    const { seeder, real, deps, fresh } = await freshTable();
    const bucketId = randomUUID();
    await seeder.put(
      reportedRow(seeder, bucketId, 'n1', { status: 'PAUSED', lastUpdatedMs: SILENT }),
    );
    await expectDroppedWithoutEvent(await runSweep(deps(real)), fresh, real, bucketId);
  });

  it('a row whose last report time is unreadable gets no event and leaves the index (no retry forever)', async () => {
    const { seeder, real, deps, fresh } = await freshTable();
    const bucketId = randomUUID();
    const row = reportedRow(seeder, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT });
    await seeder.put({ ...row, lastUpdated: 'not-a-time', lastAt: undefined });
    await expectDroppedWithoutEvent(await runSweep(deps(real)), fresh, real, bucketId);
  });

  it('a report landing between the read and leaving the index: recorded, counted as skipped, entry kept', async () => {
    const { seeder, real, deps, fresh } = await freshTable();
    const bucketId = randomUUID();
    await seeder.put(
      reportedRow(seeder, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: SILENT }),
    );
    const index: SweepIndex = {
      ...real,
      readRow: async (b, n) => {
        const read = await real.readRow(b, n);
        await seeder.put(
          reportedRow(seeder, bucketId, 'n1', { status: 'ONLINE', lastUpdatedMs: NOW }),
        );
        return read;
      },
    };
    expect(await runSweep(deps(index))).toStrictEqual({
      found: 1,
      recorded: 1,
      skipped: 1,
      failed: 0,
    });
    expect(
      await real.findSilentRows(sweepShardOf(bucketId, 'n1'), iso(NOW + STALE_MS + GRACE_MS)),
    ).toStrictEqual([{ bucketId, nodeId: 'n1' }]);
    expect(await eventRows(fresh.client, fresh.tableName, bucketId)).toHaveLength(1);
  });

  it('handles `concurrency` rows at once, and at least one however it is set', async () => {
    for (const [concurrency, expected] of [
      [4, 4],
      [0, 1],
    ] as const) {
      const { seeder, real, deps, fresh } = await freshTable();
      const bucketId = randomUUID();
      await seeder.putMany(
        Array.from({ length: 10 }, (_, i) =>
          reportedRow(seeder, bucketId, `n${i}`, { status: 'ONLINE', lastUpdatedMs: SILENT }),
        ),
      );
      let inFlight = 0;
      let most = 0;
      const index: SweepIndex = {
        ...real,
        readRow: async (b, n) => {
          most = Math.max(most, ++inFlight);
          try {
            return await real.readRow(b, n);
          } finally {
            inFlight--;
          }
        },
      };
      const outcome = await runSweep(deps(index, { concurrency }));
      expect(outcome, `concurrency ${concurrency}`).toStrictEqual({
        found: 10,
        recorded: 10,
        skipped: 0,
        failed: 0,
      });
      expect(most, `concurrency ${concurrency}`).toBe(expected);
      expect(await eventRows(fresh.client, fresh.tableName, bucketId)).toHaveLength(10);
    }
  });
});
