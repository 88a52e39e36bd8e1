import { Unavailable } from '../domain/errors.ts';
import type { IngestResult, RejectedBucket } from '../wire/ingest.ts';

/** What became of one bucket of a report. */
export type BucketOutcome =
  | 'accepted'
  | 'not-assigned'
  | 'superseded'
  /** Its row write failed on a transient fault. */
  | 'unavailable'
  /** Its row landed, but its events or ended days could not be recorded. */
  | 'history-unavailable';

/** The reason the node reads for each refused bucket. */
export const REJECTION_REASONS: Record<Exclude<BucketOutcome, 'accepted'>, string> = {
  'not-assigned': 'not assigned',
  superseded: 'a newer report is already stored',
  unavailable: 'temporarily unavailable, retry',
  'history-unavailable': 'history could not be recorded; retry',
};

/**
 * The answer to the report, from each bucket's outcome in report order. Nothing is half-applied
 * silently: when a bucket failed on a transient fault, a 503 tells the node which buckets landed
 * and it retries the report (a new timestamp, so re-sending the accepted ones is harmless).
 */
export function ingestResultOf(
  buckets: readonly { bucketId: string; outcome: BucketOutcome }[],
): IngestResult {
  const accepted: string[] = [];
  const rejected: RejectedBucket[] = [];
  let unavailable = 0;
  for (const { bucketId, outcome } of buckets) {
    if (outcome === 'accepted') accepted.push(bucketId);
    else {
      rejected.push({ bucketId, reason: REJECTION_REASONS[outcome] });
      if (outcome === 'unavailable' || outcome === 'history-unavailable') unavailable++;
    }
  }
  if (unavailable > 0) {
    throw new Unavailable(
      `${unavailable} of ${buckets.length} bucket reports could not be stored; retry`,
      1,
      { details: { accepted, rejected } },
    );
  }
  return {
    success: true,
    message: `Accepted ${accepted.length} of ${buckets.length} bucket reports`,
    accepted,
    rejected,
  };
}
