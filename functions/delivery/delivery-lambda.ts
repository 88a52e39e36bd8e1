// Lambda entry of webhook delivery (functions/route-table.ts): one attempt per SQS message;
// loopback targets are never allowed here. Settings and clients once per cold start.
import { ConfigError, readDynamoEndpoint, requireTableName } from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { createObservability, observed } from '../shared/observability.ts';
import { wire } from './delivery-wiring.ts';

const env = process.env;
const deliveryQueueUrl = env.DELIVERY_QUEUE_URL?.trim();
if (!deliveryQueueUrl) {
  throw new ConfigError(
    'DELIVERY_QUEUE_URL is required (the delivery queue)',
    'DELIVERY_QUEUE_URL',
  );
}
// Metrics and X-Ray subsegments (functions/shared/observability.ts): Lambda entries only.
const observability = createObservability(env);

const wired = wire({
  client: observability.tracer.captureDynamoClient(
    createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
  ),
  settings: { tableName: requireTableName(env), deliveryQueueUrl },
  logger: createLogger('bucket-status'),
  metrics: observability.metrics,
});

export const handler = observed(wired.handler, observability, 'delivery');
