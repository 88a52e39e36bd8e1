import { NotFound } from '../domain/errors.ts';
import { toNodeStatusViews } from '../domain/node-status.ts';
import type { DecideBucketRead, OpenBucket } from '../domain/ports/bucket-reads.ts';
import type { BucketStatusResponse } from '../wire/status.ts';

export type { BucketStatusResponse };

export interface ReadBucketStatusDeps {
  openBucket: OpenBucket;
  staleAfterSeconds: number;
  now?: () => number;
}

/**
 * The status read: the access decision's reads (the user's partition; nothing for a share)
 * and the bucket's first page fetched in parallel (one round trip of latency), then the
 * decision, and only then the bucket's further pages. The status route (a user) and the
 * public status route (a share) both call it; a share may leave the nodes' `ip` out.
 */
export async function readBucketStatus(
  decide: DecideBucketRead,
  bucketId: string,
  deps: ReadBucketStatusDeps,
): Promise<BucketStatusResponse> {
  const [check, bucket] = await Promise.all([decide(), deps.openBucket(bucketId)]);
  const grant = check(bucket?.owner);
  if (bucket === undefined) throw new NotFound('Bucket not found');
  const nodes = await bucket.allNodes();
  const nowMs = (deps.now ?? Date.now)();
  const staleAfterMs = deps.staleAfterSeconds * 1000;
  const nodeStatus = toNodeStatusViews(nodes, nowMs, staleAfterMs);
  if (!grant.showIps) for (const view of nodeStatus) delete view.ip;
  return { bucketId, nodeStatus };
}
