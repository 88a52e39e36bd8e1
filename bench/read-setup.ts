// The set-up the read benches share: the bench token and its reader, the status function's
// wiring on bench settings, workspaces and buckets of freshly reported nodes, the handler
// subject, and the floors' and counters' reads.
import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { SignJWT } from 'jose';
import {
  bucketPk,
  listingSk,
  META_SK,
  nodeSk,
  PROFILE_SK,
  userPk,
  workspaceBucketsPk,
  workspacePk,
  workspaceSk,
} from '../functions/data/keys.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { type StatusSettings, wire as wireStatus } from '../functions/status/wiring.ts';
import { wire as wireWorkspace } from '../functions/workspace/wiring.ts';
import { lambdaContext } from '../test/support/events.ts';
import { putHealthCheckpoint } from '../test/support/health-checkpoint.ts';
import { putRows, type Row } from './engine.ts';

export const BENCH_JWT_SECRET = 'bench-secret-that-is-at-least-32-bytes-long!';

/** An HS256 bearer token for `subject`: by default signed with the bench secret, for two hours. */
export const benchToken = (
  subject: string,
  { secret = BENCH_JWT_SECRET, expiresIn = '2h' }: { secret?: string; expiresIn?: string } = {},
) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));

/** A bench reader: an active member of `orgId` and, given a workspace, READ on it. */
export interface BenchReader {
  userId: string;
  orgId: string;
  workspaceId?: string;
}

/** The reader's rows: its profile and, given a workspace, its READ membership. */
export async function putReader(
  client: DynamoDBClient,
  tableName: string,
  { userId, orgId, workspaceId }: BenchReader,
) {
  const rows: Row[] = [
    { pk: userPk(userId), sk: PROFILE_SK, orgId, orgRole: 'MEMBER', status: 'ACTIVE' },
  ];
  if (workspaceId !== undefined) {
    rows.push({ pk: userPk(userId), sk: workspaceSk(workspaceId), role: 'READ' });
  }
  await putRows(client, tableName, rows);
}

/**
 * The user reads' production wiring (the status and workspace functions, which read the same
 * settings) on the bench settings, with the settings and the logger it was given (the public
 * function's wiring takes the same ones), and `reader` stored with a bearer token for it.
 */
export async function benchStatusWiring(
  client: DynamoDBClient,
  tableName: string,
  reader: BenchReader,
) {
  const settings: StatusSettings = {
    tableName,
    jwt: { source: { kind: 'secret', secret: BENCH_JWT_SECRET } },
    // Long enough that seeded reports stay fresh for the whole run (same work per read).
    staleAfterSeconds: 86_400,
    historyRetentionDays: 400,
    eventRetentionDays: 90,
    eventsCursorKey: { kind: 'secret', secret: BENCH_JWT_SECRET, setting: 'JWT_SECRET' },
  };
  const logger = createLogger('bucket-status-bench');
  const routes = {
    ...wireStatus({ client, settings, logger }).routes,
    ...wireWorkspace({ client, settings, logger }).routes,
  };
  await putReader(client, tableName, reader);
  return { settings, logger, routes, token: await benchToken(reader.userId) };
}

/**
 * A workspace of `orgId` named after its id, READ for `userId`, listing `bucketIds` (each named
 * after its id): its META row, the reader's membership and the listing rows.
 */
export function workspaceRows(
  workspaceId: string,
  { orgId, userId, bucketIds }: { orgId: string; userId: string; bucketIds: readonly string[] },
): Row[] {
  return [
    { pk: userPk(userId), sk: workspaceSk(workspaceId), role: 'READ' },
    { pk: workspacePk(workspaceId), sk: META_SK, orgId, name: workspaceId },
    ...bucketIds.map((bucketId) => ({
      pk: workspaceBucketsPk(workspaceId),
      sk: listingSk(bucketId, bucketId),
      bucketId,
      name: bucketId,
    })),
  ];
}

/** A stored report as the ingest path writes it, so items have their real size. */
export const reportedRow = (bucketId: string, nodeId: string, i: number, lastUpdated: string) => ({
  pk: bucketPk(bucketId),
  sk: nodeSk(nodeId),
  ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  region: ['us-east-1', 'eu-west-1', 'ap-southeast-2'][i % 3],
  version: '1.2.3',
  status: i % 7 === 0 ? 'OFFLINE' : 'ONLINE',
  latency_ms: (i * 37) % 500,
  lastUpdated,
  reportedAt: Date.now(),
});

/** A bucket's META row (with `meta`'s attributes) and `nodes` nodes that reported at `now`. */
export function freshBucketRows(
  bucketId: string,
  nodes: number,
  now: number,
  meta: { workspaceId: string; orgId: string; name?: string },
): Row[] {
  const rows: Row[] = [{ pk: bucketPk(bucketId), sk: META_SK, ...meta }];
  const lastUpdated = new Date(now).toISOString();
  for (let i = 0; i < nodes; i++) {
    const row = reportedRow(bucketId, `node-${String(i).padStart(5, '0')}`, i, lastUpdated);
    rows.push({ ...row, lastAt: now });
  }
  return rows;
}

/** The counts of freshBucketRows' `nodes` rows: every node counted, as reported. */
export function freshCounts(nodes: number) {
  let offline = 0;
  for (let i = 0; i < nodes; i++) if (reportedRow('', '', i, '').status === 'OFFLINE') offline++;
  return { counted: nodes, online: nodes - offline, offline };
}

/**
 * The bucket's health checkpoint a minute before `now`, as the sweep keeps it (a health read's
 * tail is one round trip), counting freshBucketRows' `nodes` nodes as its log would.
 */
export async function putFreshCheckpoint(
  client: DynamoDBClient,
  tableName: string,
  bucketId: string,
  now: number,
  nodes: number,
) {
  await putHealthCheckpoint(client, tableName, bucketId, now - 60_000, freshCounts(nodes));
}

/** A floor's pagination: the SDK call loop and nothing else. */
export async function queryPages(
  client: DynamoDBClient,
  input: QueryCommandInput,
): Promise<number> {
  let items = 0;
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items += page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/**
 * The subject of a read: one invocation of the handler (on a fresh event and context), checked
 * untimed to have answered 200 with a response `accept` takes.
 */
export function handlerSubject<E>(
  handler: (event: E, context: Context) => Promise<unknown>,
  event: () => E,
  label: string,
  {
    accept = () => true,
    context = lambdaContext,
  }: { accept?: (response: HttpResult) => boolean; context?: () => Context } = {},
) {
  return () => {
    const e = event();
    const c = context();
    let response: HttpResult | undefined;
    return {
      run: async () => {
        response = (await handler(e, c)) as HttpResult;
      },
      check: () => {
        if (response?.statusCode !== 200 || !accept(response)) {
          throw new Error(`${label} failed: ${response?.body.slice(0, 200)}`);
        }
      },
    };
  };
}

/**
 * Counts the requests the client sends and the items their answers carry (Query and
 * BatchGetItem items, a GetItem's item) while `on`.
 */
export function countReads(client: DynamoDBClient) {
  let on = false;
  let requests = 0;
  let items = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      if (on) {
        requests++;
        const out = result.output as {
          Items?: unknown[];
          Item?: unknown;
          Responses?: Record<string, unknown[]>;
        };
        items += out.Items?.length ?? 0;
        if (out.Item !== undefined) items++;
        for (const rows of Object.values(out.Responses ?? {})) items += rows.length;
      }
      return result;
    },
    { step: 'initialize', name: 'benchCountReads' },
  );
  return {
    start: () => {
      requests = 0;
      items = 0;
      on = true;
    },
    stop: () => {
      on = false;
      return { requests, items };
    },
  };
}
