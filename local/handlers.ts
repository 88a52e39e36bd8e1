import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { wireIngestHandler } from '../functions/ingest/wiring.ts';
import { wireStatusHandler } from '../functions/status/wiring.ts';
import type { LocalConfig } from './config.ts';

/**
 * The two Lambda handlers, wired by the same functions as the Lambda entries
 * (functions/status/handler.ts, functions/ingest/handler.ts), from a config object instead of
 * process.env at import time.
 */
export function createLocalHandlers(input: {
  client: DynamoDBClient;
  config: LocalConfig;
  logger: Logger;
}) {
  const { client, config, logger } = input;
  const { tableName } = config;
  return {
    status: wireStatusHandler({
      client,
      tableName,
      jwt: config.jwt,
      staleAfterSeconds: config.staleAfterSeconds,
      logger,
    }),
    ingest: wireIngestHandler({
      client,
      tableName,
      nodeKeyCacheSeconds: config.nodeKeyCacheSeconds,
      minReportIntervalMs: config.nodeMinReportIntervalMs,
      logger,
    }),
  };
}
