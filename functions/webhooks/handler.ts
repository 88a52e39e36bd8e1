// Lambda entry of the webhooks function (functions/route-table.ts): settings and clients, once
// per cold start. The stack never sets WEBHOOK_ALLOW_LOOPBACK: deployed, only public https
// targets are accepted.
import {
  readDynamoEndpoint,
  readJwtConfig,
  readWebhookAllowLoopback,
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
    webhookAllowLoopback: readWebhookAllowLoopback(env),
  },
  logger: createLogger('bucket-status'),
  metrics: observability.metrics,
});

export const handler = observed(dispatchByRoute(wired.routes), observability, 'webhooks');

// JWT_SECRET_ARN: the secret is fetched during init; one that cannot work fails the cold start.
await wired.ready;
