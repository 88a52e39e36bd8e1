import { isIP } from 'node:net';
import { ValidationError } from './errors.ts';
import { isValidId } from './ids.ts';
import type { ReportedStatus } from './node-status.ts';

/** The report body of DESIGN.md section 3, after validation. */
export interface NodeReport {
  ip: string;
  region: string;
  version: string;
  buckets: BucketReport[];
}

export interface BucketReport {
  bucketId: string;
  status: ReportedStatus;
  latencyMs: number | undefined;
}

export const MAX_REPORT_BYTES = 64 * 1024;
export const MAX_BUCKETS_PER_REPORT = 100;
/**
 * The most buckets one node can be assigned to (enforced by the operator data module,
 * admin/operator-store.ts, with a counter on the node's META row). The META row keeps one
 * replay-guard hint per bucket (docs/ARCHITECTURE.md, "History"): about 67 bytes with UUID ids,
 * about 160 with 128-character ids, so 1,000 buckets (plus the at most 100 of one report
 * before unassigned hints are forgotten) keep the row under 180 KB, far from DynamoDB's
 * 400 KB item limit. The reporter allows the same number of --bucket options.
 */
export const MAX_BUCKETS_PER_NODE = 1_000;
export const MAX_LATENCY_MS = 600_000;
/** The longest IPv6 literal (IPv4-mapped, uncompressed) is 45 characters. */
export const MAX_IP_LENGTH = 45;
const REGION = /^[a-z0-9-]{1,64}$/;
// semver.org's reference expression, bounded in length before it runs.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
export const MAX_VERSION_LENGTH = 64;
const REPORT_FIELDS = new Set(['ip', 'region', 'version', 'buckets']);
const BUCKET_FIELDS = new Set(['bucketId', 'status', 'latency_ms']);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function rejectUnknownFields(value: Record<string, unknown>, allowed: Set<string>, where: string) {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key))
      throw new ValidationError(`${where} has an unknown field "${key.slice(0, 64)}"`);
  }
}

/** Parses and validates the raw (already signature-checked) body; 400 names the bad field. */
export function parseNodeReport(rawBody: Uint8Array): NodeReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
  } catch {
    throw new ValidationError('The body is not valid UTF-8 JSON');
  }
  if (!isPlainObject(parsed)) throw new ValidationError('The body must be a JSON object');
  rejectUnknownFields(parsed, REPORT_FIELDS, 'The body');
  const { ip, region, version, buckets } = parsed;
  // Bounded before isIP runs: Node accepts an IPv6 zone id (`fe80::1%eth0`) of any length,
  // which would be stored in every bucket row of the report (DESIGN.md section 7).
  if (typeof ip !== 'string' || ip.length > MAX_IP_LENGTH || ip.includes('%') || isIP(ip) === 0) {
    throw new ValidationError(
      `ip must be an IPv4 or IPv6 address literal of at most ${MAX_IP_LENGTH} characters, without a zone id`,
    );
  }
  if (typeof region !== 'string' || !REGION.test(region)) {
    throw new ValidationError('region must be 1-64 characters of a-z, 0-9 or -');
  }
  if (typeof version !== 'string' || version.length > MAX_VERSION_LENGTH || !SEMVER.test(version)) {
    throw new ValidationError('version must be a semantic version such as 1.2.3');
  }
  if (!Array.isArray(buckets) || buckets.length < 1 || buckets.length > MAX_BUCKETS_PER_REPORT) {
    throw new ValidationError(`buckets must be an array of 1 to ${MAX_BUCKETS_PER_REPORT} entries`);
  }
  const seen = new Set<string>();
  const bucketReports = buckets.map((entry, index): BucketReport => {
    const where = `buckets[${index}]`;
    if (!isPlainObject(entry)) throw new ValidationError(`${where} must be an object`);
    rejectUnknownFields(entry, BUCKET_FIELDS, where);
    const { bucketId, status, latency_ms: latency } = entry;
    if (!isValidId(bucketId)) {
      throw new ValidationError(
        `${where}.bucketId must be 1-128 characters of A-Z, a-z, 0-9, _ or -`,
      );
    }
    if (seen.has(bucketId)) throw new ValidationError(`${where}.bucketId repeats "${bucketId}"`);
    seen.add(bucketId);
    if (status !== 'ONLINE' && status !== 'OFFLINE') {
      throw new ValidationError(`${where}.status must be ONLINE or OFFLINE`);
    }
    if (
      latency !== undefined &&
      (typeof latency !== 'number' ||
        !Number.isInteger(latency) ||
        latency < 0 ||
        latency > MAX_LATENCY_MS)
    ) {
      throw new ValidationError(
        `${where}.latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`,
      );
    }
    return { bucketId, status, latencyMs: latency };
  });
  return { ip, region, version, buckets: bucketReports };
}
