import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createChangeConfirmer } from '../data/alert-confirmation.ts';
import { createHealthReader } from '../data/bucket-health.ts';
import { createHealthBucketReader } from '../data/bucket-nodes.ts';
import { createHealthTailReader } from '../data/health-tail.ts';
import { createWindowLoader } from '../data/maintenance-windows.ts';
import { computeHealthTimeline } from '../reads/health-timeline-read.ts';

/**
 * The delivery's confirmation on its real adapters (the delivery Lambda and the local queue):
 * the record of functions/data/alert-confirmation.ts, and for a bucket health change the
 * verdict timeline computed up to at + D as GET health computes it (the sweep records it
 * late). Reads only: GetItem and Query.
 */
export function createDeliveryConfirmer(
  client: DynamoDBClient,
  tableName: string,
  options: { staleAfterSeconds: number; now?: () => number },
) {
  const loadWindows = createWindowLoader(client, tableName);
  const timelineDeps = {
    loadHealthState: createHealthReader(client, tableName).loadHealthState,
    loadWindows,
    // The tail is only read here; its retention applies to writes.
    loadHealthTail: createHealthTailReader(client, tableName, { retentionDays: 0 }),
    openHealthBucket: createHealthBucketReader(client, tableName),
    staleAfterSeconds: options.staleAfterSeconds,
  };
  return createChangeConfirmer(client, tableName, {
    staleAfterSeconds: options.staleAfterSeconds,
    loadWindows,
    healthTimeline: (bucketId, untilMs) => computeHealthTimeline(bucketId, untilMs, timelineDeps),
    ...(options.now !== undefined && { now: options.now }),
  });
}
