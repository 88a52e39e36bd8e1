import type { BucketOwner } from '../access.ts';

/**
 * The port of GET /workspace/{workspaceId}/metrics beyond the bucket reads: the workspace's
 * owner and its buckets; functions/data/workspace-buckets.ts implements it.
 */
export interface WorkspaceBuckets {
  /** The workspace's org (its META row); undefined when the workspace does not exist. */
  owner: BucketOwner | undefined;
  /** Every bucket the workspace lists, by name then id: call only once access is decided. */
  allBucketIds(): Promise<string[]>;
}

/** Port: the workspace's owner at once (with the listing's first page), the rest on request. */
export type LoadWorkspaceBuckets = (workspaceId: string) => Promise<WorkspaceBuckets>;
