import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { ensureTable, startDynalite } from '../local/embedded-dynamodb.ts';

export interface BenchEngine {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * dynalite in this process (inProcess) or in a child process, a fresh table from the shared
 * definition, and one SDK client shared by the code under test and its floor. In-process,
 * every ratio compares total work on one thread; with a child process it compares latency
 * with the engine on another core, which a busy 2-core machine makes much noisier.
 */
export async function startBenchEngine(
  options: { inProcess?: boolean } = {},
): Promise<BenchEngine> {
  if (options.inProcess) {
    const engine = await startDynalite();
    return withTable(engine.endpoint, () => engine.close());
  }
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./dynalite-process.ts', import.meta.url))],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited early (${code})`)));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve((JSON.parse(line) as { endpoint: string }).endpoint));
  });
  return withTable(endpoint, async () => {
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin?.end();
    await exited;
  });
}

async function withTable(endpoint: string, close: () => Promise<unknown>): Promise<BenchEngine> {
  const client = createDynamoClient({ endpoint });
  const tableName = `bench-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return {
    endpoint,
    client,
    tableName,
    stop: async () => {
      client.destroy();
      await close();
    },
  };
}

export type Row = Record<string, string | number | undefined>;

export const toItem = (row: Row): Record<string, AttributeValue> => {
  const item: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value === undefined) continue;
    item[key] = typeof value === 'number' ? { N: String(value) } : { S: value };
  }
  return item;
};

/** BatchWriteItem in chunks of 25, a few in flight, retrying unprocessed items. */
export async function putRows(client: DynamoDBClient, tableName: string, rows: Row[]) {
  const chunks: Row[][] = [];
  for (let i = 0; i < rows.length; i += 25) chunks.push(rows.slice(i, i + 25));
  const writeChunk = async (chunk: Row[]) => {
    let requests = chunk.map((row) => ({ PutRequest: { Item: toItem(row) } }));
    while (requests.length > 0) {
      const result: BatchWriteItemCommandOutput = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[tableName] ?? []).map((r) => ({
        PutRequest: { Item: r.PutRequest?.Item ?? {} },
      }));
    }
  };
  const inFlight = 4;
  for (let i = 0; i < chunks.length; i += inFlight) {
    await Promise.all(chunks.slice(i, i + inFlight).map(writeChunk));
  }
}
