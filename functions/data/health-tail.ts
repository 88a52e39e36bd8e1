/**
 * The tail of a bucket's verdict timeline: every recorded input after an instant (node events
 * of `EVENTS#<bucketId>`, uncount and policy inputs `I#` of `HEALTH#<bucketId>`), read by the
 * health reads to advance a copy of the checkpoint to now. Both Queries run in parallel.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LoadHealthTail } from '../domain/ports/health.ts';
import { createNodeInputReader } from './events.ts';
import { createHealthInputs } from './health-inputs.ts';

/** The last instant a sort key can spell in its fixed-width ISO form. */
const END_OF_TIME = Date.parse('9999-12-31T23:59:59.999Z');

export function createHealthTailReader(
  client: DynamoDBClient,
  tableName: string,
  options: { retentionDays: number },
): LoadHealthTail {
  const { loadNodeInputs } = createNodeInputReader(client, tableName);
  const { loadOtherInputs } = createHealthInputs(client, tableName, options);
  return async function loadHealthTail(bucketId, afterMs) {
    const [nodes, others] = await Promise.all([
      loadNodeInputs(bucketId, afterMs, END_OF_TIME, false),
      loadOtherInputs(bucketId, afterMs, END_OF_TIME, false),
    ]);
    return [...nodes, ...others];
  };
}
