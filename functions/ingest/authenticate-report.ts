import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { PayloadTooLarge, Unauthenticated } from '../domain/errors.ts';
import { isValidId } from '../domain/ids.ts';
import { MAX_REPORT_BYTES, type NodeReport, parseNodeReport } from '../domain/node-report.ts';
import { verifyNodeSignature } from '../domain/node-signature.ts';
import type { GetRegisteredNode } from '../domain/ports/ingest.ts';

/** How far the node's clock may be from ours, either way. */
export const TIMESTAMP_WINDOW_MS = 300_000;
const TIMESTAMP = /^\d{1,16}$/;

/**
 * The one 401 message for an unknown node, a disabled node and a bad signature (DESIGN.md
 * section 7): the route does not tell which node ids exist.
 */
export const NODE_NOT_AUTHENTICATED =
  'The node is not registered and active, or the report signature does not verify';

/** A report as it arrived: the node's three headers, the raw body and our receive time. */
export interface SignedReport {
  nodeId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Uint8Array;
  receivedAtMs: number;
}

/** A report whose signature verified, parsed. */
export interface AuthenticatedReport {
  nodeId: string;
  /** The node's X-Node-Timestamp, ms. */
  timestampMs: number;
  receivedAtMs: number;
  report: NodeReport;
}

export const nodeUnauthenticated = (message: string) =>
  new Unauthenticated(message, 'node-signature');

/** Verifies an unknown node's signature too (against a key nobody holds): same work either way. */
let nobodysKey: KeyObject | undefined;
function keyOfNobody(): KeyObject {
  nobodysKey ??= generateKeyPairSync('ed25519').publicKey;
  return nobodysKey;
}

/**
 * Cheap checks first (headers, size, clock window), then the signature over the raw bytes, and
 * only then is the body parsed.
 */
export async function authenticateReport(
  request: SignedReport,
  getRegisteredNode: GetRegisteredNode,
): Promise<AuthenticatedReport> {
  const { nodeId, timestamp, signature, rawBody, receivedAtMs } = request;
  if (nodeId === undefined || timestamp === undefined || signature === undefined) {
    throw nodeUnauthenticated('X-Node-Id, X-Node-Timestamp and X-Node-Signature are required');
  }
  if (!isValidId(nodeId)) throw nodeUnauthenticated('X-Node-Id is not a valid node id');
  if (!TIMESTAMP.test(timestamp)) {
    throw nodeUnauthenticated('X-Node-Timestamp must be epoch milliseconds');
  }
  if (rawBody.byteLength > MAX_REPORT_BYTES) {
    throw new PayloadTooLarge(`The report must be at most ${MAX_REPORT_BYTES} bytes`);
  }
  const timestampMs = Number(timestamp);
  if (Math.abs(timestampMs - receivedAtMs) > TIMESTAMP_WINDOW_MS) {
    throw nodeUnauthenticated('X-Node-Timestamp is more than 300 s away from the server clock');
  }
  const node = await getRegisteredNode(nodeId);
  const verified = verifyNodeSignature(
    node?.publicKey ?? keyOfNobody(),
    nodeId,
    timestamp,
    rawBody,
    signature,
  );
  if (node === undefined || node.status !== 'ACTIVE' || !verified) {
    throw nodeUnauthenticated(NODE_NOT_AUTHENTICATED);
  }
  return { nodeId, timestampMs, receivedAtMs, report: parseNodeReport(rawBody) };
}
