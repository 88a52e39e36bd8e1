// Lambda entry for POST /node/status: configuration and clients, once per cold start.
import {
  readDynamoEndpoint,
  readNodeKeyCacheSeconds,
  readNodeMinReportIntervalMs,
  requireTableName,
} from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { wireIngestHandler } from './wiring.ts';

const env = process.env;

export const handler = wireIngestHandler({
  client: createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
  tableName: requireTableName(env),
  nodeKeyCacheSeconds: readNodeKeyCacheSeconds(env),
  minReportIntervalMs: readNodeMinReportIntervalMs(env),
  logger: createLogger('bucket-status'),
});
