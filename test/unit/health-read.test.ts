// The health reads' pure rules (functions/domain/health-read.ts) at their boundaries.
import { describe, expect, it } from 'vitest';
import { healthEventId } from '../../functions/domain/events.ts';
import type { HealthInput, MaintenanceWindow } from '../../functions/domain/health.ts';
import {
  activeWindow,
  bodyVerdict,
  bucketDays,
  type CountedView,
  countViews,
  healthEventFloor,
  healthEventPosition,
  mergeHealthEvents,
  type PositionedHealthChange,
  toActiveMaintenance,
  toBucketDay,
  toHealthBody,
  toHealthEventView,
  unnoticedSilences,
  withHealthEventId,
} from '../../functions/domain/health-read.ts';
import type { DayDurations } from '../../functions/domain/health-timeline.ts';

const T = Date.parse('2026-12-01T10:00:00.000Z');
const STALE = 90_000;
const DAY = 86_400_000;

describe('unnoticedSilences', () => {
  const reports = [
    { nodeId: 'a', at: T - STALE, status: 'ONLINE' as const },
    { nodeId: 'b', at: T - STALE - 5, status: 'OFFLINE' as const },
    { nodeId: 'c', at: T - STALE + 1, status: 'ONLINE' as const },
    { nodeId: 'd', at: T - STALE - 100, status: 'ONLINE' as const },
  ];

  it('adds status -> DISCONNECTED at last report + stale for each silence in (asOf, now]', () => {
    expect(unnoticedSilences(reports, [], T - 100, T, STALE)).toStrictEqual([
      { kind: 'node', at: T, nodeId: 'a', from: 'ONLINE', to: 'DISCONNECTED', first: false },
      { kind: 'node', at: T - 5, nodeId: 'b', from: 'OFFLINE', to: 'DISCONNECTED', first: false },
    ]);
  });

  it('leaves out the silences the tail holds (same node, same instant, to DISCONNECTED) only', () => {
    const tail: HealthInput[] = [
      { kind: 'node', at: T, nodeId: 'a', from: 'ONLINE', to: 'DISCONNECTED', first: false },
      // Another node at b's instant, and b's instant but not to DISCONNECTED: not b's silence.
      { kind: 'node', at: T - 5, nodeId: 'x', from: 'ONLINE', to: 'DISCONNECTED', first: false },
      { kind: 'node', at: T - 5, nodeId: 'b', from: 'ONLINE', to: 'OFFLINE', first: false },
      { kind: 'uncount', at: T - 5, nodeId: 'b' },
    ];
    expect(unnoticedSilences(reports, tail, T - 100, T, STALE).map((i) => i.at)).toStrictEqual([
      T - 5,
    ]);
  });

  it('none at or before the checkpoint (already recorded) nor after now', () => {
    expect(unnoticedSilences(reports, [], T - 5, T - 1, STALE)).toStrictEqual([]);
    expect(unnoticedSilences(reports, [], T - 6, T - 1, STALE).map((i) => i.at)).toStrictEqual([
      T - 5,
    ]);
  });
});

const window = (start: number, end: number, id = `mw_${start}`): MaintenanceWindow => ({
  id,
  start,
  end,
  createdAt: 0,
});

describe('activeWindow', () => {
  it('is active on [start, end); of several, the one that started first', () => {
    const w1 = window(T, T + 10);
    const w2 = window(T - 5, T + 1);
    expect(activeWindow([w1], T - 1)).toBeUndefined();
    expect(activeWindow([w1], T)).toBe(w1);
    expect(activeWindow([w1], T + 9)).toBe(w1);
    expect(activeWindow([w1], T + 10)).toBeUndefined();
    expect(activeWindow([w1, w2], T)).toBe(w2);
    expect(activeWindow([w2, w1], T)).toBe(w2);
    expect(activeWindow([w2, w1], T + 1)).toBe(w1);
    // Two starting together: the first listed.
    const w3 = window(T - 5, T + 20, 'mw_other');
    expect(activeWindow([w2, w3], T)).toBe(w2);
  });
});

describe('toHealthBody', () => {
  const views = (...statuses: [CountedView['status'], boolean][]): CountedView[] =>
    statuses.map(([status, counted]) => ({ status, counted }));
  const base = {
    bucketId: 'b',
    timeline: { verdict: 'DEGRADED', since: T - 1000, minOnlinePercent: 50 },
    latestReportAt: T - 10,
    windows: [],
    nowMs: T,
    eventRetentionDays: 90,
  };

  it('counts as shown, decides from the counts, keeps the timeline’s since when they agree', () => {
    const body = toHealthBody({
      ...base,
      views: views(['ONLINE', true], ['OFFLINE', true], ['DISCONNECTED', true], ['ONLINE', true]),
    });
    expect(body).toStrictEqual({
      bucketId: 'b',
      verdict: 'DEGRADED',
      since: new Date(T - 1000).toISOString(),
      nodes: { assigned: 4, counted: 4, online: 2, offline: 1, disconnected: 1 },
      policy: { minOnlinePercent: 50, minOnline: 2 },
    });
  });

  it('when the rows disagree with the timeline, since is the latest report', () => {
    const body = toHealthBody({ ...base, views: views(['ONLINE', true], ['ONLINE', true]) });
    expect(body.verdict).toBe('OPERATIONAL');
    expect(body.since).toBe(new Date(T - 10).toISOString());
  });

  it('omits since when none, or older than the event retention (the boundary kept)', () => {
    const v = views(['ONLINE', true], ['OFFLINE', true], ['DISCONNECTED', false]);
    expect(
      toHealthBody({ ...base, views: v, timeline: { ...base.timeline, since: undefined } }),
    ).not.toHaveProperty('since');
    const at = (since: number) =>
      toHealthBody({ ...base, views: v, timeline: { ...base.timeline, since } }).since;
    expect(at(T - 90 * DAY)).toBe(new Date(T - 90 * DAY).toISOString());
    expect(at(T - 90 * DAY - 1)).toBeUndefined();
  });

  it('not counted nodes count as assigned only; the policy from the timeline', () => {
    const body = toHealthBody({
      ...base,
      timeline: { verdict: 'PARTIAL_OUTAGE', since: T - 1, minOnlinePercent: 75 },
      views: views(['ONLINE', true], ['OFFLINE', true], ['OFFLINE', true], ['DISCONNECTED', false]),
    });
    expect(body).toMatchObject({
      verdict: 'PARTIAL_OUTAGE',
      nodes: { assigned: 4, counted: 3, online: 1, offline: 2, disconnected: 1 },
      policy: { minOnlinePercent: 75, minOnline: 3 },
    });
  });

  it('MAINTENANCE with the window while one is active, nothing of it otherwise', () => {
    const w = { ...window(T - 5, T + 5), reason: 'swap' };
    const during = toHealthBody({
      ...base,
      timeline: { ...base.timeline, verdict: 'MAINTENANCE', since: T - 5 },
      views: views(['ONLINE', true]),
      windows: [w],
    });
    expect(during).toMatchObject({
      verdict: 'MAINTENANCE',
      since: new Date(T - 5).toISOString(),
      maintenance: {
        id: w.id,
        start: new Date(T - 5).toISOString(),
        end: new Date(T + 5).toISOString(),
        reason: 'swap',
      },
    });
    const after = toHealthBody({
      ...base,
      views: views(['ONLINE', true]),
      nowMs: T + 5,
      windows: [w],
    });
    expect(after).not.toHaveProperty('maintenance');
    expect(toActiveMaintenance(window(T, T + 1))).not.toHaveProperty('reason');
  });
});

describe('the counts, the verdict at now and when it began', () => {
  const base = {
    bucketId: 'b',
    timeline: { verdict: 'DEGRADED', since: T - 1000, minOnlinePercent: 50 },
    latestReportAt: T - 10,
    windows: [],
    nowMs: T,
    eventRetentionDays: 90,
  };

  it('countViews: each view by status, the counted ones, all assigned', () => {
    expect(countViews([])).toStrictEqual({ assigned: 0, counted: 0, online: 0, offline: 0 });
    expect(
      countViews([
        { status: 'ONLINE', counted: true },
        { status: 'OFFLINE', counted: true },
        { status: 'OFFLINE', counted: false },
        { status: 'DISCONNECTED', counted: true },
        { status: 'DISCONNECTED', counted: false },
      ]),
    ).toStrictEqual({ assigned: 5, counted: 3, online: 1, offline: 2 });
  });

  it("toHealthBody of counts (the overview's) answers as of the views that give them", () => {
    const nodes = { assigned: 5, counted: 3, online: 2, offline: 1 };
    const body = toHealthBody({ ...base, nodes });
    expect(body).toStrictEqual({
      bucketId: 'b',
      verdict: 'DEGRADED',
      since: new Date(T - 1000).toISOString(),
      nodes: { assigned: 5, counted: 3, online: 2, offline: 1, disconnected: 2 },
      policy: { minOnlinePercent: 50, minOnline: 2 },
    });
    const views = toHealthBody({
      ...base,
      views: [
        { status: 'ONLINE', counted: true },
        { status: 'ONLINE', counted: true },
        { status: 'OFFLINE', counted: true },
        { status: 'DISCONNECTED', counted: false },
        { status: 'DISCONNECTED', counted: false },
      ],
    });
    expect(views).toStrictEqual(body);
  });

  it("bodyVerdict: since is known when the verdict is the timeline's, or the timeline's of 1 ms before", () => {
    const nodes = { counted: 2, online: 2 };
    const asTimeline = { ...base, timeline: { ...base.timeline, verdict: 'OPERATIONAL' } };
    expect(bodyVerdict(asTimeline, nodes)).toStrictEqual({
      verdict: 'OPERATIONAL',
      window: undefined,
      sinceKnown: true,
    });
    const justBefore = { ...base, timelineJustBefore: { verdict: 'OPERATIONAL', since: T - 7 } };
    expect(bodyVerdict(justBefore, nodes).sinceKnown).toBe(true);
    expect(bodyVerdict(base, nodes).sinceKnown).toBe(false);
    expect(
      bodyVerdict({ ...base, timelineJustBefore: { verdict: 'DEGRADED' } }, nodes).sinceKnown,
    ).toBe(false);
    // The active window decides the verdict and is handed back.
    const w = window(T - 5, T + 5);
    expect(bodyVerdict({ ...base, windows: [w] }, nodes)).toStrictEqual({
      verdict: 'MAINTENANCE',
      window: w,
      sinceKnown: false,
    });
  });

  it("toHealthBody: since is the timeline's of 1 ms before when that one shows the verdict", () => {
    const body = toHealthBody({
      ...base,
      timelineJustBefore: { verdict: 'OPERATIONAL', since: T - 7 },
      nodes: { assigned: 2, counted: 2, online: 2, offline: 0 },
    });
    expect(body.verdict).toBe('OPERATIONAL');
    expect(body.since).toBe(new Date(T - 7).toISOString());
    // The timeline's own verdict wins over the one of 1 ms before.
    const own = toHealthBody({
      ...base,
      timelineJustBefore: { verdict: 'DEGRADED', since: T - 7 },
      nodes: { assigned: 2, counted: 2, online: 1, offline: 1 },
    });
    expect(own.since).toBe(new Date(T - 1000).toISOString());
  });
});

describe('health events: positions, merge, view', () => {
  const change = (at: number, to = 'DEGRADED' as const): PositionedHealthChange =>
    withHealthEventId('b', { from: 'OPERATIONAL', to, at, counts: { counted: 2, online: 1 } });

  it('positions sort as time; ids are the deterministic ones', () => {
    expect(healthEventPosition({ at: T, to: 'UNKNOWN' })).toBe(
      'E#2026-12-01T10:00:00.000Z#UNKNOWN',
    );
    expect(healthEventFloor('2026-12-01T10:00:00.000Z')).toBe('E#2026-12-01T10:00:00.000Z');
    expect(change(T).id).toBe(healthEventId('b', '2026-12-01T10:00:00.000Z', 'DEGRADED'));
    expect(toHealthEventView(change(T))).toStrictEqual({
      id: change(T).id,
      from: 'OPERATIONAL',
      to: 'DEGRADED',
      at: '2026-12-01T10:00:00.000Z',
      nodes: { counted: 2, online: 1 },
    });
  });

  it('merges newest first, each position once, within the cursor and the retention', () => {
    const recorded = { events: [change(T - 10), change(T - 20)], more: false };
    const computed = [change(T), change(T - 10), change(T + 10)];
    const floor = healthEventFloor(new Date(T - 15).toISOString());
    const page = mergeHealthEvents(recorded, computed, 10, change(T + 10).position, floor);
    expect(page.events.map((e) => e.at)).toStrictEqual([T, T - 10, T - 20]);
    expect(page.more).toBe(false);
    // Computed before the retention's floor: left out.
    const old = mergeHealthEvents(
      { events: [], more: false },
      [change(T - 20)],
      10,
      undefined,
      floor,
    );
    expect(old.events).toStrictEqual([]);
    const atFloor = mergeHealthEvents(
      { events: [], more: false },
      [change(T - 15)],
      10,
      undefined,
      floor,
    );
    expect(atFloor.events).toHaveLength(1);
  });

  it('orders newest first whatever order the events come in', () => {
    const ascending = [change(T - 30), change(T - 20), change(T - 10), change(T)];
    const page = mergeHealthEvents(
      { events: ascending, more: false },
      [change(T - 25)],
      10,
      undefined,
      'E#',
    );
    expect(page.events.map((e) => e.at)).toStrictEqual([T, T - 10, T - 20, T - 25, T - 30]);
  });

  it('more when the page overflows, or the recorded page had more', () => {
    const computed = [change(T), change(T - 1)];
    expect(mergeHealthEvents({ events: [], more: false }, computed, 1, undefined, 'E#').more).toBe(
      true,
    );
    expect(mergeHealthEvents({ events: [], more: false }, computed, 2, undefined, 'E#').more).toBe(
      false,
    );
    expect(
      mergeHealthEvents({ events: [change(T - 5)], more: true }, [], 5, undefined, 'E#').more,
    ).toBe(true);
  });
});

describe("the bucket's day figures", () => {
  const d = (base: number): DayDurations => ({
    operationalMs: base,
    degradedMs: 2 * base,
    partialOutageMs: 1,
    majorOutageMs: 2,
    maintenanceMs: 3,
    unknownMs: 4,
    observedMs: 3 * base + 10,
  });

  it('seconds with millisecond precision, perc_available by the rule', () => {
    expect(toBucketDay('2026-12-01', d(1500))).toStrictEqual({
      day: '2026-12-01',
      operational_seconds: 1.5,
      degraded_seconds: 3,
      partial_outage_seconds: 0.001,
      major_outage_seconds: 0.002,
      maintenance_seconds: 0.003,
      unknown_seconds: 0.004,
      observed_seconds: 4.51,
      // 100 * 4,500 / 4,503
      perc_available: 99.93,
    });
  });

  it('stored days, then the step’s closed days and running day over them; nothing elsewhere', () => {
    const stored = new Map([
      ['2026-11-29', d(1)],
      ['2026-11-30', d(2)],
    ]);
    const step = {
      checkpoint: { day: '2026-12-01', dayDurations: d(4) } as never,
      closedDays: [{ day: '2026-11-30', durations: d(3) }],
    };
    const days = bucketDays(['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01'], stored, step);
    expect(days.map((x) => x.operational_seconds)).toStrictEqual([0, 0.001, 0.003, 0.004]);
    expect(days[0]?.perc_available).toBeNull();
    expect(bucketDays(['2026-11-30'], stored, undefined)[0]?.operational_seconds).toBe(0.002);
  });
});
