// Lambda entry for POST /node/status: wiring only, created once per cold start.
import { createBucketReportWriter } from '../data/bucket-node-reports.ts';
import {
  createNodeKeyReader,
  createReportGuard,
  type RegisteredNode,
} from '../data/node-registry.ts';
import { readDynamoEndpoint, readPositiveInt, requireTableName } from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
import { createIngestHandler } from './ingest-handler.ts';

const env = process.env;
const tableName = requireTableName(env);
const client = createDynamoClient({ endpoint: readDynamoEndpoint(env) });
const keyCacheSeconds = readPositiveInt(env, 'NODE_KEY_CACHE_SECONDS', 60, { min: 0, max: 3600 });

export const handler = createIngestHandler({
  getRegisteredNode: createNodeKeyReader(
    client,
    tableName,
    new TtlCache<RegisteredNode>(keyCacheSeconds * 1000, 10_000),
  ),
  acceptReportTimestamp: createReportGuard(client, tableName),
  writeBucketReport: createBucketReportWriter(client, tableName),
  minReportIntervalMs: readPositiveInt(env, 'NODE_MIN_REPORT_INTERVAL_MS', 1000, {
    min: 0,
    max: 3_600_000,
  }),
  logger: createLogger('bucket-status'),
});
