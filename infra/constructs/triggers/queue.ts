import { type Duration, Stack, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { type TriggerModule, XRAY_ONLY_WILDCARD_REASON } from './trigger.ts';

/**
 * An SQS queue, polled by an event source mapping created here. The queue owns retries and
 * the dead-letter queue (its redrive policy, required); the function reports partial batch
 * failures, so one bad message does not send its batch-mates back to the queue.
 */
export interface QueueTrigger {
  readonly kind: 'queue';
  readonly queue: sqs.Queue;
  /** @default 10 */
  readonly batchSize?: number | undefined;
  /** @default none: a message is handed over as soon as it is received */
  readonly maxBatchingWindow?: Duration | undefined;
  /** Upper bound on concurrent invocations by this source (2-1000). @default no bound */
  readonly maxConcurrency?: number | undefined;
}

/** AWS guidance: a source queue's visibility timeout at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export const queueTrigger: TriggerModule<QueueTrigger> = {
  checkTimeout(id, trigger, seconds) {
    const cfnQueue = trigger.queue.node.defaultChild as sqs.CfnQueue;
    const visibility = Stack.of(trigger.queue).resolve(cfnQueue.visibilityTimeout);
    // SQS's default visibility timeout is 30 s.
    const visibilitySeconds = typeof visibility === 'number' ? visibility : 30;
    if (visibilitySeconds < VISIBILITY_TIMEOUT_FACTOR * seconds) {
      throw new Error(
        `${id}: the source queue's visibility timeout (${visibilitySeconds} s) must be at least ${VISIBILITY_TIMEOUT_FACTOR}x the function timeout (${seconds} s), or a message still being handled is delivered again`,
      );
    }
  },
  wildcardReason: XRAY_ONLY_WILDCARD_REASON,
  attach(target, trigger) {
    if (trigger.queue.deadLetterQueue === undefined) {
      throw new Error(
        `${target.id}: the source queue needs a dead-letter queue (redrive policy): the queue owns retries of a queue-driven function`,
      );
    }
    target.function.addEventSource(
      new SqsEventSource(trigger.queue, {
        reportBatchItemFailures: true,
        batchSize: trigger.batchSize ?? 10,
        ...(trigger.maxBatchingWindow !== undefined && {
          maxBatchingWindow: trigger.maxBatchingWindow,
        }),
        ...(trigger.maxConcurrency !== undefined && {
          maxConcurrency: trigger.maxConcurrency,
        }),
      }),
    );
    Validations.of(target.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "Invoked only by its SQS event source mapping, which polls synchronously: a failed message returns to the queue and after maxReceiveCount moves to the queue's own dead-letter queue (its redrive policy, required by this construct). A function DLQ applies to asynchronous invocations only.",
    });
    Validations.of(target.function).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "SQS event source mappings do not support on-failure destinations (only stream and Kafka sources do); failed messages reach the source queue's dead-letter queue through its redrive policy instead.",
    });
    return {};
  },
};
