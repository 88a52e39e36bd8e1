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
  it('first report since assignment: a change from DISCONNECTED', () => {
    expect(transitionsOf(undefined, on(T), STALE)).toEqual([
      { from: 'DISCONNECTED', to: 'ONLINE', at: T },
    ]);
  });
  it('a flip within the window; nothing for the same status at exactly stale', () => {
    expect(transitionsOf(on(T), off(T + 5), STALE)).toEqual([
      { from: 'ONLINE', to: 'OFFLINE', at: T + 5 },
    ]);
    expect(transitionsOf(on(T), on(T + STALE), STALE)).toEqual([]);
  });
  it('a gap 1 ms over stale: DISCONNECTED at last + stale, then back at the report', () => {
    expect(transitionsOf(on(T), on(T + STALE + 1), STALE)).toEqual([
      { from: 'ONLINE', to: 'DISCONNECTED', at: T + STALE },
      { from: 'DISCONNECTED', to: 'ONLINE', at: T + STALE + 1 },
    ]);
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
