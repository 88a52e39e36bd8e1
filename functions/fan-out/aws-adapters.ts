import { createHash } from 'node:crypto';
import {
  type DeliveryMessage,
  EVENTBRIDGE_SOURCE,
  type EventBridgeDetail,
} from '../domain/alert-message.ts';
import type { AwsJsonClient, AwsJsonService } from '../shared/aws-json-call.ts';
import { queueEndpoint } from '../shared/sqs.ts';
import { deliveryDelaySeconds } from './fan-out.ts';

/** SQS and EventBridge adapters of the fan-out ports, on functions/shared/aws-json-call.ts. */

/** EventBridge as the SDK's client speaks it (@aws-sdk/client-eventbridge: JSON 1.1). */
export const EVENTBRIDGE: AwsJsonService = {
  title: 'EventBridge',
  signingName: 'events',
  endpointPrefix: 'events',
  envId: 'EVENTBRIDGE',
  jsonVersion: '1.1',
  targetPrefix: 'AWSEvents',
};

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

type Entry = { Id: string; MessageBody: string };
type Answered = Record<string, unknown>;

/** An answer's list member; absent (or not a list) reads as empty, as the SDK's `?? []`. */
function listOf(value: unknown): Answered[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The SQS client's check of what SQS stored: every Successful entry's MD5OfMessageBody is the
 * MD5 of the body sent under its Id; a mismatch throws, naming the MessageIds.
 */
function checkBodies(entries: readonly Entry[], successful: readonly Answered[]): void {
  const stored = new Map(successful.map((entry) => [entry.Id, entry]));
  const mismatched: unknown[] = [];
  for (const entry of entries) {
    const answer = stored.get(entry.Id);
    if (answer === undefined) continue;
    const md5 = createHash('md5').update(entry.MessageBody).digest('hex');
    if (answer.MD5OfMessageBody !== md5) mismatched.push(answer.MessageId);
  }
  if (mismatched.length > 0) {
    throw new Error(`Invalid MD5 checksum on messages: ${mismatched.join(', ')}`);
  }
}

/**
 * SendMessageBatch, 10 per call; any failed entry fails the whole fan-out (it is retried). A
 * message with a check waits in the queue until the moment it is about (DelaySeconds).
 */
export function createSqsEnqueue(sqs: AwsJsonClient, queueUrl: string, now = Date.now) {
  return async (messages: DeliveryMessage[]): Promise<void> => {
    const at = now();
    await Promise.all(
      chunks(messages, 10).map(async (batch) => {
        const entries = batch.map((message, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify(message),
          ...(message.check !== undefined && {
            DelaySeconds: deliveryDelaySeconds(message, at),
          }),
        }));
        const result = await sqs.call(
          'SendMessageBatch',
          { QueueUrl: queueUrl, Entries: entries },
          queueEndpoint(queueUrl),
        );
        checkBodies(entries, listOf(result.Successful));
        const failed = listOf(result.Failed).length;
        if (failed > 0) {
          throw new Error(`SQS refused ${failed} of ${batch.length} messages`);
        }
      }),
    );
  };
}

/** PutEvents on the default bus (no EventBusName), 10 entries per call. */
export function createEventBridgePublish(events: AwsJsonClient) {
  return async (details: EventBridgeDetail[]): Promise<void> => {
    await Promise.all(
      chunks(details, 10).map(async (batch) => {
        const result = await events.call('PutEvents', {
          Entries: batch.map(({ detailType, detail }) => ({
            Source: EVENTBRIDGE_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          })),
        });
        const failed = (result.FailedEntryCount as number | undefined) ?? 0;
        if (failed > 0) {
          throw new Error(`EventBridge refused ${failed} of ${batch.length} events`);
        }
      }),
    );
  };
}
