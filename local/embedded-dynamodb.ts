import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../functions/data/table-definition.ts';

const require = createRequire(import.meta.url);

/** How long close waits for requests in progress before it drops them. */
const CLOSE_GRACE_MS = 5_000;

export interface EmbeddedDynamo {
  endpoint: string;
  /** Requests received and not yet answered (close waits for them). */
  readonly requestsInProgress: number;
  close(): Promise<void>;
}

/**
 * dynalite in this process: a DynamoDB-compatible engine over real HTTP on loopback, in
 * memory or persisted to `dataDir`. Table states switch instantly (no CREATING wait).
 */
export async function startDynalite(
  options: { port?: number; dataDir?: string } = {},
): Promise<EmbeddedDynamo> {
  const dynalite = require('dynalite') as (
    opts: Record<string, unknown>,
  ) => import('node:http').Server;
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir !== undefined && { path: options.dataDir }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // dynalite closes its database when its server closes, and throws (an uncaught exception in
  // this process) from any request still writing then; so close waits for those first.
  const active = new Set<Promise<void>>();
  server.on('request', (_request, response: ServerResponse) => {
    const done = new Promise<void>((resolve) => response.once('close', resolve));
    active.add(done);
    void done.then(() => active.delete(done));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requestsInProgress() {
      return active.size;
    },
    close: async () => {
      server.closeIdleConnections?.();
      const grace = new AbortController();
      await Promise.race([
        Promise.all(active),
        delay(CLOSE_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined),
      ]);
      grace.abort();
      await new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

/** Creates the table from the shared definition unless it exists; waits until ACTIVE. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'existed'> {
  let outcome: 'created' | 'existed' = 'created';
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    outcome = 'existed';
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
