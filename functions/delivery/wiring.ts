import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createWebhookStore } from '../data/webhooks.ts';
import type { ResolveHost } from '../domain/webhook-url.ts';
import { createEventBridgePublish, createSqsEnqueue, createSqsVisibility } from './aws-adapters.ts';
import { createDeliveryHandler } from './delivery-handler.ts';
import { createStreamHandler } from './stream-handler.ts';
import { postWebhook } from './webhook-client.ts';

/** The fan-out (stream) and delivery (queue) handlers on their real adapters. */

export interface FanOutWiring {
  client: DynamoDBClient;
  tableName: string;
  sqs: SQSClient;
  queueUrl: string;
  eventBridge: EventBridgeClient;
  logger: Logger;
}

export function wireFanOutHandler(w: FanOutWiring) {
  const store = createWebhookStore(w.client, w.tableName);
  return createStreamHandler({
    loadBucketWorkspace: (bucketId) => store.loadBucketWorkspace(bucketId),
    listWebhookTargets: (workspaceId) => store.listWebhookTargets(workspaceId),
    enqueue: createSqsEnqueue(w.sqs, w.queueUrl),
    publish: createEventBridgePublish(w.eventBridge),
    logger: w.logger,
  });
}

export interface DeliveryWiring {
  client: DynamoDBClient;
  tableName: string;
  sqs: SQSClient;
  queueUrl: string;
  logger: Logger;
  /** Always false deployed; tests on loopback receivers set it. */
  allowLoopback?: boolean;
  resolve?: ResolveHost;
}

export function wireDeliveryHandler(w: DeliveryWiring) {
  const store = createWebhookStore(w.client, w.tableName);
  return createDeliveryHandler({
    loadWebhookForDelivery: (workspaceId, slot, webhookId) =>
      store.loadWebhookForDelivery(workspaceId, slot, webhookId),
    post: postWebhook,
    policy: { allowLoopback: w.allowLoopback ?? false },
    ...(w.resolve !== undefined && { resolve: w.resolve }),
    changeVisibility: createSqsVisibility(w.sqs, w.queueUrl),
    logger: w.logger,
  });
}
