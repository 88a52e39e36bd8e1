import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { Unavailable } from '../domain/errors.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import type { Item } from './attributes.ts';

/** BatchGetItem's most keys per request. */
const BATCH = 100;
/** Requests per batch of keys before the read gives up (the unprocessed keys asked again). */
const ATTEMPTS = 5;

/**
 * The items of `keys` (those that exist, in no particular order): BatchGetItem, 100 keys a
 * request, the unprocessed keys asked again (a few times, then the read is Unavailable).
 */
export async function batchGetAll(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Record<string, AttributeValue>[],
  projection: { ProjectionExpression: string; ExpressionAttributeNames?: Record<string, string> },
): Promise<Item[]> {
  const found: Item[] = [];
  for (let i = 0; i < keys.length; i += BATCH) {
    let batch: Record<string, AttributeValue>[] = keys.slice(i, i + BATCH);
    for (let attempt = 0; batch.length > 0; attempt++) {
      if (attempt === ATTEMPTS) throw new Unavailable('The service is busy; retry shortly', 1);
      // DynamoDB answers both maps, `UnprocessedKeys` empty when every key was read.
      const { Responses = {}, UnprocessedKeys = {} }: BatchGetItemCommandOutput = await client
        .send(
          new BatchGetItemCommand({
            RequestItems: { [tableName]: { Keys: batch, ...projection } },
          }),
        )
        .catch(rethrowAsUnavailable);
      found.push(...(Responses[tableName] ?? []));
      batch = UnprocessedKeys[tableName]?.Keys ?? [];
    }
  }
  return found;
}
