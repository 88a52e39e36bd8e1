import type { BucketOwner } from '../access.ts';
import type { HealthInput, MaintenanceWindow, Verdict } from '../health.ts';
import type {
  DayDurations,
  HealthChange,
  HealthCheckpoint,
  HealthPoint,
} from '../health-timeline.ts';
import type { NodeRow } from '../node-status.ts';

/**
 * The ports of the bucket's health partition (docs/ARCHITECTURE.md, "Bucket health");
 * functions/data/bucket-health.ts implements them.
 */

/** The STATE row: the stored checkpoint (absent before the bucket's first), its version and mark. */
export interface StoredHealthState {
  checkpoint: HealthCheckpoint | undefined;
  /** The state at the last instant before the checkpoint's day (`e*`): where a recompute starts. */
  entry: HealthPoint | undefined;
  /** The optimistic version of the checkpoint (absent before the first checkpoint write). */
  ver: number | undefined;
  /** How many marks were written (absent before the first). */
  markSeq: number | undefined;
  /** The mark: the earliest instant (ms) to compute again from; absent when none. */
  markAt: number | undefined;
}

/** Port: the STATE row; undefined when the bucket has none. */
export type LoadHealthState = (
  bucketId: string,
  consistent: boolean,
) => Promise<StoredHealthState | undefined>;

/** A recorded health event (an `E#` row). */
export interface StoredHealthChange extends HealthChange {
  id: string;
  /** The row's sort key: the position a cursor carries. */
  position: string;
}

export interface HealthEventsPageRequest {
  bucketId: string;
  limit: number;
  /** Only health events strictly older (in sort-key order) than this position. */
  before?: string | undefined;
  /** The retention cut-off (ISO): events before this instant are not returned. */
  oldestAt: string;
}

export interface HealthEventsPage {
  /** Newest first, at most `limit`. */
  events: StoredHealthChange[];
  /** True when at least one more is older than the last one returned. */
  more: boolean;
}

/** Port: one page of the bucket's recorded health events, newest first. */
export type LoadHealthEventsPage = (request: HealthEventsPageRequest) => Promise<HealthEventsPage>;

/** A closed day (a `D#` row): its figures and the state just before its first millisecond. */
export interface StoredClosedDay {
  day: string;
  durations: DayDurations;
  entry: HealthPoint;
}

/** Port: the closed days in [fromDay, toDay] (YYYY-MM-DD, inclusive) on record, ascending. */
export type LoadClosedDays = (
  bucketId: string,
  fromDay: string,
  toDay: string,
) => Promise<StoredClosedDay[]>;

/** Identifies one `E#` row. */
export interface HealthChangeKey {
  at: number;
  to: Verdict;
}

/** The condition and the mark of a checkpoint write (the sweep's step 4). */
export interface CheckpointWriteCondition {
  /** The version read; undefined when the row had none (the first checkpoint). */
  expectVer: number | undefined;
  /** The mark count read; undefined when the row had none. */
  expectMarkSeq: number | undefined;
  /** The next mark (ms), or undefined to remove the mark. */
  nextMark: number | undefined;
}

/** Port: the bucket's maintenance windows that may bear on its timeline (active, upcoming, ended). */
export type LoadWindows = (bucketId: string) => Promise<MaintenanceWindow[]>;

/**
 * Port: every recorded input of the bucket's verdict timeline with at > afterMs (node events,
 * uncounts, policies), in any order.
 */
export type LoadHealthTail = (bucketId: string, afterMs: number) => Promise<HealthInput[]>;

/** A NODE# row as GET health reads it: GET status's fields and the last report's instant. */
export interface HealthNodeRow extends NodeRow {
  /** The last accepted report's receive time (ms); undefined before the first since assignment. */
  lastAt?: number | undefined;
}

/** The bucket partition's first page (with the owner) and, once allowed, all its node rows. */
export interface HealthBucketPage {
  owner: BucketOwner | undefined;
  allNodes(): Promise<HealthNodeRow[]>;
}

/** Port: the bucket partition, first page first (a refused read costs one page). */
export type OpenHealthBucket = (bucketId: string) => Promise<HealthBucketPage>;
