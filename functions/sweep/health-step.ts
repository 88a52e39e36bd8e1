/**
 * The sweep's health step (docs/ARCHITECTURE.md, "Bucket health"): after a run that recorded
 * every silence up to `settled`, each bucket whose health mark is at or before `settled` has its
 * verdict timeline advanced to `settled`, its health events and ended days written, and its
 * checkpoint stored. A mark at or before the checkpoint (a late input) recomputes from the start
 * of that input's day. Every write is deterministic, so overlapping runs and retries write the
 * same rows; the checkpoint is written on condition that neither it nor the mark changed.
 */
import type { HealthInput, MaintenanceWindow } from '../domain/health.ts';
import { type BootstrapRow, bootstrapCheckpoint } from '../domain/health-bootstrap.ts';
import {
  advanceHealth,
  checkpointAtDayEntry,
  type HealthChange,
  type HealthCheckpoint,
  type HealthPoint,
  initialCheckpoint,
  offlineAsIn,
} from '../domain/health-timeline.ts';
import type {
  CheckpointWriteCondition,
  HealthChangeKey,
  StoredClosedDay,
  StoredHealthState,
} from '../domain/ports/health.ts';
import { dayOf } from '../domain/timeline.ts';

export interface HealthStepPorts {
  /** Buckets whose mark is at or before `upTo` (one index Query per shard, pages followed). */
  findMarked(upTo: number): Promise<string[]>;
  /** Consistent read of STATE (marks only, before the first checkpoint: `checkpoint` undefined). */
  loadState(bucketId: string): Promise<StoredHealthState | undefined>;
  /** The entry state stored with a closed day (D#<day>). */
  loadDayEntry(bucketId: string, day: string): Promise<HealthPoint | undefined>;
  /** Every input (node events, uncounts, policies) with after < at <= to; consistent reads. */
  loadInputs(bucketId: string, afterMs: number, toMs: number): Promise<HealthInput[]>;
  /** The instant of the earliest input after `afterMs`, if any. */
  firstInputAfter(bucketId: string, afterMs: number): Promise<number | undefined>;
  loadWindows(bucketId: string): Promise<MaintenanceWindow[]>;
  /** The recorded health events with at > afterMs (their keys). */
  loadRecordedChanges(bucketId: string, afterMs: number): Promise<HealthChangeKey[]>;
  putChanges(bucketId: string, changes: readonly HealthChange[]): Promise<void>;
  deleteChanges(bucketId: string, keys: readonly HealthChangeKey[]): Promise<void>;
  putClosedDays(bucketId: string, days: readonly StoredClosedDay[]): Promise<void>;
  /** Conditional on the version and mark count read; false when either changed. */
  writeCheckpoint(
    bucketId: string,
    checkpoint: HealthCheckpoint,
    entry: HealthPoint,
    condition: CheckpointWriteCondition,
  ): Promise<boolean>;
  /** Told of the health events a step recorded for the first time (after their put). */
  onChangesRecorded?: (bucketId: string, changes: readonly HealthChange[]) => void;
  /** For a bucket without a checkpoint: its node rows (consistent) and its creation instant. */
  loadBootstrap(bucketId: string): Promise<{ rows: BootstrapRow[]; createdAt: number | undefined }>;
}

export interface HealthStepOutcome {
  /** Buckets the index named. */
  found: number;
  /** Buckets advanced (a checkpoint written). */
  advanced: number;
  /** Health events written. */
  changes: number;
  /** Buckets recomputed from a day's start for a late input. */
  recomputed: number;
  /** Buckets left for the next run (a fault, or marks that kept arriving). */
  failed: number;
  error?: unknown;
}

const ATTEMPTS = 3;

/** "No upper bound" in a key range: the last ms of year 9999 (ISO keys keep 4-digit years). */
export const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The next instant after `t` at which a window starts or ends, if any. */
const nextBoundary = (windows: readonly MaintenanceWindow[], t: number): number | undefined => {
  let next: number | undefined;
  for (const w of windows) {
    for (const b of [w.start, w.end]) if (b > t && (next === undefined || b < next)) next = b;
  }
  return next;
};

const minDefined = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** One bucket, one attempt: false when the checkpoint's condition failed (try again). */
async function advanceBucket(
  ports: HealthStepPorts,
  bucketId: string,
  settled: number,
  staleMs: number,
  outcome: HealthStepOutcome,
): Promise<boolean> {
  const state = await ports.loadState(bucketId);
  if (state === undefined) return true; // nothing stored: nothing marked
  const windows = await ports.loadWindows(bucketId);

  let start: HealthCheckpoint;
  let startEntry: HealthPoint;
  let recompute = false;
  let fromCreation = false;
  if (state.checkpoint === undefined || state.entry === undefined) {
    const { rows, createdAt } = await ports.loadBootstrap(bucketId);
    const at = Math.min(settled, createdAt ?? settled);
    const later = await ports.loadInputs(bucketId, at, LAST_INSTANT);
    ({ checkpoint: start, entry: startEntry } = bootstrapCheckpoint(
      at,
      rows,
      later,
      windows,
      staleMs,
    ));
  } else if (state.markAt !== undefined && state.markAt <= state.checkpoint.asOf) {
    // A late input: the day it falls in is computed again from its start.
    const stored = state.checkpoint;
    const day = dayOf(Math.max(state.markAt, stored.createdAt));
    const entry = day === stored.day ? state.entry : await ports.loadDayEntry(bucketId, day);
    if (entry !== undefined && day === dayOf(stored.createdAt)) {
      // The bucket's first day: from its creation, whose verdict a window already active then
      // (one created later with its start in the past) makes MAINTENANCE, with no change
      // before the bucket existed.
      start = offlineAsIn(initialCheckpoint(stored.createdAt, windows), stored);
      startEntry = entry;
      recompute = true;
      fromCreation = true;
    } else if (entry === undefined) {
      // The day's entry is gone (older than the history retention): keep what is stored.
      start = stored;
      startEntry = state.entry;
    } else {
      start = offlineAsIn(checkpointAtDayEntry(day, entry, stored.createdAt), stored);
      startEntry = entry;
      recompute = true;
    }
  } else {
    start = state.checkpoint;
    startEntry = state.entry;
  }
  // An overlapping run may have settled further: never move a checkpoint backwards.
  const to = Math.max(settled, state.checkpoint?.asOf ?? settled);

  const [inputs, recorded] = await Promise.all([
    ports.loadInputs(bucketId, start.asOf, to),
    ports.loadRecordedChanges(bucketId, start.asOf),
  ]);
  const step = advanceHealth(start, inputs, windows, to);

  // Entries by day: the start's own, then each day the step entered.
  const entries = new Map<string, HealthPoint>([[start.day, startEntry]]);
  for (const { day, entry } of step.dayEntries) entries.set(day, entry);
  // A recomputation starts 1 ms before its day (or at the bucket's creation): the day before is
  // not its to write.
  const firstDay = recompute && !fromCreation ? dayOf(start.asOf + 1) : start.day;
  const closed = step.closedDays
    .filter((d) => d.day >= firstDay)
    .map((d) => ({ ...d, entry: entries.get(d.day) as HealthPoint }));

  const produced = new Set(step.changes.map((c) => `${c.at}#${c.to}`));
  const obsolete = recorded.filter((r) => r.at <= to && !produced.has(`${r.at}#${r.to}`));

  await Promise.all([
    ports.putChanges(bucketId, step.changes),
    ports.deleteChanges(bucketId, obsolete),
    ports.putClosedDays(bucketId, closed),
  ]);
  const known = new Set(recorded.map((r) => `${r.at}#${r.to}`));
  const fresh = step.changes.filter((c) => !known.has(`${c.at}#${c.to}`));
  if (fresh.length > 0) ports.onChangesRecorded?.(bucketId, fresh);
  const nextMark = minDefined(nextBoundary(windows, to), await ports.firstInputAfter(bucketId, to));
  const entry = entries.get(step.checkpoint.day) as HealthPoint;
  const written = await ports.writeCheckpoint(bucketId, step.checkpoint, entry, {
    expectVer: state.ver,
    expectMarkSeq: state.markSeq,
    nextMark,
  });
  if (!written) return false;
  outcome.advanced++;
  outcome.changes += step.changes.length;
  if (recompute) outcome.recomputed++;
  return true;
}

export async function runHealthStep(
  ports: HealthStepPorts,
  settled: number,
  staleMs: number,
  concurrency = 8,
): Promise<HealthStepOutcome> {
  const outcome: HealthStepOutcome = {
    found: 0,
    advanced: 0,
    changes: 0,
    recomputed: 0,
    failed: 0,
  };
  const buckets = [...new Set(await ports.findMarked(settled))];
  outcome.found = buckets.length;
  let next = 0;
  const worker = async () => {
    while (next < buckets.length) {
      const bucketId = buckets[next++] as string;
      try {
        let done = false;
        for (let attempt = 0; attempt < ATTEMPTS && !done; attempt++) {
          done = await advanceBucket(ports, bucketId, settled, staleMs, outcome);
        }
        // Marks kept arriving: the mark stays, and the next run takes the bucket again.
        if (!done) outcome.failed++;
      } catch (error) {
        outcome.failed++;
        outcome.error ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, buckets.length) }, worker));
  return outcome;
}
