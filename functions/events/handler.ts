// Lambda entry of the events function (functions/route-table.ts): settings and clients, once
// per cold start; the route's handler comes from the function's wiring.
import {
  readDynamoEndpoint,
  readEventRetentionDays,
  readEventsCursorKeySource,
  readJwtConfig,
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
    eventRetentionDays: readEventRetentionDays(env),
    eventsCursorKey: readEventsCursorKeySource(env),
  },
  logger: createLogger('bucket-status'),
  metrics: observability.metrics,
});

export const handler = observed(dispatchByRoute(wired.routes), observability, 'events');

// The secrets named by JWT_SECRET_ARN / EVENTS_CURSOR_SECRET_ARN are fetched during init; one
// that cannot work fails the cold start.
await wired.ready;
