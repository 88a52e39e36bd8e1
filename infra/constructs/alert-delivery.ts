import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENTS_PK_PREFIX } from '../../functions/data/events.ts';
import { HEALTH_EVENT_SK_PREFIX, HEALTH_PK_PREFIX } from '../../functions/data/keys.ts';
import { DELIVERY_ATTEMPTS } from '../../functions/domain/retry-schedule.ts';
import type { FunctionTrigger, HouseNodejsFunction } from './house-nodejs-function.ts';

/** Each delivery attempt is bounded by 5 s; the delivery function's timeout is 15 s. */
export const DELIVERY_FUNCTION_TIMEOUT_SECONDS = 15;

/**
 * Alerts, deployed (DESIGN.md section 10):
 *
 *   table stream (event-row and health-event-row INSERTs) -> fan-out -> delivery queue -> delivery -> webhooks
 *                                         \-> PutEvents, default EventBridge bus
 *
 * This construct holds the queues and says how two functions of the route table (fanOut, delivery) are
 * triggered and what they may do beyond the table. The delivery queue owns retries: the
 * delivery function postpones a failed message by the backoff (ChangeMessageVisibility), and
 * after DELIVERY_ATTEMPTS receives the redrive policy moves it to the dead-letter queue, whose
 * depth is alarmed. Both queues are encrypted (SQS-managed keys) and refuse plain-HTTP access.
 * Nothing here is on a report's or a read's path.
 */
export class AlertDelivery extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: { table: dynamodb.ITable }) {
    super(scope, id);
    this.table = props.table;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is the end of the delivery failure path (the delivery queue redrives into it); no function consumes it, so there is nothing to redrive further. An operator redrives it back to the delivery queue after fixing the cause (docs/RELIABILITY.md).',
    });
    this.queue = new sqs.Queue(this, 'Deliveries', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The house rule for queue-driven functions: six times the function timeout.
      visibilityTimeout: Duration.seconds(6 * DELIVERY_FUNCTION_TIMEOUT_SECONDS),
      // Longer than the whole retry schedule (about two hours).
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DELIVERY_ATTEMPTS },
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmName: `${Stack.of(this).stackName}-webhook-dead-letters`,
      alarmDescription:
        'Webhook deliveries failed every attempt and wait in the dead-letter queue (docs/RELIABILITY.md).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * The fan-out's trigger: the table's stream, filtered to the INSERTs of node event rows
   * (pk EVENTS#) and of bucket health event rows (pk HEALTH#, sk E#); the filters are ORed.
   */
  fanOutTrigger(): FunctionTrigger {
    return {
      kind: 'stream',
      table: this.table,
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith(EVENTS_PK_PREFIX) } } },
        }),
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: {
            Keys: {
              pk: { S: lambda.FilterRule.beginsWith(HEALTH_PK_PREFIX) },
              sk: { S: lambda.FilterRule.beginsWith(HEALTH_EVENT_SK_PREFIX) },
            },
          },
        }),
      ],
    };
  }

  /** The delivery function's trigger: the delivery queue, 10 messages a batch. */
  deliveryTrigger(): FunctionTrigger {
    return { kind: 'queue', queue: this.queue, batchSize: 10 };
  }

  /** Environment of both functions beyond TABLE_NAME. */
  get environment(): Record<string, string> {
    return { DELIVERY_QUEUE_URL: this.queue.queueUrl };
  }

  /** The fan-out may send to the delivery queue and put events on the default bus only. */
  grantFanOut(fn: HouseNodejsFunction): void {
    fn.allow(['sqs:SendMessage'], [this.queue.queueArn]);
    fn.allow(
      ['events:PutEvents'],
      [`arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`],
    );
  }

  notify(topic: sns.ITopic | undefined): void {
    if (topic === undefined) return;
    const action = new SnsAction(topic);
    this.deadLetterAlarm.addAlarmAction(action);
    this.deadLetterAlarm.addOkAction(action);
  }
}
