import { createRequire } from 'node:module';
import path from 'node:path';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  LogLevel as EsbuildLogLevel,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUNDLING_ROOT, HOUSE_BUNDLING } from '../bundling.ts';
import { type TableGrant, tableGrantStatements } from './table-grant.ts';
import { type HttpTrigger, httpTrigger } from './triggers/http.ts';
import { type QueueTrigger, queueTrigger } from './triggers/queue.ts';
import { type ScheduleTrigger, scheduleTrigger } from './triggers/schedule.ts';
import { type StreamTrigger, streamTrigger } from './triggers/stream.ts';
import type { TriggerModule } from './triggers/trigger.ts';

/** Log levels shared by the logger (POWERTOOLS_LOG_LEVEL) and Lambda's log-level filter. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** NodejsFunction runs esbuild here, so the bundling's aliases resolve as they do for the bench. */
export const PROJECT_ROOT = BUNDLING_ROOT;

/** Lambda's own limit, for functions nobody waits on. */
export const MAX_TIMEOUT_SECONDS = 900;

/**
 * How the function is invoked; each kind (one module in triggers/) brings its own limits,
 * retries and failure path.
 */
export type FunctionTrigger = HttpTrigger | ScheduleTrigger | QueueTrigger | StreamTrigger;

export type FunctionKind = FunctionTrigger['kind'];

type TriggerOf<K extends FunctionKind> = Extract<FunctionTrigger, { kind: K }>;

/** Each kind's module; the mapped type ties every kind to the module that takes its trigger. */
const TRIGGERS: { [K in FunctionKind]: TriggerModule<TriggerOf<K>> } = {
  http: httpTrigger,
  schedule: scheduleTrigger,
  queue: queueTrigger,
  stream: streamTrigger,
};

function moduleOf<K extends FunctionKind>(trigger: TriggerOf<K>): TriggerModule<TriggerOf<K>> {
  return TRIGGERS[trigger.kind as K];
}

export interface HouseNodejsFunctionProps {
  /** Handler source relative to the repository root; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Function-specific settings; never secrets (they would be readable in the console). */
  readonly environment: Record<string, string>;
  /** POWERTOOLS_SERVICE_NAME: the service of logs, metrics and traces (one per service). */
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
    const triggerModule = moduleOf(trigger);
    triggerModule.checkTimeout(id, trigger, props.timeout.toSeconds());
    if (props.timeout.toSeconds() > MAX_TIMEOUT_SECONDS) {
      throw new Error(`${id}: timeout must be at most ${MAX_TIMEOUT_SECONDS} s (Lambda's limit)`);
    }

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
      },
      bundling: {
        format: OutputFormat.ESM,
        target: HOUSE_BUNDLING.target,
        mainFields: [...HOUSE_BUNDLING.mainFields],
        // NodejsFunction's `minify` is all three kinds; the house options are two (bundling.ts).
        minify: false,
        sourceMap: HOUSE_BUNDLING.sourcemap,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: HOUSE_BUNDLING.sourcesContent,
        keepNames: HOUSE_BUNDLING.keepNames,
        banner: HOUSE_BUNDLING.banner.js,
        bundleAwsSDK: true,
        externalModules: [...HOUSE_BUNDLING.external],
        // NodejsFunction has no `alias` option nor separate minify kinds: esbuild's own flags.
        esbuildArgs: {
          ...Object.fromEntries(
            Object.entries(HOUSE_BUNDLING.alias).map(([from, to]) => [`--alias:${from}`, to]),
          ),
          '--minify-whitespace': HOUSE_BUNDLING.minifyWhitespace,
          '--minify-syntax': HOUSE_BUNDLING.minifySyntax,
        },
        forceDockerBundling: false,
        logLevel: EsbuildLogLevel.WARNING,
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: triggerModule.wildcardReason,
    });

    const resources = triggerModule.attach(
      { scope: this, id, function: this.function, description: props.description },
      trigger,
    );
    this.rule = resources.rule;
    this.failureQueue = resources.failureQueue;
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
