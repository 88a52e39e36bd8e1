import { SQSClient } from '@aws-sdk/client-sqs';
import type { Settings, WireDeps, WiredEventFunction } from '../shared/wiring.ts';
import { wireDeliveryHandler } from './wiring.ts';

/** DELIVERY_QUEUE_URL is set by the stack; the local runtime has no queue (see below). */
export type DeliverySettings = Pick<Settings, 'tableName'> & { deliveryQueueUrl?: string };

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
    sqs: new SQSClient({ maxAttempts: 3 }),
    queueUrl,
    logger,
    allowLoopback: false,
    ...(overrides?.resolveHost && { resolve: overrides.resolveHost }),
  });
  return { handler: handler as WiredEventFunction['handler'] } satisfies WiredEventFunction;
}
