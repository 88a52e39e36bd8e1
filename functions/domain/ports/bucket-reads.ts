import type { BucketOwner, UserAccess } from '../access.ts';
import type { NodeRow } from '../node-status.ts';

/**
 * The ports of the bucket reads (status, stats, uptime, events): the user's partition and the
 * bucket's rows; data/user-access.ts, data/bucket-nodes.ts and data/bucket-owner.ts implement them.
 */

/** The bucket as its first page shows it: the owner now, every node row on request. */
export interface BucketFirstPage {
  owner: BucketOwner;
  /** Reads the remaining pages: call only once access is decided. In sort-key order. */
  allNodes(): Promise<NodeRow[]>;
}

/** Port: the user's profile and workspace roles; undefined when the user does not exist. */
export type LoadUserAccess = (userId: string) => Promise<UserAccess | undefined>;
/**
 * Port: the bucket's first page (its owner); undefined when the bucket does not exist. A
 * refused read must cost no more than this one page (DESIGN.md section 7).
 */
export type OpenBucket = (bucketId: string) => Promise<BucketFirstPage | undefined>;

/** Port: the bucket's owner (its META row); undefined when the bucket does not exist. */
export type LoadBucketOwner = (bucketId: string) => Promise<BucketOwner | undefined>;

/** What an allowed reader may see of the bucket: a share may leave the nodes' `ip` out. */
export interface BucketReadGrant {
  showIps: boolean;
}

/**
 * Port: the access decision of one bucket read (the user's access rule, or a share's). Started
 * in parallel with the bucket's first page, so what it reads costs no round trip of its own;
 * the check it resolves to takes the bucket's owner (undefined: no such bucket), throws the
 * refusal's domain error, and returns what the reader may see.
 */
export type DecideBucketRead = () => Promise<(owner: BucketOwner | undefined) => BucketReadGrant>;
