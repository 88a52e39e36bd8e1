import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTokenVerifier } from '../functions/auth/token-verifier.ts';
import { createBucketReportWriter } from '../functions/data/bucket-node-reports.ts';
import { createBucketNodesReader } from '../functions/data/bucket-nodes.ts';
import {
  createNodeKeyReader,
  createReportGuard,
  type RegisteredNode,
} from '../functions/data/node-registry.ts';
import { createUserAccessReader } from '../functions/data/user-access.ts';
import { createIngestHandler } from '../functions/ingest/ingest-handler.ts';
import { TtlCache } from '../functions/shared/ttl-cache.ts';
import { createStatusHandler } from '../functions/status/status-handler.ts';
import type { LocalConfig } from './config.ts';

/**
 * The two Lambda handlers, built from the same factories and wired exactly like the Lambda
 * entries (functions/status/handler.ts, functions/ingest/handler.ts), but from a config
 * object instead of process.env at import time.
 */
export function createLocalHandlers(input: {
  client: DynamoDBClient;
  config: LocalConfig;
  logger: Logger;
}) {
  const { client, config, logger } = input;
  const { tableName } = config;
  return {
    status: createStatusHandler({
      verifyToken: createTokenVerifier(config.jwt),
      loadUserAccess: createUserAccessReader(client, tableName),
      loadBucketWithNodes: createBucketNodesReader(client, tableName),
      staleAfterSeconds: config.staleAfterSeconds,
      logger,
    }),
    ingest: createIngestHandler({
      getRegisteredNode: createNodeKeyReader(
        client,
        tableName,
        new TtlCache<RegisteredNode>(config.nodeKeyCacheSeconds * 1000, 10_000),
      ),
      acceptReportTimestamp: createReportGuard(client, tableName),
      writeBucketReport: createBucketReportWriter(client, tableName),
      minReportIntervalMs: config.nodeMinReportIntervalMs,
      logger,
    }),
  };
}
