import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { PayloadTooLarge, RateLimited, Unauthenticated, Unavailable } from '../domain/errors.ts';
import { isValidId } from '../domain/ids.ts';
import { type BucketReport, MAX_REPORT_BYTES, parseNodeReport } from '../domain/node-report.ts';
import { verifyNodeSignature } from '../domain/node-signature.ts';

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

// Ports: what this use case needs from the data layer (functions/data/ implements them).

/** The node's META row, as far as authenticating its reports needs it. */
export interface RegisteredNode {
  publicKey: KeyObject;
  status: string | undefined;
}

/** Port: the node's key and status; undefined for an unknown node or a corrupt key. */
export type GetRegisteredNode = (nodeId: string) => Promise<RegisteredNode | undefined>;

export type ReportGuardOutcome =
  | 'accepted'
  | 'unknown-node'
  | 'disabled'
  | 'replay'
  | 'too-frequent';

export interface ReportGuardInput {
  nodeId: string;
  /** The node's own clock, ms: must be newer than its last accepted report. */
  timestamp: number;
  receivedAtMs: number;
  /** Reports closer together than this (server clock) are refused; 0 turns the limit off. */
  minIntervalMs: number;
  ip: string;
  region: string;
  version: string;
}

/** Port: the replay guard and per-node rate limit, one atomic step on the node's row. */
export type AcceptReportTimestamp = (input: ReportGuardInput) => Promise<ReportGuardOutcome>;

export interface BucketRowWrite {
  nodeId: string;
  bucket: BucketReport;
  ip: string;
  region: string;
  version: string;
  /** The node's timestamp: orders reports, so an older one never overwrites a newer one. */
  timestamp: number;
  /** The server's receive time, ISO 8601: becomes lastUpdated. */
  receivedAt: string;
}

export type BucketWriteOutcome = 'written' | 'not-assigned' | 'superseded';

/** Port: one bucket's node row, written only if assigned and not superseded. */
export type WriteBucketReport = (write: BucketRowWrite) => Promise<BucketWriteOutcome>;

export interface IngestDeps {
  getRegisteredNode: GetRegisteredNode;
  acceptReportTimestamp: AcceptReportTimestamp;
  writeBucketReport: WriteBucketReport;
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
  });
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

  const receivedAt = new Date(receivedAtMs).toISOString();
  const outcomes = await Promise.allSettled(
    report.buckets.map((bucket) =>
      deps.writeBucketReport({
        nodeId,
        bucket,
        ip: report.ip,
        region: report.region,
        version: report.version,
        timestamp: timestampMs,
        receivedAt,
      }),
    ),
  );
  const accepted: string[] = [];
  const rejected: RejectedBucket[] = [];
  let unavailable = 0;
  outcomes.forEach((outcome, index) => {
    const bucketId = (report.buckets[index] as { bucketId: string }).bucketId;
    if (outcome.status === 'fulfilled') {
      if (outcome.value === 'written') accepted.push(bucketId);
      else rejected.push({ bucketId, reason: REJECTION_REASONS[outcome.value] });
    } else if (outcome.reason instanceof Unavailable) {
      unavailable++;
      rejected.push({ bucketId, reason: UNAVAILABLE_REASON });
    } else {
      throw outcome.reason;
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
