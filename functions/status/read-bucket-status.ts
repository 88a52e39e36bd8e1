import type { VerifiedToken } from '../auth/token-verifier.ts';
import type { LoadBucketWithNodes } from '../data/bucket-nodes.ts';
import type { LoadUserAccess } from '../data/user-access.ts';
import { decideAccess, isTokenRevoked } from '../domain/access.ts';
import { type NodeStatusView, toNodeStatusViews } from '../domain/node-status.ts';
import { ForbiddenError, invalidBearerToken, NotFoundError } from '../shared/errors.ts';

export interface BucketStatusResponse {
  bucketId: string;
  nodeStatus: NodeStatusView[];
}

export interface ReadBucketStatusDeps {
  loadUserAccess: LoadUserAccess;
  loadBucketWithNodes: LoadBucketWithNodes;
  staleAfterSeconds: number;
  now?: () => number;
}

/**
 * The status read: the user's and the bucket's partitions fetched in parallel (one round
 * trip of latency plus the bucket's extra pages), then the access rule, then the view.
 */
export async function readBucketStatus(
  principal: VerifiedToken,
  bucketId: string,
  deps: ReadBucketStatusDeps,
): Promise<BucketStatusResponse> {
  const [user, bucket] = await Promise.all([
    deps.loadUserAccess(principal.userId),
    deps.loadBucketWithNodes(bucketId),
  ]);
  if (user === undefined) throw new NotFoundError('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw invalidBearerToken('The token has been revoked');
  }
  if (user.status !== 'ACTIVE') throw new ForbiddenError('The user is disabled');
  if (bucket === undefined) throw new NotFoundError('Bucket not found');
  if (decideAccess(user, bucket.owner) !== 'allowed') {
    throw new ForbiddenError('You do not have access to this bucket');
  }
  const nowMs = (deps.now ?? Date.now)();
  const staleAfterMs = deps.staleAfterSeconds * 1000;
  return {
    bucketId,
    nodeStatus: toNodeStatusViews(bucket.nodes, nowMs, staleAfterMs),
  };
}
