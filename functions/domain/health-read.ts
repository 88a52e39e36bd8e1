/**
 * The health reads (DESIGN.md section 13), pure: the inputs a read adds for silences the sweep
 * has not noticed yet, the body of GET health, the health events' view and paging merge, and
 * the bucket's day figures of GET uptime and POST stats.
 */
import type { ActiveMaintenance, BucketDay, BucketHealth, HealthEvent } from '../wire/health.ts';
import { healthEventId } from './events.ts';
import {
  type HealthInput,
  type MaintenanceWindow,
  minOnline,
  type Verdict,
  verdictOf,
} from './health.ts';
import {
  type DayDurations,
  type HealthChange,
  type HealthStep,
  percAvailable,
} from './health-timeline.ts';
import type { NodeStatusView, ReportedStatus } from './node-status.ts';

const DAY_MS = 86_400_000;

/** A node row's last report since its assignment, as the timeline sees it. */
export interface LastReport {
  nodeId: string;
  at: number;
  status: ReportedStatus;
}

/**
 * The changes to DISCONNECTED the sweep has not recorded yet: for each last report whose
 * `at + stale` is in (asOf, nowMs], `status -> DISCONNECTED` at `at + stale`, unless the tail's
 * node inputs already hold that very change.
 */
export function unnoticedSilences(
  reports: readonly LastReport[],
  tail: readonly HealthInput[],
  asOf: number,
  nowMs: number,
  staleMs: number,
): HealthInput[] {
  const recorded = new Set<string>();
  for (const input of tail) {
    if (input.kind === 'node' && input.to === 'DISCONNECTED') {
      recorded.add(`${input.nodeId}\n${input.at}`);
    }
  }
  const silences: HealthInput[] = [];
  for (const report of reports) {
    const at = report.at + staleMs;
    if (at <= asOf || at > nowMs || recorded.has(`${report.nodeId}\n${at}`)) continue;
    silences.push({
      kind: 'node',
      at,
      nodeId: report.nodeId,
      from: report.status,
      to: 'DISCONNECTED',
      first: false,
    });
  }
  return silences;
}

/** The active window at `t` that started first; undefined when none is active. */
export function activeWindow(
  windows: readonly MaintenanceWindow[],
  t: number,
): MaintenanceWindow | undefined {
  let active: MaintenanceWindow | undefined;
  for (const w of windows) {
    if (w.start <= t && t < w.end && (active === undefined || w.start < active.start)) active = w;
  }
  return active;
}

/** A row of the bucket as GET health reads it: its GET status view and whether it counts. */
export interface CountedView {
  status: NodeStatusView['status'];
  /** It had an accepted report since its assignment. */
  counted: boolean;
}

/** GET health's `nodes`: the assigned nodes as GET status shows them, and those that count. */
export interface NodeCounts {
  assigned: number;
  counted: number;
  online: number;
  offline: number;
}

/** The counts of the rows' views. */
export function countViews(views: readonly CountedView[]): NodeCounts {
  let online = 0;
  let offline = 0;
  let counted = 0;
  for (const view of views) {
    if (view.status === 'ONLINE') online++;
    else if (view.status === 'OFFLINE') offline++;
    if (view.counted) counted++;
  }
  return { assigned: views.length, counted, online, offline };
}

interface HealthBodyCommon {
  bucketId: string;
  /** The timeline advanced to now (a copy of the stored checkpoint). */
  timeline: { verdict: string; since?: number | undefined; minOnlinePercent: number };
  /** The latest report's instant among the rows (where `since` falls when the rows disagree). */
  latestReportAt: number | undefined;
  /**
   * The timeline 1 ms before now: at the one millisecond where a node's last report is exactly
   * stale (DESIGN.md section 2 still shows its status then; its event is at that instant), the
   * rows agree with it.
   */
  timelineJustBefore?: { verdict: string; since?: number | undefined } | undefined;
  windows: readonly MaintenanceWindow[];
  nowMs: number;
  eventRetentionDays: number;
}

/** The rows' views, or their counts (the workspace overview's, from the bucket's log). */
export type HealthBody = HealthBodyCommon &
  ({ views: readonly CountedView[] } | { nodes: NodeCounts });

/**
 * The verdict of GET health at now: the one of the counts, the policy and the active window.
 * `sinceKnown` is false when it differs from both the timeline's and the timeline's of 1 ms
 * before: `since` then falls at the latest report (a report's row landed before its event).
 */
export function bodyVerdict(
  input: Pick<HealthBodyCommon, 'timeline' | 'timelineJustBefore' | 'windows' | 'nowMs'>,
  nodes: Pick<NodeCounts, 'counted' | 'online'>,
): { verdict: Verdict; window: MaintenanceWindow | undefined; sinceKnown: boolean } {
  const window = activeWindow(input.windows, input.nowMs);
  const verdict = verdictOf(nodes, input.timeline.minOnlinePercent, window !== undefined);
  const sinceKnown =
    verdict === input.timeline.verdict || input.timelineJustBefore?.verdict === verdict;
  return { verdict, window, sinceKnown };
}

/**
 * The body of GET health. `nodes` counts the rows as GET status shows them; the verdict follows
 * from those counts, the policy and the active window. `since` is the timeline's; when the
 * rows disagree with it: the timeline's of 1 ms before when that agrees (a report exactly stale
 * now, which section 2 still shows), else the latest report's instant (a report's row landed
 * before its event).
 * It is omitted when none is known or it is older than the event retention.
 */
export function toHealthBody(input: HealthBody): BucketHealth {
  const nodes = 'nodes' in input ? input.nodes : countViews(input.views);
  const { counted, online, offline, assigned } = nodes;
  const { minOnlinePercent } = input.timeline;
  const { verdict, window } = bodyVerdict(input, nodes);
  let since = input.timeline.since;
  if (verdict !== input.timeline.verdict) {
    const before = input.timelineJustBefore;
    since = before?.verdict === verdict ? before.since : input.latestReportAt;
  }
  const body = { bucketId: input.bucketId, verdict } as BucketHealth;
  if (since !== undefined && since >= input.nowMs - input.eventRetentionDays * DAY_MS) {
    body.since = new Date(since).toISOString();
  }
  body.nodes = {
    assigned,
    counted,
    online,
    offline,
    disconnected: assigned - online - offline,
  };
  body.policy = { minOnlinePercent, minOnline: minOnline(counted, minOnlinePercent) };
  if (window !== undefined) body.maintenance = toActiveMaintenance(window);
  return body;
}

export function toActiveMaintenance(window: MaintenanceWindow): ActiveMaintenance {
  const view: ActiveMaintenance = {
    id: window.id,
    start: new Date(window.start).toISOString(),
    end: new Date(window.end).toISOString(),
  };
  if (window.reason !== undefined) view.reason = window.reason;
  return view;
}

/** A health event with its id and its position (the sort key of its row). */
export interface PositionedHealthChange extends HealthChange {
  id: string;
  position: string;
}

/** The sort key of a health event's row: `E#<at ISO>#<to>` (time order, then verdict). */
export const healthEventPosition = (change: Pick<HealthChange, 'at' | 'to'>): string =>
  `E#${new Date(change.at).toISOString()}#${change.to}`;

/** The smallest position of health events at or after `atIso`. */
export const healthEventFloor = (atIso: string): string => `E#${atIso}`;

export const withHealthEventId = (
  bucketId: string,
  change: HealthChange,
): PositionedHealthChange => ({
  ...change,
  id: healthEventId(bucketId, new Date(change.at).toISOString(), change.to),
  position: healthEventPosition(change),
});

/**
 * One page of health events, newest first: the recorded page (at most `limit`, `more` when it
 * had more) merged with the read's own changes (after the checkpoint), both strictly before
 * `before` and at or after `oldestAt`; a change both hold (the same position) counts once, and
 * after `computedAfter` (the read's start) only the read's own changes count.
 */
export function mergeHealthEvents(
  recorded: { events: readonly PositionedHealthChange[]; more: boolean },
  computed: readonly PositionedHealthChange[],
  limit: number,
  before: string | undefined,
  oldestPosition: string,
  computedAfter?: number,
): { events: PositionedHealthChange[]; more: boolean } {
  const byPosition = new Map<string, PositionedHealthChange>();
  for (const event of recorded.events) {
    // After the read's start its own changes are the timeline: a recorded one they do not
    // hold did not happen (a late input's recomputation the sweep has not stored yet).
    if (computedAfter !== undefined && event.at > computedAfter) continue;
    byPosition.set(event.position, event);
  }
  for (const event of computed) {
    if (before !== undefined && event.position >= before) continue;
    if (event.position < oldestPosition) continue;
    byPosition.set(event.position, event);
  }
  // Positions are unique (the map's keys): no two compare equal.
  const all = [...byPosition.values()].sort((a, b) => (a.position < b.position ? 1 : -1));
  // Recorded events past the page are older than every one on it: `more` stays theirs.
  return { events: all.slice(0, limit), more: recorded.more || all.length > limit };
}

export function toHealthEventView(event: PositionedHealthChange): HealthEvent {
  return {
    id: event.id,
    from: event.from,
    to: event.to,
    at: new Date(event.at).toISOString(),
    nodes: { counted: event.counts.counted, online: event.counts.online },
  };
}

const NOTHING: DayDurations = {
  operationalMs: 0,
  degradedMs: 0,
  partialOutageMs: 0,
  majorOutageMs: 0,
  maintenanceMs: 0,
  unknownMs: 0,
  observedMs: 0,
};

const seconds = (ms: number) => ms / 1000;

export function toBucketDay(day: string, d: DayDurations): BucketDay {
  return {
    day,
    operational_seconds: seconds(d.operationalMs),
    degraded_seconds: seconds(d.degradedMs),
    partial_outage_seconds: seconds(d.partialOutageMs),
    major_outage_seconds: seconds(d.majorOutageMs),
    maintenance_seconds: seconds(d.maintenanceMs),
    unknown_seconds: seconds(d.unknownMs),
    observed_seconds: seconds(d.observedMs),
    perc_available: percAvailable(d),
  };
}

/**
 * The bucket's figures of each day asked: the running day (and any day the read's step closed)
 * from the step, earlier days from their stored closed-day rows; a day with neither (before the
 * bucket's timeline, or past the retention) observed nothing.
 */
export function bucketDays(
  days: readonly string[],
  stored: ReadonlyMap<string, DayDurations>,
  step: Pick<HealthStep, 'checkpoint' | 'closedDays'> | undefined,
): BucketDay[] {
  const figures = new Map(stored);
  if (step !== undefined) {
    for (const closed of step.closedDays) figures.set(closed.day, closed.durations);
    figures.set(step.checkpoint.day, step.checkpoint.dayDurations);
  }
  return days.map((day) => toBucketDay(day, figures.get(day) ?? NOTHING));
}
