import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import type { Item } from './attributes.ts';

/** Runs a Query and follows LastEvaluatedKey to the end, calling onPage for every page. */
export async function queryAll(
  client: DynamoDBClient,
  input: QueryCommandInput,
  onPage: (items: Item[]) => void,
): Promise<void> {
  let exclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await client
      .send(new QueryCommand({ ...input, ExclusiveStartKey: exclusiveStartKey }))
      .catch(rethrowAsUnavailable);
    // A Query answer always has Items (empty when nothing matched).
    onPage(page.Items as Item[]);
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
}
