import { randomUUID } from 'node:crypto';
import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { inject, test } from 'vitest';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { ensureTable } from '../../local/embedded-dynamodb.ts';
import { type FaultProxy, fileFaultProxy } from './fault-proxy.ts';
import { Seeder } from './seed.ts';

export interface TestTable {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
}

/** A fresh table (from the shared definition) on the run's engine. */
export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const endpoint = inject('dynamoEndpoint');
  const client = createDynamoClient({ endpoint });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return { endpoint, client, tableName };
}

/** Every row of the partition `pk`, in key order, as stored (consistent read, every page). */
export async function partitionRows(
  client: DynamoDBClient,
  tableName: string,
  pk: string,
): Promise<Record<string, AttributeValue>[]> {
  const rows: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ConsistentRead: true,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return rows;
}

/** What `tableFixtures` gives a test, for helpers that take some of it. */
export interface TableFixtures {
  table: TestTable;
  seed: Seeder;
  proxy: FaultProxy;
}

/**
 * `test` with a table of the file's own (named `prefix-…`), set up once per file on first use:
 * `table`, a `seed` writing raw rows to it, and a fault `proxy` in front of the engine (closed
 * after the file). Suite hooks get them too: `it.beforeAll(async ({ seed }) => …)`.
 */
export const tableFixtures = (prefix: string) =>
  test
    .extend('table', { scope: 'file' }, () => createTestTable(prefix))
    .extend('seed', { scope: 'file' }, ({ table }) => new Seeder(table.client, table.tableName))
    .extend('proxy', { scope: 'file' }, fileFaultProxy);
