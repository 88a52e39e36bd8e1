import type { IngestResult } from '../wire/ingest.ts';
import { authenticateReport, type SignedReport } from './authenticate-report.ts';
import { afterFollowUp, decideBucket } from './bucket-decision.ts';
import type { FollowUp } from './follow-up.ts';
import { hintsOfAccepted } from './guard-outcome.ts';
import { ingestResultOf } from './ingest-result.ts';
import type { IngestDeps } from './ports.ts';

/**
 * POST /node/status. The report is authenticated (authenticate-report.ts), and the replay guard
 * runs before any bucket row is written; bucket rows are then written in parallel, each
 * conditionally, and each bucket's outcome decided on its own (bucket-decision.ts).
 */
export async function receiveNodeReport(
  request: SignedReport,
  deps: IngestDeps,
): Promise<IngestResult> {
  const { nodeId, timestampMs, receivedAtMs, report } = await authenticateReport(
    request,
    deps.getRegisteredNode,
  );
  const { ip, region, version } = report;
  const guard = await deps.acceptReportTimestamp({
    nodeId,
    timestamp: timestampMs,
    receivedAtMs,
    minIntervalMs: deps.minReportIntervalMs,
    ip,
    region,
    version,
    buckets: report.buckets,
  });
  const hints = hintsOfAccepted(guard, deps.minReportIntervalMs);

  // Round trip 2: every bucket row, in parallel, each conditional.
  const decided = await Promise.all(
    report.buckets.map(async (bucket) => {
      const write = deps.writeBucketReport({
        nodeId,
        bucket,
        ip,
        region,
        version,
        timestamp: timestampMs,
        receivedAtMs,
        hint: hints.get(bucket.bucketId),
      });
      return {
        row: { bucketId: bucket.bucketId, nodeId, ip, region },
        written: await settle(write),
      };
    }),
  );
  const records = decided.map(({ row, written }) => decideBucket(row, written));

  // Round trip 3, only for a report that changed state or began a day: the events and the
  // ended days, after the write that proved the predecessor (docs/ARCHITECTURE.md, "History");
  // the event writer then marks the bucket's health (one more, or two).
  const following = Promise.all(
    records.map(async (record) => ({
      record,
      recorded:
        record.followUp === undefined
          ? undefined
          : await settle(recordFollowUp(record.followUp, deps)),
    })),
  );
  const unassigned = records
    .filter((record) => record.outcome === 'not-assigned')
    .map((record) => record.bucketId);
  const forgetting =
    unassigned.length > 0 ? deps.forgetHints(nodeId, unassigned).catch(() => undefined) : undefined;
  const followed = await following;
  await forgetting;

  // The last round trip, only after a bucket's events (and mark) and ended days were recorded:
  // its row forgets them as pending (best effort: a row that keeps them has the next write
  // record them again).
  await Promise.all(
    followed
      .filter(({ recorded }) => recorded?.status === 'fulfilled')
      .map(({ record }) =>
        deps
          .clearPendingEvents({ bucketId: record.bucketId, nodeId, timestamp: timestampMs })
          .catch(() => undefined),
      ),
  );
  return ingestResultOf(followed.map(({ record, recorded }) => afterFollowUp(record, recorded)));
}

/** The ended days and the events of one bucket, in parallel. */
function recordFollowUp(followUp: FollowUp, deps: IngestDeps): Promise<unknown> {
  const work: Promise<unknown>[] = [];
  if (followUp.history !== undefined) work.push(deps.writeHistoryDays(followUp.history));
  if (followUp.events.length > 0) work.push(deps.recordTransitions(followUp.events));
  return Promise.all(work);
}

/** A promise's outcome, as Promise.allSettled reports it. */
function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}
