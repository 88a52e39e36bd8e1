import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  LogLevel as EsbuildLogLevel,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HOUSE_BUNDLING } from '../bundling.ts';
import { type TableGrant, tableGrantStatements } from './table-grant.ts';

/** Log levels shared by Powertools (POWERTOOLS_LOG_LEVEL) and Lambda's log-level filter. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** API Gateway gives up on an integration after 30 s; a function must answer well before. */
export const MAX_HTTP_TIMEOUT_SECONDS = 15;
/** Lambda's own limit, for functions nobody waits on. */
export const MAX_TIMEOUT_SECONDS = 900;
/** AWS guidance: a source queue's visibility timeout at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** How the function is invoked; each kind brings its own limits, retries and failure path. */
export type FunctionTrigger =
  /**
   * An API Gateway route (the HTTP API construct adds the integration). Invoked synchronously:
   * the caller gets the error, so there is no event left to retry or park in a DLQ.
   */
  | { readonly kind: 'http' }
  /**
   * An EventBridge schedule, created here. Invoked asynchronously: Lambda's retries and the
   * event's maximum age are set for a job that the next run supersedes, and an invocation that
   * still fails (or that EventBridge cannot deliver) lands in the function's failure queue.
   */
  | {
      readonly kind: 'schedule';
      readonly schedule: events.Schedule;
      /** Lambda's retries of a failed run, 0-2. @default 0: the next scheduled run is the retry. */
      readonly retryAttempts?: number | undefined;
      /** Oldest event Lambda still runs (60 s to 6 h). @default 60 s: a minute-old run is stale. */
      readonly maxEventAge?: Duration | undefined;
    }
  /**
   * An SQS queue, polled by an event source mapping created here. The queue owns retries and
   * the dead-letter queue (its redrive policy, required); the function reports partial batch
   * failures, so one bad message does not send its batch-mates back to the queue.
   */
  | {
      readonly kind: 'queue';
      readonly queue: sqs.Queue;
      /** @default 10 */
      readonly batchSize?: number | undefined;
      /** @default none: a message is handed over as soon as it is received */
      readonly maxBatchingWindow?: Duration | undefined;
      /** Upper bound on concurrent invocations by this source (2-1000). @default no bound */
      readonly maxConcurrency?: number | undefined;
    }
  /**
   * A DynamoDB stream (the table must have one), polled by an event source mapping created
   * here, with filter criteria so only the records the function handles invoke it. The function
   * reports partial batch failures; Lambda bisects and retries a failing batch, and a batch that
   * still fails lands (as a pointer to the records) in the function's failure queue.
   */
  | {
      readonly kind: 'stream';
      readonly table: dynamodb.ITable;
      readonly filters: readonly { [key: string]: unknown }[];
      /** @default 100 */
      readonly batchSize?: number | undefined;
      /** Retries of a failing batch before it goes to the failure queue. @default 10 */
      readonly retryAttempts?: number | undefined;
      /** Oldest record still handled. @default 1 hour */
      readonly maxRecordAge?: Duration | undefined;
    };

export type FunctionKind = FunctionTrigger['kind'];

export interface HouseNodejsFunctionProps {
  /** Handler source relative to the repository root; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Function-specific settings; never secrets (they would be readable in the console). */
  readonly environment: Record<string, string>;
  /** Powertools service name, shared by the functions of one service. */
  readonly serviceName: string;
  readonly logLevel: LogLevel;
  readonly logRetention: logs.RetentionDays;
  /** How the function is invoked. @default { kind: 'http' } */
  readonly trigger?: FunctionTrigger | undefined;
  /** Concurrency reserved for (and capping) the function, e.g. 1 for a sweep that must not overlap. */
  readonly reservedConcurrentExecutions?: number | undefined;
}

/**
 * The one way this project builds a Lambda function: Node.js 24 on arm64, bundled locally by
 * the project's esbuild into minified ESM with source maps, with an explicit log group, an
 * explicit memory size and timeout, X-Ray active tracing, and an execution role that starts
 * with nothing but writing to its own log group (callers grant the rest, one action at a time).
 */
export class HouseNodejsFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The handler source, relative to the repository root (what the bundle is built from). */
  readonly entry: string;
  readonly kind: FunctionKind;
  /** Schedule kind: the EventBridge rule that invokes the function. */
  readonly rule: events.Rule | undefined;
  /**
   * Schedule kind: where failed runs (and undeliverable schedule events) are kept 14 days.
   * Stream kind: where batches that failed every retry are recorded, 14 days.
   */
  readonly failureQueue: sqs.Queue | undefined;

  constructor(scope: Construct, id: string, props: HouseNodejsFunctionProps) {
    super(scope, id);
    assertLocalEsbuild();
    const trigger: FunctionTrigger = props.trigger ?? { kind: 'http' };
    this.kind = trigger.kind;
    this.entry = props.entry;
    assertTimeout(id, trigger, props.timeout);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      // Operational logs age out with their retention; the table is the data of record.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy, which would let the
    // function create and write any log group in the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[props.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.reservedConcurrentExecutions !== undefined && {
        reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      }),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: HOUSE_BUNDLING.target,
        mainFields: [...HOUSE_BUNDLING.mainFields],
        minify: HOUSE_BUNDLING.minify,
        sourceMap: HOUSE_BUNDLING.sourcemap,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: HOUSE_BUNDLING.sourcesContent,
        keepNames: HOUSE_BUNDLING.keepNames,
        banner: HOUSE_BUNDLING.banner.js,
        bundleAwsSDK: true,
        externalModules: [...HOUSE_BUNDLING.external],
        forceDockerBundling: false,
        logLevel: EsbuildLogLevel.WARNING,
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        trigger.kind === 'stream'
          ? 'Only two actions use Resource *, neither has resource-level permissions: the X-Ray statement added by active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), and dynamodb:ListStreams, which the stream event source mapping needs to find the stream. Tests assert every other statement names its resource.'
          : 'Only the X-Ray statement added by active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) uses Resource *: these actions have no resource-level permissions. Tests assert every other statement names its resource.',
    });

    switch (trigger.kind) {
      case 'http':
        Validations.of(this.function).acknowledge({
          id: 'Serverless-LambdaDLQ',
          reason:
            'Invoked only synchronously by API Gateway: a failed request is answered with an error to its caller and there is no event left over to park in a dead-letter queue.',
        });
        this.rule = undefined;
        this.failureQueue = undefined;
        break;
      case 'schedule': {
        const retryAttempts = trigger.retryAttempts ?? 0;
        const maxEventAge = trigger.maxEventAge ?? Duration.seconds(60);
        this.failureQueue = failureStore(this, 'FailedInvocations', {
          noDeadLetterQueue:
            'This queue is itself the dead-letter store of the scheduled function: Lambda puts failed runs here (on-failure destination) and EventBridge puts schedule events it could not deliver (target DLQ). A queue behind it would only hold what nobody reads.',
          noRedrive:
            'This queue is the end of the failure path of the scheduled function (its on-failure destination and the schedule target DLQ); it is never consumed by a function, so there is nothing to redrive.',
        });
        this.function.configureAsyncInvoke({
          retryAttempts,
          maxEventAge,
          onFailure: new SqsDestination(this.failureQueue),
        });
        Validations.of(this.function).acknowledge({
          id: 'Serverless-LambdaDLQ',
          reason:
            "Asynchronous failures go to the function's on-failure destination (this construct's FailedInvocations queue), which records the error along with the event; a DeadLetterConfig to the same queue would store each failure twice.",
        });
        this.rule = new events.Rule(this, 'Schedule', {
          schedule: trigger.schedule,
          description: `Runs ${props.description}`,
          targets: [
            new targets.LambdaFunction(this.function, {
              deadLetterQueue: this.failureQueue,
              retryAttempts: 2,
              maxEventAge,
            }),
          ],
        });
        break;
      }
      case 'queue': {
        if (trigger.queue.deadLetterQueue === undefined) {
          throw new Error(
            `${id}: the source queue needs a dead-letter queue (redrive policy): the queue owns retries of a queue-driven function`,
          );
        }
        this.function.addEventSource(
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
        Validations.of(this.function).acknowledge({
          id: 'Serverless-LambdaDLQ',
          reason:
            "Invoked only by its SQS event source mapping, which polls synchronously: a failed message returns to the queue and after maxReceiveCount moves to the queue's own dead-letter queue (its redrive policy, required by this construct). A function DLQ applies to asynchronous invocations only.",
        });
        Validations.of(this.function).acknowledge({
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason:
            "SQS event source mappings do not support on-failure destinations (only stream and Kafka sources do); failed messages reach the source queue's dead-letter queue through its redrive policy instead.",
        });
        this.rule = undefined;
        this.failureQueue = undefined;
        break;
      }
      case 'stream': {
        if (trigger.table.tableStreamArn === undefined) {
          throw new Error(`${id}: the table has no stream (enable one on the table)`);
        }
        this.failureQueue = failureStore(this, 'FailedBatches', {
          noDeadLetterQueue:
            "This queue is itself the dead-letter store of the stream-driven function: Lambda records here the stream batches that failed every retry (the event source mapping's on-failure destination). A queue behind it would only hold what nobody reads.",
          noRedrive:
            'This queue is the end of the failure path of the stream-driven function (its on-failure destination); it is never consumed by a function, so there is nothing to redrive.',
        });
        this.function.addEventSource(
          new DynamoEventSource(trigger.table, {
            startingPosition: lambda.StartingPosition.LATEST,
            reportBatchItemFailures: true,
            bisectBatchOnError: true,
            batchSize: trigger.batchSize ?? 100,
            retryAttempts: trigger.retryAttempts ?? 10,
            maxRecordAge: trigger.maxRecordAge ?? Duration.hours(1),
            onFailure: new SqsDlq(this.failureQueue),
            filters: [...trigger.filters],
          }),
        );
        Validations.of(this.function).acknowledge({
          id: 'Serverless-LambdaDLQ',
          reason:
            "Invoked only by its DynamoDB stream event source mapping, which polls synchronously: a failing batch is retried (bisected) by the mapping and then recorded in the mapping's on-failure destination (this construct's FailedBatches queue). A function DLQ applies to asynchronous invocations only.",
        });
        this.rule = undefined;
        break;
      }
    }
  }

  /** Grants exactly `grant` on `table` (see table-grant.ts): no blanket read/write grants. */
  grantTable(table: dynamodb.ITable, grant: TableGrant): void {
    for (const statement of tableGrantStatements(table, grant)) {
      this.role.addToPrincipalPolicy(statement);
    }
  }

  /** Grants exact actions on named resources (no wildcards), e.g. a secret or a queue. */
  allow(actions: readonly string[], resources: readonly string[]): void {
    for (const action of actions) {
      if (action.includes('*')) throw new Error(`${this.node.id}: no wildcard actions (${action})`);
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [...resources] }),
    );
  }
}

/** Each kind's timeout rule; a timeout that breaks it fails synthesis, naming the function. */
function assertTimeout(id: string, trigger: FunctionTrigger, timeout: Duration): void {
  const seconds = timeout.toSeconds();
  if (trigger.kind === 'http' && seconds > MAX_HTTP_TIMEOUT_SECONDS) {
    throw new Error(
      `${id}: timeout must be at most ${MAX_HTTP_TIMEOUT_SECONDS} s, well under API Gateway's 30 s integration timeout`,
    );
  }
  if (seconds > MAX_TIMEOUT_SECONDS) {
    throw new Error(`${id}: timeout must be at most ${MAX_TIMEOUT_SECONDS} s (Lambda's limit)`);
  }
  if (trigger.kind === 'schedule') {
    const period = ratePeriodSeconds(trigger.schedule);
    if (period !== undefined && seconds >= period) {
      throw new Error(
        `${id}: timeout (${seconds} s) must be shorter than the schedule's period (${period} s), so runs do not overlap`,
      );
    }
    const retries = trigger.retryAttempts ?? 0;
    if (!Number.isInteger(retries) || retries < 0 || retries > 2) {
      throw new Error(`${id}: retryAttempts must be 0, 1 or 2`);
    }
  }
  if (trigger.kind === 'queue') {
    const cfnQueue = trigger.queue.node.defaultChild as sqs.CfnQueue;
    const visibility = Stack.of(trigger.queue).resolve(cfnQueue.visibilityTimeout);
    // SQS's default visibility timeout is 30 s.
    const visibilitySeconds = typeof visibility === 'number' ? visibility : 30;
    if (visibilitySeconds < VISIBILITY_TIMEOUT_FACTOR * seconds) {
      throw new Error(
        `${id}: the source queue's visibility timeout (${visibilitySeconds} s) must be at least ${VISIBILITY_TIMEOUT_FACTOR}x the function timeout (${seconds} s), or a message still being handled is delivered again`,
      );
    }
  }
}

/** The period of a `rate(...)` schedule in seconds; undefined for cron expressions. */
function ratePeriodSeconds(schedule: events.Schedule): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(
    schedule.expressionString,
  );
  if (!match) return undefined;
  const unit = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };
  return Number(match[1]) * unit[match[2] as keyof typeof unit];
}

/**
 * NodejsFunction silently falls back to bundling in Docker when it cannot find esbuild; this
 * project bundles with its own pinned esbuild only, so a missing install is an error.
 */
function assertLocalEsbuild(): void {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch {
    throw new Error('esbuild is not installed (run `npm ci`): functions are bundled locally only');
  }
}

/**
 * The end of a function's failure path: an encrypted, TLS-only queue that keeps failures for 14
 * days and that no function consumes, so it has no dead-letter queue or redrive of its own (the
 * two acknowledgements say why, in the words of the caller).
 */
function failureStore(
  scope: Construct,
  id: string,
  reasons: { noDeadLetterQueue: string; noRedrive: string },
): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: reasons.noDeadLetterQueue });
  Validations.of(queue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: reasons.noRedrive,
  });
  return queue;
}
