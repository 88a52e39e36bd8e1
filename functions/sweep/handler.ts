// Lambda entry of the sweep (EventBridge rule, every minute): configuration and clients, once
// per cold start. Recorded events reach alerts through the table's stream, so there is no
// publish port here.
import {
  readDynamoEndpoint,
  readEventRetentionDays,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { createObservability, observed } from '../shared/observability.ts';
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
    staleAfterSeconds: readStaleAfterSeconds(env),
    eventRetentionDays: readEventRetentionDays(env),
  },
  logger: createLogger('bucket-status'),
  metrics: observability.metrics,
});

export const handler = observed(wired.handler, observability, 'sweep');
