// Lambda entry of the fan-out: the table's stream (event-row INSERTs) to SQS and EventBridge.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError, readDynamoEndpoint, requireTableName } from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { wireFanOutHandler } from './wiring.ts';

const env = process.env;
const queueUrl = env.DELIVERY_QUEUE_URL?.trim();
if (!queueUrl) {
  throw new ConfigError(
    'DELIVERY_QUEUE_URL is required (the delivery queue)',
    'DELIVERY_QUEUE_URL',
  );
}

export const handler = wireFanOutHandler({
  client: createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
  tableName: requireTableName(env),
  sqs: new SQSClient({ maxAttempts: 3 }),
  queueUrl,
  eventBridge: new EventBridgeClient({ maxAttempts: 3 }),
  logger: createLogger('bucket-status'),
});
