/**
 * The verdict timeline's hard orders (DESIGN.md sections 8, 9, 13 and 15), by hand: nodes
 * changing in the same millisecond, a silence at exactly last report + stale, windows starting
 * while a node is DISCONNECTED, ending, overlapping, a policy change at its exact instant,
 * unassigning the only ONLINE node, a midnight crossing, inputs outside the step, and a day
 * recomputed from its entry. The random sequences are test/domain/health-timeline.property.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { HealthInput, MaintenanceWindow } from '../../functions/domain/health.ts';
import {
  advanceHealth,
  checkpointAtDayEntry,
  type DayDurations,
  initialCheckpoint,
  percAvailable,
} from '../../functions/domain/health-timeline.ts';
import type { NodeStatus } from '../../functions/domain/node-status.ts';

const S = 1000;
const H = 3_600_000;
const STALE = 90 * S;
const MIDNIGHT = Date.parse('2026-12-02T00:00:00.000Z');
/** Created at 08:00 on 2026-12-01. */
const C = MIDNIGHT - 16 * H;

const node = (
  at: number,
  nodeId: string,
  from: NodeStatus,
  to: NodeStatus,
  first = false,
): HealthInput => ({ kind: 'node', at, nodeId, from, to, first });
const firstReport = (at: number, nodeId: string, to: NodeStatus = 'ONLINE') =>
  node(at, nodeId, 'DISCONNECTED', to, true);
const uncount = (at: number, nodeId: string): HealthInput => ({ kind: 'uncount', at, nodeId });
const policy = (at: number, minOnlinePercent: number): HealthInput => ({
  kind: 'policy',
  at,
  minOnlinePercent,
});
const win = (start: number, end: number, id = `mw_${start}`): MaintenanceWindow => ({
  id,
  start,
  end,
  createdAt: C,
});
const durations = (d: Partial<DayDurations>): DayDurations => {
  const full = {
    operationalMs: 0,
    degradedMs: 0,
    partialOutageMs: 0,
    majorOutageMs: 0,
    maintenanceMs: 0,
    unknownMs: 0,
    ...d,
  };
  const observedMs =
    full.operationalMs +
    full.degradedMs +
    full.partialOutageMs +
    full.majorOutageMs +
    full.maintenanceMs +
    full.unknownMs;
  return { ...full, observedMs };
};

/** One step from creation to `to`, and the same again with the inputs reversed. */
function run(inputs: HealthInput[], to: number, windows: MaintenanceWindow[] = []) {
  const start = initialCheckpoint(C, windows);
  const step = advanceHealth(start, inputs, windows, to);
  expect(advanceHealth(start, [...inputs].reverse(), windows, to)).toEqual(step);
  return step;
}

describe('initialCheckpoint', () => {
  it('starts UNKNOWN with no counted node, the default policy and no change on record', () => {
    const c = initialCheckpoint(C, []);
    expect(c).toMatchObject({
      asOf: C,
      createdAt: C,
      day: '2026-12-01',
      counts: { counted: 0, online: 0 },
      minOnlinePercent: 50,
      verdict: 'UNKNOWN',
    });
    expect(c.since).toBeUndefined();
    expect(c.dayDurations).toStrictEqual(durations({}));
    expect(initialCheckpoint(C, [], 75).minOnlinePercent).toBe(75);
  });

  it('starts in MAINTENANCE inside a window that began before the creation, not outside it', () => {
    expect(initialCheckpoint(C, [win(C - H, C + 1)]).verdict).toBe('MAINTENANCE');
    expect(initialCheckpoint(C, [win(C, C + 1)]).verdict).toBe('MAINTENANCE');
    expect(initialCheckpoint(C, [win(C - H, C)]).verdict).toBe('UNKNOWN');
    expect(initialCheckpoint(C, [win(C + 1, C + H)]).verdict).toBe('UNKNOWN');
  });
});

describe('advanceHealth: the hard orders', () => {
  it('two nodes starting to count in the same ms: one event, with both counted', () => {
    const t = C + 10 * S;
    const step = run([firstReport(t, 'a'), firstReport(t, 'b')], t + S);
    expect(step.changes).toStrictEqual([
      { from: 'UNKNOWN', to: 'OPERATIONAL', at: t, counts: { counted: 2, online: 2 } },
    ]);
    expect(step.checkpoint.since).toBe(t);
  });

  it('two nodes going OFFLINE in the same ms: one event, never the DEGRADED in between', () => {
    const t0 = C + 10 * S;
    const t1 = t0 + 30 * S;
    const step = run(
      [
        firstReport(t0, 'a'),
        firstReport(t0, 'b'),
        node(t1, 'b', 'ONLINE', 'OFFLINE'),
        node(t1, 'a', 'ONLINE', 'OFFLINE'),
      ],
      t1,
    );
    expect(step.changes.at(-1)).toStrictEqual({
      from: 'OPERATIONAL',
      to: 'MAJOR_OUTAGE',
      at: t1,
      counts: { counted: 2, online: 0 },
    });
    expect(step.changes).toHaveLength(2);
  });

  it("one node's silence and another's recovery in the same ms: no event at all", () => {
    // a ONLINE, b OFFLINE: DEGRADED (2 counted, 1 ONLINE). At a's last report + stale, b reports
    // ONLINE: still 1 of 2 ONLINE, whichever of the two inputs is applied first.
    const t0 = C + 10 * S;
    const silence = t0 + STALE;
    const step = run(
      [
        firstReport(t0, 'a'),
        firstReport(t0, 'b', 'OFFLINE'),
        node(silence, 'a', 'ONLINE', 'DISCONNECTED'),
        node(silence, 'b', 'OFFLINE', 'ONLINE'),
      ],
      silence + S,
    );
    expect(step.changes).toStrictEqual([
      { from: 'UNKNOWN', to: 'DEGRADED', at: t0, counts: { counted: 2, online: 1 } },
    ]);
    expect(step.checkpoint.counts).toStrictEqual({ counted: 2, online: 1 });
  });

  it("one node's two changes in one ms (a report placed at its predecessor's instant): the net state", () => {
    const t0 = C + 10 * S;
    const t1 = t0 + S;
    const step = run(
      [
        firstReport(t0, 'a'),
        firstReport(t0, 'b'),
        node(t1, 'a', 'ONLINE', 'OFFLINE'),
        node(t1, 'a', 'OFFLINE', 'ONLINE'),
      ],
      t1 + S,
    );
    expect(step.changes).toHaveLength(1);
    expect(step.checkpoint.counts).toStrictEqual({ counted: 2, online: 2 });
  });

  it('a silence counts at exactly last report + stale, not when it is noticed', () => {
    const t0 = C + 10 * S;
    const step = run(
      [firstReport(t0, 'a'), node(t0 + STALE, 'a', 'ONLINE', 'DISCONNECTED')],
      t0 + STALE + H,
    );
    expect(step.changes).toStrictEqual([
      { from: 'UNKNOWN', to: 'OPERATIONAL', at: t0, counts: { counted: 1, online: 1 } },
      {
        from: 'OPERATIONAL',
        to: 'MAJOR_OUTAGE',
        at: t0 + STALE,
        counts: { counted: 1, online: 0 },
      },
    ]);
    // ONLINE exactly `stale` ms, as section 8 counts the node's own uptime.
    expect(step.checkpoint.dayDurations).toStrictEqual(
      durations({ unknownMs: 10 * S, operationalMs: STALE, majorOutageMs: H }),
    );
    // 90 s of 3,690 s: 2.439...%.
    expect(percAvailable(step.checkpoint.dayDurations)).toBe(2.44);
  });

  it('a window starting while the only node is DISCONNECTED: into MAINTENANCE and back out', () => {
    const t0 = C + 10 * S;
    const silence = t0 + STALE;
    const w0 = silence + H;
    const w1 = w0 + 2 * H;
    const windows = [win(w0, w1)];
    const step = run(
      [firstReport(t0, 'a'), node(silence, 'a', 'ONLINE', 'DISCONNECTED')],
      w1 + H,
      windows,
    );
    expect(step.changes.slice(1)).toStrictEqual([
      { from: 'OPERATIONAL', to: 'MAJOR_OUTAGE', at: silence, counts: { counted: 1, online: 0 } },
      { from: 'MAJOR_OUTAGE', to: 'MAINTENANCE', at: w0, counts: { counted: 1, online: 0 } },
      { from: 'MAINTENANCE', to: 'MAJOR_OUTAGE', at: w1, counts: { counted: 1, online: 0 } },
    ]);
    expect(step.checkpoint.dayDurations).toStrictEqual(
      durations({
        unknownMs: 10 * S,
        operationalMs: STALE,
        majorOutageMs: 2 * H,
        maintenanceMs: 2 * H,
      }),
    );
  });

  it('node changes inside a window make no event; its end goes to the verdict of that instant', () => {
    const w0 = C + H;
    const w1 = w0 + 60 * S;
    const windows = [win(w0, w1)];
    const step = run(
      [
        firstReport(w0 + S, 'a', 'OFFLINE'),
        firstReport(w0 + S, 'b'),
        node(w0 + 5 * S, 'a', 'OFFLINE', 'ONLINE'),
      ],
      w1,
      windows,
    );
    expect(step.changes).toStrictEqual([
      { from: 'UNKNOWN', to: 'MAINTENANCE', at: w0, counts: { counted: 0, online: 0 } },
      { from: 'MAINTENANCE', to: 'OPERATIONAL', at: w1, counts: { counted: 2, online: 2 } },
    ]);
    expect(step.checkpoint.verdict).toBe('OPERATIONAL');
    expect(step.checkpoint.since).toBe(w1);
    // Up to w1 exclusive: the window's last ms is its own.
    expect(step.checkpoint.dayDurations).toStrictEqual(
      durations({ unknownMs: H, maintenanceMs: 60 * S }),
    );
  });

  it('overlapping and adjacent windows: one event in at the first start, one out at the last end', () => {
    const a = C + H;
    const windows = [win(a, a + 2 * H), win(a + H, a + 3 * H), win(a + 3 * H, a + 4 * H)];
    const step = run([], a + 5 * H, windows);
    expect(step.changes).toStrictEqual([
      { from: 'UNKNOWN', to: 'MAINTENANCE', at: a, counts: { counted: 0, online: 0 } },
      { from: 'MAINTENANCE', to: 'UNKNOWN', at: a + 4 * H, counts: { counted: 0, online: 0 } },
    ]);
    expect(step.checkpoint.dayDurations).toStrictEqual(
      durations({ unknownMs: 2 * H, maintenanceMs: 4 * H }),
    );
    expect(percAvailable(step.checkpoint.dayDurations)).toBeNull();
  });

  it('a policy change flips DEGRADED and PARTIAL_OUTAGE at its exact instant', () => {
    const t0 = C + 10 * S;
    const p1 = t0 + 20 * S;
    const p2 = p1 + 20 * S;
    const inputs = [
      firstReport(t0, 'a'),
      firstReport(t0, 'b'),
      firstReport(t0, 'c', 'OFFLINE'),
      firstReport(t0, 'd', 'OFFLINE'),
      policy(p1, 75),
      policy(p2, 50),
    ];
    const step = run(inputs, p2);
    expect(step.changes).toStrictEqual([
      { from: 'UNKNOWN', to: 'DEGRADED', at: t0, counts: { counted: 4, online: 2 } },
      { from: 'DEGRADED', to: 'PARTIAL_OUTAGE', at: p1, counts: { counted: 4, online: 2 } },
      { from: 'PARTIAL_OUTAGE', to: 'DEGRADED', at: p2, counts: { counted: 4, online: 2 } },
    ]);
    expect(step.checkpoint.minOnlinePercent).toBe(50);
    // 1 ms before the change back, the stricter policy holds.
    const before = run(inputs, p2 - 1);
    expect(before.checkpoint).toMatchObject({ minOnlinePercent: 75, verdict: 'PARTIAL_OUTAGE' });
    expect(before.checkpoint.dayDurations).toStrictEqual(
      durations({ unknownMs: 10 * S, degradedMs: 20 * S, partialOutageMs: 20 * S - 1 }),
    );
  });

  it('a policy change that moves no verdict makes no event, and the policy still applies', () => {
    const t0 = C + 10 * S;
    const step = run([firstReport(t0, 'a'), policy(t0 + S, 100)], t0 + 2 * S);
    expect(step.changes).toHaveLength(1);
    expect(step.checkpoint.minOnlinePercent).toBe(100);
  });

  it('unassigning the only ONLINE node: MAJOR_OUTAGE at the unassign instant', () => {
    const t0 = C + 10 * S;
    const u = t0 + 30 * S;
    const step = run(
      [
        firstReport(t0, 'a'),
        firstReport(t0, 'b', 'OFFLINE'),
        node(u, 'a', 'ONLINE', 'DISCONNECTED'),
        uncount(u, 'a'),
      ],
      u + S,
    );
    expect(step.changes).toStrictEqual([
      { from: 'UNKNOWN', to: 'DEGRADED', at: t0, counts: { counted: 2, online: 1 } },
      { from: 'DEGRADED', to: 'MAJOR_OUTAGE', at: u, counts: { counted: 1, online: 0 } },
    ]);
  });

  it('unassigning the only node: UNKNOWN again; a silent node unassigned later changes nothing more', () => {
    const t0 = C + 10 * S;
    const u = t0 + 30 * S;
    const step = run(
      [firstReport(t0, 'a'), node(u, 'a', 'ONLINE', 'DISCONNECTED'), uncount(u, 'a')],
      u,
    );
    expect(step.changes.at(-1)).toStrictEqual({
      from: 'OPERATIONAL',
      to: 'UNKNOWN',
      at: u,
      counts: { counted: 0, online: 0 },
    });
    const late = t0 + STALE + H;
    const silent = run(
      [
        firstReport(t0, 'a'),
        firstReport(t0, 'b'),
        node(t0 + STALE, 'a', 'ONLINE', 'DISCONNECTED'),
        uncount(late, 'a'),
      ],
      late,
    );
    expect(silent.changes.slice(1)).toStrictEqual([
      { from: 'OPERATIONAL', to: 'DEGRADED', at: t0 + STALE, counts: { counted: 2, online: 1 } },
      { from: 'DEGRADED', to: 'OPERATIONAL', at: late, counts: { counted: 1, online: 1 } },
    ]);
  });

  it('a midnight crossing closes the day with its figures and records the entry of the next', () => {
    const r = MIDNIGHT - H;
    const stale = 2 * H;
    const to = MIDNIGHT + 3 * H;
    const step = run([firstReport(r, 'a'), node(r + stale, 'a', 'ONLINE', 'DISCONNECTED')], to);
    expect(step.closedDays).toStrictEqual([
      { day: '2026-12-01', durations: durations({ unknownMs: 15 * H, operationalMs: H }) },
    ]);
    expect(percAvailable(step.closedDays[0]?.durations as DayDurations)).toBe(100);
    expect(step.dayEntries).toHaveLength(1);
    expect(step.dayEntries[0]?.day).toBe('2026-12-02');
    expect(step.dayEntries[0]?.entry).toMatchObject({
      counts: { counted: 1, online: 1 },
      minOnlinePercent: 50,
      verdict: 'OPERATIONAL',
      since: r,
    });
    expect(step.checkpoint).toMatchObject({ day: '2026-12-02', asOf: to, since: MIDNIGHT + H });
    expect(step.checkpoint.dayDurations).toStrictEqual(
      durations({ operationalMs: H, majorOutageMs: 2 * H }),
    );
    expect(percAvailable(step.checkpoint.dayDurations)).toBe(33.33);

    // Stopping at the midnight exactly closes the day; 1 ms before does not.
    const atMidnight = run([firstReport(r, 'a')], MIDNIGHT);
    expect(atMidnight.closedDays.map((d) => d.day)).toStrictEqual(['2026-12-01']);
    expect(atMidnight.checkpoint.day).toBe('2026-12-02');
    expect(atMidnight.checkpoint.dayDurations).toStrictEqual(durations({}));
    const before = run([firstReport(r, 'a')], MIDNIGHT - 1);
    expect(before.closedDays).toStrictEqual([]);
    expect(before.checkpoint.dayDurations).toStrictEqual(
      durations({ unknownMs: 15 * H, operationalMs: H - 1 }),
    );

    // The day recomputed from its entry gives the same events and figures.
    const entry = step.dayEntries[0]?.entry;
    if (entry === undefined) throw new Error('no entry');
    const again = advanceHealth(
      checkpointAtDayEntry('2026-12-02', entry, C),
      [firstReport(r, 'a'), node(r + stale, 'a', 'ONLINE', 'DISCONNECTED')],
      [],
      to,
    );
    expect(again.changes).toStrictEqual(step.changes.filter((c) => c.at >= MIDNIGHT));
    expect(again.checkpoint).toEqual(step.checkpoint);
  });

  it('applies only the inputs in (asOf, to]: one at asOf or after `to` is ignored', () => {
    const t0 = C + 10 * S;
    const first = advanceHealth(initialCheckpoint(C, []), [firstReport(t0, 'a')], [], t0);
    expect(first.checkpoint.verdict).toBe('OPERATIONAL');
    const inputs = [
      firstReport(t0, 'a'),
      node(t0 + S, 'a', 'ONLINE', 'OFFLINE'),
      node(t0 + 2 * S, 'a', 'OFFLINE', 'ONLINE'),
    ];
    const second = advanceHealth(first.checkpoint, inputs, [], t0 + S);
    expect(second.changes).toStrictEqual([
      { from: 'OPERATIONAL', to: 'MAJOR_OUTAGE', at: t0 + S, counts: { counted: 1, online: 0 } },
    ]);
    expect(second.checkpoint.counts).toStrictEqual({ counted: 1, online: 0 });
    // A step of no length changes nothing.
    const none = advanceHealth(second.checkpoint, inputs, [], t0 + S);
    expect(none.changes).toStrictEqual([]);
    expect(none.checkpoint).toEqual(second.checkpoint);
  });

  it('reports no change at or before asOf, even for a window at asOf the checkpoint did not know', () => {
    // The checkpoint is taken as it is (a window learnt late is the caller's to recompute): its
    // instant is not revisited, only (asOf, to] is.
    const start = initialCheckpoint(C, []);
    const step = advanceHealth(start, [], [win(C, C + H)], C + 2 * H);
    expect(step.changes.filter((c) => c.at <= C)).toStrictEqual([]);
  });

  it('percAvailable: (op + degraded) / (observed - maintenance - unknown), 2 dp, null on 0', () => {
    expect(percAvailable(durations({}))).toBeNull();
    expect(percAvailable(durations({ maintenanceMs: 5, unknownMs: 7 }))).toBeNull();
    expect(percAvailable(durations({ operationalMs: 1, degradedMs: 1, partialOutageMs: 1 }))).toBe(
      66.67,
    );
    expect(percAvailable(durations({ operationalMs: 2, majorOutageMs: 1, unknownMs: 9 }))).toBe(
      66.67,
    );
    expect(percAvailable(durations({ degradedMs: 1, majorOutageMs: 2, maintenanceMs: 3 }))).toBe(
      33.33,
    );
    expect(percAvailable(durations({ partialOutageMs: 4 }))).toBe(0);
    expect(percAvailable(durations({ operationalMs: 4 }))).toBe(100);
    expect(percAvailable(durations({ operationalMs: 1, majorOutageMs: 15 }))).toBe(6.25);
    expect(percAvailable(durations({ operationalMs: 1, majorOutageMs: 1999 }))).toBe(0.05);
    // Half a hundredth rounds up: 1 of 800 is 0.125%, 7 of 8,000 is 0.0875%.
    expect(percAvailable(durations({ operationalMs: 1, majorOutageMs: 799 }))).toBe(0.13);
    expect(percAvailable(durations({ degradedMs: 7, partialOutageMs: 7993 }))).toBe(0.09);
  });
});
