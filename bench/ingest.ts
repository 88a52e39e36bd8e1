import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  bucketRowUpdate,
  createBucketReportWriter,
} from '../functions/data/bucket-node-reports.ts';
import { bucketPk, META_SK, nodePk, nodeSk } from '../functions/data/keys.ts';
import {
  createNodeKeyReader,
  createReportGuard,
  reportGuardUpdate,
} from '../functions/data/node-registry.ts';
import type { BucketReport } from '../functions/domain/node-report.ts';
import {
  generateNodeKeyPair,
  privateKeyFromSeed,
  signNodeReport,
} from '../functions/domain/node-signature.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createIngestHandler } from '../functions/ingest/ingest-handler.ts';
import type { RegisteredNode } from '../functions/ingest/receive-node-report.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { TtlCache } from '../functions/shared/ttl-cache.ts';
import { ingestEvent, lambdaContext } from '../test/support/events.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import { type Comparison, compare, interleave } from './stats.ts';

export interface IngestRow extends Comparison {
  buckets: number;
}

const NODE = 'bench-reporter';
const REPORT = { ip: '203.0.113.7', region: 'us-east-1', version: '1.2.3' };

/** Node timestamps shared by handler and floor: strictly increasing, close to the clock. */
function timestampClock() {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };
}

export const bucketReports = (count: number): BucketReport[] =>
  Array.from({ length: count }, (_, i) => ({
    bucketId: `bench-ingest-${String(i).padStart(3, '0')}`,
    status: i % 5 === 0 ? 'OFFLINE' : 'ONLINE',
    latencyMs: 10 + i,
  }));

export const reportBody = (buckets: BucketReport[]) =>
  JSON.stringify({
    ...REPORT,
    buckets: buckets.map((b) => ({
      bucketId: b.bucketId,
      status: b.status,
      latency_ms: b.latencyMs,
    })),
  });

export interface IngestOptions {
  sizes: number[];
  iterations: number;
  maxMsPerSize: number;
}

/**
 * A signed report through the ingest handler (key cache warm, as on a warm container) versus
 * its floor: the report's conditional writes (the replay guard on the node's META row and
 * every bucket row, from the same builders) all in flight at once. The handler must order the
 * guard before the bucket writes; that extra round trip and our own code are what the ratio
 * measures. minReportIntervalMs is 0 so back-to-back reports are accepted.
 */
export async function benchIngest(
  engine: BenchEngine,
  options: IngestOptions,
): Promise<IngestRow[]> {
  const { client, tableName } = engine;
  const keys = generateNodeKeyPair();
  const privateKey = privateKeyFromSeed(keys.privateKey);
  const allBuckets = bucketReports(Math.max(...options.sizes));
  const rows: Row[] = [
    { pk: nodePk(NODE), sk: META_SK, publicKey: keys.publicKey, status: 'ACTIVE' },
  ];
  for (const bucket of allBuckets) {
    rows.push({ pk: bucketPk(bucket.bucketId), sk: META_SK, workspaceId: 'w', orgId: 'o' });
    rows.push({ pk: bucketPk(bucket.bucketId), sk: nodeSk(NODE) });
  }
  await putRows(client, tableName, rows);

  const handler = createIngestHandler({
    getRegisteredNode: createNodeKeyReader(
      client,
      tableName,
      new TtlCache<RegisteredNode>(3_600_000, 100),
    ),
    acceptReportTimestamp: createReportGuard(client, tableName),
    writeBucketReport: createBucketReportWriter(client, tableName),
    minReportIntervalMs: 0,
    logger: createLogger('bucket-status-bench'),
  });
  const nextTimestamp = timestampClock();

  const results: IngestRow[] = [];
  for (const count of options.sizes) {
    const buckets = allBuckets.slice(0, count);
    const body = reportBody(buckets);
    const subject = () => {
      const headers = signNodeReport(NODE, privateKey, body, nextTimestamp());
      const event = ingestEvent(body, { ...headers });
      const context = lambdaContext();
      let response: HttpResult | undefined;
      return {
        run: async () => {
          response = (await handler(event, context)) as HttpResult;
        },
        check: () => {
          const accepted =
            response?.statusCode === 200 &&
            (JSON.parse(response.body) as { accepted: string[] }).accepted.length;
          if (accepted !== count)
            throw new Error(`report of ${count} buckets: ${response?.body.slice(0, 300)}`);
        },
      };
    };
    const floor = () => {
      const timestamp = nextTimestamp();
      const receivedAt = new Date().toISOString();
      return {
        run: async () => {
          await floorWrites(client, tableName, buckets, timestamp, receivedAt);
        },
      };
    };
    const samples = await interleave(subject, floor, {
      warmup: 10,
      iterations: options.iterations,
      minIterations: 20,
      maxMs: options.maxMsPerSize,
    });
    results.push({ buckets: count, ...compare(samples) });
  }
  return results;
}

/** The floor: the handler's writes, built by the same functions, all in flight at once. */
function floorWrites(
  client: DynamoDBClient,
  tableName: string,
  buckets: BucketReport[],
  timestamp: number,
  receivedAt: string,
) {
  const guard = reportGuardUpdate(
    tableName,
    { nodeId: NODE, timestamp, receivedAtMs: Date.parse(receivedAt), minIntervalMs: 0, ...REPORT },
    randomUUID(),
  );
  return Promise.all([
    client.send(new UpdateItemCommand(guard)),
    ...buckets.map((bucket) =>
      client.send(
        new UpdateItemCommand(
          bucketRowUpdate(tableName, { nodeId: NODE, bucket, ...REPORT, timestamp, receivedAt }),
        ),
      ),
    ),
  ]);
}
