// Lambda entry of webhook delivery (functions/route-table.ts): one attempt per SQS message;
// settings and clients once per cold start. Loopback targets are never allowed here.
import { ConfigError, readDynamoEndpoint, requireTableName } from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { wire } from './delivery-wiring.ts';

const env = process.env;
const deliveryQueueUrl = env.DELIVERY_QUEUE_URL?.trim();
if (!deliveryQueueUrl) {
  throw new ConfigError(
    'DELIVERY_QUEUE_URL is required (the delivery queue)',
    'DELIVERY_QUEUE_URL',
  );
}

export const { handler } = wire({
  client: createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
  settings: { tableName: requireTableName(env), deliveryQueueUrl },
  logger: createLogger('bucket-status'),
});
