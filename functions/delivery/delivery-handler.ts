import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseDeliveryMessage } from '../domain/alert-message.ts';
import {
  DELIVERY_ATTEMPTS,
  DEPLOYED_SCHEDULE,
  retryDelaySeconds,
} from '../domain/retry-schedule.ts';
import type { Logger } from '../shared/logger.ts';
import { type AttemptDeps, attemptDelivery, describeAttempt, isFinal } from './attempt-delivery.ts';

export interface DeliveryHandlerDeps extends AttemptDeps {
  /** SQS ChangeMessageVisibility: when the message is received (tried) again. */
  changeVisibility: (receiptHandle: string, seconds: number) => Promise<void>;
  logger: Logger;
  random?: () => number;
}

/**
 * SQS-driven delivery, one attempt per received message. A failed attempt postpones the
 * message by the backoff (ChangeMessageVisibility) and reports it as a batch item failure;
 * after the last attempt the message is released at once, and the queue's redrive policy
 * (maxReceiveCount = DELIVERY_ATTEMPTS) moves it to the dead-letter queue, whose depth is
 * alarmed. Attempts of one batch run in parallel, each bounded by the client's 5 s deadline.
 */
export function createDeliveryHandler(deps: DeliveryHandlerDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    await Promise.all(
      (event.Records ?? []).map(async (record) => {
        const attempt = Math.max(1, Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1);
        const message = parseDeliveryMessage(record.body);
        if (message === undefined) {
          // Reported as failed and left as it is: after maxReceiveCount receives the redrive
          // policy parks it in the dead-letter queue, for an operator to read.
          deps.logger.error('unreadable delivery message; it goes to the dead-letter queue', {
            sqsMessageId: record.messageId,
            attempt,
          });
          failures.push(record.messageId);
          return;
        }
        const outcome = await attemptDelivery(message, deps).catch(
          (error: unknown) =>
            ({ outcome: 'failed', reason: (error as Error).message ?? String(error) }) as const,
        );
        const line = describeAttempt(message, attempt, outcome);
        if (isFinal(outcome)) {
          deps.logger.info('webhook delivery', line);
          return;
        }
        failures.push(record.messageId);
        const delay = retryDelaySeconds(
          Math.min(attempt, DELIVERY_ATTEMPTS),
          DEPLOYED_SCHEDULE,
          deps.random,
        );
        if (delay === undefined) {
          deps.logger.error('webhook delivery dead-lettered after the last attempt', line);
        } else {
          deps.logger.warn('webhook delivery failed; retried later', {
            ...line,
            retryInSeconds: delay,
          });
        }
        await deps.changeVisibility(record.receiptHandle, delay ?? 0).catch((error: unknown) =>
          deps.logger.warn('could not postpone the message; it returns after the default timeout', {
            error: String(error),
          }),
        );
      }),
    );
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
