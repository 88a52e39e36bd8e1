import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createWindowLoader } from '../data/maintenance-windows.ts';
import { createWebhookStore } from '../data/webhooks.ts';
import { type AwsJsonClient, createAwsJsonClient } from '../shared/aws-json-call.ts';
import { readDeliveryQueueUrl, requireTableName } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { SQS } from '../shared/sqs.ts';
import type { SettingReaders, SettingsOf, WireDeps, WiredEventFunction } from '../shared/wiring.ts';
import { createEventBridgePublish, createSqsEnqueue, EVENTBRIDGE } from './aws-adapters.ts';
import { createStreamHandler } from './stream-handler.ts';

/** The fan-out (stream) handler on its real adapters. */

export interface FanOutWiring {
  client: DynamoDBClient;
  tableName: string;
  sqs: AwsJsonClient;
  queueUrl: string;
  eventBridge: AwsJsonClient;
  logger: Logger;
}

export function wireFanOutHandler(w: FanOutWiring) {
  const store = createWebhookStore(w.client, w.tableName);
  return createStreamHandler({
    loadBucketWorkspace: (bucketId) => store.loadBucketWorkspace(bucketId),
    listWebhookTargets: (workspaceId) => store.listWebhookTargets(workspaceId),
    loadWindows: createWindowLoader(w.client, w.tableName),
    enqueue: createSqsEnqueue(w.sqs, w.queueUrl),
    publish: createEventBridgePublish(w.eventBridge),
    logger: w.logger,
  });
}

/** DELIVERY_QUEUE_URL is set by the stack; the local runtime has no queue (see below). */
export type FanOutSettings = SettingsOf<'fanOut'>;

/** The readers of the settings the table names for fanOut (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  deliveryQueueUrl: readDeliveryQueueUrl,
} satisfies SettingReaders<'fanOut'>;

/**
 * The fan-out function of the route table (the common `wire(deps)` shape). Without a delivery
 * queue (the local runtime: dynalite has no streams) it refuses to run: locally the event
 * writers' publish port feeds the in-process alert queue instead (local/alert-queue.ts).
 */
export function wire({ client, settings, logger }: WireDeps<FanOutSettings>) {
  const queueUrl = settings.deliveryQueueUrl;
  if (queueUrl === undefined) {
    const handler = async (): Promise<never> => {
      throw new Error('fan-out: no DELIVERY_QUEUE_URL (locally, alerts use the in-process queue)');
    };
    return { handler } satisfies WiredEventFunction;
  }
  const handler = wireFanOutHandler({
    client,
    tableName: settings.tableName,
    sqs: createAwsJsonClient(SQS),
    queueUrl,
    eventBridge: createAwsJsonClient(EVENTBRIDGE),
    logger,
  });
  return { handler: handler as WiredEventFunction['handler'] } satisfies WiredEventFunction;
}
