import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Below the SDK's retry middleware: the first attempt of each `command` whose input `keyOf`
 * names (undefined: not this one) reaches the engine and is applied, then its response is
 * "lost" (a TimeoutError, as a request timeout under load produces), so the SDK retries the
 * very same write. Returns the keys whose first response was lost.
 */
export function loseFirstResponses(
  client: DynamoDBClient,
  command: 'PutItemCommand' | 'UpdateItemCommand',
  keyOf: (input: Record<string, unknown>) => string | undefined,
) {
  const lost = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const key = keyOf(args.input as Record<string, unknown>);
      if (context.commandName === command && key !== undefined && !lost.has(key)) {
        lost.add(key);
        throw Object.assign(new Error('the response was lost'), { name: 'TimeoutError' });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseFirstResponses' },
  );
  return lost;
}
