/**
 * What every health read (GET health, GET health/events, GET uptime, POST stats) does with the
 * bucket's verdict timeline (docs/ARCHITECTURE.md, "Bucket health"): read the STATE row, the
 * windows and the tail of inputs in the same round trip as the user's partition and the
 * bucket's first page, then advance a copy of the stored checkpoint to now with the tail and the
 * silences the sweep has not noticed yet. A read is exact at its instant; it writes nothing.
 */
import type { HealthInput, MaintenanceWindow } from '../domain/health.ts';
import { type LastReport, unnoticedSilences } from '../domain/health-read.ts';
import {
  advanceHealth,
  checkpointAtDayEntry,
  type HealthCheckpoint,
  type HealthStep,
  initialCheckpoint,
  offlineAsIn,
} from '../domain/health-timeline.ts';
import type {
  HealthNodeRow,
  LoadHealthState,
  LoadHealthTail,
  LoadWindows,
  OpenHealthBucket,
  StoredHealthState,
} from '../domain/ports/health.ts';
import { dayOf } from '../domain/timeline.ts';

export interface HealthTimelineDeps {
  loadHealthState: LoadHealthState;
  loadWindows: LoadWindows;
  loadHealthTail: LoadHealthTail;
  staleAfterSeconds: number;
}

/**
 * How far back the first round trip reads the tail. The sweep advances every marked bucket's
 * checkpoint to at most a minute and some seconds ago, and a bucket with no input after its
 * checkpoint has no mark: so a checkpoint older than this bound with a mark before it (the
 * sweep behind, or failing) is the only case that needs a second read of the tail.
 */
export const TAIL_BOUND_MS = 5 * 60_000;

/** What the first round trip read of the health partition. */
export interface HealthReads {
  state: StoredHealthState | undefined;
  windows: MaintenanceWindow[];
  /** The inputs with at > bound. */
  tail: HealthInput[];
  bound: number;
}

/** The health partition's reads of the first round trip (start them with the access reads). */
export async function readHealthPartition(
  bucketId: string,
  nowMs: number,
  deps: HealthTimelineDeps,
): Promise<HealthReads> {
  const bound = nowMs - TAIL_BOUND_MS;
  const [state, windows, tail] = await Promise.all([
    deps.loadHealthState(bucketId, false),
    deps.loadWindows(bucketId),
    deps.loadHealthTail(bucketId, bound),
  ]);
  return { state, windows, tail, bound };
}

/**
 * Where a read's timeline starts: the stored checkpoint, or, when a late input (one recorded
 * after its instant was settled: a window created with a past start, a report's pending event)
 * marked the bucket at or before the checkpoint and in the checkpoint's day, that day's start
 * (its stored entry state), as the sweep's next run will: so the read is exact before that run.
 * A late input of an earlier day waits for the sweep (it needs that day's stored entry).
 */
export function readStart(reads: HealthReads): HealthCheckpoint | undefined {
  const state = reads.state;
  const checkpoint = state?.checkpoint;
  if (checkpoint === undefined) return undefined;
  const markAt = state?.markAt;
  if (markAt === undefined || markAt > checkpoint.asOf || state?.entry === undefined) {
    return checkpoint;
  }
  if (dayOf(Math.max(markAt, checkpoint.createdAt)) !== checkpoint.day) return checkpoint;
  const start =
    dayOf(checkpoint.createdAt) === checkpoint.day
      ? initialCheckpoint(checkpoint.createdAt, reads.windows)
      : checkpointAtDayEntry(checkpoint.day, state.entry, checkpoint.createdAt);
  return offlineAsIn(start, checkpoint);
}

/**
 * The inputs after the read's start: those the first round trip read when they cover it, else
 * (a start before the bound with a mark before the bound) a second read from the start.
 */
export async function tailAfterCheckpoint(
  bucketId: string,
  reads: HealthReads,
  deps: HealthTimelineDeps,
): Promise<HealthInput[]> {
  const start = readStart(reads);
  if (start === undefined) return [];
  const { asOf } = start;
  const markAt = reads.state?.markAt;
  // From the stored checkpoint, every input after it marked the bucket: a mark after the bound
  // (or none) means nothing lies between the checkpoint and the bound. A recomputation starts
  // at its day's start, before inputs that are on record whatever the mark says.
  const fromCheckpoint = start === reads.state?.checkpoint;
  const covered =
    asOf >= reads.bound || (fromCheckpoint && (markAt === undefined || markAt > reads.bound));
  const tail = covered ? reads.tail : await deps.loadHealthTail(bucketId, asOf);
  return tail.filter((input) => input.at > asOf);
}

/** A read's step: the timeline from its start to now. */
export interface ReadStep extends HealthStep {
  /** The read's start: its changes replace every recorded health event after this instant. */
  from: number;
}

/**
 * A copy of the read's start advanced to now with the tail and the unnoticed silences of the
 * rows' last reports; undefined when the bucket has no checkpoint yet.
 */
export function advanceToNow(
  reads: HealthReads,
  tail: readonly HealthInput[],
  reports: readonly LastReport[],
  nowMs: number,
  deps: Pick<HealthTimelineDeps, 'staleAfterSeconds'>,
): ReadStep | undefined {
  const start = readStart(reads);
  const checkpoint = reads.state?.checkpoint;
  if (start === undefined || checkpoint === undefined) return undefined;
  const to = Math.max(nowMs, checkpoint.asOf);
  const silences = unnoticedSilences(reports, tail, start.asOf, to, deps.staleAfterSeconds * 1000);
  const step = advanceHealth(start, [...tail, ...silences], reads.windows, to);
  // A start 1 ms before its day closes the day before: not this read's to report.
  const closedDays = step.closedDays.filter((d) => d.day >= checkpoint.day);
  return { ...step, closedDays, from: start.asOf };
}

const REPORTED = new Set(['ONLINE', 'OFFLINE']);

/** The rows' last reports since assignment, as the timeline sees them. */
export const lastReportsOf = (rows: readonly HealthNodeRow[]): LastReport[] =>
  rows.flatMap((row) =>
    row.lastAt !== undefined && REPORTED.has(row.status as string)
      ? [{ nodeId: row.nodeId, at: row.lastAt, status: row.status as LastReport['status'] }]
      : [],
  );

/**
 * The bucket's verdict timeline up to `nowMs` as a health read computes it, without an access
 * decision (the alert confirmation's, functions/data/alert-confirmation.ts): the health
 * partition and every node row in one round trip, the tail from the checkpoint when the first
 * read did not cover it, then the read's start advanced to `nowMs`. Its changes after `from`
 * are the ones the sweep will record; those up to `from` are on record.
 */
export async function computeHealthTimeline(
  bucketId: string,
  nowMs: number,
  deps: HealthTimelineDeps & { openHealthBucket: OpenHealthBucket },
): Promise<ReadStep | undefined> {
  const [reads, rows] = await Promise.all([
    readHealthPartition(bucketId, nowMs, deps),
    deps.openHealthBucket(bucketId).then((page) => page.allNodes()),
  ]);
  const tail = await tailAfterCheckpoint(bucketId, reads, deps);
  return advanceToNow(reads, tail, lastReportsOf(rows), nowMs, deps);
}
