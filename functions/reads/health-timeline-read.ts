/**
 * What every health read (GET health, GET health/events, GET uptime, POST stats) does with the
 * bucket's verdict timeline (docs/ARCHITECTURE.md, "Bucket health"): read the STATE row, the
 * windows and the tail of inputs in the same round trip as the user's partition and the
 * bucket's first page, then advance a copy of the stored checkpoint to now with the tail and the
 * silences the sweep has not noticed yet. A read is exact at its instant; it writes nothing.
 */
import type { HealthInput, MaintenanceWindow } from '../domain/health.ts';
import { type LastReport, unnoticedSilences } from '../domain/health-read.ts';
import { advanceHealth, type HealthStep } from '../domain/health-timeline.ts';
import type {
  LoadHealthState,
  LoadHealthTail,
  LoadWindows,
  StoredHealthState,
} from '../domain/ports/health.ts';

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
 * The inputs after the checkpoint: those the first round trip read when they cover it, else
 * (a checkpoint before the bound with a mark before the bound) a second read from the checkpoint.
 */
export async function tailAfterCheckpoint(
  bucketId: string,
  reads: HealthReads,
  deps: HealthTimelineDeps,
): Promise<HealthInput[]> {
  const checkpoint = reads.state?.checkpoint;
  if (checkpoint === undefined) return [];
  const { asOf } = checkpoint;
  const markAt = reads.state?.markAt;
  const covered = asOf >= reads.bound || markAt === undefined || markAt > reads.bound;
  const tail = covered ? reads.tail : await deps.loadHealthTail(bucketId, asOf);
  return tail.filter((input) => input.at > asOf);
}

/**
 * A copy of the checkpoint advanced to now with the tail and the unnoticed silences of the
 * rows' last reports; undefined when the bucket has no checkpoint yet.
 */
export function advanceToNow(
  reads: HealthReads,
  tail: readonly HealthInput[],
  reports: readonly LastReport[],
  nowMs: number,
  deps: Pick<HealthTimelineDeps, 'staleAfterSeconds'>,
): HealthStep | undefined {
  const checkpoint = reads.state?.checkpoint;
  if (checkpoint === undefined) return undefined;
  const to = Math.max(nowMs, checkpoint.asOf);
  const silences = unnoticedSilences(
    reports,
    tail,
    checkpoint.asOf,
    to,
    deps.staleAfterSeconds * 1000,
  );
  return advanceHealth(checkpoint, [...tail, ...silences], reads.windows, to);
}
