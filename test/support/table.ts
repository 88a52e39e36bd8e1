import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { ensureTable } from '../../local/embedded-dynamodb.ts';

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
