// The HEALTH# partition's rows on dynalite: each codec round-trips, the readers' bounds and
// order, and the checkpoint write's condition.
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createHealthReader,
  createHealthWriter,
  healthEventSk,
} from '../../functions/data/bucket-health.ts';
import { createHealthInputs } from '../../functions/data/health-inputs.ts';
import { createHealthMarker } from '../../functions/data/health-marks.ts';
import { healthPk } from '../../functions/data/keys.ts';
import { sweepShardOf } from '../../functions/data/sweep-index.ts';
import { Unavailable } from '../../functions/domain/errors.ts';
import { healthEventId } from '../../functions/domain/events.ts';
import type {
  DayDurations,
  HealthCheckpoint,
  HealthPoint,
} from '../../functions/domain/health-timeline.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('bucket-health-rows');
});

const durations = (base: number): DayDurations => ({
  operationalMs: base + 1,
  degradedMs: base + 2,
  partialOutageMs: base + 3,
  majorOutageMs: base + 4,
  maintenanceMs: base + 5,
  unknownMs: base + 6,
  observedMs: 7 * base + 21,
});
const T0 = Date.parse('2026-12-06T10:11:12.345Z');
const checkpoint: HealthCheckpoint = {
  asOf: T0,
  createdAt: T0 - 5 * 86_400_000,
  day: '2026-12-06',
  counts: { counted: 4, online: 3 },
  minOnlinePercent: 75,
  verdict: 'DEGRADED',
  since: T0 - 1000,
  dayDurations: durations(1000),
};
const entry: HealthPoint = {
  counts: { counted: 4, online: 4 },
  minOnlinePercent: 50,
  verdict: 'OPERATIONAL',
};
const reader = () => createHealthReader(table.client, table.tableName);
const writer = () =>
  createHealthWriter(table.client, table.tableName, {
    eventRetentionDays: 90,
    historyRetentionDays: 400,
  });

describe('the health partition rows', () => {
  it('has no STATE for an unknown bucket', async () => {
    expect(await reader().loadHealthState('no-such-bucket', true)).toBeUndefined();
  });

  it('writes the first checkpoint where only a mark was, on its mark count, and reads it back', async () => {
    const bucketId = 'rows-state';
    await createHealthMarker(table.client, table.tableName)(bucketId, T0 - 10);
    const marked = await reader().loadHealthState(bucketId, true);
    expect(marked).toEqual({
      checkpoint: undefined,
      entry: undefined,
      ver: undefined,
      markSeq: 1,
      markAt: T0 - 10,
    });
    // A stale mark count: refused.
    expect(
      await writer().writeCheckpoint(bucketId, checkpoint, entry, {
        expectVer: undefined,
        expectMarkSeq: 0,
        nextMark: undefined,
      }),
    ).toBe(false);
    expect(
      await writer().writeCheckpoint(bucketId, checkpoint, entry, {
        expectVer: undefined,
        expectMarkSeq: 1,
        nextMark: T0 + 60_000,
      }),
    ).toBe(true);
    expect(await reader().loadHealthState(bucketId, true)).toEqual({
      checkpoint,
      entry,
      ver: 1,
      markSeq: 1,
      markAt: T0 + 60_000,
    });
    // The next write: on version 1; since removed, mark removed.
    const { since: _, ...withoutSince } = checkpoint;
    expect(
      await writer().writeCheckpoint(
        bucketId,
        withoutSince,
        { ...entry, since: T0 - 99 },
        {
          expectVer: 0,
          expectMarkSeq: 1,
          nextMark: undefined,
        },
      ),
    ).toBe(false);
    expect(
      await writer().writeCheckpoint(
        bucketId,
        withoutSince,
        { ...entry, since: T0 - 99 },
        {
          expectVer: 1,
          expectMarkSeq: 1,
          nextMark: undefined,
        },
      ),
    ).toBe(true);
    expect(await reader().loadHealthState(bucketId, false)).toEqual({
      checkpoint: withoutSince,
      entry: { ...entry, since: T0 - 99 },
      ver: 2,
      markSeq: 1,
      markAt: undefined,
    });
    const row = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: healthPk(bucketId) }, sk: { S: 'STATE' } },
      }),
    );
    expect(row.Item?.sweepShard).toBeUndefined();
    expect(row.Item?.since).toBeUndefined();
    expect(row.Item?.dObs).toEqual({ N: String(7 * 1000 + 21) });
  });

  it('pages health events newest first within the retention, and deletes by key', async () => {
    const bucketId = 'rows-events';
    const at = (i: number) => T0 - i * 60_000;
    const changes = [0, 1, 2, 3, 4].map((i) => ({
      from: 'OPERATIONAL' as const,
      to: i % 2 === 0 ? ('DEGRADED' as const) : ('MAJOR_OUTAGE' as const),
      at: at(i),
      counts: { counted: 3, online: i % 3 },
    }));
    await writer().putHealthChanges(bucketId, changes);
    const oldestAt = new Date(at(3)).toISOString();
    const first = await reader().loadHealthEventsPage({ bucketId, limit: 2, oldestAt });
    expect(first.more).toBe(true);
    expect(first.events.map((e) => e.at)).toEqual([at(0), at(1)]);
    expect(first.events[0]).toEqual({
      ...changes[0],
      id: healthEventId(bucketId, new Date(at(0)).toISOString(), 'DEGRADED'),
      position: healthEventSk(changes[0] as (typeof changes)[number]),
    });
    expect(first.events[0]?.id).toMatch(/^hev_[A-Za-z0-9_-]{22}$/);
    const second = await reader().loadHealthEventsPage({
      bucketId,
      limit: 2,
      oldestAt,
      before: first.events[1]?.position,
    });
    // at(4) is before the retention's cut-off.
    expect(second).toMatchObject({ more: false });
    expect(second.events.map((e) => e.at)).toEqual([at(2), at(3)]);
    expect(
      (await reader().loadHealthChangesBetween(bucketId, at(3), at(1), true)).map((e) => e.at),
    ).toEqual([at(3), at(2), at(1)]);
    await writer().deleteHealthChanges(bucketId, [changes[1], changes[2]] as typeof changes);
    const after = await reader().loadHealthEventsPage({ bucketId, limit: 10, oldestAt });
    expect(after.events.map((e) => e.at)).toEqual([at(0), at(3)]);
  });

  it('reads the closed days of a range in one Query, ascending', async () => {
    const bucketId = 'rows-days';
    const days = ['2026-12-01', '2026-12-02', '2026-12-04'].map((day, i) => ({
      day,
      durations: durations(i),
      entry: { ...entry, since: i === 1 ? T0 - 7 : undefined },
    }));
    await writer().putClosedDays(bucketId, days);
    const read = await reader().loadClosedDays(bucketId, '2026-12-02', '2026-12-05');
    expect(read.map((d) => d.day)).toEqual(['2026-12-02', '2026-12-04']);
    expect(read[0]).toEqual({ ...days[1] });
    expect(read[1]).toEqual({ day: '2026-12-04', durations: durations(2), entry });
  });
  it('a page cursor at or below the retention floor is the end; one above every event starts at the newest', async () => {
    const bucketId = 'rows-cursor';
    const at = (i: number) => T0 - i * 60_000;
    const changes = [0, 1, 2].map((i) => ({
      from: 'OPERATIONAL' as const,
      to: 'DEGRADED' as const,
      at: at(i),
      counts: { counted: 1, online: 0 },
    }));
    await writer().putHealthChanges(bucketId, changes);
    const oldestAt = new Date(at(2)).toISOString();
    const floor = `E#${oldestAt}`;
    expect(
      await reader().loadHealthEventsPage({ bucketId, limit: 5, oldestAt, before: floor }),
    ).toEqual({
      events: [],
      more: false,
    });
    const top = await reader().loadHealthEventsPage({ bucketId, limit: 5, oldestAt, before: 'E$' });
    expect(top.events.map((e) => e.at)).toEqual([at(0), at(1), at(2)]);
    expect(top.more).toBe(false);
    // Exactly `limit` events: no more.
    const exact = await reader().loadHealthEventsPage({ bucketId, limit: 3, oldestAt });
    expect(exact).toMatchObject({ more: false });
    expect(exact.events).toHaveLength(3);
    // Just above the floor: the oldest event only.
    const last = await reader().loadHealthEventsPage({
      bucketId,
      limit: 5,
      oldestAt,
      before: `${floor}$`,
    });
    expect(last.events.map((e) => e.at)).toEqual([at(2)]);
    // The changes between two instants include both ends, whatever the verdict.
    expect(
      (await reader().loadHealthChangesBetween(bucketId, at(1), at(0), false)).map((e) => e.at),
    ).toEqual([at(1), at(0)]);
    expect(await reader().loadHealthChangesBetween(bucketId, at(0) + 1, at(0) + 5, true)).toEqual(
      [],
    );
  });

  it('deletes more than one batch of events', async () => {
    const bucketId = 'rows-delete-many';
    const changes = Array.from({ length: 30 }, (_, i) => ({
      from: 'OPERATIONAL' as const,
      to: 'DEGRADED' as const,
      at: T0 - i * 1000,
      counts: { counted: 1, online: 0 },
    }));
    await writer().putHealthChanges(bucketId, changes);
    const oldestAt = new Date(T0 - 3_600_000).toISOString();
    expect(
      (await reader().loadHealthEventsPage({ bucketId, limit: 50, oldestAt })).events,
    ).toHaveLength(30);
    await writer().deleteHealthChanges(bucketId, changes.slice(0, 28));
    const left = await reader().loadHealthEventsPage({ bucketId, limit: 50, oldestAt });
    expect(left.events.map((e) => e.at)).toEqual([T0 - 28_000, T0 - 29_000]);
  });

  it('reads no closed day for a range that ends before it starts', async () => {
    const bucketId = 'rows-days-empty';
    await writer().putClosedDays(bucketId, [{ day: '2026-12-02', durations: durations(0), entry }]);
    expect(await reader().loadClosedDays(bucketId, '2026-12-03', '2026-12-01')).toEqual([]);
    expect(await reader().loadClosedDays(bucketId, '2026-12-02', '2026-12-02')).toHaveLength(1);
  });
  it('skips unreadable rows, paging on past them', async () => {
    const bucketId = 'rows-unreadable';
    const at = (i: number) => T0 - i * 60_000;
    await writer().putHealthChanges(
      bucketId,
      [1, 2].map((i) => ({
        from: 'OPERATIONAL' as const,
        to: 'DEGRADED' as const,
        at: at(i),
        counts: { counted: 1, online: 0 },
      })),
    );
    const raw = (sk: string) =>
      table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: { pk: { S: healthPk(bucketId) }, sk: { S: sk } },
        }),
      );
    await raw(`E#${new Date(at(0)).toISOString()}#DEGRADED`);
    await raw('D#2026-12-03');
    await writer().putClosedDays(bucketId, [{ day: '2026-12-04', durations: durations(0), entry }]);
    const oldestAt = new Date(at(5)).toISOString();
    const page = await reader().loadHealthEventsPage({ bucketId, limit: 1, oldestAt });
    expect(page.events.map((e) => e.at)).toEqual([at(1)]);
    expect(page.more).toBe(true);
    expect(
      (await reader().loadHealthChangesBetween(bucketId, at(5), at(0), true)).map((e) => e.at),
    ).toEqual([at(2), at(1)]);
    expect(
      (await reader().loadClosedDays(bucketId, '2026-12-01', '2026-12-05')).map((d) => d.day),
    ).toEqual(['2026-12-04']);
    // Nothing to delete: no request at all.
    await writer().deleteHealthChanges(bucketId, []);
  });

  it('the checkpoint write: no REMOVE when nothing is absent, the mark count required, the shard of the bucket', async () => {
    const bucketId = 'rows-shard-a'; // its shard differs from that of any other node id
    const withSince = { ...entry, since: T0 - 5 };
    // No STATE yet: no version and no mark count expected.
    expect(
      await writer().writeCheckpoint(bucketId, checkpoint, withSince, {
        expectVer: undefined,
        expectMarkSeq: undefined,
        nextMark: T0 + 1,
      }),
    ).toBe(true);
    const row = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: healthPk(bucketId) }, sk: { S: 'STATE' } },
      }),
    );
    expect(row.Item?.sweepShard).toEqual({ S: sweepShardOf(bucketId, '') });
    expect(row.Item?.eSince).toEqual({ N: String(T0 - 5) });
    // A mark arrives: a write that expects none is refused.
    await createHealthMarker(table.client, table.tableName)(bucketId, T0 + 2);
    expect(
      await writer().writeCheckpoint(bucketId, checkpoint, withSince, {
        expectVer: 1,
        expectMarkSeq: undefined,
        nextMark: undefined,
      }),
    ).toBe(false);
    // Another error than a failed condition is passed on.
    const other = createHealthWriter(table.client, 'no-such-table', {
      eventRetentionDays: 1,
      historyRetentionDays: 1,
    });
    await expect(
      other.writeCheckpoint(bucketId, checkpoint, withSince, {
        expectVer: undefined,
        expectMarkSeq: undefined,
        nextMark: undefined,
      }),
    ).rejects.toThrow();
  });

  it('other inputs: an empty or reversed range reads nothing', async () => {
    const inputs = createHealthInputs(table.client, table.tableName, { retentionDays: 400 });
    await inputs.putUncount('rows-inputs', 'n1', T0);
    expect(await inputs.loadOtherInputs('rows-inputs', T0 - 1, T0, true)).toHaveLength(1);
    expect(await inputs.loadOtherInputs('rows-inputs', T0, T0 - 10, true)).toEqual([]);
    expect(await inputs.firstOtherInputAfter('rows-inputs', T0 - 1)).toBe(T0);
    expect(await inputs.firstOtherInputAfter('rows-inputs', T0)).toBeUndefined();
  });
  it('retries unprocessed deletes, and gives up after six retries (503)', async () => {
    const bucketId = 'rows-unprocessed';
    const change = {
      from: 'OPERATIONAL' as const,
      to: 'DEGRADED' as const,
      at: T0,
      counts: { counted: 1, online: 0 },
    };
    await writer().putHealthChanges(bucketId, [change]);
    // A client whose first `unprocessed` BatchWriteItem calls come back unprocessed.
    const flaky = (unprocessed: number) => {
      const client = createDynamoClient({ endpoint: table.endpoint });
      const state = { sends: 0 };
      client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { RequestItems?: Record<string, unknown> };
          if (input.RequestItems === undefined) return next(args);
          state.sends++;
          if (state.sends <= unprocessed) {
            return {
              output: { UnprocessedItems: input.RequestItems, $metadata: {} },
              response: {},
            };
          }
          return next(args);
        },
        { step: 'initialize' },
      );
      const w = createHealthWriter(client, table.tableName, {
        eventRetentionDays: 90,
        historyRetentionDays: 400,
      });
      return { w, state };
    };
    const oldestAt = new Date(T0 - 60_000).toISOString();
    const once = flaky(1);
    await once.w.deleteHealthChanges(bucketId, [change]);
    expect(once.state.sends).toBe(2);
    expect((await reader().loadHealthEventsPage({ bucketId, limit: 5, oldestAt })).events).toEqual(
      [],
    );
    const never = flaky(Number.POSITIVE_INFINITY);
    const error = await never.w.deleteHealthChanges(bucketId, [change]).catch((e) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Error).message).toBe('The service is busy; retry shortly');
    expect(never.state.sends).toBe(6);
  });

  it('the first other input after an instant: none when that row is unreadable', async () => {
    const bucketId = 'rows-first-bad';
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { pk: { S: healthPk(bucketId) }, sk: { S: `I#${new Date(T0).toISOString()}#U#n1` } },
      }),
    );
    const inputs = createHealthInputs(table.client, table.tableName, { retentionDays: 400 });
    expect(await inputs.firstOtherInputAfter(bucketId, T0 - 1)).toBeUndefined();
  });
});
