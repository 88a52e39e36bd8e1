// The health reads' timeline (functions/reads/health-timeline-read.ts): where a read starts, which
// tail it uses, and how it advances to now, at their boundaries.
import { describe, expect, it } from 'vitest';
import type { HealthInput, MaintenanceWindow } from '../../functions/domain/health.ts';
import type {
  DayDurations,
  HealthCheckpoint,
  HealthPoint,
} from '../../functions/domain/health-timeline.ts';
import type { StoredHealthState } from '../../functions/domain/ports/health.ts';
import {
  advanceToNow,
  type HealthReads,
  type HealthTimelineDeps,
  readHealthPartition,
  readStart,
  TAIL_BOUND_MS,
  tailAfterCheckpoint,
} from '../../functions/reads/health-timeline-read.ts';

const DAY = 86_400_000;
const DAY_START = Date.parse('2026-12-06T00:00:00.000Z');
const CREATED = DAY_START - 3 * DAY;
const zero: DayDurations = {
  operationalMs: 0,
  degradedMs: 0,
  partialOutageMs: 0,
  majorOutageMs: 0,
  maintenanceMs: 0,
  unknownMs: 0,
  observedMs: 0,
};
const ENTRY: HealthPoint = {
  counts: { counted: 2, online: 1 },
  minOnlinePercent: 50,
  verdict: 'DEGRADED',
  since: DAY_START - 5_000,
};

const checkpointAt = (asOf: number, createdAt = CREATED): HealthCheckpoint => ({
  asOf,
  createdAt,
  day: new Date(asOf).toISOString().slice(0, 10),
  counts: { counted: 2, online: 2 },
  minOnlinePercent: 50,
  verdict: 'OPERATIONAL',
  dayDurations: { ...zero, operationalMs: asOf - DAY_START, observedMs: asOf - DAY_START },
});

const stateOf = (
  checkpoint: HealthCheckpoint | undefined,
  markAt?: number,
  entry: HealthPoint | undefined = ENTRY,
): StoredHealthState => ({ checkpoint, entry, ver: 1, markSeq: 1, markAt });

const readsOf = (
  state: StoredHealthState | undefined,
  extra: Partial<HealthReads> = {},
): HealthReads => ({ state, windows: [], tail: [], bound: DAY_START, ...extra });

const nodeInput = (at: number, from: string, to: string, nodeId = 'n1'): HealthInput =>
  ({ kind: 'node', nodeId, at, from, to, first: false }) as HealthInput;

describe('readHealthPartition', () => {
  it('reads STATE (not consistent), the windows and the tail after now - TAIL_BOUND_MS', async () => {
    const calls: unknown[] = [];
    const state = stateOf(checkpointAt(DAY_START + 10));
    const windows: MaintenanceWindow[] = [{ id: 'w', start: 1, end: 2, createdAt: 1 }];
    const tail = [nodeInput(DAY_START + 20, 'ONLINE', 'OFFLINE')];
    const deps: HealthTimelineDeps = {
      loadHealthState: async (...args) => {
        calls.push(['state', ...args]);
        return state;
      },
      loadWindows: async (...args) => {
        calls.push(['windows', ...args]);
        return windows;
      },
      loadHealthTail: async (...args) => {
        calls.push(['tail', ...args]);
        return tail;
      },
      staleAfterSeconds: 90,
    };
    const now = DAY_START + DAY / 2;
    expect(TAIL_BOUND_MS).toBe(300_000);
    await expect(readHealthPartition('b1', now, deps)).resolves.toStrictEqual({
      state,
      windows,
      tail,
      bound: now - 300_000,
    });
    expect(calls).toStrictEqual([
      ['state', 'b1', false],
      ['windows', 'b1'],
      ['tail', 'b1', now - 300_000],
    ]);
  });
});

describe('readStart', () => {
  const asOf = DAY_START + 60_000;

  it('is undefined without a checkpoint', () => {
    expect(readStart(readsOf(undefined))).toBeUndefined();
    expect(readStart(readsOf(stateOf(undefined, asOf)))).toBeUndefined();
  });

  it('is the checkpoint without a mark, with a mark after it, or without an entry', () => {
    const checkpoint = checkpointAt(asOf);
    expect(readStart(readsOf(stateOf(checkpoint)))).toBe(checkpoint);
    expect(readStart(readsOf(stateOf(checkpoint, asOf + 1)))).toBe(checkpoint);
    expect(readStart(readsOf({ ...stateOf(checkpoint, asOf - 1), entry: undefined }))).toBe(
      checkpoint,
    );
  });

  it('is the day entry for a mark at or before the checkpoint in its day', () => {
    const checkpoint = checkpointAt(asOf);
    const expected = {
      counts: ENTRY.counts,
      minOnlinePercent: 50,
      verdict: 'DEGRADED',
      since: DAY_START - 5_000,
      asOf: DAY_START - 1,
      createdAt: CREATED,
      day: '2026-12-05',
      dayDurations: zero,
    };
    expect(readStart(readsOf(stateOf(checkpoint, asOf)))).toStrictEqual(expected);
    expect(readStart(readsOf(stateOf(checkpoint, DAY_START)))).toStrictEqual(expected);
  });

  it('is the checkpoint for a late input of an earlier day (the sweep recomputes it)', () => {
    const checkpoint = checkpointAt(asOf);
    expect(readStart(readsOf(stateOf(checkpoint, DAY_START - 1)))).toBe(checkpoint);
  });

  it('on the creation day, starts at the creation (a window active then: MAINTENANCE)', () => {
    const created = DAY_START + 1_000;
    const checkpoint = checkpointAt(asOf, created);
    const windows = [{ id: 'w', start: created - 10, end: created + 10, createdAt: asOf }];
    // A mark before the creation counts from the creation: still this day.
    const start = readStart(readsOf(stateOf(checkpoint, DAY_START - 1)));
    expect(start).toMatchObject({ asOf: created, createdAt: created, verdict: 'UNKNOWN' });
    expect(readStart(readsOf(stateOf(checkpoint, asOf), { windows }))).toStrictEqual({
      asOf: created,
      createdAt: created,
      counts: { counted: 0, online: 0 },
      minOnlinePercent: 50,
      verdict: 'MAINTENANCE',
      day: '2026-12-06',
      dayDurations: zero,
    });
  });
});

describe('tailAfterCheckpoint', () => {
  const bound = DAY_START + 100_000;
  const tail = [
    nodeInput(bound - 10, 'ONLINE', 'OFFLINE'),
    nodeInput(bound + 1, 'OFFLINE', 'ONLINE'),
    nodeInput(bound + 5, 'ONLINE', 'OFFLINE'),
  ];
  const second = [
    nodeInput(bound - 50_000, 'ONLINE', 'OFFLINE'),
    nodeInput(bound - 60_001, 'OFFLINE', 'ONLINE'),
  ];
  const depsReading = (reads: unknown[]): HealthTimelineDeps => ({
    loadHealthState: async () => undefined,
    loadWindows: async () => [],
    loadHealthTail: async (...args) => {
      reads.push(args);
      return second;
    },
    staleAfterSeconds: 90,
  });

  it('is empty without a checkpoint, reading nothing', async () => {
    const reads: unknown[] = [];
    await expect(
      tailAfterCheckpoint('b1', readsOf(undefined, { tail, bound }), depsReading(reads)),
    ).resolves.toStrictEqual([]);
    expect(reads).toStrictEqual([]);
  });

  it('uses the first read when the checkpoint is at or after the bound (inputs after it only)', async () => {
    const reads: unknown[] = [];
    const deps = depsReading(reads);
    const atBound = readsOf(stateOf(checkpointAt(bound), DAY_START - 10), { tail, bound });
    await expect(tailAfterCheckpoint('b1', atBound, deps)).resolves.toStrictEqual(tail.slice(1));
    const after = readsOf(stateOf(checkpointAt(bound + 1), DAY_START - 10), { tail, bound });
    await expect(tailAfterCheckpoint('b1', after, deps)).resolves.toStrictEqual(tail.slice(2));
    expect(reads).toStrictEqual([]);
  });

  it('uses the first read for an older checkpoint without a mark or with a mark after the bound', async () => {
    const reads: unknown[] = [];
    const deps = depsReading(reads);
    const old = checkpointAt(bound - 60_000);
    const noMark = readsOf(stateOf(old), { tail, bound });
    await expect(tailAfterCheckpoint('b1', noMark, deps)).resolves.toStrictEqual(tail);
    const markAfter = readsOf(stateOf(old, bound + 1), { tail, bound });
    await expect(tailAfterCheckpoint('b1', markAfter, deps)).resolves.toStrictEqual(tail);
    expect(reads).toStrictEqual([]);
  });

  it('reads again from the start for an older checkpoint with a mark at or before the bound', async () => {
    const reads: unknown[] = [];
    const deps = depsReading(reads);
    const old = checkpointAt(bound - 60_000);
    // A mark after the checkpoint: the start is the checkpoint.
    const markAtBound = readsOf(stateOf(old, bound), { tail, bound });
    await expect(tailAfterCheckpoint('b1', markAtBound, deps)).resolves.toStrictEqual([second[0]]);
    expect(reads).toStrictEqual([['b1', bound - 60_000]]);
  });

  it("reads again from the day's start when a late mark after the bound recomputes the day", async () => {
    const reads: unknown[] = [];
    const deps = depsReading(reads);
    // Checkpoint and late mark both after the bound; the recomputation starts 1 ms before the
    // day, long before the bound: the first read does not cover it.
    const late = readsOf(stateOf(checkpointAt(bound + 50), bound + 20), { tail, bound });
    await expect(tailAfterCheckpoint('b1', late, deps)).resolves.toStrictEqual(second);
    expect(reads).toStrictEqual([['b1', DAY_START - 1]]);
  });
});

describe('advanceToNow', () => {
  const asOf = DAY_START + 60_000;
  const deps = { staleAfterSeconds: 90 };

  it('is undefined without a checkpoint', () => {
    expect(advanceToNow(readsOf(undefined), [], [], asOf, deps)).toBeUndefined();
  });

  it('advances to now with the tail and the unnoticed silences (stale in seconds)', () => {
    const reads = readsOf(stateOf(checkpointAt(asOf)));
    const tail = [nodeInput(asOf + 1_000, 'ONLINE', 'OFFLINE')];
    const reports = [{ nodeId: 'n2', at: asOf + 2_000, status: 'ONLINE' as const }];
    const now = asOf + 200_000;
    const step = advanceToNow(reads, tail, reports, now, deps);
    expect(step?.from).toBe(asOf);
    expect(step?.checkpoint.asOf).toBe(now);
    expect(step?.changes.map((c) => [c.at - asOf, c.to])).toStrictEqual([
      [1_000, 'DEGRADED'],
      [92_000, 'MAJOR_OUTAGE'],
    ]);
    expect(step?.closedDays).toStrictEqual([]);
  });

  it('never moves before the checkpoint', () => {
    const reads = readsOf(stateOf(checkpointAt(asOf)));
    const step = advanceToNow(reads, [], [], asOf - 10_000, deps);
    expect(step?.checkpoint.asOf).toBe(asOf);
    expect(step?.from).toBe(asOf);
  });

  it('from a day entry, reports the checkpoint day closed but not the day before', () => {
    const reads = readsOf(stateOf(checkpointAt(asOf), asOf));
    const now = DAY_START + DAY + 10;
    const step = advanceToNow(reads, [], [], now, deps);
    expect(step?.from).toBe(DAY_START - 1);
    expect(step?.closedDays.map((d) => d.day)).toStrictEqual(['2026-12-06']);
  });
});
