/**
 * The sweep's health step over in-memory ports: the rule under test is the storage algorithm
 * (checkpoints, marks, late inputs, conditional rewrites), not the engine (the engine-backed
 * adapters have their own tests). Property: whatever order inputs are recorded in, however late,
 * repeated, and however the runs are interleaved with them, once every input is recorded and a
 * run has settled past them all, the stored health events and closed days are exactly those of
 * one straight computation over every input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthInput, MaintenanceWindow } from '../../functions/domain/health.ts';
import {
  advanceHealth,
  type ClosedHealthDay,
  type HealthChange,
  type HealthCheckpoint,
  type HealthPoint,
  initialCheckpoint,
} from '../../functions/domain/health-timeline.ts';
import type { StoredHealthState } from '../../functions/domain/ports/health.ts';
import { type HealthStepPorts, runHealthStep } from '../../functions/sweep/health-step.ts';

const STALE = 90_000;
const T0 = Date.parse('2026-12-05T22:00:00.000Z');

interface Store {
  state: StoredHealthState;
  recorded: HealthInput[];
  changes: Map<string, HealthChange>;
  days: Map<string, ClosedHealthDay & { entry: HealthPoint }>;
}

function newStore(createdAt: number, windows: readonly MaintenanceWindow[]): Store {
  const checkpoint = initialCheckpoint(createdAt, windows);
  return {
    state: {
      checkpoint,
      entry: {
        counts: { ...checkpoint.counts },
        minOnlinePercent: 50,
        verdict: checkpoint.verdict,
      },
      ver: 0,
      markSeq: 0,
      markAt: windows.length > 0 ? Math.min(...windows.map((w) => w.start)) : undefined,
    },
    recorded: [],
    changes: new Map(),
    days: new Map(),
  };
}

/** The mark writer of functions/data/health-marks.ts, in memory. */
function record(store: Store, input: HealthInput) {
  store.recorded.push(input);
  const s = store.state;
  if (s.markAt === undefined || s.markAt > input.at) s.markAt = input.at;
  s.markSeq = (s.markSeq ?? 0) + 1;
}

function ports(
  store: Store,
  windows: readonly MaintenanceWindow[],
  onBeforeWrite?: () => void,
): HealthStepPorts {
  const inRange = (after: number, to: number) =>
    store.recorded.filter((i) => i.at > after && i.at <= to);
  return {
    findMarked: async (upTo) =>
      store.state.markAt !== undefined && store.state.markAt <= upTo ? ['b'] : [],
    loadState: async () => structuredClone(store.state),
    loadDayEntry: async (_b, day) => structuredClone(store.days.get(day)?.entry),
    loadInputs: async (_b, after, to) => dedupe(inRange(after, to)),
    firstInputAfter: async (_b, after) => {
      const later = store.recorded.filter((i) => i.at > after).map((i) => i.at);
      return later.length === 0 ? undefined : Math.min(...later);
    },
    loadWindows: async () => [...windows],
    loadRecordedChanges: async (_b, after) =>
      [...store.changes.values()].filter((c) => c.at > after).map(({ at, to }) => ({ at, to })),
    putChanges: async (_b, changes) => {
      for (const c of changes) store.changes.set(`${c.at}#${c.to}`, structuredClone(c));
    },
    deleteChanges: async (_b, keys) => {
      for (const k of keys) store.changes.delete(`${k.at}#${k.to}`);
    },
    putClosedDays: async (_b, days) => {
      for (const d of days) store.days.set(d.day, structuredClone(d));
    },
    writeCheckpoint: async (_b, checkpoint, entry, condition) => {
      onBeforeWrite?.();
      const s = store.state;
      if (s.ver !== condition.expectVer || s.markSeq !== condition.expectMarkSeq) return false;
      store.state = {
        checkpoint,
        entry,
        ver: (s.ver ?? 0) + 1,
        markSeq: s.markSeq,
        markAt: condition.nextMark,
      };
      return true;
    },
    loadBootstrap: async () => ({ rows: [], createdAt: undefined }),
  };
}

/** A repeated record of one input (a retry, the stream's repeat) is one input. */
function dedupe(inputs: HealthInput[]): HealthInput[] {
  const seen = new Map<string, HealthInput>();
  for (const i of inputs) seen.set(JSON.stringify(i), i);
  return [...seen.values()];
}

/** Node inputs that follow section 8's rules for a few nodes (no unassignment here). */
function scenarioInputs(
  flips: { node: number; gap: number; status: 'ONLINE' | 'OFFLINE' }[],
  policies: { at: number; pct: number }[],
): HealthInput[] {
  const inputs: HealthInput[] = [];
  const last = new Map<number, { at: number; status: 'ONLINE' | 'OFFLINE' }>();
  const clock = new Map<number, number>();
  for (const f of flips) {
    const at = (clock.get(f.node) ?? T0 + 1000 + f.node) + f.gap;
    clock.set(f.node, at);
    const prev = last.get(f.node);
    const nodeId = `n${f.node}`;
    if (prev === undefined) {
      inputs.push({ kind: 'node', at, nodeId, from: 'DISCONNECTED', to: f.status, first: true });
    } else if (at - prev.at > STALE) {
      inputs.push({
        kind: 'node',
        at: prev.at + STALE,
        nodeId,
        from: prev.status,
        to: 'DISCONNECTED',
        first: false,
      });
      inputs.push({ kind: 'node', at, nodeId, from: 'DISCONNECTED', to: f.status, first: false });
    } else if (prev.status !== f.status) {
      inputs.push({ kind: 'node', at, nodeId, from: prev.status, to: f.status, first: false });
    }
    last.set(f.node, { at, status: f.status });
  }
  for (const p of policies) inputs.push({ kind: 'policy', at: p.at, minOnlinePercent: p.pct });
  return inputs;
}

const byAt = (a: { at: number }, b: { at: number }) => a.at - b.at;

describe('the health step (in-memory ports)', () => {
  it('stores exactly the straight computation, whatever the order, delay and repetition', async () => {
    const flip = fc.record({
      node: fc.integer({ min: 0, max: 3 }),
      gap: fc.integer({ min: 1, max: 4 * 3_600_000 }),
      status: fc.constantFrom('ONLINE' as const, 'OFFLINE' as const),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(flip, { minLength: 1, maxLength: 25 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: T0 + 1, max: T0 + 20 * 3_600_000 }),
            pct: fc.integer({ min: 1, max: 100 }),
          }),
          { maxLength: 2 },
        ),
        fc.array(
          fc.record({
            start: fc.integer({ min: T0 + 1, max: T0 + 20 * 3_600_000 }),
            length: fc.integer({ min: 1, max: 6 * 3_600_000 }),
          }),
          { maxLength: 2 },
        ),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 40, maxLength: 40 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        async (flips, policies, windowSpecs, delays, choices) => {
          const windows = windowSpecs.map((w, i) => ({
            id: `w${i}`,
            start: w.start,
            end: w.start + w.length,
            createdAt: T0,
          }));
          const inputs = scenarioInputs(flips, policies);
          const end = Math.max(T0 + 1, ...inputs.map((i) => i.at), ...windows.map((w) => w.end));
          const store = newStore(T0, windows);
          // Each input is recorded at its instant plus a delay (some very late), some twice.
          const arrivals = inputs
            .flatMap((input, i) => {
              const at = input.at + (delays[i % delays.length] as number) * (i % 3 === 0 ? 50 : 1);
              const once = { input, recordedAt: at };
              return (choices[i % choices.length] as number) % 4 === 0
                ? [once, { input, recordedAt: at + 1 }]
                : [once];
            })
            .sort((a, b) => a.recordedAt - b.recordedAt);
          // Runs every so often; each settles up to its start minus a margin no input respects.
          let r = 0;
          for (let i = 0; i < arrivals.length; i++) {
            const arrival = arrivals[i] as (typeof arrivals)[number];
            record(store, arrival.input);
            if ((choices[i % choices.length] as number) % 3 === 0) {
              const settled =
                arrival.recordedAt - ((choices[r++ % choices.length] as number) % 5) * 60_000;
              // A mark arriving while the step computes (another writer) forces a retry.
              let interfered = (choices[i % choices.length] as number) % 2 === 0;
              const again = arrivals[i + 1];
              const outcome = await runHealthStep(
                ports(store, windows, () => {
                  if (interfered && again !== undefined) {
                    interfered = false;
                    record(store, again.input);
                  }
                }),
                settled,
                STALE,
              );
              expect(outcome.error).toBeUndefined();
            }
          }
          // Everything recorded; a last run settles past it all.
          const final = end + 3 * 86_400_000;
          for (let i = 0; i < 2; i++) {
            const outcome = await runHealthStep(ports(store, windows), final, STALE);
            expect(outcome.failed).toBe(0);
          }
          const straight = advanceHealth(initialCheckpoint(T0, windows), inputs, windows, final);
          // An idle bucket is not advanced by the sweep (no mark); a read advances a copy of its
          // checkpoint to now. Stored, then read on, is the straight computation.
          const stored = store.state.checkpoint as HealthCheckpoint;
          const readOn = advanceHealth(stored, inputs, windows, final);
          expect([...store.changes.values()].sort(byAt).concat(readOn.changes)).toEqual(
            straight.changes,
          );
          const storedDays = [...store.days.values()]
            .sort((a, b) => a.day.localeCompare(b.day))
            .map(({ day, durations }) => ({ day, durations }));
          expect(storedDays.concat(readOn.closedDays)).toEqual(straight.closedDays);
          expect(readOn.checkpoint).toEqual(straight.checkpoint);
          expect(store.state.markAt).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('leaves a bucket whose marks keep arriving for the next run, its mark in place', async () => {
    const store = newStore(T0, []);
    const input: HealthInput = {
      kind: 'node',
      at: T0 + 5_000,
      nodeId: 'n',
      from: 'DISCONNECTED',
      to: 'ONLINE',
      first: true,
    };
    record(store, input);
    const outcome = await runHealthStep(
      ports(store, [], () => {
        store.state.markSeq = (store.state.markSeq ?? 0) + 1;
      }),
      T0 + 60_000,
      STALE,
    );
    expect(outcome).toMatchObject({ found: 1, advanced: 0, failed: 1 });
    expect(store.state.markAt).toBe(T0 + 5_000);
    // Its health event may be written already (deterministic): the run that succeeds
    // writes the same row again, and the checkpoint.
    const next = await runHealthStep(ports(store, []), T0 + 60_000, STALE);
    expect(next).toMatchObject({ found: 1, advanced: 1, changes: 1 });
    expect([...store.changes.values()]).toEqual([
      { from: 'UNKNOWN', to: 'OPERATIONAL', at: T0 + 5_000, counts: { counted: 1, online: 1 } },
    ]);
  });

  it('recomputes the day of a late input, removing a health event that did not happen', async () => {
    const store = newStore(T0, []);
    const a: HealthInput = {
      kind: 'node',
      at: T0 + 1_000,
      nodeId: 'a',
      from: 'DISCONNECTED',
      to: 'ONLINE',
      first: true,
    };
    const b: HealthInput = {
      kind: 'node',
      at: T0 + 2_000,
      nodeId: 'b',
      from: 'DISCONNECTED',
      to: 'ONLINE',
      first: true,
    };
    const aOff: HealthInput = {
      kind: 'node',
      at: T0 + 10_000,
      nodeId: 'a',
      from: 'ONLINE',
      to: 'OFFLINE',
      first: false,
    };
    record(store, a);
    record(store, aOff);
    await runHealthStep(ports(store, []), T0 + 60_000, STALE);
    // Without b: a alone went OFFLINE -> MAJOR_OUTAGE at +10 s.
    expect([...store.changes.values()].map((c) => c.to)).toEqual(['OPERATIONAL', 'MAJOR_OUTAGE']);
    record(store, b); // b's first report, recorded late (a pending event)
    const outcome = await runHealthStep(ports(store, []), T0 + 120_000, STALE);
    expect(outcome.recomputed).toBe(1);
    expect([...store.changes.values()].sort(byAt)).toEqual([
      { from: 'UNKNOWN', to: 'OPERATIONAL', at: T0 + 1_000, counts: { counted: 1, online: 1 } },
      { from: 'OPERATIONAL', to: 'DEGRADED', at: T0 + 10_000, counts: { counted: 2, online: 1 } },
    ]);
  });
});
