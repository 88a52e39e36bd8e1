// batchGetAll (functions/data/batch-get.ts) over the real engine: every existing item of any
// number of keys, 100 keys a request, the projection applied; keys DynamoDB leaves unprocessed
// (a partial answer under load, which the test engines never give: a middleware returns part of
// each request's keys as UnprocessedKeys) asked again, and a read that stays partial or an
// outage is a 503.
import { randomUUID } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { readString, S } from '../../functions/data/attributes.ts';
import { batchGetAll } from '../../functions/data/batch-get.ts';
import { Unavailable } from '../../functions/domain/errors.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

type Key = Record<string, AttributeValue>;

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('batch-get');
});

const ALL = { ProjectionExpression: 'pk, sk, v' };

async function seedRows(count: number) {
  const pk = `BATCH#${randomUUID()}`;
  const sks = Array.from({ length: count }, (_, i) => `r${String(i).padStart(4, '0')}`);
  await new Seeder(table.client, table.tableName).putMany(
    sks.map((sk) => ({ pk, sk, v: `v-${sk}`, hidden: 'x' })),
  );
  const keys: Key[] = sks.map((sk) => ({ pk: S(pk), sk: S(sk) }));
  return { pk, sks, keys };
}

const sksOf = (items: Record<string, AttributeValue>[]) =>
  items.map((item) => readString(item, 'sk') as string).sort();

/**
 * A client on the engine whose BatchGetItem requests are recorded (their key counts) and, while
 * `leave` says so, processed only in part: the engine gets the first `process` keys of each
 * request and the rest come back as UnprocessedKeys.
 */
function partialClient(leave: (request: number) => number | undefined) {
  const client: DynamoDBClient = createDynamoClient({ endpoint: table.endpoint });
  const requests: number[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchGetItemCommand') return next(args);
      const input = args.input as {
        RequestItems: Record<string, { Keys: Key[] } & Record<string, unknown>>;
      };
      const [[name, request]] = Object.entries(input.RequestItems) as [
        [string, { Keys: Key[] } & Record<string, unknown>],
      ];
      requests.push(request.Keys.length);
      const left = leave(requests.length) ?? 0;
      const processed = request.Keys.slice(0, request.Keys.length - left);
      const unprocessed = request.Keys.slice(request.Keys.length - left);
      // All left unprocessed: no request reaches the engine (it refuses an empty batch).
      const result =
        processed.length === 0
          ? ({ output: { $metadata: {}, Responses: { [name]: [] } }, response: {} } as never)
          : await next({
              ...args,
              input: { RequestItems: { [name]: { ...request, Keys: processed } } },
            });
      if (unprocessed.length > 0) {
        (result.output as { UnprocessedKeys?: unknown }).UnprocessedKeys = {
          [name]: { ...request, Keys: unprocessed },
        };
      }
      return result;
    },
    { step: 'initialize', name: 'partialBatchGet' },
  );
  return { client, requests };
}

describe('batchGetAll', () => {
  it('reads every existing item of 250 keys in requests of at most 100, the missing ones left out', async () => {
    const { pk, sks, keys } = await seedRows(248);
    const missing = [S('gone-1'), S('gone-2')].map((sk) => ({ pk: S(pk), sk }));
    const { client, requests } = partialClient(() => undefined);
    const items = await batchGetAll(client, table.tableName, [...keys, ...missing], ALL);
    expect(sksOf(items)).toStrictEqual(sks);
    expect(requests).toStrictEqual([100, 100, 50]);
  });

  it('applies the projection and its attribute names', async () => {
    const { keys } = await seedRows(3);
    const items = await batchGetAll(table.client, table.tableName, keys, {
      ProjectionExpression: '#s, #v',
      ExpressionAttributeNames: { '#s': 'sk', '#v': 'v' },
    });
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(Object.keys(item).sort()).toStrictEqual(['sk', 'v']);
      expect(item.v?.S).toBe(`v-${item.sk?.S}`);
    }
  });

  it('asks again for the keys left unprocessed until none are left', async () => {
    const { sks, keys } = await seedRows(130);
    // The first batch (100 keys) comes back 40 short, then 10 short, then whole.
    const { client, requests } = partialClient((n) => ({ 1: 40, 2: 10 })[n]);
    const items = await batchGetAll(client, table.tableName, keys, ALL);
    expect(sksOf(items)).toStrictEqual(sks);
    expect(requests).toStrictEqual([100, 40, 10, 30]);
  });

  it('gives up after five requests of a batch that stay partial: a 503, not a short answer', async () => {
    const { keys } = await seedRows(20);
    const { client, requests } = partialClient(() => 1);
    const failure = await batchGetAll(client, table.tableName, keys, ALL).catch((e) => e);
    expect(failure).toBeInstanceOf(Unavailable);
    expect(failure.message).toBe('The service is busy; retry shortly');
    expect(requests).toStrictEqual([20, 1, 1, 1, 1]);
  });

  it('an outage is a 503 (Unavailable), not a bare SDK error', async () => {
    const { keys } = await seedRows(2);
    await withFaultProxy(table.endpoint, async (proxy) => {
      proxy.fail({ kind: 'internal', operation: 'BatchGetItem', times: Infinity });
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      const failure = await batchGetAll(client, table.tableName, keys, ALL).catch((e) => e);
      expect(failure).toBeInstanceOf(Unavailable);
    });
  });

  it('sends no request for no keys', async () => {
    const { client, requests } = partialClient(() => undefined);
    expect(await batchGetAll(client, table.tableName, [], ALL)).toStrictEqual([]);
    expect(requests).toStrictEqual([]);
  });
});
