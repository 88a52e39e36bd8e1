import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import { expect } from 'vitest';
import { bucketPk, META_SK, nodePk, nodeSk } from '../../functions/data/keys.ts';
import { signNodeReport } from '../../functions/domain/node-signature.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { ingestEvent, lambdaContext, statusEvent } from './events.ts';
import type { Seeder } from './seed.ts';
import { partitionRows, tableFixtures } from './table.ts';
import { ingestHandlerFor, statusHandlerFor, testSettings } from './wiring.ts';

export const JWT_TEST_SECRET = 'ingest-tests-secret-at-least-32-bytes-long';

/**
 * For tests whose node sends reports back to back (each test of the rate limit sets its own):
 * the fixture otherwise applies production's per-node limit.
 */
export const NO_RATE_LIMIT = { minReportIntervalMs: 0 } as const;

export interface IngestHandlerOptions {
  /** Production's per-node limit (1000 ms) unless set; 0 turns it off. */
  minReportIntervalMs?: number;
  /** The server clock (receive time); defaults to Date.now. */
  now?: () => number;
  keyCacheSeconds?: number;
}

export interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
}

const toResponse = (result: HttpResult): Response => ({
  statusCode: result.statusCode,
  headers: result.headers,
  body: result.body,
  json: JSON.parse(result.body) as Record<string, unknown>,
});

/** The ingest Lambda through the production wiring (functions/ingest/wiring.ts), on a test table. */
export function buildIngestHandler(
  client: DynamoDBClient,
  tableName: string,
  options: IngestHandlerOptions = {},
) {
  const handler = ingestHandlerFor({
    client,
    settings: testSettings(tableName, JWT_TEST_SECRET, {
      ...(options.minReportIntervalMs !== undefined && {
        nodeMinReportIntervalMs: options.minReportIntervalMs,
      }),
      ...(options.keyCacheSeconds !== undefined && {
        nodeKeyCacheSeconds: options.keyCacheSeconds,
      }),
    }),
    ...(options.now && { overrides: { now: options.now } }),
  });
  return async (body: string, headers: Record<string, string>, isBase64Encoded = false) =>
    toResponse(
      (await handler(ingestEvent(body, headers, isBase64Encoded), lambdaContext())) as HttpResult,
    );
}

export type PostReport = ReturnType<typeof buildIngestHandler>;

/**
 * `tableFixtures(prefix)` plus `post`, the ingest handler on the file's table (`options` as for
 * `buildIngestHandler`), `read`, the table's rows as stored; and, each a fresh handler on every
 * call: `postVia(client)` with the same options, its requests through `client`,
 * `postWith(overrides)` with the options overridden, and `readStatus`, the status Lambda.
 */
export const ingestFixtures = (prefix: string, options: IngestHandlerOptions = {}) =>
  tableFixtures(prefix)
    .extend('post', { scope: 'file' }, ({ table }) =>
      buildIngestHandler(table.client, table.tableName, options),
    )
    .extend('read', { scope: 'file' }, ({ table }) => rowsOf(table.client, table.tableName))
    .extend(
      'postVia',
      { scope: 'file' },
      ({ table }) =>
        (client: DynamoDBClient) =>
          buildIngestHandler(client, table.tableName, options),
    )
    .extend(
      'postWith',
      { scope: 'file' },
      ({ table }) =>
        (overrides: IngestHandlerOptions) =>
          buildIngestHandler(table.client, table.tableName, { ...options, ...overrides }),
    )
    .extend(
      'readStatus',
      { scope: 'file' },
      ({ table }) =>
        (bucketId: string, headers: Record<string, string>) =>
          buildStatusReader(table.client, table.tableName)(bucketId, headers),
    );

export interface BucketEntry {
  bucketId: string;
  status?: string;
  latency_ms?: number;
}

/** A well-formed report body; `overrides` replace top-level fields. */
export function reportBody(
  buckets: BucketEntry[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ip: '203.0.113.7',
    region: 'us-east-1',
    version: '1.2.3',
    buckets: buckets.map((bucket) => ({ status: 'ONLINE', ...bucket })),
    ...overrides,
  };
}

/** The raw body and the three signature headers, signed over exactly that body. */
export function signed(
  nodeId: string,
  privateKey: string,
  body: unknown,
  timestamp: number = Date.now(),
): { body: string; headers: Record<string, string> } {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return { body: raw, headers: { ...signNodeReport(nodeId, privateKey, raw, timestamp) } };
}

/** The status Lambda as a user sees it, with an HS256 verifier. */
export function buildStatusReader(client: DynamoDBClient, tableName: string) {
  const handler = statusHandlerFor({
    client,
    settings: testSettings(tableName, JWT_TEST_SECRET),
  });
  return async (bucketId: string, headers: Record<string, string>) =>
    toResponse((await handler(statusEvent(bucketId, headers), lambdaContext())) as HttpResult);
}

export async function userToken(userId: string): Promise<string> {
  const nowS = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + 3600)
    .sign(new TextEncoder().encode(JWT_TEST_SECRET));
}

/** A bucket in a fresh workspace, with a READ member; returns ids and the member's token. */
export async function bucketWithReader(seed: Seeder, bucketId: string = randomUUID()) {
  const userId = randomUUID();
  const workspaceId = randomUUID();
  const orgId = randomUUID();
  await seed.user(userId, { orgId, orgRole: 'MEMBER' });
  await seed.membership(userId, workspaceId, 'READ');
  await seed.bucket(bucketId, { workspaceId, orgId });
  return { bucketId, userId, token: await userToken(userId) };
}

/** A registered ACTIVE node assigned to `bucketIds`; returns its private key. */
export async function assignedNode(seed: Seeder, nodeId: string, bucketIds: string[]) {
  const privateKey = await seed.node(nodeId);
  for (const bucketId of bucketIds) await seed.assignment(bucketId, nodeId);
  return privateKey;
}

/** A fresh registered node assigned to `count` fresh buckets (`bucketId` is the first). */
export async function nodeOnBuckets(seed: Seeder, count = 1) {
  const bucketIds = Array.from({ length: count }, () => randomUUID());
  const nodeId = `node-${randomUUID()}`;
  const privateKey = await assignedNode(seed, nodeId, bucketIds);
  return { bucketIds, bucketId: bucketIds[0] as string, nodeId, privateKey };
}

type Plain = Record<string, string | number>;

const plain = (item: Record<string, { S?: string; N?: string }>): Plain =>
  Object.fromEntries(
    Object.entries(item).map(([key, value]) => [
      key,
      value.N !== undefined ? Number(value.N) : (value.S as string),
    ]),
  );

async function getRow(client: DynamoDBClient, tableName: string, pk: string, sk: string) {
  const { Item } = await client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return Item === undefined ? undefined : plain(Item);
}

/** The bucket's NODE# row as stored (numbers as numbers). */
export const readBucketRow = (
  client: DynamoDBClient,
  tableName: string,
  bucketId: string,
  nodeId: string,
) => getRow(client, tableName, bucketPk(bucketId), nodeSk(nodeId));

/** The node's META row as stored. */
export const readNodeMeta = (client: DynamoDBClient, tableName: string, nodeId: string) =>
  getRow(client, tableName, nodePk(nodeId), META_SK);

/** Every row of a bucket's partition (META and NODE# rows). */
export const readBucketPartition = async (
  client: DynamoDBClient,
  tableName: string,
  bucketId: string,
): Promise<Plain[]> => (await partitionRows(client, tableName, bucketPk(bucketId))).map(plain);

/** Asserts the contract's error response (status, exact body keys, JSON); returns the message. */
export function expectError(response: Response, statusCode: number): string {
  expect({ statusCode: response.statusCode, body: response.json }).toStrictEqual({
    statusCode,
    body: { success: false, message: expect.stringMatching(/\S/) },
  });
  expect(response.headers['content-type']).toBe('application/json');
  return response.json.message as string;
}

export type StoredRows = ReturnType<typeof rowsOf>;

/** The stored rows of one table, read as the helpers above read them. */
export const rowsOf = (client: DynamoDBClient, tableName: string) => ({
  bucketRow: (bucketId: string, nodeId: string) =>
    readBucketRow(client, tableName, bucketId, nodeId),
  nodeMeta: (nodeId: string) => readNodeMeta(client, tableName, nodeId),
  bucketPartition: (bucketId: string) => readBucketPartition(client, tableName, bucketId),
});
