import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import type { Item } from './attributes.ts';

/**
 * Runs a Query and follows LastEvaluatedKey to the end, calling onPage for every page. With
 * `maxItems`, it reads at most `maxItems + 1` items (no page's Limit passes what is left) and
 * returns false, without calling onPage for that page, once there are more than `maxItems`.
 */
export async function queryAll(
  client: DynamoDBClient,
  input: QueryCommandInput,
  onPage: (items: Item[]) => void,
  maxItems?: number,
): Promise<boolean> {
  let exclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
  let read = 0;
  do {
    const page = await client
      .send(
        new QueryCommand({
          ...input,
          ExclusiveStartKey: exclusiveStartKey,
          ...(maxItems !== undefined && {
            Limit: Math.min(input.Limit ?? Number.POSITIVE_INFINITY, maxItems + 1 - read),
          }),
        }),
      )
      .catch(rethrowAsUnavailable);
    // A Query answer always has Items; the fallback keeps a COUNT Query from throwing.
    const items = page.Items ?? [];
    read += items.length;
    if (maxItems !== undefined && read > maxItems) return false;
    onPage(items);
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return true;
}
