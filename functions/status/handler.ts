// Lambda entry of the status function (functions/route-table.ts): settings and clients, once
// per cold start; the routes' handlers come from the function's wiring.
import {
  readDynamoEndpoint,
  readHistoryRetentionDays,
  readJwtConfig,
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
    jwt: readJwtConfig(env),
    staleAfterSeconds: readStaleAfterSeconds(env),
    historyRetentionDays: readHistoryRetentionDays(env),
  },
  logger: createLogger('bucket-status'),
  metrics: observability.metrics,
});

export const handler = observed(dispatchByRoute(wired.routes), observability, 'status');

// JWT_SECRET_ARN: the secret is fetched during init; one that cannot work fails the cold start.
await wired.ready;
