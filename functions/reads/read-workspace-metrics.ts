/**
 * GET /workspace/{workspaceId}/metrics (DESIGN.md section 18): every bucket of the workspace
 * (or those `?bucket=` names) read by GET health's own read at one instant, its node rows shown
 * by GET status's own views, then written in the Prometheus text format. No state is derived
 * here: the families (functions/domain/workspace-metrics.ts) only copy what those reads return.
 */
import type { Principal } from '../domain/access.ts';
import { assertWorkspaceReadable } from '../domain/bucket-read-access.ts';
import { NotFound, ValidationError } from '../domain/errors.ts';
import { isValidId } from '../domain/ids.ts';
import type {
  BucketReadGrant,
  DecideBucketRead,
  LoadUserAccess,
} from '../domain/ports/bucket-reads.ts';
import type { LoadWorkspace, LoadWorkspaceBucketsPage } from '../domain/ports/overview.ts';
import { writeTextFormat } from '../domain/prometheus-text.ts';
import { type BucketMetricsInput, metricFamilies, seriesOf } from '../domain/workspace-metrics.ts';
import { type ReadBucketHealthDeps, readBucketHealthAndNodes } from './read-bucket-health.ts';

/** DESIGN.md section 18: a larger answer is a 400 naming the filter. */
export const MAX_SERIES = 50_000;
/** Buckets read at once (each read is a few requests in parallel itself). */
const BUCKETS_AT_ONCE = 8;
/** Listing rows per Query: GET /workspace/{id}/buckets' largest page, well inside 1 MB. */
const LISTING_PAGE = 200;

export interface ReadWorkspaceMetricsDeps extends ReadBucketHealthDeps {
  loadUserAccess: LoadUserAccess;
  /** The overview's ports (functions/data/workspace-overview.ts): META row, listing pages. */
  loadWorkspace: LoadWorkspace;
  loadWorkspaceBucketsPage: LoadWorkspaceBucketsPage;
  /** The series bound; MAX_SERIES unless a test sets a lower one. */
  maxSeries?: number;
}

export interface WorkspaceMetricsQuery {
  workspaceId: string;
  /** The `bucket` filter's ids (checked ids, in request order); undefined: every bucket. */
  buckets: readonly string[] | undefined;
}

/** A listed bucket whose own META row names no longer this workspace, or none: left out. */
class NotInWorkspace extends Error {}

/**
 * The workspace's access is decided once, before any bucket is read; each bucket's read then
 * checks only that the bucket is the workspace's.
 */
const inWorkspace =
  (workspaceId: string): DecideBucketRead =>
  async () =>
  (owner): BucketReadGrant => {
    if (owner?.workspaceId !== workspaceId) throw new NotInWorkspace();
    return { showIps: false };
  };

/**
 * The `bucket` filter from the query string: undefined when absent; else its ids, each checked
 * (a 400 naming the parameter), repeats dropped. API Gateway joins a repeated parameter's values
 * with commas, which no id contains.
 */
export function parseBucketFilter(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',');
  for (const id of ids) {
    if (!isValidId(id)) {
      throw new ValidationError('bucket must be 1-128 characters of A-Z, a-z, 0-9, _ or -');
    }
  }
  return [...new Set(ids)];
}

/** The listed buckets the filter keeps, in listing order; a filter id not listed is a 404. */
export function selectBuckets(listed: readonly string[], wanted: readonly string[] | undefined) {
  if (wanted === undefined) return [...listed];
  const listedIds = new Set(listed);
  for (const id of wanted) {
    // The same answer for a bucket of another workspace as for none at all.
    if (!listedIds.has(id)) throw new NotFound(`No bucket ${id} in this workspace`);
  }
  const kept = new Set(wanted);
  return listed.filter((id) => kept.has(id));
}

export const tooManySeries = (maxSeries: number) =>
  new ValidationError(
    `The metrics would be more than ${maxSeries} series; narrow them with the bucket filter ` +
      '(?bucket=<bucketId>, repeatable)',
  );

/** The metrics text of the workspace (or of the buckets the filter names) at one instant. */
export async function readWorkspaceMetrics(
  principal: Principal,
  query: WorkspaceMetricsQuery,
  deps: ReadWorkspaceMetricsDeps,
): Promise<string> {
  const { workspaceId } = query;
  const nowMs = (deps.now ?? Date.now)();
  const page = (after: string | undefined) =>
    deps.loadWorkspaceBucketsPage({ workspaceId, limit: LISTING_PAGE, after });
  // The listing's first page with the access rule's reads; the others only once allowed.
  const [user, workspace, first] = await Promise.all([
    deps.loadUserAccess(principal),
    deps.loadWorkspace(workspaceId),
    page(undefined),
  ]);
  assertWorkspaceReadable(
    principal,
    user,
    workspace === undefined ? undefined : { workspaceId, orgId: workspace.orgId },
  );
  const listed = first.buckets.map((b) => b.bucketId);
  let { more } = first;
  let after = first.buckets.at(-1)?.position;
  while (more && after !== undefined) {
    const next = await page(after);
    for (const b of next.buckets) listed.push(b.bucketId);
    more = next.more;
    after = next.buckets.at(-1)?.position;
  }
  const bucketIds = selectBuckets(listed, query.buckets);
  const maxSeries = deps.maxSeries ?? MAX_SERIES;
  const decide = inWorkspace(workspaceId);
  const read: (BucketMetricsInput | undefined)[] = new Array(bucketIds.length);
  let series = 0;
  let next = 0;
  const worker = async () => {
    while (next < bucketIds.length && series <= maxSeries) {
      const index = next++;
      const bucketId = bucketIds[index] as string;
      let bucket: Awaited<ReturnType<typeof readBucketHealthAndNodes>>;
      try {
        bucket = await readBucketHealthAndNodes(decide, bucketId, deps, nowMs);
      } catch (error) {
        if (error instanceof NotInWorkspace) continue;
        throw error;
      }
      const input: BucketMetricsInput = {
        bucketId,
        health: bucket.health,
        nodes: bucket.rows.map((row, i) => ({
          nodeId: row.nodeId,
          view: bucket.statuses[i] as BucketMetricsInput['nodes'][number]['view'],
        })),
      };
      series += seriesOf(input);
      read[index] = input;
    }
  };
  await Promise.all(Array.from({ length: Math.min(BUCKETS_AT_ONCE, bucketIds.length) }, worker));
  if (series > maxSeries) throw tooManySeries(maxSeries);
  return writeTextFormat(metricFamilies(read.filter((b) => b !== undefined)));
}
