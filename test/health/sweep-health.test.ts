/**
 * The sweep's health step on dynalite, through the sweep's production wiring: marks set by the
 * event writer, the checkpoint advanced to the settled instant, health events and closed days
 * written, a late input recomputed, a window boundary noticed without any node input.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHealthReader, createHealthWriter } from '../../functions/data/bucket-health.ts';
import { createEventWriter } from '../../functions/data/events.ts';
import { createHealthMarker } from '../../functions/data/health-marks.ts';
import type { RecordedHealthEvent } from '../../functions/domain/alert-message.ts';
import type { NodeEvent } from '../../functions/domain/events.ts';
import { initialCheckpoint } from '../../functions/domain/health-timeline.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { LAST_INSTANT } from '../../functions/sweep/health-step.ts';
import { wireSweep } from '../../functions/sweep/wiring.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

const T0 = Date.parse('2026-12-06T23:58:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('the sweep records bucket health (dynalite)', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('sweep-health');
  });

  async function newBucket() {
    const bucketId = randomUUID();
    const writer = createHealthWriter(table.client, table.tableName, {
      eventRetentionDays: 90,
      historyRetentionDays: 90,
    });
    const checkpoint = initialCheckpoint(T0, []);
    const entry = {
      counts: { counted: 0, online: 0 },
      minOnlinePercent: 50,
      verdict: 'UNKNOWN' as const,
    };
    expect(
      await writer.writeCheckpoint(bucketId, checkpoint, entry, {
        expectVer: undefined,
        expectMarkSeq: undefined,
        nextMark: undefined,
      }),
    ).toBe(true);
    return bucketId;
  }

  const recorder = () =>
    createEventWriter(table.client, table.tableName, {
      retentionDays: 90,
      markHealth: createHealthMarker(table.client, table.tableName),
    });
  const published: RecordedHealthEvent[] = [];
  const sweepAt = (now: number) =>
    wireSweep({
      onHealthRecorded: (events) => published.push(...events),
      client: table.client,
      tableName: table.tableName,
      staleAfterSeconds: 90,
      eventRetentionDays: 90,
      historyRetentionDays: 90,
      logger: createLogger('sweep-health-test'),
      now: () => now,
    })();
  const event = (
    bucketId: string,
    nodeId: string,
    at: number,
    from: string,
    to: string,
    first = false,
  ) => ({ bucketId, nodeId, at: iso(at), from, to, ...(first && { first: true }) }) as NodeEvent;
  const reader = () => createHealthReader(table.client, table.tableName);
  const changesOf = async (bucketId: string) =>
    (await reader().loadHealthChangesBetween(bucketId, 0, LAST_INSTANT, true)).map(
      ({ from, to, at, counts }) => ({ from, to, at: at - T0, counts }),
    );

  it('advances a marked bucket to the settled instant; a late input recomputes its day', async () => {
    const bucketId = await newBucket();
    const record = recorder();
    await record([
      event(bucketId, 'a', T0 + 1_000, 'DISCONNECTED', 'ONLINE', true),
      event(bucketId, 'b', T0 + 2_000, 'DISCONNECTED', 'OFFLINE', true),
    ]);
    published.length = 0;
    const first = await sweepAt(T0 + 60_000);
    expect(first.health).toMatchObject({ advanced: 1, changes: 2, failed: 0 });
    // The publish port (the local alert queue) is told of each change recorded the first time.
    expect(
      published.map((e) => [e.kind, e.bucketId, e.from, e.to, e.at, e.counted, e.online]),
    ).toEqual([
      ['health', bucketId, 'UNKNOWN', 'OPERATIONAL', iso(T0 + 1_000), 1, 1],
      ['health', bucketId, 'OPERATIONAL', 'DEGRADED', iso(T0 + 2_000), 2, 1],
    ]);
    expect(published[0]?.id).toMatch(/^hev_[A-Za-z0-9_-]{22}$/);
    published.length = 0;
    expect(await changesOf(bucketId)).toEqual([
      { from: 'UNKNOWN', to: 'OPERATIONAL', at: 1_000, counts: { counted: 1, online: 1 } },
      { from: 'OPERATIONAL', to: 'DEGRADED', at: 2_000, counts: { counted: 2, online: 1 } },
    ]);
    const state = await reader().loadHealthState(bucketId, true);
    expect(state?.checkpoint?.asOf).toBe(T0 + 60_000 - 11_000);
    expect(state?.markAt).toBeUndefined();

    // a's change to OFFLINE at +30 s is recorded only now (a pending event): before the
    // checkpoint, so the day is computed again, and the midnight crossing closes the day.
    await record([event(bucketId, 'a', T0 + 30_000, 'ONLINE', 'OFFLINE')]);
    const second = await sweepAt(T0 + 180_000);
    expect(second.health).toMatchObject({ advanced: 1, recomputed: 1, failed: 0 });
    // The recomputation rewrote the day's changes; only the one that is new is handed on.
    expect(published.map((e) => [e.from, e.to, e.at])).toEqual([
      ['DEGRADED', 'MAJOR_OUTAGE', iso(T0 + 30_000)],
    ]);
    expect(await changesOf(bucketId)).toEqual([
      { from: 'UNKNOWN', to: 'OPERATIONAL', at: 1_000, counts: { counted: 1, online: 1 } },
      { from: 'OPERATIONAL', to: 'DEGRADED', at: 2_000, counts: { counted: 2, online: 1 } },
      { from: 'DEGRADED', to: 'MAJOR_OUTAGE', at: 30_000, counts: { counted: 2, online: 0 } },
    ]);
    const days = await reader().loadClosedDays(bucketId, '2026-12-06', '2026-12-06');
    expect(days.map((d) => d.durations)).toEqual([
      {
        operationalMs: 1_000,
        degradedMs: 28_000,
        partialOutageMs: 0,
        majorOutageMs: 90_000,
        maintenanceMs: 0,
        unknownMs: 1_000,
        observedMs: 120_000,
      },
    ]);
    // Nothing marked: the next run reads nothing of this bucket.
    const idle = await sweepAt(T0 + 240_000);
    expect(idle.health?.found ?? 0).toBe(0);
  });

  it('notices a window boundary with no node input at all, and the same change twice is one', async () => {
    const bucketId = await newBucket();
    const record = recorder();
    const once = event(bucketId, 'a', T0 + 1_000, 'DISCONNECTED', 'ONLINE', true);
    await record([once]);
    await record([once]); // a retry, or the stream's repeat: one row, one input
    // A window from +100 s to +200 s, stored directly (the route's own checks are its tests'),
    // and the bucket marked at its start as the window's writer does.
    await new Seeder(table.client, table.tableName).put({
      pk: `HEALTH#${bucketId}`,
      sk: 'W#00',
      id: 'mw_test',
      start: T0 + 100_000,
      end: T0 + 200_000,
      createdAt: T0,
    });
    await createHealthMarker(table.client, table.tableName)(bucketId, T0 + 100_000);
    await sweepAt(T0 + 60_000); // settles +49 s: the window is not yet due
    expect((await changesOf(bucketId)).map((c) => c.to)).toEqual(['OPERATIONAL']);
    const state = await reader().loadHealthState(bucketId, true);
    expect(state?.markAt).toBe(T0 + 100_000);
    await sweepAt(T0 + 300_000);
    expect(await changesOf(bucketId)).toEqual([
      { from: 'UNKNOWN', to: 'OPERATIONAL', at: 1_000, counts: { counted: 1, online: 1 } },
      { from: 'OPERATIONAL', to: 'MAINTENANCE', at: 100_000, counts: { counted: 1, online: 1 } },
      { from: 'MAINTENANCE', to: 'OPERATIONAL', at: 200_000, counts: { counted: 1, online: 1 } },
    ]);
  });
});
