import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  LogLevel as EsbuildLogLevel,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HOUSE_BUNDLING } from '../bundling.ts';

/** Log levels shared by Powertools (POWERTOOLS_LOG_LEVEL) and Lambda's log-level filter. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** API Gateway gives up on an integration after 30 s; a function must answer well before. */
const MAX_TIMEOUT_SECONDS = 15;

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

  constructor(scope: Construct, id: string, props: HouseNodejsFunctionProps) {
    super(scope, id);
    assertLocalEsbuild();
    if (props.timeout.toSeconds() > MAX_TIMEOUT_SECONDS) {
      throw new Error(
        `${id}: timeout must be at most ${MAX_TIMEOUT_SECONDS} s, well under API Gateway's 30 s integration timeout`,
      );
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
        'Only the X-Ray statement added by active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) uses Resource *: these actions have no resource-level permissions. Tests assert every other statement names its resource.',
    });
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
