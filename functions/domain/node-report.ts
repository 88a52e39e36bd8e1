import { firstIssue, type Issue } from '../wire/check.ts';
import {
  MAX_BUCKETS_PER_REPORT,
  MAX_IP_LENGTH,
  type NodeReportBody,
  NodeReport as NodeReportShape,
} from '../wire/ingest.ts';
import { MAX_LATENCY_MS } from '../wire/status.ts';
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
export { MAX_VERSION_LENGTH } from '../wire/ingest.ts';
export { MAX_BUCKETS_PER_REPORT, MAX_IP_LENGTH, MAX_LATENCY_MS };
/**
 * The most buckets one node can be assigned to (enforced by the operator data module,
 * admin/operator-store.ts, with a counter on the node's META row). The META row keeps one
 * replay-guard hint per bucket (docs/ARCHITECTURE.md, "History"): about 67 bytes with UUID ids,
 * about 160 with 128-character ids, so 1,000 buckets (plus the at most 100 of one report
 * before unassigned hints are forgotten) keep the row under 180 KB, far from DynamoDB's
 * 400 KB item limit. The reporter allows the same number of --bucket options.
 */
export const MAX_BUCKETS_PER_NODE = 1_000;

/** The message of the first issue, in the order the fields are read (functions/wire/check.ts). */
function messageOf(issue: Issue, body: Record<string, unknown>): string {
  const [field, index, inner] = issue.path;
  if (field === undefined) return 'The body must be a JSON object';
  if (issue.kind === 'unknown' && issue.path.length === 1) {
    return `The body has an unknown field "${field.slice(0, 64)}"`;
  }
  switch (field) {
    case 'ip':
      return `ip must be an IPv4 or IPv6 address literal of at most ${MAX_IP_LENGTH} characters, without a zone id`;
    case 'region':
      return 'region must be 1-64 characters of a-z, 0-9 or -';
    case 'version':
      return 'version must be a semantic version such as 1.2.3';
  }
  // buckets
  if (index === undefined) {
    return `buckets must be an array of 1 to ${MAX_BUCKETS_PER_REPORT} entries`;
  }
  const where = `buckets[${index}]`;
  if (inner === undefined) return `${where} must be an object`;
  if (issue.kind === 'unknown') return `${where} has an unknown field "${inner.slice(0, 64)}"`;
  if (inner === 'bucketId') {
    if (issue.error.type === 'Rule') {
      const entry = (body.buckets as Record<string, unknown>[])[Number(index)];
      return `${where}.bucketId repeats "${entry?.bucketId as string}"`;
    }
    return `${where}.bucketId must be 1-128 characters of A-Z, a-z, 0-9, _ or -`;
  }
  if (inner === 'status') return `${where}.status must be ONLINE or OFFLINE`;
  return `${where}.latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`;
}

/** "Each bucket at most once": the one rule of the report JSON Schema does not say. */
function repeatedBuckets(body: unknown): Issue[] {
  const buckets = (body as { buckets?: unknown } | null)?.buckets;
  if (!Array.isArray(buckets)) return [];
  const seen = new Set<string>();
  const issues: Issue[] = [];
  buckets.forEach((entry, index) => {
    const id = (entry as { bucketId?: unknown } | null)?.bucketId;
    if (!isValidId(id)) return;
    if (seen.has(id)) {
      issues.push({
        path: ['buckets', String(index), 'bucketId'],
        kind: 'invalid',
        error: { type: 'Rule' },
      });
    }
    seen.add(id);
  });
  return issues;
}

/** Parses and validates the raw (already signature-checked) body; 400 names the bad field. */
export function parseNodeReport(rawBody: Uint8Array): NodeReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
  } catch {
    throw new ValidationError('The body is not valid UTF-8 JSON');
  }
  const issue = firstIssue(NodeReportShape, parsed, { extra: repeatedBuckets(parsed) });
  if (issue !== undefined) {
    throw new ValidationError(messageOf(issue, parsed as Record<string, unknown>));
  }
  const body = parsed as NodeReportBody;
  return {
    ip: body.ip,
    region: body.region,
    version: body.version,
    buckets: body.buckets.map((b) => ({
      bucketId: b.bucketId,
      status: b.status,
      latencyMs: b.latency_ms,
    })),
  };
}
