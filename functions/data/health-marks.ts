import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { ATTR as A, N, S } from './attributes.ts';
import { HEALTH_MARK_PREFIX, HEALTH_STATE_SK, healthPk } from './keys.ts';
import { sweepShardOf } from './sweep-index.ts';

/** A mark's `sweepAt`: `H` + the ISO instant (fixed width, so string order is time order). */
export const healthMarkOf = (atMs: number): string =>
  `${HEALTH_MARK_PREFIX}${new Date(atMs).toISOString()}`;

/**
 * Marks a bucket's health for the sweep (docs/ARCHITECTURE.md, "Bucket health"): its STATE row
 * carries, in the sweep index, the earliest instant from which its verdict timeline must be
 * computed again. Every writer of an input (a node event, an unassignment, a policy, a window)
 * calls this after its input landed, with the input's instant. The mark only moves earlier;
 * `markSeq` counts every call, so the sweep, which writes its checkpoint on condition that the
 * count is what it read, never clears a mark that arrived while it computed.
 */
export function createHealthMarker(client: DynamoDBClient, tableName: string) {
  return async function markHealth(bucketId: string, atMs: number): Promise<void> {
    const Key = { pk: S(healthPk(bucketId)), sk: S(HEALTH_STATE_SK) };
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET #shard = :shard, #at = :at ADD #seq :one',
          ConditionExpression: 'attribute_not_exists(#at) OR #at > :at',
          ExpressionAttributeNames: {
            '#shard': A.sweepShard,
            '#at': A.sweepAt,
            '#seq': A.healthMarkSeq,
          },
          ExpressionAttributeValues: {
            ':shard': S(sweepShardOf(bucketId, '')),
            ':at': S(healthMarkOf(atMs)),
            ':one': N(1),
          },
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) rethrowAsUnavailable(error);
    }
    // An earlier mark is there already: it covers this input; count the call all the same.
    await client
      .send(
        new UpdateItemCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'ADD #seq :one',
          ExpressionAttributeNames: { '#seq': A.healthMarkSeq },
          ExpressionAttributeValues: { ':one': N(1) },
        }),
      )
      .catch(rethrowAsUnavailable);
  };
}

export type MarkHealth = ReturnType<typeof createHealthMarker>;
