import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import { createTokenVerifier } from '../functions/auth/token-verifier.ts';
import { bucketPartitionQuery, createBucketNodesReader } from '../functions/data/bucket-nodes.ts';
import {
  bucketPk,
  META_SK,
  nodeSk,
  PROFILE_SK,
  userPk,
  workspaceSk,
} from '../functions/data/keys.ts';
import { createUserAccessReader, userPartitionQuery } from '../functions/data/user-access.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { createStatusHandler } from '../functions/status/status-handler.ts';
import { lambdaContext, statusEvent } from '../test/support/events.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import { type Comparison, compare, interleave } from './stats.ts';

export const BENCH_JWT_SECRET = 'bench-secret-that-is-at-least-32-bytes-long!';
const READER = 'bench-reader';
const WORKSPACE = 'bench-workspace';
const ORG = 'bench-org';

export interface ReadPathRow extends Comparison {
  nodes: number;
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

async function seedBucket(engine: BenchEngine, bucketId: string, nodes: number) {
  const lastUpdated = new Date().toISOString();
  const rows: Row[] = [{ pk: bucketPk(bucketId), sk: META_SK, workspaceId: WORKSPACE, orgId: ORG }];
  for (let i = 0; i < nodes; i++) {
    rows.push(reportedRow(bucketId, `node-${String(i).padStart(5, '0')}`, i, lastUpdated));
  }
  await putRows(engine.client, engine.tableName, rows);
}

/** The floor's pagination: the SDK call loop and nothing else. */
async function queryPages(client: DynamoDBClient, input: QueryCommandInput): Promise<number> {
  let items = 0;
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items += page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

export interface ReadPathOptions {
  sizes: number[];
  /** At most this many pairs per size; fewer when maxMsPerSize runs out first. */
  iterations: number;
  maxMsPerSize: number;
  /** Per-size overrides of maxMsPerSize (the big buckets need the time, small ones do not). */
  maxMsBySize?: Record<number, number>;
}

/**
 * The status handler in-process against dynalite versus its floor, the same two Queries
 * (from the same builders) sent directly in parallel and paginated, interleaved.
 */
export async function benchReadPath(
  engine: BenchEngine,
  options: ReadPathOptions,
): Promise<ReadPathRow[]> {
  const { client, tableName } = engine;
  await putRows(client, tableName, [
    { pk: userPk(READER), sk: PROFILE_SK, orgId: ORG, orgRole: 'MEMBER', status: 'ACTIVE' },
    { pk: userPk(READER), sk: workspaceSk(WORKSPACE), role: 'READ' },
  ]);
  const handler = createStatusHandler({
    verifyToken: createTokenVerifier({ source: { kind: 'secret', secret: BENCH_JWT_SECRET } }),
    loadUserAccess: createUserAccessReader(client, tableName),
    openBucket: createBucketNodesReader(client, tableName),
    // Long enough that seeded reports stay fresh for the whole run (same work per read).
    staleAfterSeconds: 86_400,
    logger: createLogger('bucket-status-bench'),
  });
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(READER)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));

  const rows: ReadPathRow[] = [];
  for (const nodes of options.sizes) {
    const bucketId = `bench-bucket-${nodes}`;
    await seedBucket(engine, bucketId, nodes);
    const expectedBytes = await bodyLength(handler, bucketId, token, nodes);
    const subject = () => {
      const event = statusEvent(bucketId, { authorization: `Bearer ${token}` });
      const context = lambdaContext();
      let response: HttpResult | undefined;
      return {
        run: async () => {
          response = (await handler(event, context)) as HttpResult;
        },
        check: () => {
          if (response?.statusCode !== 200 || response.body.length !== expectedBytes) {
            throw new Error(
              `status read of ${nodes} nodes failed: ${response?.body.slice(0, 200)}`,
            );
          }
        },
      };
    };
    const floor = () => {
      let items = 0;
      return {
        run: async () => {
          const [userItems, bucketItems] = await Promise.all([
            queryPages(client, userPartitionQuery(tableName, READER)),
            queryPages(client, bucketPartitionQuery(tableName, bucketId)),
          ]);
          items = userItems + bucketItems;
        },
        check: () => {
          if (items !== nodes + 3) throw new Error(`floor read ${items} items, not ${nodes + 3}`);
        },
      };
    };
    const samples = await interleave(subject, floor, {
      warmup: 10,
      iterations: options.iterations,
      minIterations: 15,
      maxMs: options.maxMsBySize?.[nodes] ?? options.maxMsPerSize,
    });
    rows.push({ nodes, ...compare(samples) });
  }
  return rows;
}

/** One untimed read that proves the handler returns every node; its size pins later reads. */
async function bodyLength(
  handler: ReturnType<typeof createStatusHandler>,
  bucketId: string,
  token: string,
  nodes: number,
): Promise<number> {
  const response = (await handler(
    statusEvent(bucketId, { authorization: `Bearer ${token}` }),
    lambdaContext(),
  )) as HttpResult;
  const body = JSON.parse(response.body) as { nodeStatus?: unknown[] };
  if (response.statusCode !== 200 || body.nodeStatus?.length !== nodes) {
    throw new Error(`status read of ${nodes} nodes returned ${response.statusCode}`);
  }
  return response.body.length;
}
