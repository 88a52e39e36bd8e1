import { createTokenVerifier } from '../functions/auth/token-verifier.ts';
import { bucketPartitionQuery, createBucketNodesReader } from '../functions/data/bucket-nodes.ts';
import { bucketPk, META_SK } from '../functions/data/keys.ts';
import { createUserAccessReader, userPartitionQuery } from '../functions/data/user-access.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { createStatusHandler } from '../functions/status/status-handler.ts';
import { lambdaContext, statusEvent } from '../test/support/events.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import {
  BENCH_JWT_SECRET,
  benchToken,
  handlerSubject,
  putReader,
  queryPages,
  reportedRow,
} from './read-setup.ts';
import { type Comparison, compare, interleave } from './stats.ts';

const READER = 'bench-reader';
const WORKSPACE = 'bench-workspace';
const ORG = 'bench-org';

export interface ReadPathRow extends Comparison {
  nodes: number;
}

async function seedBucket(engine: BenchEngine, bucketId: string, nodes: number) {
  const lastUpdated = new Date().toISOString();
  const rows: Row[] = [{ pk: bucketPk(bucketId), sk: META_SK, workspaceId: WORKSPACE, orgId: ORG }];
  for (let i = 0; i < nodes; i++) {
    rows.push(reportedRow(bucketId, `node-${String(i).padStart(5, '0')}`, i, lastUpdated));
  }
  await putRows(engine.client, engine.tableName, rows);
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
  await putReader(client, tableName, { userId: READER, orgId: ORG, workspaceId: WORKSPACE });
  const handler = createStatusHandler({
    verifyToken: createTokenVerifier({ source: { kind: 'secret', secret: BENCH_JWT_SECRET } }),
    loadUserAccess: createUserAccessReader(client, tableName),
    openBucket: createBucketNodesReader(client, tableName),
    // Long enough that seeded reports stay fresh for the whole run (same work per read).
    staleAfterSeconds: 86_400,
    logger: createLogger('bucket-status-bench'),
  });
  const token = await benchToken(READER);

  const rows: ReadPathRow[] = [];
  for (const nodes of options.sizes) {
    const bucketId = `bench-bucket-${nodes}`;
    await seedBucket(engine, bucketId, nodes);
    const expectedBytes = await bodyLength(handler, bucketId, token, nodes);
    const subject = handlerSubject(
      handler,
      () => statusEvent(bucketId, { authorization: `Bearer ${token}` }),
      `status read of ${nodes} nodes`,
      { accept: (response) => response.body.length === expectedBytes },
    );
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
