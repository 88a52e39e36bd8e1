import type { FaultProxy } from './fault-proxy.ts';

/**
 * Of the requests a proxy saw, the Queries of a bucket's own partition (not of an index): GET
 * health's read of every node row, which an overview entry read from the bucket's log makes none of.
 */
export const bucketPartitionQueries = (seen: FaultProxy['seen'], bucketId: string): number =>
  seen.filter(
    (r) =>
      r.operation === 'Query' &&
      !r.body.includes('"IndexName"') &&
      r.body.includes(`"BUCKET#${bucketId}"`),
  ).length;
