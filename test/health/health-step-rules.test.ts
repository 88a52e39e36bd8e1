/**
 * The sweep's health step's choices, one at a time, over recording in-memory ports: where it
 * starts (bootstrap, checkpoint, a day's entry, the creation), what it reads and writes, the next
 * mark, retries and faults. (health-step.test.ts checks the stored result as a whole.)
 */
import { describe, expect, it } from 'vitest';
import type { HealthInput, MaintenanceWindow } from '../../functions/domain/health.ts';
import {
  type HealthCheckpoint,
  type HealthPoint,
  initialCheckpoint,
} from '../../functions/domain/health-timeline.ts';
import type {
  CheckpointWriteCondition,
  StoredHealthState,
} from '../../functions/domain/ports/health.ts';
import {
  type HealthStepPorts,
  LAST_INSTANT,
  runHealthStep,
} from '../../functions/sweep/health-step.ts';

const STALE = 90_000;
const DAY = 86_400_000;
const D = Date.parse('2026-12-06T00:00:00.000Z');

const ENTRY: HealthPoint = {
  counts: { counted: 0, online: 0 },
  minOnlinePercent: 50,
  verdict: 'UNKNOWN',
};
const LOADED: HealthPoint = {
  counts: { counted: 3, online: 3 },
  minOnlinePercent: 50,
  verdict: 'OPERATIONAL',
};

interface Fake {
  state: StoredHealthState | undefined;
  windows?: MaintenanceWindow[];
  inputs?: HealthInput[];
  dayEntry?: HealthPoint | undefined;
  recorded?: { at: number; to: 'OPERATIONAL' | 'UNKNOWN' }[];
  firstInputAfter?: number | undefined;
  bootstrap?: { rows: []; createdAt: number | undefined };
  written?: boolean;
  fail?: string;
}

function recording(fake: Fake) {
  const calls: unknown[][] = [];
  const writes: {
    checkpoint: HealthCheckpoint;
    entry: HealthPoint;
    condition: CheckpointWriteCondition;
  }[] = [];
  const ports: HealthStepPorts = {
    findMarked: async () => ['b1'],
    loadState: async (b) => {
      calls.push(['loadState', b]);
      if (fake.fail === b) throw new Error(`down: ${b}`);
      return structuredClone(fake.state);
    },
    loadDayEntry: async (_b, day) => {
      calls.push(['loadDayEntry', day]);
      return structuredClone(fake.dayEntry);
    },
    loadInputs: async (_b, after, to) => {
      calls.push(['loadInputs', after, to]);
      return (fake.inputs ?? []).filter((i) => i.at > after && i.at <= to);
    },
    firstInputAfter: async () => fake.firstInputAfter,
    loadWindows: async () => fake.windows ?? [],
    loadRecordedChanges: async () => fake.recorded ?? [],
    putChanges: async (_b, changes) => {
      calls.push(['putChanges', changes.map((c) => c.at)]);
    },
    deleteChanges: async (_b, keys) => {
      calls.push(['deleteChanges', keys.map((k) => k.at)]);
    },
    putClosedDays: async (_b, days) => {
      calls.push(['putClosedDays', days.map((d) => [d.day, d.entry.counts.counted])]);
    },
    writeCheckpoint: async (_b, checkpoint, entry, condition) => {
      writes.push({ checkpoint, entry, condition });
      return fake.written ?? true;
    },
    loadBootstrap: async () => {
      calls.push(['loadBootstrap']);
      return fake.bootstrap ?? { rows: [], createdAt: undefined };
    },
  };
  const of = (name: string) => calls.filter((c) => c[0] === name).map((c) => c.slice(1));
  return { ports, calls, writes, of };
}

const checkpointAt = (asOf: number, createdAt: number): HealthCheckpoint => ({
  ...initialCheckpoint(createdAt, []),
  asOf,
  day: new Date(asOf).toISOString().slice(0, 10),
});

const stateOf = (checkpoint: HealthCheckpoint | undefined, markAt: number | undefined) => ({
  checkpoint,
  entry: checkpoint === undefined ? undefined : ENTRY,
  ver: checkpoint === undefined ? undefined : 1,
  markSeq: 1,
  markAt,
});

describe('the health step, choice by choice', () => {
  it('a bucket without STATE is done: nothing read further, nothing failed', async () => {
    const r = recording({ state: undefined });
    const outcome = await runHealthStep(r.ports, D + 1000, STALE);
    expect(outcome).toStrictEqual({ found: 1, advanced: 0, changes: 0, recomputed: 0, failed: 0 });
    expect(r.calls).toStrictEqual([['loadState', 'b1']]);
  });

  it('bootstraps a bucket without a checkpoint at min(settled, createdAt)', async () => {
    const settled = D + 10_000;
    for (const [createdAt, at] of [
      [undefined, settled],
      [settled + 5, settled],
      [settled - 5, settled - 5],
    ] as const) {
      const r = recording({ state: stateOf(undefined, D), bootstrap: { rows: [], createdAt } });
      const outcome = await runHealthStep(r.ports, settled, STALE);
      expect(outcome).toMatchObject({ advanced: 1, recomputed: 0 });
      expect(r.of('loadInputs')).toStrictEqual([
        [at, LAST_INSTANT],
        [at, settled],
      ]);
      expect(r.writes[0]?.checkpoint.asOf).toBe(settled);
      expect(r.writes[0]?.condition).toStrictEqual({
        expectVer: undefined,
        expectMarkSeq: 1,
        nextMark: undefined,
      });
    }
  });

  it('bootstraps when either the checkpoint or the entry is missing, never when both are there', async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    const noEntry = recording({ state: { ...stateOf(cp, D + 2000), entry: undefined } });
    await runHealthStep(noEntry.ports, D + 5000, STALE);
    expect(noEntry.of('loadBootstrap')).toHaveLength(1);
    const noCheckpoint = recording({ state: { ...stateOf(undefined, D), entry: ENTRY } });
    await runHealthStep(noCheckpoint.ports, D + 5000, STALE);
    expect(noCheckpoint.of('loadBootstrap')).toHaveLength(1);
    const both = recording({ state: stateOf(cp, D + 2000) });
    await runHealthStep(both.ports, D + 5000, STALE);
    expect(both.of('loadBootstrap')).toHaveLength(0);
  });

  it('a mark after the checkpoint (or none) advances from the checkpoint: no recompute', async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    for (const markAt of [D + 1001, undefined]) {
      const r = recording({ state: stateOf(cp, markAt) });
      const outcome = await runHealthStep(r.ports, D + 5000, STALE);
      expect(outcome).toMatchObject({ advanced: 1, recomputed: 0 });
      expect(r.of('loadDayEntry')).toStrictEqual([]);
      expect(r.of('loadInputs')).toStrictEqual([[D + 1000, D + 5000]]);
    }
  });

  it('a mark at the checkpoint recomputes its day from the stored entry', async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    const r = recording({ state: stateOf(cp, D + 1000) });
    const outcome = await runHealthStep(r.ports, D + 5000, STALE);
    expect(outcome).toMatchObject({ advanced: 1, recomputed: 1 });
    expect(r.of('loadDayEntry')).toStrictEqual([]);
    expect(r.of('loadInputs')).toStrictEqual([[D - 1, D + 5000]]);
  });

  it("a late mark of an earlier day starts at that day's stored entry and rewrites from that day", async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    const r = recording({ state: stateOf(cp, D - DAY + 7), dayEntry: LOADED });
    const outcome = await runHealthStep(r.ports, D + 5000, STALE);
    expect(outcome).toMatchObject({ advanced: 1, recomputed: 1 });
    expect(r.of('loadDayEntry')).toStrictEqual([['2026-12-05']]);
    expect(r.of('loadInputs')).toStrictEqual([[D - DAY - 1, D + 5000]]);
    // The day before the recomputed one is not written; the recomputed day carries its entry.
    expect(r.of('putClosedDays')).toStrictEqual([[[['2026-12-05', 3]]]]);
  });

  it("a late mark whose day's entry is gone keeps the stored checkpoint", async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    const r = recording({ state: stateOf(cp, D - DAY + 7), dayEntry: undefined });
    const outcome = await runHealthStep(r.ports, D + 5000, STALE);
    expect(outcome).toMatchObject({ advanced: 1, recomputed: 0, failed: 0 });
    expect(r.of('loadInputs')).toStrictEqual([[D + 1000, D + 5000]]);
  });

  it('a late mark at or before the creation recomputes from the creation, its first day included', async () => {
    // Created at the last ms of the day before; a mark before the creation.
    const created = D - 1;
    const cp = checkpointAt(D + 1000, created);
    const r = recording({ state: stateOf(cp, D - 3 * DAY), dayEntry: LOADED });
    const outcome = await runHealthStep(r.ports, D + 5000, STALE);
    expect(outcome).toMatchObject({ advanced: 1, recomputed: 1 });
    expect(r.of('loadDayEntry')).toStrictEqual([['2026-12-05']]);
    expect(r.of('loadInputs')).toStrictEqual([[created, D + 5000]]);
    expect(r.of('putClosedDays')).toStrictEqual([[[['2026-12-05', 3]]]]);
  });

  it('a late mark on an earlier creation day whose entry is gone keeps the stored checkpoint', async () => {
    const created = D - DAY + 5;
    const cp = checkpointAt(D + 1000, created);
    const r = recording({ state: stateOf(cp, created + 1), dayEntry: undefined });
    const outcome = await runHealthStep(r.ports, D + 5000, STALE);
    expect(outcome).toMatchObject({ advanced: 1, recomputed: 0 });
    expect(r.of('loadDayEntry')).toStrictEqual([['2026-12-05']]);
    expect(r.of('loadInputs')).toStrictEqual([[D + 1000, D + 5000]]);
  });

  it('writes the day a checkpoint at its last ms closes', async () => {
    const cp = checkpointAt(D - 1, D - 5 * DAY);
    const r = recording({ state: stateOf(cp, D + 10) });
    await runHealthStep(r.ports, D + 5000, STALE);
    expect(r.of('putClosedDays')).toStrictEqual([[[['2026-12-05', 0]]]]);
  });

  it('never moves a checkpoint backwards', async () => {
    const cp = checkpointAt(D + 9000, D - 5 * DAY);
    const r = recording({ state: stateOf(cp, D + 9500) });
    await runHealthStep(r.ports, D + 5000, STALE);
    expect(r.writes[0]?.checkpoint.asOf).toBe(D + 9000);
  });

  it('deletes the recorded events up to `to` it did not produce, never later ones', async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    const r = recording({
      state: stateOf(cp, D + 1500),
      recorded: [
        { at: D + 5000, to: 'OPERATIONAL' },
        { at: D + 5001, to: 'OPERATIONAL' },
      ],
    });
    await runHealthStep(r.ports, D + 5000, STALE);
    expect(r.of('deleteChanges')).toStrictEqual([[[D + 5000]]]);
  });

  it('the next mark is the earliest of the next window boundary after `to` and the next input', async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    const to = D + 5000;
    const windows: MaintenanceWindow[] = [
      { id: 'late', start: to + 900, end: to + 1000, createdAt: D },
      { id: 'early', start: to, end: to + 500, createdAt: D },
    ];
    const nextMark = async (firstInputAfter: number | undefined) => {
      const r = recording({ state: stateOf(cp, D + 1500), windows, firstInputAfter });
      await runHealthStep(r.ports, to, STALE);
      return r.writes[0]?.condition.nextMark;
    };
    // A boundary at `to` itself is behind the checkpoint.
    expect(await nextMark(undefined)).toBe(to + 500);
    expect(await nextMark(to + 400)).toBe(to + 400);
    expect(await nextMark(to + 600)).toBe(to + 500);
    const bare = recording({ state: stateOf(cp, D + 1500), firstInputAfter: to + 7 });
    await runHealthStep(bare.ports, to, STALE);
    expect(bare.writes[0]?.condition.nextMark).toBe(to + 7);
  });

  it('tries a bucket whose checkpoint write keeps failing three times, then counts it failed', async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    const r = recording({ state: stateOf(cp, D + 1500), written: false });
    const outcome = await runHealthStep(r.ports, D + 5000, STALE);
    expect(outcome).toMatchObject({ advanced: 0, failed: 1 });
    expect(r.of('loadState')).toHaveLength(3);
  });

  it('a fault fails its bucket only, keeping the first error', async () => {
    const cp = checkpointAt(D + 1000, D - 5 * DAY);
    const r = recording({ state: stateOf(cp, D + 1500), fail: 'b1' });
    r.ports.findMarked = async () => ['b1', 'b2', 'b1', 'b3'];
    const outcome = await runHealthStep(r.ports, D + 5000, STALE, 1);
    expect(outcome).toMatchObject({ found: 3, advanced: 2, failed: 1 });
    expect((outcome.error as Error).message).toBe('down: b1');
    const twice = recording({ state: stateOf(cp, D + 1500), fail: 'b1' });
    twice.ports.findMarked = async () => ['b1', 'b1x'];
    twice.ports.loadState = async (b) => {
      throw new Error(`down: ${b}`);
    };
    const both = await runHealthStep(twice.ports, D + 5000, STALE, 1);
    expect(both).toMatchObject({ found: 2, failed: 2 });
    expect((both.error as Error).message).toBe('down: b1');
  });
});
