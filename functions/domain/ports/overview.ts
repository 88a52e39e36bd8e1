/**
 * The ports of the workspace overview (DESIGN.md section 14): the workspaces' META rows and the
 * listing rows (an org's workspaces, a workspace's buckets, each by name then id);
 * functions/data/workspace-overview.ts implements them.
 */

import type { HealthNodeRow } from './health.ts';
/**
 * Between the name and the id in a listing row's sort key, and so in a listed bucket's
 * position: `<name>\u0001<id>`. Names hold no control character (functions/domain/ids.ts), so
 * it sorts below every character of a name.
 */
export const LISTING_SEPARATOR = '\u0001';

export interface WorkspaceMeta {
  workspaceId: string;
  orgId: string | undefined;
  name: string | undefined;
}

/** Port: one workspace's META row; undefined when the workspace does not exist. */
export type LoadWorkspace = (workspaceId: string) => Promise<WorkspaceMeta | undefined>;

/** Port: the META rows of these workspaces (the ones that exist), in no order. */
export type LoadWorkspaces = (workspaceIds: readonly string[]) => Promise<WorkspaceMeta[]>;

export interface ListedWorkspace {
  workspaceId: string;
  name: string;
}

/** Port: every workspace of the org, by name then id (the org's listing rows). */
export type ListOrgWorkspaces = (orgId: string) => Promise<ListedWorkspace[]>;

export interface ListedBucket {
  bucketId: string;
  name: string;
  /** The row's place in the listing: where the next page starts after it. */
  position: string;
}

/**
 * Port: one page of the workspace's buckets by name then id, after `after` (a position);
 * `more` when rows follow the page.
 */
export type LoadWorkspaceBucketsPage = (query: {
  workspaceId: string;
  limit: number;
  after: string | undefined;
}) => Promise<{ buckets: ListedBucket[]; more: boolean }>;

/**
 * What the overview index holds for one bucket at `nowMs` (functions/data/overview-index.ts):
 * `pending` when a row's changes may be unrecorded (the entry is then read as GET health reads
 * the bucket); else the rows that never reported since their assignment (a count) and, read from
 * the table, every row whose last report may be stale by `nowMs` (and some that are not).
 */
export type OverviewRows =
  | { pending: true }
  | { pending: false; neverReported: number; rows: HealthNodeRow[] };

/** Port: the overview index's rows of one bucket at `nowMs`. */
export type LoadOverviewRows = (bucketId: string, nowMs: number) => Promise<OverviewRows>;
