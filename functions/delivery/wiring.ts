import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createWebhookStore } from '../data/webhooks.ts';
import type { ResolveHost } from '../domain/webhook-url.ts';
import { type AwsJsonClient, createAwsJsonClient } from '../shared/aws-json-call.ts';
import { readDeliveryQueueUrl, readStaleAfterSeconds, requireTableName } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { SQS } from '../shared/sqs.ts';
import type { SettingReaders, SettingsOf, WireDeps, WiredEventFunction } from '../shared/wiring.ts';
import { createDeliveryConfirmer } from './confirmer.ts';
import { createDeliveryHandler } from './delivery-handler.ts';
import { createSqsVisibility } from './sqs-visibility.ts';
import { postWebhook } from './webhook-client.ts';

/** The delivery (queue) handler on its real adapters. */
export interface DeliveryWiring {
  client: DynamoDBClient;
  tableName: string;
  staleAfterSeconds: number;
  sqs: AwsJsonClient;
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
    confirm: createDeliveryConfirmer(w.client, w.tableName, {
      staleAfterSeconds: w.staleAfterSeconds,
    }),
    policy: { allowLoopback: w.allowLoopback ?? false },
    ...(w.resolve !== undefined && { resolve: w.resolve }),
    changeVisibility: createSqsVisibility(w.sqs, w.queueUrl),
    logger: w.logger,
  });
}

/** DELIVERY_QUEUE_URL is set by the stack; the local runtime has no queue (see below). */
export type DeliverySettings = SettingsOf<'delivery'>;

/** The readers of the settings the table names for delivery (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  staleAfterSeconds: readStaleAfterSeconds,
  deliveryQueueUrl: readDeliveryQueueUrl,
} satisfies SettingReaders<'delivery'>;

/**
 * The delivery function of the route table (the common `wire(deps)` shape). It never allows
 * loopback targets. Without a delivery queue (the local runtime) it refuses to run: locally
 * the in-process alert queue delivers (local/alert-queue.ts), through the same client.
 */
export function wire({ client, settings, logger, overrides }: WireDeps<DeliverySettings>) {
  const queueUrl = settings.deliveryQueueUrl;
  if (queueUrl === undefined) {
    const handler = async (): Promise<never> => {
      throw new Error('delivery: no DELIVERY_QUEUE_URL (locally, alerts use the in-process queue)');
    };
    return { handler } satisfies WiredEventFunction;
  }
  const handler = wireDeliveryHandler({
    client,
    tableName: settings.tableName,
    staleAfterSeconds: settings.staleAfterSeconds,
    sqs: createAwsJsonClient(SQS),
    queueUrl,
    logger,
    allowLoopback: false,
    ...(overrides?.resolveHost && { resolve: overrides.resolveHost }),
  });
  return { handler: handler as WiredEventFunction['handler'] } satisfies WiredEventFunction;
}
