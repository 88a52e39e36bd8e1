import { assertBucketReadable, type Principal } from '../domain/bucket-read-access.ts';
import { NotFound } from '../domain/errors.ts';
import { toNodeStatusViews } from '../domain/node-status.ts';
import type { LoadUserAccess, OpenBucket } from '../domain/ports/bucket-reads.ts';
import type { BucketStatusResponse } from '../wire/status.ts';

export type { BucketStatusResponse };

export interface ReadBucketStatusDeps {
  loadUserAccess: LoadUserAccess;
  openBucket: OpenBucket;
  staleAfterSeconds: number;
  now?: () => number;
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
    deps.loadUserAccess(principal),
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
