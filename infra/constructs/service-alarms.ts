import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const PERIOD = Duration.minutes(5);

/** Percentage of requests answered with a 5xx that pages someone. */
export const API_5XX_RATE_THRESHOLD_PERCENT = 5;
/** Below this many requests per period the rate is noise (one error in three requests). */
export const API_5XX_MIN_REQUESTS = 20;

export interface ServiceAlarmsProps {
  readonly api: HttpApi;
  /** Functions to watch, by a short name used in alarm ids and names. */
  readonly functions: Record<string, lambda.IFunction>;
  readonly table: dynamodb.ITable;
  /** The DynamoDB operations the functions issue, whose throttling the table alarm watches. */
  readonly tableOperations: readonly dynamodb.Operation[];
  /**
   * Failure queues of scheduled functions (HouseNodejsFunction.failureQueue), by function name:
   * a message there is a run that failed (or a schedule event never delivered).
   */
  readonly failureQueues?: Record<string, sqs.IQueue> | undefined;
  /** Where alarm and recovery notifications go; alarms only show in CloudWatch when absent. */
  readonly notificationTopic?: sns.ITopic | undefined;
}

/**
 * The alarms an on-call engineer needs for this service: users seeing server errors, functions
 * crashing or being throttled, and DynamoDB throttling. Handled errors become HTTP responses,
 * so a Lambda `Errors` datapoint means a crash, a timeout or a failed cold start: any is worth a
 * look. All alarms treat missing data as OK, since an idle API emits no datapoints.
 */
export class ServiceAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const namePrefix = Stack.of(this).stackName;

    const serverErrors = props.api.metricServerError({ period: PERIOD, statistic: 'Sum' });
    const requests = props.api.metricCount({ period: PERIOD, statistic: 'Sum' });
    this.add('Api5xxRate', {
      alarmName: `${namePrefix}-api-5xx-rate`,
      alarmDescription: `At least ${API_5XX_RATE_THRESHOLD_PERCENT}% of API requests failed with a 5xx in 2 of the last 3 periods of 5 minutes. Check the functions' Errors and logs, and DynamoDB throttling.`,
      metric: new cloudwatch.MathExpression({
        expression: `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`,
        usingMetrics: { errors: serverErrors, requests },
        period: PERIOD,
        label: 'API 5xx rate (%)',
      }),
      threshold: API_5XX_RATE_THRESHOLD_PERCENT,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}FunctionErrors`, {
        alarmName: `${namePrefix}-${name}-function-errors`,
        alarmDescription: `The ${name} function crashed, timed out or failed to start. Its log group has the stack trace.`,
        metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
      });
      this.add(`${name}FunctionThrottles`, {
        alarmName: `${namePrefix}-${name}-function-throttles`,
        alarmDescription: `Lambda throttled invocations of the ${name} function: the account or function concurrency limit is reached.`,
        metric: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }

    for (const [name, queue] of Object.entries(props.failureQueues ?? {})) {
      this.add(`${name}FailedRuns`, {
        alarmName: `${namePrefix}-${name}-failed-runs`,
        alarmDescription: `Work of the ${name} function failed every retry (a scheduled run, or EventBridge could not invoke it; or a stream batch): it waits in the function's failure queue; the function's log group has the details.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }

    this.add('TableThrottledRequests', {
      alarmName: `${namePrefix}-table-throttled-requests`,
      alarmDescription:
        'DynamoDB throttled requests to the bucket-status table (a hot partition or an account limit); users see 503s once SDK retries run out.',
      metric: props.table.metricThrottledRequestsForOperations({
        operations: [...props.tableOperations],
        period: PERIOD,
      }),
      threshold: 1,
      evaluationPeriods: 1,
    });

    if (props.notificationTopic) {
      const action = new SnsAction(props.notificationTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  private add(
    id: string,
    props: Omit<cloudwatch.AlarmProps, 'comparisonOperator' | 'treatMissingData'>,
  ): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        ...props,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
