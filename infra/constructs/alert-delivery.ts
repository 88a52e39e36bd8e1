import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENTS_PK_PREFIX } from '../../functions/data/events.ts';
import { DELIVERY_ATTEMPTS } from '../../functions/domain/retry-schedule.ts';
import { FUNCTION_ENTRIES } from '../bundling.ts';
import { HouseNodejsFunction, type LogLevel } from './house-nodejs-function.ts';
import type { TableAction } from './table-grant.ts';

/** The DynamoDB actions of the two alert functions: nothing more. */
export const ALERT_TABLE_ACTIONS = {
  /** The bucket's META row (GetItem) and the workspace's webhook rows (Query). */
  fanOut: ['dynamodb:GetItem', 'dynamodb:Query'],
  /** The webhook row, with its secret, at every attempt (GetItem). */
  delivery: ['dynamodb:GetItem'],
} as const satisfies Record<string, readonly TableAction[]>;

/** Each attempt is bounded by 5 s; a batch of 10 runs in parallel. */
const DELIVERY_TIMEOUT = Duration.seconds(15);

export interface AlertDeliveryProps {
  readonly table: dynamodb.Table;
  readonly stageName: string;
  readonly serviceName: string;
  readonly logLevel: LogLevel;
  readonly logRetention: logs.RetentionDays;
  /** Settings every function gets. */
  readonly settings: Record<string, string>;
  readonly notificationTopic?: sns.ITopic | undefined;
}

/**
 * Alerts, deployed (DESIGN.md section 10):
 *
 *   table stream (event-row INSERTs) -> fan-out -> delivery queue -> delivery -> webhooks
 *                                         \-> PutEvents, default EventBridge bus
 *
 * The delivery queue owns retries: the delivery function postpones a failed message by the
 * backoff (ChangeMessageVisibility) and after DELIVERY_ATTEMPTS receives the redrive policy moves
 * it to the dead-letter queue, whose depth is alarmed. Both queues are encrypted (SQS-managed
 * keys) and refuse plain-HTTP access. Nothing here is on a report's or a read's path.
 */
export class AlertDelivery extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly fanOutFunction: HouseNodejsFunction;
  readonly deliveryFunction: HouseNodejsFunction;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: AlertDeliveryProps) {
    super(scope, id);
    const shared = {
      serviceName: props.serviceName,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
    };

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
      visibilityTimeout: Duration.seconds(6 * DELIVERY_TIMEOUT.toSeconds()),
      // Longer than the whole retry schedule (about two hours).
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DELIVERY_ATTEMPTS },
    });

    const environment = {
      TABLE_NAME: props.table.tableName,
      DELIVERY_QUEUE_URL: this.queue.queueUrl,
      ...props.settings,
    };
    this.fanOutFunction = new HouseNodejsFunction(this, 'FanOutFunction', {
      ...shared,
      entry: FUNCTION_ENTRIES.fanOut,
      description: `bucket-status ${props.stageName}: recorded events to webhook deliveries and EventBridge`,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment,
      trigger: {
        kind: 'stream',
        table: props.table,
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith(EVENTS_PK_PREFIX) } } },
          }),
        ],
      },
    });
    this.fanOutFunction.grantTable(props.table, { actions: ALERT_TABLE_ACTIONS.fanOut });
    this.fanOutFunction.allow(['sqs:SendMessage'], [this.queue.queueArn]);
    // The account's default bus only.
    this.fanOutFunction.allow(
      ['events:PutEvents'],
      [`arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`],
    );

    this.deliveryFunction = new HouseNodejsFunction(this, 'DeliveryFunction', {
      ...shared,
      entry: FUNCTION_ENTRIES.delivery,
      description: `bucket-status ${props.stageName}: signed webhook deliveries`,
      memorySize: 256,
      timeout: DELIVERY_TIMEOUT,
      environment,
      trigger: { kind: 'queue', queue: this.queue, batchSize: 10 },
    });
    this.deliveryFunction.grantTable(props.table, { actions: ALERT_TABLE_ACTIONS.delivery });

    const depth = (queue: sqs.Queue) =>
      queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      });
    this.alarms = [
      new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
        alarmDescription:
          'Webhook deliveries failed every attempt and wait in the dead-letter queue (docs/RELIABILITY.md).',
        metric: depth(this.deadLetterQueue),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'FanOutFailuresAlarm', {
        alarmDescription:
          'Stream batches of recorded events could not be fanned out after every retry (their pointers wait in the failure queue).',
        metric: depth(this.fanOutFunction.failureQueue as sqs.Queue),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    if (props.notificationTopic) {
      const action = new SnsAction(props.notificationTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }
}
