import type { BucketHint, TimelineWrite, TimelineWriteResult } from '../data/bucket-timeline.ts';
import type { HistoryDaysWrite } from '../data/history-days.ts';
import type { AcceptReportTimestamp, GetRegisteredNode } from '../data/node-registry.ts';
import type { NodeEvent } from '../domain/events.ts';
import { MAX_REPORT_BYTES, parseNodeReport } from '../domain/node-report.ts';
import { verifyNodeSignature } from '../domain/node-signature.ts';
import {
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../shared/errors.ts';
import { ApiErrorWithDetails } from '../shared/http-response.ts';
import { isValidId } from '../shared/keys.ts';

/** How far the node's clock may be from ours, either way. */
export const TIMESTAMP_WINDOW_MS = 300_000;
const TIMESTAMP = /^\d{1,16}$/;

export interface SignedReport {
  nodeId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Uint8Array;
  receivedAtMs: number;
}

export type BucketWriteOutcome = TimelineWriteResult['outcome'];

/** Port: one bucket's node row and its day slot, exactly once (data/bucket-timeline.ts). */
export type WriteBucketReport = (
  write: TimelineWrite,
) => Promise<TimelineWriteResult | BucketWriteOutcome>;

/** Port: ended days of one node to history rows (data/history-days.ts). */
export type WriteHistoryDays = (write: HistoryDaysWrite) => Promise<void>;

/** Port: the transitions a report made, to the event writer (data/events.ts). */
export type RecordTransitions = (events: readonly NodeEvent[]) => Promise<unknown>;

export interface IngestDeps {
  getRegisteredNode: GetRegisteredNode;
  acceptReportTimestamp: AcceptReportTimestamp;
  writeBucketReport: WriteBucketReport;
  /** Defaults to writing nothing (tests of the first release's paths only). */
  writeHistoryDays?: WriteHistoryDays;
  /** Defaults to a no-op until an event writer is wired. */
  recordTransitions?: RecordTransitions;
  minReportIntervalMs: number;
}

export interface RejectedBucket {
  bucketId: string;
  reason: string;
}

export interface IngestResult {
  success: true;
  message: string;
  accepted: string[];
  rejected: RejectedBucket[];
}

const unauthorized = (message: string) =>
  new UnauthorizedError(message, 'NodeSignature realm="bucket-status"');

const REJECTION_REASONS: Record<Exclude<BucketWriteOutcome, 'written'>, string> = {
  'not-assigned': 'not assigned',
  superseded: 'a newer report is already stored',
};
const UNAVAILABLE_REASON = 'temporarily unavailable, retry';
const HISTORY_UNAVAILABLE_REASON = 'history could not be recorded; retry';

const nothing = async () => undefined;

/**
 * POST /node/status. Cheap checks first (headers, size, clock window), then the signature
 * over the raw bytes, and only then is the body parsed. The replay guard runs before any
 * bucket row is written; bucket rows are then written in parallel, each conditionally.
 */
export async function receiveNodeReport(
  request: SignedReport,
  deps: IngestDeps,
): Promise<IngestResult> {
  const { nodeId, timestamp, signature, rawBody, receivedAtMs } = request;
  if (nodeId === undefined || timestamp === undefined || signature === undefined) {
    throw unauthorized('X-Node-Id, X-Node-Timestamp and X-Node-Signature are required');
  }
  if (!isValidId(nodeId)) throw unauthorized('X-Node-Id is not a valid node id');
  if (!TIMESTAMP.test(timestamp)) throw unauthorized('X-Node-Timestamp must be epoch milliseconds');
  if (rawBody.byteLength > MAX_REPORT_BYTES) {
    throw new PayloadTooLargeError(`The report must be at most ${MAX_REPORT_BYTES} bytes`);
  }
  const timestampMs = Number(timestamp);
  if (Math.abs(timestampMs - receivedAtMs) > TIMESTAMP_WINDOW_MS) {
    throw unauthorized('X-Node-Timestamp is more than 300 s away from the server clock');
  }
  const node = await deps.getRegisteredNode(nodeId);
  if (node === undefined || node.status !== 'ACTIVE')
    throw unauthorized('Unknown or disabled node');
  if (!verifyNodeSignature(node.publicKey, nodeId, timestamp, rawBody, signature)) {
    throw unauthorized('The report signature does not verify');
  }
  const report = parseNodeReport(rawBody);

  const guard = await deps.acceptReportTimestamp({
    nodeId,
    timestamp: timestampMs,
    receivedAtMs,
    minIntervalMs: deps.minReportIntervalMs,
    ip: report.ip,
    region: report.region,
    version: report.version,
    buckets: report.buckets,
  });
  const hints: ReadonlyMap<string, BucketHint> =
    typeof guard === 'object' ? guard.previous : new Map();
  if (guard === 'unknown-node' || guard === 'disabled')
    throw unauthorized('Unknown or disabled node');
  if (guard === 'replay') {
    throw unauthorized('X-Node-Timestamp is not newer than the last accepted report (replay)');
  }
  if (guard === 'too-frequent') {
    throw new TooManyRequestsError(
      `At most one report per ${deps.minReportIntervalMs} ms per node`,
      Math.max(1, Math.ceil(deps.minReportIntervalMs / 1000)),
    );
  }

  // Round trip 2: every bucket row, in parallel, each conditional.
  const outcomes = await Promise.allSettled(
    report.buckets.map((bucket) =>
      deps.writeBucketReport({
        nodeId,
        bucket,
        ip: report.ip,
        region: report.region,
        version: report.version,
        timestamp: timestampMs,
        receivedAtMs,
        hint: hints.get(bucket.bucketId),
      }),
    ),
  );
  const accepted: string[] = [];
  const rejected: RejectedBucket[] = [];
  let unavailable = 0;
  const followUps: { bucketId: string; work: Promise<unknown> }[] = [];
  const writeHistoryDays = deps.writeHistoryDays ?? nothing;
  const recordTransitions = deps.recordTransitions ?? nothing;
  outcomes.forEach((outcome, index) => {
    const bucketId = (report.buckets[index] as { bucketId: string }).bucketId;
    if (outcome.status === 'rejected') {
      if (!(outcome.reason instanceof ServiceUnavailableError)) throw outcome.reason;
      unavailable++;
      rejected.push({ bucketId, reason: UNAVAILABLE_REASON });
      return;
    }
    const result = typeof outcome.value === 'string' ? undefined : outcome.value;
    const kind = result?.outcome ?? (outcome.value as BucketWriteOutcome);
    if (kind !== 'written') {
      rejected.push({ bucketId, reason: REJECTION_REASONS[kind] });
      return;
    }
    if (result?.outcome !== 'written') {
      accepted.push(bucketId);
      return;
    }
    // Round trip 3, only for a report that changed state or began a day: the events and
    // the ended days, after the write that proved the predecessor.
    const work: Promise<unknown>[] = [];
    if (result.closedDays.length > 0) {
      work.push(
        writeHistoryDays({ bucketId, nodeId, assignedAt: result.assignedAt, days: result.closedDays }),
      );
    }
    if (result.transitions.length > 0) {
      work.push(
        recordTransitions(
          result.transitions.map((t) => {
            const from = t.to === 'DISCONNECTED' ? result.predecessor : undefined;
            return {
              bucketId,
              nodeId,
              ip: from?.ip ?? report.ip,
              region: from?.region ?? report.region,
              from: t.from,
              to: t.to,
              at: new Date(t.at).toISOString(),
            };
          }),
        ),
      );
    }
    if (work.length === 0) accepted.push(bucketId);
    else followUps.push({ bucketId, work: Promise.all(work) });
  });
  const settled = await Promise.allSettled(followUps.map((f) => f.work));
  settled.forEach((outcome, index) => {
    const { bucketId } = followUps[index] as { bucketId: string };
    if (outcome.status === 'fulfilled') accepted.push(bucketId);
    else if (outcome.reason instanceof ServiceUnavailableError) {
      unavailable++;
      rejected.push({ bucketId, reason: HISTORY_UNAVAILABLE_REASON });
    } else {
      throw outcome.reason;
    }
  });
  if (unavailable > 0) {
    // Nothing is half-applied silently: the node learns which buckets landed and retries
    // the report (a new timestamp, so re-sending the accepted ones is harmless).
    throw new ApiErrorWithDetails(
      new ServiceUnavailableError(
        `${unavailable} of ${report.buckets.length} bucket reports could not be stored; retry`,
      ),
      { accepted, rejected },
    );
  }
  return {
    success: true,
    message: `Accepted ${accepted.length} of ${report.buckets.length} bucket reports`,
    accepted,
    rejected,
  };
}
