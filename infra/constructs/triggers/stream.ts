import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { failureStore, type TriggerModule } from './trigger.ts';

/**
 * A DynamoDB stream (the table must have one), polled by an event source mapping created
 * here, with filter criteria so only the records the function handles invoke it. The function
 * reports partial batch failures; Lambda bisects and retries a failing batch, and a batch that
 * still fails lands (as a pointer to the records) in the function's failure queue.
 */
export interface StreamTrigger {
  readonly kind: 'stream';
  readonly table: dynamodb.ITable;
  readonly filters: readonly { [key: string]: unknown }[];
  /** @default 100 */
  readonly batchSize?: number | undefined;
  /** Retries of a failing batch before it goes to the failure queue. @default 10 */
  readonly retryAttempts?: number | undefined;
  /** Oldest record still handled. @default 1 hour */
  readonly maxRecordAge?: Duration | undefined;
}

export const streamTrigger: TriggerModule<StreamTrigger> = {
  checkTimeout() {},
  wildcardReason:
    'Only two actions use Resource *, neither has resource-level permissions: the X-Ray statement added by active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), and dynamodb:ListStreams, which the stream event source mapping needs to find the stream. Tests assert every other statement names its resource.',
  attach(target, trigger) {
    if (trigger.table.tableStreamArn === undefined) {
      throw new Error(`${target.id}: the table has no stream (enable one on the table)`);
    }
    const failureQueue = failureStore(target.scope, 'FailedBatches', {
      noDeadLetterQueue:
        "This queue is itself the dead-letter store of the stream-driven function: Lambda records here the stream batches that failed every retry (the event source mapping's on-failure destination). A queue behind it would only hold what nobody reads.",
      noRedrive:
        'This queue is the end of the failure path of the stream-driven function (its on-failure destination); it is never consumed by a function, so there is nothing to redrive.',
    });
    target.function.addEventSource(
      new DynamoEventSource(trigger.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        batchSize: trigger.batchSize ?? 100,
        retryAttempts: trigger.retryAttempts ?? 10,
        maxRecordAge: trigger.maxRecordAge ?? Duration.hours(1),
        onFailure: new SqsDlq(failureQueue),
        filters: [...trigger.filters],
      }),
    );
    Validations.of(target.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "Invoked only by its DynamoDB stream event source mapping, which polls synchronously: a failing batch is retried (bisected) by the mapping and then recorded in the mapping's on-failure destination (this construct's FailedBatches queue). A function DLQ applies to asynchronous invocations only.",
    });
    return { failureQueue };
  },
};
