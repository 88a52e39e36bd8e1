import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { PayloadTooLarge, RateLimited, Unauthenticated, Unavailable } from '../domain/errors.ts';
import type { NodeEvent } from '../domain/events.ts';
import { isValidId } from '../domain/ids.ts';
import { MAX_REPORT_BYTES, parseNodeReport } from '../domain/node-report.ts';
import { verifyNodeSignature } from '../domain/node-signature.ts';
import type { NodeStatus } from '../domain/node-status.ts';
import type {
  AcceptReportTimestamp,
  BucketHint,
  BucketWriteOutcome,
  ClearPendingEvents,
  ForgetHints,
  GetRegisteredNode,
  RecordTransitions,
  TimelineWritten,
  WriteBucketReport,
  WriteHistoryDays,
} from '../domain/ports/ingest.ts';
import type { Transition } from '../domain/timeline.ts';
import type { IngestResult, RejectedBucket } from '../wire/ingest.ts';

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

export interface IngestDeps {
  getRegisteredNode: GetRegisteredNode;
  acceptReportTimestamp: AcceptReportTimestamp;
  writeBucketReport: WriteBucketReport;
  /** Defaults to writing nothing (tests of the first release's paths only). */
  writeHistoryDays?: WriteHistoryDays;
  /** Defaults to a no-op until an event writer is wired. */
  recordTransitions?: RecordTransitions;
  /** Defaults to a no-op (then pending events are only ever re-recorded, never cleared). */
  clearPendingEvents?: ClearPendingEvents;
  /**
   * Drops the guard's hints of buckets the node is not assigned to, so a node reporting for
   * buckets it does not serve cannot grow its META row (data/node-registry.ts). Best effort.
   */
  forgetHints?: ForgetHints;
  minReportIntervalMs: number;
}

export type { IngestResult, RejectedBucket };

const unauthorized = (message: string) => new Unauthenticated(message, 'node-signature');

/**
 * The one 401 message for an unknown node, a disabled node and a bad signature (DESIGN.md
 * section 7): the route does not tell which node ids exist.
 */
export const NODE_NOT_AUTHENTICATED =
  'The node is not registered and active, or the report signature does not verify';

/** Verifies an unknown node's signature too (against a key nobody holds): same work either way. */
let nobodysKey: KeyObject | undefined;
const keyOfNobody = () => {
  nobodysKey ??= generateKeyPairSync('ed25519').publicKey;
  return nobodysKey;
};

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
    throw new PayloadTooLarge(`The report must be at most ${MAX_REPORT_BYTES} bytes`);
  }
  const timestampMs = Number(timestamp);
  if (Math.abs(timestampMs - receivedAtMs) > TIMESTAMP_WINDOW_MS) {
    throw unauthorized('X-Node-Timestamp is more than 300 s away from the server clock');
  }
  const node = await deps.getRegisteredNode(nodeId);
  const verified = verifyNodeSignature(
    node?.publicKey ?? keyOfNobody(),
    nodeId,
    timestamp,
    rawBody,
    signature,
  );
  if (node === undefined || node.status !== 'ACTIVE' || !verified) {
    throw unauthorized(NODE_NOT_AUTHENTICATED);
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
  if (guard === 'unknown-node' || guard === 'disabled') throw unauthorized(NODE_NOT_AUTHENTICATED);
  if (guard === 'replay') {
    throw unauthorized('X-Node-Timestamp is not newer than the last accepted report (replay)');
  }
  if (guard === 'too-frequent') {
    throw new RateLimited(
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
  // Per bucket, in report order: undefined = accepted, else the rejection reason.
  const reasons: (string | undefined)[] = [];
  const followUps: { index: number; work: Promise<unknown> }[] = [];
  outcomes.forEach((outcome, index) => {
    const bucketId = (report.buckets[index] as { bucketId: string }).bucketId;
    if (outcome.status === 'rejected') {
      if (!(outcome.reason instanceof Unavailable)) throw outcome.reason;
      reasons[index] = UNAVAILABLE_REASON;
      return;
    }
    const result = typeof outcome.value === 'string' ? { outcome: outcome.value } : outcome.value;
    if (result.outcome !== 'written') {
      reasons[index] = REJECTION_REASONS[result.outcome];
      return;
    }
    const work = 'transitions' in result ? followUp(bucketId, nodeId, report, result, deps) : [];
    if (work.length > 0) {
      followUps.push({ index, work: Promise.all(work) });
    }
  });
  // Round trip 3, only for a report that changed state or began a day: the events and the
  // ended days, after the write that proved the predecessor (docs/ARCHITECTURE.md, "History").
  const unassigned = report.buckets
    .filter((_, index) => reasons[index] === REJECTION_REASONS['not-assigned'])
    .map((bucket) => bucket.bucketId);
  const forgetting =
    unassigned.length > 0 && deps.forgetHints !== undefined
      ? deps.forgetHints(nodeId, unassigned).catch(() => undefined)
      : undefined;
  const settled = await Promise.allSettled(followUps.map((f) => f.work));
  await forgetting;
  // Round trip 4, only after a bucket's events and ended days were recorded: its row forgets them
  // as pending (best effort: a row that keeps them has the next write record them again).
  const clear = deps.clearPendingEvents;
  if (clear !== undefined) {
    await Promise.all(
      followUps
        .filter((_, i) => settled[i]?.status === 'fulfilled')
        .map((f) =>
          clear({
            bucketId: (report.buckets[f.index] as { bucketId: string }).bucketId,
            nodeId,
            timestamp: timestampMs,
          }).catch(() => undefined),
        ),
    );
  }
  settled.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') return;
    if (!(outcome.reason instanceof Unavailable)) throw outcome.reason;
    reasons[(followUps[i] as { index: number }).index] = HISTORY_UNAVAILABLE_REASON;
  });
  const accepted: string[] = [];
  const rejected: RejectedBucket[] = [];
  let unavailable = 0;
  report.buckets.forEach(({ bucketId }, index) => {
    const reason = reasons[index];
    if (reason === undefined) accepted.push(bucketId);
    else {
      rejected.push({ bucketId, reason });
      if (reason === UNAVAILABLE_REASON || reason === HISTORY_UNAVAILABLE_REASON) unavailable++;
    }
  });
  if (unavailable > 0) {
    // Nothing is half-applied silently: the node learns which buckets landed and retries
    // the report (a new timestamp, so re-sending the accepted ones is harmless).
    throw new Unavailable(
      `${unavailable} of ${report.buckets.length} bucket reports could not be stored; retry`,
      1,
      { details: { accepted, rejected } },
    );
  }
  return {
    success: true,
    message: `Accepted ${accepted.length} of ${report.buckets.length} bucket reports`,
    accepted,
    rejected,
  };
}

function followUp(
  bucketId: string,
  nodeId: string,
  report: { ip: string; region: string },
  result: TimelineWritten,
  deps: IngestDeps,
): Promise<unknown>[] {
  const work: Promise<unknown>[] = [];
  if (result.closedDays.length > 0) {
    work.push(
      (deps.writeHistoryDays ?? nothing)({
        bucketId,
        nodeId,
        assignedAt: result.assignedAt,
        days: result.closedDays,
      }),
    );
  }
  const event = (
    t: Transition,
    source: { ip?: string | undefined; region?: string | undefined } | undefined,
  ) => ({
    bucketId,
    nodeId,
    ip: source?.ip ?? report.ip,
    region: source?.region ?? report.region,
    from: t.from as NodeStatus,
    to: t.to as NodeStatus,
    at: new Date(t.at).toISOString(),
  });
  // Earlier reports' transitions the row still holds as pending (their event write failed),
  // then this report's own; one event per instant and target state (the event key).
  const byKey = new Map<string, NodeEvent>();
  for (const t of result.pending ?? []) byKey.set(`${t.at}#${t.to}`, event(t, t));
  for (const t of result.transitions) {
    // A change to DISCONNECTED describes the predecessor: its ip and region.
    const key = `${t.at}#${t.to}`;
    if (!byKey.has(key)) {
      byKey.set(key, event(t, t.to === 'DISCONNECTED' ? result.predecessor : undefined));
    }
  }
  if (byKey.size > 0) {
    work.push((deps.recordTransitions ?? nothing)([...byKey.values()]));
  }
  return work;
}
