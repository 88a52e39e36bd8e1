// Lambda entry of the ingest function (functions/route-table.ts): settings and clients, once
// per cold start; the routes' handlers come from the function's wiring.
import {
  readDynamoEndpoint,
  readEventRetentionDays,
  readHistoryRetentionDays,
  readNodeKeyCacheSeconds,
  readNodeMinReportIntervalMs,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { createObservability, observed } from '../shared/observability.ts';
import { dispatchByRoute } from '../shared/wiring.ts';
import { wire } from './wiring.ts';

const env = process.env;
// Metrics and X-Ray subsegments (functions/shared/observability.ts): Lambda entries only.
const observability = createObservability(env);

const wired = wire({
  client: observability.tracer.captureDynamoClient(
    createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
  ),
  settings: {
    tableName: requireTableName(env),
    nodeKeyCacheSeconds: readNodeKeyCacheSeconds(env),
    nodeMinReportIntervalMs: readNodeMinReportIntervalMs(env),
    staleAfterSeconds: readStaleAfterSeconds(env),
    historyRetentionDays: readHistoryRetentionDays(env),
    eventRetentionDays: readEventRetentionDays(env),
  },
  logger: createLogger('bucket-status'),
  metrics: observability.metrics,
});

export const handler = observed(dispatchByRoute(wired.routes), observability, 'ingest');
