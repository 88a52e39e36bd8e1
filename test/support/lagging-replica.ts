import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/**
 * A replica that lags behind the leader, for the one fault the test engines cannot produce:
 * they answer every read consistently. After `freeze(pk, sk)`, an eventually consistent
 * GetItem of that key on `client` (one without `ConsistentRead: true`) is answered with the
 * item as it was at the freeze (or with no item, if there was none then); consistent reads
 * and every other request go to the engine. Installed at the SDK's initialize step, so the
 * request a caller builds is what decides.
 */
export function laggingReplica(client: DynamoDBClient, tableName: string) {
  const frozen = new Map<string, Item | undefined>();
  const keyOf = (pk: string | undefined, sk: string | undefined) => `${pk}\u0000${sk}`;
  const reader = client;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TableName?: string;
        ConsistentRead?: boolean;
        Key?: Item;
      };
      const key = keyOf(input.Key?.pk?.S, input.Key?.sk?.S);
      if (
        context.commandName === 'GetItemCommand' &&
        input.TableName === tableName &&
        input.ConsistentRead !== true &&
        frozen.has(key)
      ) {
        const item = frozen.get(key);
        return { output: { $metadata: {}, ...(item && { Item: item }) }, response: {} } as never;
      }
      return next(args);
    },
    { step: 'initialize', name: 'laggingReplica' },
  );
  return {
    /** From now on the replica serves this key as it is now (read consistently). */
    async freeze(pk: string, sk: string): Promise<void> {
      const { Item } = await reader.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: pk }, sk: { S: sk } },
          ConsistentRead: true,
        }),
      );
      frozen.set(keyOf(pk, sk), Item);
    },
  };
}
