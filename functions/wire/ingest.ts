/** POST /node/status (DESIGN.md section 3): the signed report a node sends, and the answers. */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { Id, Region } from './common.ts';
import { LatencyMs } from './status.ts';

export const MAX_BUCKETS_PER_REPORT = 100;
/** The longest IPv6 literal (IPv4-mapped, uncompressed) is 45 characters. */
export const MAX_IP_LENGTH = 45;
export const MAX_VERSION_LENGTH = 64;
// semver.org's reference expression behind a lookahead that bounds the length first: a validator
// may run the pattern whatever maxLength said (TypeBox's error listing does), and a 64 KiB
// version would cost it about 100 ms.
const SEMVER =
  '^(?=.{1,64}$)(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';

const addressLiteral = (format: 'ipv4' | 'ipv6') =>
  Type.String({ maxLength: MAX_IP_LENGTH, pattern: '^[^%]*$', format });

export const ReportedStatus = Type.Union([Type.Literal('ONLINE'), Type.Literal('OFFLINE')]);
export type ReportedStatus = Static<typeof ReportedStatus>;

export const BucketReport = Type.Object(
  { bucketId: Id, status: ReportedStatus, latency_ms: Type.Optional(LatencyMs) },
  { additionalProperties: false },
);

export const NodeReport = Type.Object(
  {
    // Bounded before the address check: Node accepts an IPv6 zone id (`fe80::1%eth0`) of any
    // length, which would be stored in every bucket row of the report (DESIGN.md section 7).
    ip: Type.Union([addressLiteral('ipv4'), addressLiteral('ipv6')], {
      description: 'An IPv4 or IPv6 address literal, without a zone id.',
    }),
    region: Region,
    version: Type.String({
      maxLength: MAX_VERSION_LENGTH,
      description: 'A semantic version (semver.org), e.g. 1.2.3.',
      pattern: SEMVER,
    }),
    buckets: Type.Array(BucketReport, {
      minItems: 1,
      maxItems: MAX_BUCKETS_PER_REPORT,
      description: 'Each bucket at most once.',
    }),
  },
  { additionalProperties: false },
);
/** The report body as sent (`latency_ms` on the wire). */
export type NodeReportBody = Static<typeof NodeReport>;

export const RejectedBucket = Type.Object(
  { bucketId: Type.String(), reason: Type.String() },
  { additionalProperties: false },
);
export type RejectedBucket = Static<typeof RejectedBucket>;

export const IngestResult = Type.Object(
  {
    success: Type.Literal(true),
    message: Type.String(),
    accepted: Type.Array(Type.String()),
    rejected: Type.Array(RejectedBucket),
  },
  { additionalProperties: false },
);
export type IngestResult = Static<typeof IngestResult>;

/** A 503 of the ingestion route; lists the bucket reports that were stored, if any. */
export const PartialIngestError = Type.Object(
  {
    success: Type.Literal(false),
    message: Type.String({ minLength: 1 }),
    accepted: Type.Optional(Type.Array(Type.String())),
    rejected: Type.Optional(Type.Array(RejectedBucket)),
  },
  {
    additionalProperties: false,
    description: 'A 503 of the ingestion route; lists the bucket reports that were stored, if any.',
  },
);
