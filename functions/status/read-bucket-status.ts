import {
  type BucketOwner,
  decideAccess,
  isTokenRevoked,
  type UserAccess,
} from '../domain/access.ts';
import { Forbidden, NotFound, Unauthenticated } from '../domain/errors.ts';
import { type NodeRow, type NodeStatusView, toNodeStatusViews } from '../domain/node-status.ts';

export interface BucketStatusResponse {
  bucketId: string;
  nodeStatus: NodeStatusView[];
}

/** Who is asking: the verified token's subject and `iat` (epoch seconds). */
export interface Principal {
  userId: string;
  issuedAt: number | undefined;
}

export interface BucketWithNodes {
  owner: BucketOwner;
  /** In sort-key order (by node id): stable across reads. */
  nodes: NodeRow[];
}

/** Port: the user's profile and workspace roles; undefined when the user does not exist. */
export type LoadUserAccess = (userId: string) => Promise<UserAccess | undefined>;
/** Port: the bucket's owner and every node row; undefined when the bucket does not exist. */
export type LoadBucketWithNodes = (bucketId: string) => Promise<BucketWithNodes | undefined>;

export interface ReadBucketStatusDeps {
  loadUserAccess: LoadUserAccess;
  loadBucketWithNodes: LoadBucketWithNodes;
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
 * The status read: the user's and the bucket's partitions fetched in parallel (one round
 * trip of latency plus the bucket's extra pages), then the access rule, then the view.
 */
export async function readBucketStatus(
  principal: Principal,
  bucketId: string,
  deps: ReadBucketStatusDeps,
): Promise<BucketStatusResponse> {
  const [user, bucket] = await Promise.all([
    deps.loadUserAccess(principal.userId),
    deps.loadBucketWithNodes(bucketId),
  ]);
  assertBucketReadable(principal, user, bucket?.owner);
  if (bucket === undefined) throw new NotFound('Bucket not found');
  const nowMs = (deps.now ?? Date.now)();
  const staleAfterMs = deps.staleAfterSeconds * 1000;
  return {
    bucketId,
    nodeStatus: toNodeStatusViews(bucket.nodes, nowMs, staleAfterMs),
  };
}
