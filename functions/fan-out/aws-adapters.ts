import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  type DeliveryMessage,
  EVENTBRIDGE_SOURCE,
  type EventBridgeDetail,
} from '../domain/alert-message.ts';
import { deliveryDelaySeconds } from './fan-out.ts';

/** SQS and EventBridge adapters of the fan-out ports. */

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * SendMessageBatch, 10 per call; any failed entry fails the whole fan-out (it is retried). A
 * message with a check waits in the queue until the moment it is about (DelaySeconds).
 */
export function createSqsEnqueue(client: SQSClient, queueUrl: string, now = Date.now) {
  return async (messages: DeliveryMessage[]): Promise<void> => {
    const at = now();
    await Promise.all(
      chunks(messages, 10).map(async (batch) => {
        const result = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(message),
              ...(message.check !== undefined && {
                DelaySeconds: deliveryDelaySeconds(message, at),
              }),
            })),
          }),
        );
        if ((result.Failed ?? []).length > 0) {
          throw new Error(`SQS refused ${result.Failed?.length} of ${batch.length} messages`);
        }
      }),
    );
  };
}

/** PutEvents on the default bus (no EventBusName), 10 entries per call. */
export function createEventBridgePublish(client: EventBridgeClient) {
  return async (details: EventBridgeDetail[]): Promise<void> => {
    await Promise.all(
      chunks(details, 10).map(async (batch) => {
        const result = await client.send(
          new PutEventsCommand({
            Entries: batch.map(({ detailType, detail }) => ({
              Source: EVENTBRIDGE_SOURCE,
              DetailType: detailType,
              Detail: JSON.stringify(detail),
            })),
          }),
        );
        if ((result.FailedEntryCount ?? 0) > 0) {
          throw new Error(
            `EventBridge refused ${result.FailedEntryCount} of ${batch.length} events`,
          );
        }
      }),
    );
  };
}

export { EventBridgeClient, SQSClient };
