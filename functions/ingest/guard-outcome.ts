import { RateLimited } from '../domain/errors.ts';
import type { AcceptedWithHints, BucketHint, ReportGuardOutcome } from '../domain/ports/ingest.ts';
import { NODE_NOT_AUTHENTICATED, nodeUnauthenticated } from './authenticate-report.ts';

/**
 * What the replay guard's answer means for the report: an accepted report's hints (the buckets'
 * predecessors; none when the guard returned none), or the error that refuses it.
 */
export function hintsOfAccepted(
  guard: ReportGuardOutcome | AcceptedWithHints,
  minReportIntervalMs: number,
): ReadonlyMap<string, BucketHint> {
  if (typeof guard === 'object') return guard.previous;
  if (guard === 'unknown-node' || guard === 'disabled') {
    throw nodeUnauthenticated(NODE_NOT_AUTHENTICATED);
  }
  if (guard === 'replay') {
    throw nodeUnauthenticated(
      'X-Node-Timestamp is not newer than the last accepted report (replay)',
    );
  }
  if (guard === 'too-frequent') {
    throw new RateLimited(
      `At most one report per ${minReportIntervalMs} ms per node`,
      Math.max(1, Math.ceil(minReportIntervalMs / 1000)),
    );
  }
  return new Map();
}
