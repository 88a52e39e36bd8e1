// A public GET (DESIGN.md section 17) against the authenticated GET of the same route and
// bucket: the public function's wiring with a share token versus the status function's with a
// bearer token, interleaved, on one bucket. The ratio is the public median over the
// authenticated one; the reads (requests and items returned) of one untimed call of each are
// counted, and a public read must not cost more of them.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import { checkpointItem, entryItem } from '../functions/data/bucket-health.ts';
import {
  bucketPk,
  HEALTH_STATE_SK,
  healthPk,
  META_SK,
  PROFILE_SK,
  userPk,
  workspaceSk,
} from '../functions/data/keys.ts';
import { createShareStore } from '../functions/data/shares.ts';
import { initialCheckpoint } from '../functions/domain/health-timeline.ts';
import { generateShareToken, shareTokenHash } from '../functions/domain/shares.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { wire as wirePublic } from '../functions/public/wiring.ts';
import { createLogger } from '../functions/shared/logger.ts';
import type { HttpHandler } from '../functions/shared/wiring.ts';
import { wire as wireStatus } from '../functions/status/wiring.ts';
import { httpApiEvent, lambdaContext } from '../test/support/events.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import { BENCH_JWT_SECRET, reportedRow } from './read-path.ts';
import { type Comparison, compare, interleave } from './stats.ts';

const READER = 'bench-public-reader';
const WORKSPACE = 'bench-public-workspace';
const ORG = 'bench-public-org';

/** The public routes measured, each beside its authenticated twin. */
export const PUBLIC_READ_ROUTES = ['status', 'health'] as const;
export type PublicReadRoute = (typeof PUBLIC_READ_ROUTES)[number];

export interface PublicReadRow extends Comparison {
  route: PublicReadRoute;
  nodes: number;
  /** DynamoDB requests of one public read and of one authenticated read. */
  publicRequests: number;
  authRequests: number;
  /** Items the table returned to one public read and to one authenticated read. */
  publicItems: number;
  authItems: number;
}

export interface PublicReadOptions {
  nodes: number[];
  iterations: number;
  maxMsPerRoute: number;
}

/** Counts the requests a client sends and the items they return while `on`. */
function countReads(client: DynamoDBClient) {
  let on = false;
  let requests = 0;
  let items = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      if (on) {
        requests++;
        const output = result.output as { Items?: unknown[]; Item?: unknown };
        items += output.Items?.length ?? (output.Item === undefined ? 0 : 1);
      }
      return result;
    },
    { step: 'initialize', name: 'benchCountReads' },
  );
  return async (call: () => Promise<void>) => {
    requests = 0;
    items = 0;
    on = true;
    try {
      await call();
    } finally {
      on = false;
    }
    return { requests, items };
  };
}

export async function benchPublicRead(
  engine: BenchEngine,
  options: PublicReadOptions,
): Promise<PublicReadRow[]> {
  const { client, tableName } = engine;
  const settings = {
    tableName,
    jwt: { source: { kind: 'secret', secret: BENCH_JWT_SECRET } },
    // Long enough that seeded reports stay fresh for the whole run (same work per read).
    staleAfterSeconds: 86_400,
    historyRetentionDays: 400,
    eventRetentionDays: 90,
    eventsCursorKey: { kind: 'secret', secret: BENCH_JWT_SECRET, setting: 'JWT_SECRET' },
  } as const;
  const logger = createLogger('bucket-status-bench');
  const status = wireStatus({ client, settings, logger }).routes as Record<string, HttpHandler>;
  const publicRoutes = wirePublic({ client, settings, logger }).routes as Record<
    string,
    HttpHandler
  >;
  await putRows(client, tableName, [
    { pk: userPk(READER), sk: PROFILE_SK, orgId: ORG, orgRole: 'MEMBER', status: 'ACTIVE' },
    { pk: userPk(READER), sk: workspaceSk(WORKSPACE), role: 'READ' },
  ]);
  const bearer = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(READER)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));
  const counted = countReads(client);
  const shares = createShareStore(client, tableName);

  const rows: PublicReadRow[] = [];
  for (const nodes of options.nodes) {
    const bucketId = `bench-public-${nodes}`;
    const now = Date.now();
    const lastUpdated = new Date(now).toISOString();
    const seeded: Row[] = [
      { pk: bucketPk(bucketId), sk: META_SK, workspaceId: WORKSPACE, orgId: ORG },
    ];
    for (let i = 0; i < nodes; i++) {
      const row = reportedRow(bucketId, `node-${String(i).padStart(5, '0')}`, i, lastUpdated);
      seeded.push({ ...row, lastAt: now });
    }
    await putRows(client, tableName, seeded);
    // A checkpoint a minute old, as the sweep keeps it: GET health's tail is one round trip.
    const checkpoint = initialCheckpoint(now - 60_000, []);
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: healthPk(bucketId) },
          sk: { S: HEALTH_STATE_SK },
          ...checkpointItem(checkpoint),
          ...entryItem(checkpoint),
          ver: { N: '0' },
        },
      }),
    );
    // A share that shows ips: its bodies are the authenticated ones, byte for byte.
    const token = generateShareToken();
    await shares.putShare(bucketId, {
      shareId: `shr_bench_${nodes}`,
      slot: 0,
      label: undefined,
      showIps: true,
      createdAt: lastUpdated,
      tokenHash: shareTokenHash(token),
    });

    for (const route of PUBLIC_READ_ROUTES) {
      const authRouteKey = `GET /bucket/{bucketId}/${route}`;
      const publicRouteKey = `GET /public/{token}/${route}`;
      const authEvent = () =>
        httpApiEvent({
          method: 'GET',
          path: `/bucket/${bucketId}/${route}`,
          routeKey: authRouteKey,
          pathParameters: { bucketId },
          headers: { authorization: `Bearer ${bearer}` },
        });
      const publicEvent = () =>
        httpApiEvent({
          method: 'GET',
          path: `/public/${token}/${route}`,
          routeKey: publicRouteKey,
          pathParameters: { token },
        });
      const trial = (handler: HttpHandler | undefined, event: () => unknown) => () => {
        if (handler === undefined) throw new Error(`${route}: no handler`);
        const e = event() as Parameters<HttpHandler>[0];
        const context = lambdaContext();
        let response: HttpResult | undefined;
        return {
          run: async () => {
            response = (await handler(e, context)) as HttpResult;
          },
          check: () => {
            if (response?.statusCode !== 200) {
              throw new Error(`${route} of ${nodes} nodes: ${response?.body.slice(0, 200)}`);
            }
          },
        };
      };
      const publicTrial = trial(publicRoutes[publicRouteKey], publicEvent);
      const authTrial = trial(status[authRouteKey], authEvent);
      // One untimed call of each: a 200 with every node, and the reads it made.
      const once = async (prepare: typeof publicTrial) => {
        const t = prepare();
        const reads = await counted(t.run);
        t.check();
        return reads;
      };
      const publicReads = await once(publicTrial);
      const authReads = await once(authTrial);
      const samples = await interleave(publicTrial, authTrial, {
        warmup: 10,
        iterations: options.iterations,
        minIterations: 15,
        maxMs: options.maxMsPerRoute,
      });
      rows.push({
        route,
        nodes,
        publicRequests: publicReads.requests,
        authRequests: authReads.requests,
        publicItems: publicReads.items,
        authItems: authReads.items,
        ...compare(samples),
      });
    }
  }
  return rows;
}
