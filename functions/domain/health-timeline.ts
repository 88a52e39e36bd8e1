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
import type { HealthCounts, HealthInput, MaintenanceWindow, Verdict } from './health.ts';

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

/** The checkpoint of a bucket created at `createdAt` (no counted node, the default policy). */
export declare function initialCheckpoint(
  createdAt: number,
  windows: readonly MaintenanceWindow[],
  minOnlinePercent?: number,
): HealthCheckpoint;

/**
 * Advance `from` to `to` (>= from.asOf): applies the inputs with from.asOf < at <= to (others
 * are ignored, in any order, repeats of one input are the caller's to avoid), the windows as
 * given (active on [start, end)).
 */
export declare function advanceHealth(
  from: HealthCheckpoint,
  inputs: readonly HealthInput[],
  windows: readonly MaintenanceWindow[],
  to: number,
): HealthStep;

/**
 * A checkpoint at `dayStart(day) - 1` from that instant's stored state, for recomputing `day`
 * from its start (a late input); its own day's figures are not meaningful and are discarded.
 */
export declare function checkpointAtDayEntry(
  day: string,
  entry: HealthPoint,
  createdAt: number,
): HealthCheckpoint;

/** `perc_available` of section 13: 100 * (op + degraded) / (observed - maint - unknown), 2 dp. */
export declare function percAvailable(d: DayDurations): number | null;
