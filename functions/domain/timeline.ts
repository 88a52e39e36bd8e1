/**
 * The state timeline of one node for one bucket (DESIGN.md section 8): the one definition
 * every history figure, every reported event and the sweep follow. Pure; times are epoch ms.
 *
 * Accepted reports arrive at receive times t1 < t2 < ... with statuses s1, s2, ... At an
 * instant t the state is s_i for the latest report with t_i <= t while t - t_i <= stale, and
 * DISCONNECTED otherwise (and before the first report since assignment). Days are UTC days.
 *
 * The second half of this module is the arithmetic that keeps these figures exact in storage
 * (docs/ARCHITECTURE.md, "History"): what a report adds to the bucket row's day slot given its
 * predecessor (`planReport`), what a day that has ended holds (`closedDaysOf`), and a day's
 * figures from what is stored (`dayFigures`).
 */
import type { NodeStatus, ReportedStatus } from './node-status.ts';

export const DAY_MS = 86_400_000;

/** A day `YYYY-MM-DD` (UTC) of an instant. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The first instant of a day `YYYY-MM-DD` (UTC). */
export const dayStartMs = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);

/** The day `n` days after `day` (n may be negative). */
export const addDays = (day: string, n: number): string => dayOf(dayStartMs(day) + n * DAY_MS);

/** Length of the overlap of [a0, a1) and [b0, b1), never negative. */
export const overlapMs = (a0: number, a1: number, b0: number, b1: number): number =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** A report as the timeline sees it: its receive time and reported status. */
export interface TimelineReport {
  at: number;
  status: ReportedStatus;
}

/** One change of the timeline's value. */
export interface Transition {
  from: NodeStatus;
  to: NodeStatus;
  at: number;
  /**
   * The change is the node's first accepted report since its assignment (DISCONNECTED -> s
   * with no predecessor): from here on the node counts toward its bucket's health verdict
   * (DESIGN.md section 13). Absent on every other change.
   */
  first?: true;
}

/**
 * The state at `t`, given the latest report received at or before `t` (or none since the
 * assignment). At exactly `at + stale` the report still holds; 1 ms later it does not.
 */
export function stateAt(last: TimelineReport | undefined, t: number, staleMs: number): NodeStatus {
  if (last === undefined || t < last.at || t - last.at > staleMs) return 'DISCONNECTED';
  return last.status;
}

/** The instant a silent node turns DISCONNECTED: its last report's receive time + stale. */
export const disconnectedAt = (last: TimelineReport, staleMs: number): number => last.at + staleMs;

/**
 * The change an unassignment at `t` makes (DESIGN.md section 12), given the node's last report
 * for the bucket (none since the assignment: none, the state is already DISCONNECTED):
 * - the report still holds at `t`: its status -> DISCONNECTED at `t` (never before the report);
 * - it went stale before: the change the sweep records, at `disconnectedAt`, unless `swept`
 *   says the sweep has recorded it already.
 */
export function unassignTransitions(
  last: TimelineReport | undefined,
  t: number,
  staleMs: number,
  swept: boolean,
): Transition[] {
  if (last === undefined) return [];
  const at = Math.max(t, last.at);
  if (stateAt(last, at, staleMs) !== 'DISCONNECTED') {
    return [{ from: last.status, to: 'DISCONNECTED', at }];
  }
  return swept
    ? []
    : [{ from: last.status, to: 'DISCONNECTED', at: disconnectedAt(last, staleMs) }];
}

/**
 * A report received earlier than its predecessor (receive clocks of two containers, only
 * possible with the per-node rate limit off) is placed at its predecessor's instant, so the
 * timeline's instants never go backwards.
 */
export const effectiveAt = (predecessor: TimelineReport | undefined, receivedAt: number): number =>
  predecessor === undefined ? receivedAt : Math.max(predecessor.at, receivedAt);

/**
 * The changes a report makes, given its predecessor (the node's previous accepted report for
 * the bucket, or none since assignment), in time order:
 * - none: DISCONNECTED -> s at the report, `first` (the node's first since its assignment);
 * - a gap of more than stale: s' -> DISCONNECTED at predecessor + stale, then DISCONNECTED -> s;
 * - otherwise s' -> s when the status differs, nothing when it is the same.
 * `report.at` must be the effective instant (see effectiveAt).
 */
export function transitionsOf(
  predecessor: TimelineReport | undefined,
  report: TimelineReport,
  staleMs: number,
): Transition[] {
  if (predecessor === undefined)
    return [{ from: 'DISCONNECTED', to: report.status, at: report.at, first: true }];
  if (report.at - predecessor.at > staleMs) {
    return [
      { from: predecessor.status, to: 'DISCONNECTED', at: disconnectedAt(predecessor, staleMs) },
      { from: 'DISCONNECTED', to: report.status, at: report.at },
    ];
  }
  if (report.status !== predecessor.status) {
    return [{ from: predecessor.status, to: report.status, at: report.at }];
  }
  return [];
}

/**
 * A day's observed window: from the later of the day's start and the assignment to the
 * earlier of the day's end and now. Empty (start = end) when nothing of the day is observed.
 * An unknown assignment (rows assigned before history existed) counts as long ago.
 */
export function observedWindow(
  day: string,
  assignedAt: number | undefined,
  nowMs: number,
  dayStart: number = dayStartMs(day),
): { start: number; end: number } {
  const start = Math.max(dayStart, assignedAt ?? dayStart);
  const end = Math.min(dayStart + DAY_MS, nowMs);
  return { start, end: Math.max(start, end) };
}

// ---------------------------------------------------------------------------------------------
// Storage arithmetic. The bucket's NODE# row holds the last report and a "day slot" for the day
// of that report: `onBase`, `latSum`, `latCount`. `onBase` is chosen so that the ONLINE time of
// the slot's day up to an instant x at or after the last report (and within its stale window) is
// `onBase + x` while the status is ONLINE and `onBase` while it is OFFLINE. A report that changes
// nothing and stays in the same day therefore leaves `onBase` untouched: its write needs no
// knowledge of its predecessor beyond a condition (same status, fresh, same day). A report that
// changes state moves `onBase` by a delta computed from its predecessor; the first report of a
// new day sets a fresh slot and copies the ended day into the row's "closed" slot.
// ---------------------------------------------------------------------------------------------

/** The last report a bucket row holds, as far as the timeline needs it. */
export interface Predecessor extends TimelineReport {}

export interface ReportPlan {
  /** The report's effective instant and its day. */
  at: number;
  day: string;
  transitions: Transition[];
  /** Same day as the predecessor: onBase += onDelta. */
  onDelta?: number;
  /** First report since assignment, or first of a new day: onBase = onAbs (a fresh slot). */
  onAbs?: number;
  /** First of a new day after a predecessor: the predecessor's day ends. */
  rollover?: {
    /** The predecessor's day. */
    day: string;
    /** Its final ONLINE time = the old onBase + closedOnAdd. */
    closedOnAdd: number;
    /** ONLINE time in the day after it, when that day holds no report (silent node). */
    spill?: { day: string; onlineMs: number };
  };
}

/** Whether a report can take the write that needs no predecessor (see steadyCondition). */
export const isSteady = (
  predecessor: Predecessor | undefined,
  report: TimelineReport,
  staleMs: number,
): boolean =>
  predecessor !== undefined &&
  predecessor.status === report.status &&
  report.at >= predecessor.at &&
  report.at - predecessor.at <= staleMs &&
  dayOf(predecessor.at) === dayOf(report.at);

/**
 * What a report does to the day slot, given its predecessor on the row. `report.at` is the
 * receive time; the plan's `at` is the effective instant.
 */
export function planReport(
  predecessor: Predecessor | undefined,
  report: TimelineReport,
  staleMs: number,
): ReportPlan {
  const at = effectiveAt(predecessor, report.at);
  const day = dayOf(at);
  const here: TimelineReport = { at, status: report.status };
  const transitions = transitionsOf(predecessor, here, staleMs);
  const runStart = report.status === 'ONLINE' ? at : 0;
  if (predecessor === undefined) return { at, day, transitions, onAbs: 0 - runStart };

  // The predecessor's state holds until the report or until it goes stale, whichever is first.
  const end = Math.min(at, predecessor.at + staleMs);
  const wasOnline = predecessor.status === 'ONLINE';
  const predDay = dayOf(predecessor.at);
  if (predDay === day) {
    return { at, day, transitions, onDelta: (wasOnline ? end : 0) - runStart };
  }
  const predDayEnd = dayStartMs(predDay) + DAY_MS;
  const nextDay = addDays(predDay, 1);
  const spillMs = wasOnline ? Math.max(0, end - predDayEnd) : 0;
  // ONLINE time already in the report's own day when the report arrives: the spill, if the
  // predecessor's run reached into it.
  const carried = nextDay === day ? spillMs : 0;
  const rollover: NonNullable<ReportPlan['rollover']> = {
    day: predDay,
    closedOnAdd: wasOnline ? Math.min(end, predDayEnd) : 0,
  };
  if (nextDay !== day && spillMs > 0) rollover.spill = { day: nextDay, onlineMs: spillMs };
  return { at, day, transitions, onAbs: carried - runStart, rollover };
}

/** The day slot and last report a bucket row holds (as the row reader returns them). */
export interface SlotState {
  lastAt: number;
  status: ReportedStatus;
  latencyMs?: number | undefined;
  day: string;
  onBase: number;
  latSum: number;
  latCount: number;
  /** The ended day before `day` (kept until the next day ends, in case its flush failed). */
  closed?: DayRecord | undefined;
  /** ONLINE time in the day after `closed`, when that day held no report. */
  spill?: DayRecord | undefined;
}

/** A day that has ended, as its history row stores it. */
export interface DayRecord {
  day: string;
  onlineMs: number;
  latSum: number;
  latCount: number;
  lastLatencyMs?: number | undefined;
  lastAt?: number | undefined;
  lastStatus?: ReportedStatus | undefined;
}

export interface SlotReport extends TimelineReport {
  latencyMs?: number | undefined;
}

/**
 * What the row's conditional write does with a plan, as plain code: the reference the
 * data layer's update expression is tested against, and the tests' in-memory row.
 */
export function applyPlan(
  row: SlotState | undefined,
  plan: ReportPlan,
  report: SlotReport,
): SlotState {
  const lat = report.latencyMs;
  const last = { lastAt: plan.at, status: report.status, latencyMs: lat };
  if (row !== undefined && plan.onDelta !== undefined) {
    return {
      ...row,
      ...last,
      onBase: row.onBase + plan.onDelta,
      latSum: row.latSum + (lat ?? 0),
      latCount: row.latCount + (lat === undefined ? 0 : 1),
    };
  }
  const next: SlotState = {
    ...last,
    day: plan.day,
    onBase: plan.onAbs ?? 0,
    latSum: lat ?? 0,
    latCount: lat === undefined ? 0 : 1,
  };
  if (row !== undefined && plan.rollover !== undefined) {
    next.closed = closedDayOf(row, plan.rollover);
    if (plan.rollover.spill !== undefined) {
      next.spill = { ...plan.rollover.spill, latSum: 0, latCount: 0 };
    }
  }
  return next;
}

/** The ended day a rollover copies out of the row's slot. */
export function closedDayOf(
  row: SlotState,
  rollover: NonNullable<ReportPlan['rollover']>,
): DayRecord {
  return {
    day: row.day,
    onlineMs: row.onBase + rollover.closedOnAdd,
    latSum: row.latSum,
    latCount: row.latCount,
    lastLatencyMs: row.latencyMs,
    lastAt: row.lastAt,
    lastStatus: row.status,
  };
}

/**
 * The day records a rollover writes to history rows, from the row as it was before the write
 * (the ended day and its spill) and what that row still kept of the day before (written again:
 * its first write may have failed, and the content is the same).
 */
export function closedDaysOf(
  before: SlotState,
  rollover: NonNullable<ReportPlan['rollover']>,
): DayRecord[] {
  const records: DayRecord[] = [];
  if (before.closed !== undefined) records.push(before.closed);
  if (before.spill !== undefined) records.push(before.spill);
  records.push(closedDayOf(before, rollover));
  if (rollover.spill !== undefined) records.push({ ...rollover.spill, latSum: 0, latCount: 0 });
  return records;
}

/** A day's figures before rounding: what POST stats and GET uptime are built from. */
export interface DayFigures {
  day: string;
  onlineMs: number;
  observedMs: number;
  latSum: number;
  latCount: number;
  lastLatencyMs?: number | undefined;
  lastAt?: number | undefined;
  /** The state at the end of the observed window. */
  endStatus: NodeStatus;
}

export interface StoredHistory {
  /** The bucket row's slot, undefined when the node never reported since assignment. */
  row: SlotState | undefined;
  /** History rows of this assignment by day (expired rows already left out). */
  records: ReadonlyMap<string, DayRecord>;
  assignedAt: number | undefined;
}

/** ONLINE time of the row's slot day up to `x` (the last report <= x <= its stale end). */
const slotOnlineUpTo = (row: SlotState, x: number): number =>
  row.status === 'ONLINE' ? row.onBase + x : row.onBase;

/**
 * One day's figures for one node, from what storage holds: the row's slot for the day of the
 * last report, its tail (the last report's stale window) for the days after, the row's closed
 * slot and history rows for the days before.
 */
export function dayFigures(
  day: string,
  stored: StoredHistory,
  nowMs: number,
  staleMs: number,
  /** dayStartMs(day), when the caller has it (the uptime read computes each day's once). */
  dayStart: number = dayStartMs(day),
): DayFigures {
  const window = observedWindow(day, stored.assignedAt, nowMs, dayStart);
  const observedMs = window.end - window.start;
  const { row } = stored;
  const figures: DayFigures = {
    day,
    onlineMs: 0,
    observedMs,
    latSum: 0,
    latCount: 0,
    endStatus: 'DISCONNECTED',
  };
  if (observedMs === 0 || row === undefined) return figures;
  const dayEnd = dayStart + DAY_MS;
  const last: TimelineReport = { at: row.lastAt, status: row.status };

  if (day === row.day) {
    const x = Math.max(row.lastAt, Math.min(window.end, row.lastAt + staleMs));
    figures.onlineMs = slotOnlineUpTo(row, x);
    figures.latSum = row.latSum;
    figures.latCount = row.latCount;
    figures.lastLatencyMs = row.latencyMs;
    figures.lastAt = row.lastAt;
    figures.endStatus = stateAt(last, Math.max(window.end, row.lastAt), staleMs);
    return figures;
  }
  if (day > row.day) {
    // After the last report: at most its ONLINE tail, then DISCONNECTED.
    if (row.status === 'ONLINE') {
      figures.onlineMs = overlapMs(row.lastAt, row.lastAt + staleMs, window.start, window.end);
    }
    figures.endStatus = stateAt(last, window.end, staleMs);
    return figures;
  }
  const record =
    (row.closed?.day === day ? row.closed : undefined) ??
    (row.spill?.day === day ? row.spill : undefined) ??
    stored.records.get(day);
  if (record === undefined) return figures;
  figures.onlineMs = record.onlineMs;
  figures.latSum = record.latSum;
  figures.latCount = record.latCount;
  figures.lastLatencyMs = record.lastLatencyMs;
  figures.lastAt = record.lastAt;
  if (record.lastAt !== undefined && record.lastStatus !== undefined) {
    figures.endStatus = stateAt({ at: record.lastAt, status: record.lastStatus }, dayEnd, staleMs);
  }
  return figures;
}
