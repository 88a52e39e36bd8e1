// Lambda entry of webhook delivery: one attempt per SQS message (the stack never allows loopback).
import { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError, readDynamoEndpoint, requireTableName } from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { wireDeliveryHandler } from './wiring.ts';

const env = process.env;
const queueUrl = env.DELIVERY_QUEUE_URL?.trim();
if (!queueUrl) {
  throw new ConfigError(
    'DELIVERY_QUEUE_URL is required (the delivery queue)',
    'DELIVERY_QUEUE_URL',
  );
}

export const handler = wireDeliveryHandler({
  client: createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
  tableName: requireTableName(env),
  sqs: new SQSClient({ maxAttempts: 3 }),
  queueUrl,
  logger: createLogger('bucket-status'),
  allowLoopback: false,
});
