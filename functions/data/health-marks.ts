import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { Unavailable } from '../domain/errors.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { ATTR as A, N, readString, S } from './attributes.ts';
import { HEALTH_MARK_PREFIX, HEALTH_PK_PREFIX, HEALTH_STATE_SK, healthPk } from './keys.ts';
import { queryAll } from './query-all.ts';
import { ALL_SWEEP_SHARDS, SWEEP_INDEX_NAME, sweepShardOf } from './sweep-index.ts';

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
  const Key = (bucketId: string) => ({ pk: S(healthPk(bucketId)), sk: S(HEALTH_STATE_SK) });
  /** One conditional UpdateItem; false when its condition failed. */
  async function attempt(input: Omit<UpdateItemCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await client.send(new UpdateItemCommand({ TableName: tableName, ...input }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      return rethrowAsUnavailable(error);
    }
  }
  return async function markHealth(bucketId: string, atMs: number): Promise<void> {
    const names = { '#shard': A.sweepShard, '#at': A.sweepAt, '#seq': A.healthMarkSeq };
    const mark = S(healthMarkOf(atMs));
    for (let round = 0; round < MARK_ROUNDS; round++) {
      // The mark moves earlier (or appears), counted.
      if (
        await attempt({
          Key: Key(bucketId),
          UpdateExpression: 'SET #shard = :shard, #at = :at ADD #seq :one',
          ConditionExpression: 'attribute_not_exists(#at) OR #at > :at',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':shard': S(sweepShardOf(bucketId, '')),
            ':at': mark,
            ':one': N(1),
          },
        })
      ) {
        return;
      }
      // An earlier mark covers this input: count the call, on condition that it still does
      // (a sweep may have cleared it in between, having read the inputs before this one
      // landed); if it does not any more, set the mark again.
      if (
        await attempt({
          Key: Key(bucketId),
          UpdateExpression: 'ADD #seq :one',
          ConditionExpression: '#at <= :at',
          ExpressionAttributeNames: { '#at': A.sweepAt, '#seq': A.healthMarkSeq },
          ExpressionAttributeValues: { ':at': mark, ':one': N(1) },
        })
      ) {
        return;
      }
    }
    throw new Unavailable('The service is busy; retry shortly', 1);
  };
}

/** Rounds of the two writes before a mark gives up (each round loses only to another writer). */
const MARK_ROUNDS = 8;

export type MarkHealth = ReturnType<typeof createHealthMarker>;

/**
 * The buckets whose health mark is at or before `upToMs`: one Query of the sweep index per
 * shard, over the `H` range only (node rows' bare ISO values sort before it), pages followed.
 */
export function createMarkedBucketsFinder(client: DynamoDBClient, tableName: string) {
  return async function findMarked(upToMs: number): Promise<string[]> {
    const found: string[] = [];
    await Promise.all(
      ALL_SWEEP_SHARDS.map((shard) =>
        queryAll(
          client,
          {
            TableName: tableName,
            IndexName: SWEEP_INDEX_NAME,
            KeyConditionExpression: '#shard = :shard AND #at BETWEEN :lo AND :hi',
            ExpressionAttributeNames: { '#shard': A.sweepShard, '#at': A.sweepAt },
            ExpressionAttributeValues: {
              ':shard': S(shard),
              ':lo': S(HEALTH_MARK_PREFIX),
              ':hi': S(healthMarkOf(upToMs)),
            },
          },
          (items) => {
            for (const item of items) {
              const pk = readString(item, A.pk);
              if (pk?.startsWith(HEALTH_PK_PREFIX)) found.push(pk.slice(HEALTH_PK_PREFIX.length));
            }
          },
        ),
      ),
    );
    return found;
  };
}
