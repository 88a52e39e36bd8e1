/**
 * Model-based property test of the verdict timeline (DESIGN.md sections 8, 13 and 15): random
 * buckets (1-6 nodes reporting ONLINE/OFFLINE with gaps just under, at and over stale, assign,
 * unassign and reassign, several nodes changing in the same millisecond, 0-3 policy changes,
 * 0-3 maintenance windows, some overlapping, spans crossing UTC midnights) go through
 * functions/domain/health-timeline.ts in one step and in random cuts (inputs shuffled, the whole
 * list given each time), and every health event, checkpoint, closed day, day entry and
 * `perc_available` must equal test/support/health-model.ts, the definition evaluated directly.
 * HEALTH_PROPERTY_RUNS sets the run count (default 400).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthInput, MaintenanceWindow } from '../../functions/domain/health.ts';
import {
  advanceHealth,
  checkpointAtDayEntry,
  type HealthCheckpoint,
  type HealthPoint,
  type HealthStep,
  initialCheckpoint,
  percAvailable,
} from '../../functions/domain/health-timeline.ts';
import {
  candidateInstants,
  countsAt,
  type HealthScenario,
  healthInputsOf,
  type ModelAssignment,
  type ModelChange,
  type ModelPoint,
  modelChanges,
  modelDay,
  modelDayOf,
  modelDayStart,
  modelDaysFrom,
  modelDurations,
  modelDurationsByMs,
  modelPercAvailable,
  modelPointAt,
  percentAt,
  verdictAt,
} from '../support/health-model.ts';

const RUNS = Number(process.env.HEALTH_PROPERTY_RUNS ?? 400);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIDNIGHT = Date.parse('2026-12-01T00:00:00.000Z');

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

type Delta = -1 | 0 | 1;
type Gap =
  | { kind: 'stale'; delta: Delta }
  | { kind: 'ms'; ms: number }
  | { kind: 'midnight'; delta: Delta };
type NodeAction =
  | { kind: 'report'; gap: Gap; status: 'ONLINE' | 'OFFLINE' }
  | { kind: 'toggle'; gap: Gap };
/** An instant: snapped to one of the scenario's instants (+/- 1 ms), or an offset. */
interface Pick {
  snap: boolean;
  idx: number;
  delta: Delta;
  offset: number;
}
interface RawScenario {
  createdOffset: number;
  staleMs: number;
  nodes: { start: number; actions: NodeAction[] }[];
  policies: { at: Pick; percent: number }[];
  windows: { start: Pick; length: number; inPrevious: boolean }[];
  initialPercent: number | undefined;
  to: { kind: 'end'; extra: number } | { kind: 'pick'; at: Pick };
  cuts: Pick[];
  seeds: number[];
  entryPick: number;
}

interface Scale {
  stales: number[];
  maxMs: number;
  midnights: boolean;
  createdOffsets: fc.Arbitrary<number>;
}

const BIG: Scale = {
  stales: [5_000, 90_000, HOUR],
  maxMs: 3 * HOUR,
  midnights: true,
  // Before, at, or 1 ms before a midnight, or up to 6 h before it.
  createdOffsets: fc.oneof(fc.constantFrom(0, -1, 1), fc.integer({ min: -6 * HOUR, max: 0 })),
};
/** Short spans (stale 2-20 ms, no midnight), where the model can be walked one ms at a time. */
const SMALL: Scale = {
  stales: [2, 3, 7, 20],
  maxMs: 30,
  midnights: false,
  createdOffsets: fc.constant(12 * HOUR),
};

const delta = fc.constantFrom<Delta>(-1, 0, 1);
const percentArb = fc.oneof(
  fc.constantFrom(1, 33, 34, 50, 66, 67, 75, 100),
  fc.integer({ min: 1, max: 100 }),
);

function rawArb(scale: Scale): fc.Arbitrary<RawScenario> {
  const gap: fc.Arbitrary<Gap> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('stale' as const), delta }) },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('ms' as const),
        ms: fc.oneof(fc.constantFrom(1, 2, 1000), fc.integer({ min: 1, max: scale.maxMs })),
      }),
    },
    {
      weight: scale.midnights ? 1 : 0,
      arbitrary: fc.record({ kind: fc.constant('midnight' as const), delta }),
    },
  );
  const action: fc.Arbitrary<NodeAction> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('report' as const),
        gap,
        status: fc.constantFrom('ONLINE' as const, 'OFFLINE' as const),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('toggle' as const), gap }) },
  );
  const pick: fc.Arbitrary<Pick> = fc.record({
    snap: fc.boolean(),
    idx: fc.nat(),
    delta,
    offset: fc.integer({ min: -scale.maxMs, max: 3 * scale.maxMs }),
  });
  return fc.record({
    createdOffset: scale.createdOffsets,
    staleMs: fc.constantFrom(...scale.stales),
    nodes: fc.array(
      fc.record({
        // Common starts make nodes change in the same millisecond.
        start: fc.oneof(fc.constantFrom(0, 1, 1000), fc.integer({ min: 0, max: scale.maxMs })),
        actions: fc.array(action, { maxLength: 10 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    policies: fc.array(fc.record({ at: pick, percent: percentArb }), { maxLength: 3 }),
    windows: fc.array(
      fc.record({
        start: pick,
        length: fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: 1, max: 2 * scale.maxMs })),
        inPrevious: fc.boolean(),
      }),
      { maxLength: 3 },
    ),
    initialPercent: fc.option(percentArb, { nil: undefined }),
    to: fc.oneof(
      fc.record({
        kind: fc.constant('end' as const),
        extra: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: scale.maxMs })),
      }),
      fc.record({ kind: fc.constant('pick' as const), at: pick }),
    ),
    cuts: fc.array(pick, { maxLength: 5 }),
    seeds: fc.array(fc.integer(), { minLength: 8, maxLength: 8 }),
    entryPick: fc.nat(),
  });
}

function gapMs(gap: Gap, t: number, staleMs: number): number {
  if (gap.kind === 'stale') return Math.max(1, staleMs + gap.delta);
  if (gap.kind === 'ms') return gap.ms;
  const next = modelDayStart(modelDayOf(t)) + DAY + gap.delta;
  return next > t ? next - t : next + DAY - t;
}

interface Built {
  s: HealthScenario;
  windows: MaintenanceWindow[];
  inputs: HealthInput[];
  to: number;
  cuts: number[];
}

function build(raw: RawScenario): Built {
  const createdAt = MIDNIGHT + raw.createdOffset;
  const staleMs = raw.staleMs;
  const nodes = raw.nodes.map((n, i) => {
    const assignments: ModelAssignment[] = [];
    let t = createdAt + n.start;
    let current: ModelAssignment | undefined = { assignedAt: t, reports: [] };
    assignments.push(current);
    for (const action of n.actions) {
      t += gapMs(action.gap, t, staleMs);
      if (action.kind === 'toggle') {
        if (current !== undefined) {
          current.unassignedAt = t;
          current = undefined;
        } else {
          current = { assignedAt: t, reports: [] };
          assignments.push(current);
        }
        continue;
      }
      if (current === undefined) {
        // A report while unassigned: the node is assigned again, and reports at once.
        current = { assignedAt: t, reports: [] };
        assignments.push(current);
      }
      current.reports.push({ at: t, status: action.status });
    }
    return { nodeId: `node-${i}`, assignments };
  });
  const base: HealthScenario = { createdAt, staleMs, nodes, policies: [], windows: [] };
  const instants = candidateInstants(base).filter((t) => t > createdAt);
  const resolve = (p: Pick): number => {
    if (p.snap && instants.length > 0)
      return (instants[p.idx % instants.length] as number) + p.delta;
    return createdAt + p.offset;
  };

  const policies: HealthScenario['policies'] = [];
  for (const p of raw.policies) {
    const at = resolve(p.at);
    // Inputs at or before the creation are not inputs; two policies at one instant have no order.
    if (at <= createdAt || policies.some((q) => q.at === at)) continue;
    policies.push({ at, minOnlinePercent: p.percent });
  }
  const windows: HealthScenario['windows'] = [];
  for (const w of raw.windows) {
    const previous = windows.at(-1);
    const start =
      w.inPrevious && previous !== undefined
        ? previous.start + Math.floor((previous.end - previous.start) / 2)
        : resolve(w.start);
    windows.push({ start, end: start + w.length });
  }
  const s: HealthScenario = {
    createdAt,
    staleMs,
    nodes,
    policies,
    windows,
    initialPercent: raw.initialPercent,
  };

  const all = candidateInstants(s);
  const last = all.at(-1) as number;
  const to = Math.max(
    createdAt,
    raw.to.kind === 'end' ? last + raw.to.extra : Math.max(createdAt, resolve(raw.to.at)),
  );
  const cuts = raw.cuts
    .map((c) => Math.min(to, Math.max(createdAt, resolve(c))))
    .sort((a, b) => a - b);
  return {
    s,
    windows: windows.map((w, i) => ({ id: `mw_${i}`, ...w, createdAt })),
    inputs: healthInputsOf(s),
    to,
    cuts,
  };
}

/** A deterministic shuffle (the inputs' order must not matter). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed | 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the model expects of a step
// ---------------------------------------------------------------------------------------------

/** The model's changes over the whole run, computed once per scenario. */
interface Expected {
  b: Built;
  changesIn(after: number, to: number): ModelChange[];
  point(t: number): ModelPoint;
}

function expected(b: Built): Expected {
  const changes = modelChanges(b.s, b.s.createdAt, b.to);
  const changesIn = (after: number, to: number) =>
    changes.filter((c) => c.at > after && c.at <= to);
  return {
    b,
    changesIn,
    point(t) {
      const point: ModelPoint = {
        counts: countsAt(b.s, t),
        minOnlinePercent: percentAt(b.s, t),
        verdict: verdictAt(b.s, t),
      };
      const since = changesIn(b.s.createdAt, t).at(-1);
      if (since !== undefined) point.since = since.at;
      return point;
    },
  };
}

const pointOf = (c: HealthPoint): ModelPoint => {
  const point: ModelPoint = {
    counts: c.counts,
    minOnlinePercent: c.minOnlinePercent,
    verdict: c.verdict,
  };
  if (c.since !== undefined) point.since = c.since;
  return point;
};

/** Everything a step from `from` to `to` must give, by the model. */
function expectStep(e: Expected, fromAsOf: number, step: HealthStep, to: number): void {
  const { s } = e.b;
  expect(step.changes).toStrictEqual(e.changesIn(fromAsOf, to));
  const ended = modelDaysFrom(s.createdAt, to).filter((day) => {
    const end = modelDayStart(day) + DAY;
    return end > fromAsOf && end <= to;
  });
  expect(step.closedDays).toStrictEqual(
    ended.map((day) => ({ day, durations: modelDay(s, day, to) })),
  );
  for (const closed of step.closedDays) {
    expect(percAvailable(closed.durations)).toBe(modelPercAvailable(closed.durations));
  }
  const entered = modelDaysFrom(s.createdAt, to).filter((day) => {
    const start = modelDayStart(day);
    return start > fromAsOf && start <= to && start > s.createdAt;
  });
  expect(step.dayEntries.map((d) => ({ day: d.day, entry: pointOf(d.entry) }))).toStrictEqual(
    entered.map((day) => ({ day, entry: e.point(modelDayStart(day) - 1) })),
  );
  expectCheckpoint(e, step.checkpoint, to);
}

function expectCheckpoint(e: Expected, c: HealthCheckpoint, at: number): void {
  const { s } = e.b;
  const day = modelDayOf(at);
  expect({ asOf: c.asOf, createdAt: c.createdAt, day: c.day, ...pointOf(c) }).toStrictEqual({
    asOf: at,
    createdAt: s.createdAt,
    day,
    ...e.point(at),
  });
  const durations = modelDurations(s, Math.max(modelDayStart(day), s.createdAt), at);
  expect(c.dayDurations).toStrictEqual(durations);
  expect(percAvailable(c.dayDurations)).toBe(modelPercAvailable(durations));
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

describe('the reference model itself', () => {
  it('its sweep over candidate instants equals a walk over every millisecond', () => {
    fc.assert(
      fc.property(rawArb(SMALL), fc.nat(), fc.nat(), (raw, x, y) => {
        const { s, to } = build(raw);
        const span = to - s.createdAt + 1;
        const a = s.createdAt + (x % span);
        const b = a + (y % (to + 1 - a + 1));
        expect(modelDurations(s, a, b)).toStrictEqual(modelDurationsByMs(s, a, b));
        const byMs: ModelChange[] = [];
        for (let t = s.createdAt + 1; t <= to; t++) {
          const before = verdictAt(s, t - 1);
          const now = verdictAt(s, t);
          if (before !== now) byMs.push({ from: before, to: now, at: t, counts: countsAt(s, t) });
        }
        expect(modelChanges(s, s.createdAt, to)).toStrictEqual(byMs);
        expect(modelPointAt(s, to).since).toBe(byMs.at(-1)?.at);
      }),
      { numRuns: Math.max(20, Math.floor(RUNS / 3)) },
    );
  });
});

describe('advanceHealth against the model', () => {
  const cases: [string, Scale][] = [
    ['days and midnights', BIG],
    ['milliseconds (stale 2-20 ms)', SMALL],
  ];
  for (const [name, scale] of cases) {
    it(`${name}: one step equals the model, and so does every cut into steps`, () => {
      fc.assert(
        fc.property(rawArb(scale), (raw) => {
          const b = build(raw);
          const e = expected(b);
          const { s, windows, inputs, to } = b;

          const initial = initialCheckpoint(s.createdAt, windows, s.initialPercent);
          expectCheckpoint(e, initial, s.createdAt);

          const one = advanceHealth(initial, shuffled(inputs, raw.seeds[0] as number), windows, to);
          expectStep(e, s.createdAt, one, to);

          let checkpoint = initial;
          const changes: unknown[] = [];
          const closed: unknown[] = [];
          const entries: unknown[] = [];
          for (const [i, cut] of [...b.cuts, to].entries()) {
            const seed = raw.seeds[(i + 1) % raw.seeds.length] as number;
            const step = advanceHealth(checkpoint, shuffled(inputs, seed), windows, cut);
            expectStep(e, checkpoint.asOf, step, cut);
            changes.push(...step.changes);
            closed.push(...step.closedDays);
            entries.push(...step.dayEntries);
            checkpoint = step.checkpoint;
          }
          expect(changes).toEqual(one.changes);
          expect(closed).toEqual(one.closedDays);
          expect(entries).toEqual(one.dayEntries);
          expect(checkpoint).toEqual(one.checkpoint);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('a day recomputed from its stored entry gives the straight run again', () => {
    fc.assert(
      fc.property(rawArb(BIG), (raw) => {
        const b = build(raw);
        const { s, windows, inputs, to } = b;
        const straight = advanceHealth(
          initialCheckpoint(s.createdAt, windows, s.initialPercent),
          inputs,
          windows,
          to,
        );
        fc.pre(straight.dayEntries.length > 0);
        const { day, entry } = straight.dayEntries[
          raw.entryPick % straight.dayEntries.length
        ] as HealthStep['dayEntries'][number];
        const dayStart = modelDayStart(day);
        const start = checkpointAtDayEntry(day, entry, s.createdAt);
        expect({ asOf: start.asOf, createdAt: start.createdAt, ...pointOf(start) }).toStrictEqual({
          asOf: dayStart - 1,
          createdAt: s.createdAt,
          ...pointOf(entry),
        });

        const again = advanceHealth(start, shuffled(inputs, raw.seeds[1] as number), windows, to);
        expect(again.changes).toEqual(straight.changes.filter((c) => c.at >= dayStart));
        // The entry's own day (the one before `day`) is not meaningful: left out.
        expect(again.closedDays.filter((c) => c.day >= day)).toEqual(
          straight.closedDays.filter((c) => c.day >= day),
        );
        expect(again.dayEntries).toEqual(straight.dayEntries.filter((d) => d.day >= day));
        expect(again.checkpoint).toEqual(straight.checkpoint);
      }),
      { numRuns: RUNS },
    );
  });
});
