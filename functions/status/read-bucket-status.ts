import {
  type BucketOwner,
  decideAccess,
  isTokenRevoked,
  type UserAccess,
} from '../domain/access.ts';
import { Forbidden, NotFound, Unauthenticated } from '../domain/errors.ts';
import { type NodeRow, toNodeStatusViews } from '../domain/node-status.ts';
import type { BucketStatusResponse } from '../wire/status.ts';

export type { BucketStatusResponse };

/** Who is asking: the verified token's subject and `iat` (epoch seconds). */
export interface Principal {
  userId: string;
  issuedAt: number | undefined;
}

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

export interface ReadBucketStatusDeps {
  loadUserAccess: LoadUserAccess;
  openBucket: OpenBucket;
  staleAfterSeconds: number;
  now?: () => number;
}

/**
 * The access rule of every bucket read (DESIGN.md section 2), in its order: user missing 404,
 * token revoked 401, user disabled 403, bucket missing 404, no access 403. The status, stats,
 * uptime and events routes all call this one function.
 */
export function assertBucketReadable(
  principal: Principal,
  user: UserAccess | undefined,
  owner: BucketOwner | undefined,
): asserts owner is BucketOwner {
  if (user === undefined) throw new NotFound('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw new Unauthenticated('The token has been revoked', 'bearer-token');
  }
  if (user.status !== 'ACTIVE') throw new Forbidden('The user is disabled');
  if (owner === undefined) throw new NotFound('Bucket not found');
  if (decideAccess(user, owner) !== 'allowed') {
    throw new Forbidden('You do not have access to this bucket');
  }
}

/**
 * The status read: the user's partition and the bucket's first page fetched in parallel (one
 * round trip of latency), then the access rule, and only then the bucket's further pages.
 */
export async function readBucketStatus(
  principal: Principal,
  bucketId: string,
  deps: ReadBucketStatusDeps,
): Promise<BucketStatusResponse> {
  const [user, bucket] = await Promise.all([
    deps.loadUserAccess(principal.userId),
    deps.openBucket(bucketId),
  ]);
  assertBucketReadable(principal, user, bucket?.owner);
  if (bucket === undefined) throw new NotFound('Bucket not found');
  const nodes = await bucket.allNodes();
  const nowMs = (deps.now ?? Date.now)();
  const staleAfterMs = deps.staleAfterSeconds * 1000;
  return {
    bucketId,
    nodeStatus: toNodeStatusViews(nodes, nowMs, staleAfterMs),
  };
}
