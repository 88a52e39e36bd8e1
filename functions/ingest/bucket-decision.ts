import { Unavailable } from '../domain/errors.ts';
import type { BucketWriteOutcome, BucketWriteResult } from '../domain/ports/ingest.ts';
import { type BucketRow, type FollowUp, followUpOf } from './follow-up.ts';
import type { BucketOutcome } from './ingest-result.ts';

/** One bucket of a report, as far as the report has got with it. */
export interface BucketRecord {
  bucketId: string;
  outcome: BucketOutcome;
  /** An accepted bucket's ended days and events still to record (none: nothing to record). */
  followUp?: FollowUp | undefined;
}

/**
 * What a bucket's row write decided: accepted (with what is left to record), refused, or
 * unavailable on a transient fault. Any other failure is a fault of the service: thrown.
 */
export function decideBucket(
  row: BucketRow,
  written: PromiseSettledResult<BucketWriteResult | BucketWriteOutcome>,
): BucketRecord {
  const { bucketId } = row;
  if (written.status === 'rejected') {
    if (!(written.reason instanceof Unavailable)) throw written.reason;
    return { bucketId, outcome: 'unavailable' };
  }
  const result = typeof written.value === 'string' ? { outcome: written.value } : written.value;
  if (result.outcome !== 'written') return { bucketId, outcome: result.outcome };
  const followUp = 'transitions' in result ? followUpOf(row, result) : undefined;
  return { bucketId, outcome: 'accepted', followUp };
}

/**
 * An accepted bucket after its follow-up: a transient fault makes it history-unavailable (the
 * row keeps the events and days pending, so the retry records them); any other failure is thrown.
 */
export function afterFollowUp(
  record: BucketRecord,
  recorded: PromiseSettledResult<unknown> | undefined,
): BucketRecord {
  if (recorded === undefined || recorded.status === 'fulfilled') return record;
  if (!(recorded.reason instanceof Unavailable)) throw recorded.reason;
  return { bucketId: record.bucketId, outcome: 'history-unavailable' };
}
