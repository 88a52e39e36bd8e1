import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  applyPlan,
  closedDaysOf,
  type DayRecord,
  dayFigures,
  dayOf,
  isSteady,
  observedWindow,
  planReport,
  type SlotState,
  stateAt,
  transitionsOf,
  unassignTransitions,
} from '../../functions/domain/timeline.ts';
import { toStatsEntry } from '../../functions/domain/uptime.ts';
import { daysBetween, type ModelReport, modelDay } from '../support/uptime-model.ts';

const STALE = 90_000;
const T = Date.parse('2026-11-30T12:00:00.000Z');
const MIDNIGHT = Date.parse('2026-12-01T00:00:00.000Z');

describe('stateAt', () => {
  it('holds the reported status up to exactly stale, DISCONNECTED 1 ms later and before', () => {
    const last = { at: T, status: 'ONLINE' as const };
    expect(stateAt(last, T, STALE)).toBe('ONLINE');
    expect(stateAt(last, T + STALE, STALE)).toBe('ONLINE');
    expect(stateAt(last, T + STALE + 1, STALE)).toBe('DISCONNECTED');
    expect(stateAt(last, T - 1, STALE)).toBe('DISCONNECTED');
    expect(stateAt(undefined, T, STALE)).toBe('DISCONNECTED');
  });
});

describe('transitionsOf', () => {
  const on = (at: number) => ({ at, status: 'ONLINE' as const });
  const off = (at: number) => ({ at, status: 'OFFLINE' as const });
  it('first report since assignment: a change from DISCONNECTED, marked first', () => {
    expect(transitionsOf(undefined, on(T), STALE)).toStrictEqual([
      { from: 'DISCONNECTED', to: 'ONLINE', at: T, first: true },
    ]);
  });
  it('a flip within the window; nothing for the same status at exactly stale', () => {
    expect(transitionsOf(on(T), off(T + 5), STALE)).toStrictEqual([
      { from: 'ONLINE', to: 'OFFLINE', at: T + 5 },
    ]);
    expect(transitionsOf(on(T), on(T + STALE), STALE)).toStrictEqual([]);
  });
  it('a gap 1 ms over stale: DISCONNECTED at last + stale, then back at the report (not first)', () => {
    expect(transitionsOf(on(T), on(T + STALE + 1), STALE)).toStrictEqual([
      { from: 'ONLINE', to: 'DISCONNECTED', at: T + STALE },
      { from: 'DISCONNECTED', to: 'ONLINE', at: T + STALE + 1 },
    ]);
  });
});

describe('unassignTransitions', () => {
  const online = { at: T, status: 'ONLINE' as const };
  it('a report that still holds ends at the unassign instant (exactly stale included)', () => {
    expect(unassignTransitions(online, T + 5_000, STALE, false)).toEqual([
      { from: 'ONLINE', to: 'DISCONNECTED', at: T + 5_000 },
    ]);
    expect(unassignTransitions(online, T + STALE, STALE, false)).toEqual([
      { from: 'ONLINE', to: 'DISCONNECTED', at: T + STALE },
    ]);
  });
  it('never before the last report (an operator clock behind the ingest clock)', () => {
    expect(unassignTransitions(online, T - 1_000, STALE, false)).toEqual([
      { from: 'ONLINE', to: 'DISCONNECTED', at: T },
    ]);
  });
  it('stale: the sweep change at last + stale, unless the sweep recorded it', () => {
    expect(unassignTransitions(online, T + STALE + 1, STALE, false)).toEqual([
      { from: 'ONLINE', to: 'DISCONNECTED', at: T + STALE },
    ]);
    expect(unassignTransitions(online, T + STALE + 1, STALE, true)).toEqual([]);
  });
  it('no report since the assignment: already DISCONNECTED', () => {
    expect(unassignTransitions(undefined, T, STALE, false)).toEqual([]);
  });
  it('the change is always from the state that holds just before it, to DISCONNECTED', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ONLINE' as const, 'OFFLINE' as const),
        fc.integer({ min: -STALE, max: 3 * STALE }),
        fc.boolean(),
        (status, offset, swept) => {
          const last = { at: T, status };
          const changes = unassignTransitions(last, T + offset, STALE, swept);
          for (const change of changes) {
            expect(change.to).toBe('DISCONNECTED');
            expect(stateAt(last, change.at, STALE)).toBe(change.from);
            expect(change.at).toBeLessThanOrEqual(Math.max(T, T + offset));
          }
          if (stateAt(last, Math.max(T, T + offset), STALE) !== 'DISCONNECTED') {
            expect(changes).toHaveLength(1);
          }
        },
      ),
    );
  });
});

describe('observedWindow', () => {
  it('starts at the assignment mid-day and ends now', () => {
    expect(observedWindow('2026-11-30', T, T + 1000)).toEqual({ start: T, end: T + 1000 });
    expect(observedWindow('2026-11-29', T, T + 1000)).toEqual({ start: T, end: T });
    expect(observedWindow('2026-11-30', undefined, MIDNIGHT + 5)).toEqual({
      start: MIDNIGHT - 86_400_000,
      end: MIDNIGHT,
    });
  });
});

describe('planReport', () => {
  it('a steady report in the same day leaves the slot base alone', () => {
    const pred = { at: T, status: 'ONLINE' as const };
    const plan = planReport(pred, { at: T + 30_000, status: 'ONLINE' }, STALE);
    expect(plan.onDelta).toBe(0);
    expect(isSteady(pred, { at: T + 30_000, status: 'ONLINE' }, STALE)).toBe(true);
    expect(isSteady(pred, { at: T + STALE + 1, status: 'ONLINE' }, STALE)).toBe(false);
  });
  it('crossing midnight closes the day at midnight and carries the run', () => {
    const pred = { at: MIDNIGHT - 10_000, status: 'ONLINE' as const };
    const plan = planReport(pred, { at: MIDNIGHT + 20_000, status: 'ONLINE' }, STALE);
    expect(plan.rollover).toEqual({ day: '2026-11-30', closedOnAdd: MIDNIGHT });
    // ONLINE up to x in the new day is x - midnight: base = -midnight.
    expect(plan.onAbs).toBe(-MIDNIGHT);
    expect(plan.day).toBe('2026-12-01');
  });
  it('a silent night: the stale tail spills into a day without reports', () => {
    const pred = { at: MIDNIGHT - 10_000, status: 'ONLINE' as const };
    const plan = planReport(pred, { at: MIDNIGHT + 2 * 86_400_000, status: 'OFFLINE' }, STALE);
    expect(plan.rollover?.spill).toEqual({ day: '2026-12-01', onlineMs: 80_000 });
  });
});

// ---- The stored arithmetic against the plain model, on random report sequences. ----

interface Step {
  gap: number;
  status: 'ONLINE' | 'OFFLINE';
  latencyMs: number | undefined;
  /** This report's flush of ended days fails (kept in the row, written at the next one). */
  flushFails: boolean;
}

interface Scenario {
  stale: number;
  start: number;
  assignedBefore: number;
  steps: Step[];
  readAfter: number;
  skew: number;
}

const gapArb = (stale: number) =>
  fc.oneof(
    fc.constantFrom(stale - 1, stale, stale + 1, 0, 1),
    fc.integer({ min: 1, max: stale }),
    fc.integer({ min: stale, max: 3 * 86_400_000 }),
    fc.integer({ min: 1, max: 10 * stale }),
  );

const stepArb = (stale: number) =>
  fc.record({
    gap: gapArb(stale),
    status: fc.constantFrom('ONLINE' as const, 'OFFLINE' as const),
    latencyMs: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
    flushFails: fc.boolean(),
  });

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .constantFrom(5_000, 90_000, 3_600_000, 86_400_000)
  .chain((stale) =>
    fc.record({
      stale: fc.constant(stale),
      // Start near a midnight so that sequences cross it.
      start: fc.integer({ min: MIDNIGHT - 3 * stale, max: MIDNIGHT + stale }),
      assignedBefore: fc.integer({ min: 0, max: 2 * 86_400_000 }),
      steps: fc.array(stepArb(stale), { minLength: 0, maxLength: 40 }),
      readAfter: fc.oneof(
        fc.integer({ min: 0, max: 2 * stale }),
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
      ),
      // A few reports arrive with a receive time before their predecessor's (clock skew).
      skew: fc.integer({ min: 0, max: 3 }),
    }),
  );

function simulate(scenario: Scenario) {
  const { stale, start, steps } = scenario;
  const assignedAt = start - scenario.assignedBefore;
  let row: SlotState | undefined;
  const records = new Map<string, DayRecord>();
  const reports: ModelReport[] = [];
  let at = start;
  let previousFlushFailed = false;
  steps.forEach((step, i) => {
    at += step.gap;
    const receivedAt = i > 0 && i % 7 === scenario.skew ? at - 3 : at;
    const report = { at: receivedAt, status: step.status, latencyMs: step.latencyMs };
    reports.push(report);
    const pred = row === undefined ? undefined : { at: row.lastAt, status: row.status };
    const plan = planReport(pred, report, stale);
    if (row !== undefined && plan.rollover !== undefined) {
      // Never two failed flushes in a row: the row keeps one ended day, not two.
      const fails = step.flushFails && !previousFlushFailed;
      if (!fails)
        for (const record of closedDaysOf(row, plan.rollover)) records.set(record.day, record);
      previousFlushFailed = fails;
    }
    row = applyPlan(row, plan, report);
  });
  const nowMs = Math.max(at, start) + scenario.readAfter;
  return { row, records, reports, assignedAt, nowMs, stale };
}

describe('stored day figures equal the reference model', () => {
  it('on every day from the assignment to now, to the millisecond', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const { row, records, reports, assignedAt, nowMs, stale } = simulate(scenario);
        for (const day of daysBetween(dayOf(assignedAt), dayOf(nowMs))) {
          const figures = dayFigures(day, { row, records, assignedAt }, nowMs, stale);
          const { host: _host, ...entry } = toStatsEntry({ nodeId: 'n' }, figures);
          const { day: _day, ...model } = modelDay(reports, assignedAt, day, nowMs, stale);
          expect(entry).toStrictEqual(model);
        }
      }),
      { numRuns: Number(process.env.HISTORY_MODEL_RUNS ?? 300) },
    );
  });

  it('the model itself: a node ONLINE every 30 s all day is up 100%, a gap costs its excess', () => {
    const day = '2026-11-30';
    const start = Date.parse(`${day}T00:00:00.000Z`);
    const steady = Array.from({ length: 2880 }, (_, i) => ({
      at: start + i * 30_000,
      status: 'ONLINE' as const,
    }));
    expect(modelDay(steady, start, day, start + 86_400_000, STALE).perc_uptime).toBe(100);
    const gappy = steady.filter((r) => r.at < start + 3_600_000 || r.at >= start + 7_200_000);
    const figures = modelDay(gappy, start, day, start + 86_400_000, STALE);
    // Silent from 00:59:30 for 3,630 s; the first 90 s still count.
    expect(figures.online_seconds).toBe(86_400 - 3_630 + 90);
    expect(addDays(day, 1)).toBe('2026-12-01');
  });
});

// ---- The write that needs no predecessor, rollovers, and what a read makes of stored rows. ----

describe('isSteady: exactly the reports whose plan would change nothing but the last report', () => {
  const on = (at: number) => ({ at, status: 'ONLINE' as const });
  const off = (at: number) => ({ at, status: 'OFFLINE' as const });

  it('same status within stale in the same day: steady, up to exactly stale and at the same instant', () => {
    expect(isSteady(on(T), on(T), STALE)).toBe(true);
    expect(isSteady(off(T), off(T + STALE), STALE)).toBe(true);
    expect(isSteady(on(T), on(T + STALE), STALE)).toBe(true);
    expect(isSteady(on(T), on(T + STALE + 1), STALE)).toBe(false);
  });

  it('not steady: the first report since assignment, a flip, a day crossed, an earlier receive time', () => {
    expect(isSteady(undefined, on(T), STALE)).toBe(false);
    expect(isSteady(on(T), off(T + 1), STALE)).toBe(false);
    expect(isSteady(on(MIDNIGHT - 1), on(MIDNIGHT), STALE)).toBe(false);
    // A report received before its predecessor (another container's clock) is placed at the
    // predecessor's instant by the planned write; a steady write would move lastAt backwards.
    expect(isSteady(on(T), on(T - 3), STALE)).toBe(false);
  });

  it('agrees with planReport on random pairs around the boundaries', () => {
    const gap = fc.oneof(
      fc.constantFrom(-3, -1, 0, 1, STALE - 1, STALE, STALE + 1),
      fc.integer({ min: -STALE, max: 3 * STALE }),
    );
    const status = fc.constantFrom('ONLINE' as const, 'OFFLINE' as const);
    fc.assert(
      fc.property(
        fc.integer({ min: MIDNIGHT - 2 * STALE, max: MIDNIGHT + STALE }),
        gap,
        status,
        status,
        (at, g, s0, s1) => {
          const pred = { at, status: s0 };
          const report = { at: at + g, status: s1 };
          const plan = planReport(pred, report, STALE);
          const changesNothing =
            plan.at === report.at &&
            plan.rollover === undefined &&
            plan.onDelta === 0 &&
            plan.transitions.length === 0;
          expect(isSteady(pred, report, STALE)).toBe(changesNothing);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('rollovers after a long silence', () => {
  const NOON = MIDNIGHT - 12 * 3_600_000;
  const TWO_DAYS_ON = MIDNIGHT + 86_400_000 + 3_600_000;

  it('a run that went stale before midnight spills nothing into the silent day after', () => {
    const plan = planReport(
      { at: NOON, status: 'ONLINE' },
      { at: TWO_DAYS_ON, status: 'ONLINE' },
      STALE,
    );
    expect(plan.rollover).toStrictEqual({ day: '2026-11-30', closedOnAdd: NOON + STALE });
    const offline = planReport(
      { at: MIDNIGHT - 10_000, status: 'OFFLINE' },
      { at: TWO_DAYS_ON, status: 'ONLINE' },
      STALE,
    );
    expect(offline.rollover).toStrictEqual({ day: '2026-11-30', closedOnAdd: 0 });
  });

  it('writes the ended day only (no history row for a silent day the node was never ONLINE in)', () => {
    const pred = { at: NOON, status: 'ONLINE' as const };
    const report = { at: TWO_DAYS_ON, status: 'OFFLINE' as const, latencyMs: 7 };
    let row = applyPlan(undefined, planReport(undefined, pred, STALE), { ...pred, latencyMs: 40 });
    const plan = planReport(pred, report, STALE);
    const closed: DayRecord = {
      day: '2026-11-30',
      onlineMs: STALE,
      latSum: 40,
      latCount: 1,
      lastLatencyMs: 40,
      lastAt: NOON,
      lastStatus: 'ONLINE',
    };
    expect(closedDaysOf(row, plan.rollover as NonNullable<typeof plan.rollover>)).toStrictEqual([
      closed,
    ]);
    row = applyPlan(row, plan, report);
    // A fresh slot for the report's day, the ended day kept, and no spill.
    expect(row).toStrictEqual({
      lastAt: TWO_DAYS_ON,
      status: 'OFFLINE',
      latencyMs: 7,
      day: '2026-12-02',
      onBase: 0,
      latSum: 7,
      latCount: 1,
      closed,
    });
  });
});

describe('dayFigures: a history row that lacks its last report', () => {
  const DAY = '2026-11-29';
  const DAY_END = Date.parse('2026-11-30T00:00:00.000Z');
  const row: SlotState = {
    lastAt: T,
    status: 'ONLINE',
    day: '2026-11-30',
    onBase: -T,
    latSum: 0,
    latCount: 0,
  };
  const figuresWith = (record: DayRecord) =>
    dayFigures(DAY, { row, records: new Map([[DAY, record]]), assignedAt: 0 }, T + 1000, STALE);
  const base = { day: DAY, onlineMs: 3_600_000, latSum: 0, latCount: 0 };

  it('ends DISCONNECTED without the time of the last report, or without its status', () => {
    expect(figuresWith({ ...base, lastStatus: 'ONLINE' }).endStatus).toBe('DISCONNECTED');
    const noStatus = figuresWith({ ...base, lastAt: DAY_END - 1000 });
    expect(noStatus.endStatus).toBe('DISCONNECTED');
    expect(noStatus.onlineMs).toBe(3_600_000);
  });

  it('with both, the state at the end of the day', () => {
    const full = figuresWith({ ...base, lastAt: DAY_END - 1000, lastStatus: 'ONLINE' });
    expect(full.endStatus).toBe('ONLINE');
  });
});
