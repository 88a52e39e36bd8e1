/**
 * The verdict timeline (DESIGN.md section 13), pure; times are epoch ms (integers).
 *
 * The verdict is a function of time: at instant t it is `verdictOf(counts(t), percent(t),
 * inMaintenance(windows, t))`, where counts(t) and percent(t) follow from every input with
 * `at <= t` (inputs at the same instant apply together; their order does not matter). A health
 * event is at every t where verdict(t) differs from verdict(t - 1); its counts are counts(t).
 * Each millisecond [t, t + 1) of a day counts toward that day's figure of verdict(t).
 *
 * A checkpoint is the timeline's state "as of" an instant: every input with at <= asOf
 * applied, the day of asOf measured from its start (or the bucket's creation) up to asOf
 * (exclusive). Advancing a checkpoint to a later instant with the inputs in between gives the
 * same result whatever order the inputs come in and however the span is cut into steps:
 * storage advances it (the sweep, up to a settled instant) and reads advance a copy to now.
 */
import {
  type HealthCounts,
  type HealthInput,
  inMaintenance,
  type MaintenanceWindow,
  MIN_ONLINE_PERCENT,
  type Verdict,
  verdictOf,
} from './health.ts';
import { DAY_MS, dayOf, dayStartMs } from './timeline.ts';

/** Milliseconds of one day under each verdict; `observedMs` is their sum. */
export interface DayDurations {
  operationalMs: number;
  degradedMs: number;
  partialOutageMs: number;
  majorOutageMs: number;
  maintenanceMs: number;
  unknownMs: number;
  observedMs: number;
}

/** The state of the timeline at an instant (after every input at or before it). */
export interface HealthPoint {
  counts: HealthCounts;
  minOnlinePercent: number;
  verdict: Verdict;
  /** The instant the verdict began (the last health event at or before); none on record. */
  since?: number | undefined;
  /**
   * The counted nodes OFFLINE (per the node inputs, as `counts.online`), kept from a bucket's
   * creation on; absent on a timeline started before it was kept (the workspace overview then
   * reads the bucket's rows, docs/ARCHITECTURE.md "The workspace overview").
   */
  offline?: number | undefined;
}

export interface HealthCheckpoint extends HealthPoint {
  asOf: number;
  /** The instant the bucket's timeline begins (its creation); nothing before is observed. */
  createdAt: number;
  /** The UTC day (YYYY-MM-DD) of asOf, and its figures from its start (or createdAt) to asOf. */
  day: string;
  dayDurations: DayDurations;
}

/** One change of the verdict: `counts` just after it. */
export interface HealthChange {
  from: Verdict;
  to: Verdict;
  at: number;
  counts: HealthCounts;
}

/** A day that ended within the step: its figures, and the state just before its first ms. */
export interface ClosedHealthDay {
  day: string;
  durations: DayDurations;
}

export interface HealthStep {
  checkpoint: HealthCheckpoint;
  /** Every change in (asOf, to], in time order. */
  changes: HealthChange[];
  /** Every day that ended in the step ([dayStart, dayEnd) fully at or before `to`), in order. */
  closedDays: ClosedHealthDay[];
  /**
   * The state at the last instant of each day boundary crossed (dayStart - 1 of each new day):
   * where a later recomputation of that day starts (see `checkpointAtDayEntry`).
   */
  dayEntries: { day: string; entry: HealthPoint }[];
}

const zeroDurations = (): DayDurations => ({
  operationalMs: 0,
  degradedMs: 0,
  partialOutageMs: 0,
  majorOutageMs: 0,
  maintenanceMs: 0,
  unknownMs: 0,
  observedMs: 0,
});

const DURATION_OF: Record<Verdict, keyof DayDurations> = {
  OPERATIONAL: 'operationalMs',
  DEGRADED: 'degradedMs',
  PARTIAL_OUTAGE: 'partialOutageMs',
  MAJOR_OUTAGE: 'majorOutageMs',
  MAINTENANCE: 'maintenanceMs',
  UNKNOWN: 'unknownMs',
};

/** The checkpoint of a bucket created at `createdAt` (no counted node, the default policy). */
export function initialCheckpoint(
  createdAt: number,
  windows: readonly MaintenanceWindow[],
  minOnlinePercent: number = MIN_ONLINE_PERCENT.fallback,
): HealthCheckpoint {
  const counts = { counted: 0, online: 0 };
  return {
    asOf: createdAt,
    createdAt,
    counts,
    offline: 0,
    minOnlinePercent,
    verdict: verdictOf(counts, minOnlinePercent, inMaintenance(windows, createdAt)),
    day: dayOf(createdAt),
    dayDurations: zeroDurations(),
  };
}

/** What one input does to the counts and the policy. */
function apply(
  point: { counts: HealthCounts; minOnlinePercent: number; offline: number | undefined },
  input: HealthInput,
) {
  if (input.kind === 'policy') {
    point.minOnlinePercent = input.minOnlinePercent;
    return;
  }
  if (input.kind === 'uncount') {
    point.counts.counted -= 1;
    return;
  }
  if (input.first) point.counts.counted += 1;
  point.counts.online += (input.to === 'ONLINE' ? 1 : 0) - (input.from === 'ONLINE' ? 1 : 0);
  if (point.offline !== undefined) {
    point.offline += (input.to === 'OFFLINE' ? 1 : 0) - (input.from === 'OFFLINE' ? 1 : 0);
  }
}

/**
 * Advance `from` to `to` (>= from.asOf): applies the inputs with from.asOf < at <= to (others
 * are ignored; in any order; a repeated input is the caller's to avoid), the windows as given
 * (active on [start, end)).
 */
export function advanceHealth(
  from: HealthCheckpoint,
  inputs: readonly HealthInput[],
  windows: readonly MaintenanceWindow[],
  to: number,
): HealthStep {
  const counts = { ...from.counts };
  const point = { counts, minOnlinePercent: from.minOnlinePercent, offline: from.offline };
  let verdict = from.verdict;
  let since = from.since;
  let day = from.day;
  let durations = { ...from.dayDurations };
  const changes: HealthChange[] = [];
  const closedDays: ClosedHealthDay[] = [];
  const dayEntries: HealthStep['dayEntries'] = [];

  // Every instant in (asOf, to] where the verdict may change: the inputs and window boundaries.
  const byInstant = new Map<number, HealthInput[]>();
  for (const input of inputs) {
    if (input.at <= from.asOf || input.at > to) continue;
    const list = byInstant.get(input.at);
    if (list === undefined) byInstant.set(input.at, [input]);
    else list.push(input);
  }
  const instants = new Set(byInstant.keys());
  for (const w of windows) {
    for (const t of [w.start, w.end]) if (t > from.asOf && t <= to) instants.add(t);
  }
  const ordered = [...instants].sort((a, b) => a - b);

  /** The ms of [a, b) under the current verdict, day by day; closes each day that ends. */
  function measure(a: number, b: number) {
    let cursor = Math.max(a, from.createdAt);
    while (cursor < b) {
      const dayEnd = dayStartMs(day) + DAY_MS;
      const end = Math.min(b, dayEnd);
      if (end > cursor) {
        durations[DURATION_OF[verdict]] += end - cursor;
        durations.observedMs += end - cursor;
      }
      cursor = Math.max(cursor, end);
      if (end === dayEnd) {
        closedDays.push({ day, durations });
        day = dayOf(dayEnd);
        durations = zeroDurations();
        dayEntries.push({ day, entry: snapshot() });
      }
    }
  }
  const snapshot = (): HealthPoint => ({
    counts: { ...counts },
    minOnlinePercent: point.minOnlinePercent,
    verdict,
    since,
    ...(point.offline !== undefined && { offline: point.offline }),
  });

  let cursor = from.asOf;
  for (const t of ordered) {
    measure(cursor, t);
    for (const input of byInstant.get(t) ?? []) apply(point, input);
    const next = verdictOf(counts, point.minOnlinePercent, inMaintenance(windows, t));
    if (next !== verdict) {
      changes.push({ from: verdict, to: next, at: t, counts: { ...counts } });
      verdict = next;
      since = t;
    }
    cursor = t;
  }
  measure(cursor, to);

  return {
    checkpoint: {
      ...snapshot(),
      asOf: to,
      createdAt: from.createdAt,
      day,
      dayDurations: durations,
    },
    changes,
    closedDays,
    dayEntries,
  };
}

/**
 * `start` (a recomputation's, from the bucket's creation or a day's entry) keeping `offline`
 * only when the stored checkpoint `stored` keeps it: a timeline started before `offline` was
 * kept never gains it.
 */
export function offlineAsIn(start: HealthCheckpoint, stored: HealthCheckpoint): HealthCheckpoint {
  if (stored.offline !== undefined) return start;
  const { offline: _, ...rest } = start;
  return rest;
}

/**
 * A checkpoint at `dayStart(day) - 1` from that instant's stored state, for recomputing `day`
 * from its start (a late input); its own day's figures are not meaningful and are discarded.
 */
export function checkpointAtDayEntry(
  day: string,
  entry: HealthPoint,
  createdAt: number,
): HealthCheckpoint {
  const asOf = dayStartMs(day) - 1;
  return {
    counts: { ...entry.counts },
    minOnlinePercent: entry.minOnlinePercent,
    verdict: entry.verdict,
    since: entry.since,
    ...(entry.offline !== undefined && { offline: entry.offline }),
    asOf,
    createdAt,
    day: dayOf(asOf),
    dayDurations: zeroDurations(),
  };
}

/** `perc_available` of section 13: 100 * (op + degraded) / (observed - maint - unknown), 2 dp. */
export function percAvailable(d: DayDurations): number | null {
  const denominator = d.observedMs - d.maintenanceMs - d.unknownMs;
  if (denominator <= 0) return null;
  return Math.round((10_000 * (d.operationalMs + d.degradedMs)) / denominator) / 100;
}
