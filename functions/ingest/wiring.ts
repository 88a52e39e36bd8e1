import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createBucketReportWriter } from '../data/bucket-node-reports.ts';
import {
  createNodeKeyReader,
  createReportGuard,
  type RegisteredNode,
} from '../data/node-registry.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
import { createIngestHandler } from './ingest-handler.ts';

export interface IngestWiring {
  client: DynamoDBClient;
  tableName: string;
  nodeKeyCacheSeconds: number;
  minReportIntervalMs: number;
  logger: Logger;
}

/** Upper bound on cached node keys per container. */
const MAX_CACHED_NODE_KEYS = 10_000;

/** The ingest handler on its real adapters: used by the Lambda entry and the local runtime. */
export const wireIngestHandler = ({
  client,
  tableName,
  nodeKeyCacheSeconds,
  minReportIntervalMs,
  logger,
}: IngestWiring) =>
  createIngestHandler({
    getRegisteredNode: createNodeKeyReader(
      client,
      tableName,
      new TtlCache<RegisteredNode>(nodeKeyCacheSeconds * 1000, MAX_CACHED_NODE_KEYS),
    ),
    acceptReportTimestamp: createReportGuard(client, tableName),
    writeBucketReport: createBucketReportWriter(client, tableName),
    minReportIntervalMs,
    logger,
  });
