/**
 * The wire types of POST /node/status as the reporter sends and reads them (DESIGN.md
 * section 3). test/types/wire-types.test.ts ties them to the ingest handler's own types, so a
 * change on either side fails `npm run check`.
 */

export type ReportedBucketStatus = 'ONLINE' | 'OFFLINE';

export interface ReportedBucket {
  bucketId: string;
  status: ReportedBucketStatus;
  /** Integer milliseconds, 0-600000; omitted when nothing was measured. */
  latency_ms?: number;
}

/** What the node says about itself in every report. */
export interface NodeIdentity {
  ip: string;
  region: string;
  version: string;
}

/** The request body: the node's identity and 1 to 100 buckets. */
export interface ReportBody extends NodeIdentity {
  buckets: ReportedBucket[];
}

export interface RejectedBucket {
  bucketId: string;
  reason: string;
}

/** The 200 body. */
export interface IngestResponse {
  success: true;
  message: string;
  accepted: string[];
  rejected: RejectedBucket[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** True for a body of the API's 200 shape (a proxy's or captive portal's 200 is not one). */
export function isIngestResponse(body: unknown): body is IngestResponse {
  return (
    isObject(body) &&
    body.success === true &&
    typeof body.message === 'string' &&
    Array.isArray(body.accepted) &&
    body.accepted.every((id) => typeof id === 'string') &&
    Array.isArray(body.rejected) &&
    body.rejected.every(
      (entry) =>
        isObject(entry) && typeof entry.bucketId === 'string' && typeof entry.reason === 'string',
    )
  );
}
