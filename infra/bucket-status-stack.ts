import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FUNCTION_ENTRIES } from './bundling.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { AlertDelivery } from './constructs/alert-delivery.ts';
import { HouseNodejsFunction, type LogLevel } from './constructs/house-nodejs-function.ts';
import { ServiceAlarms } from './constructs/service-alarms.ts';
import { StatusHttpApi, type ThrottleLimits } from './constructs/status-http-api.ts';
import { StatusPageHosting } from './constructs/status-page-hosting.ts';
import { StatusTable } from './constructs/status-table.ts';
import type { TableAction } from './constructs/table-grant.ts';
import {
  checkedAudience,
  checkedIssuer,
  checkedJwksUrl,
  checkedPublicKey,
  type ServiceSettings,
  serviceSettingsEnvironment,
} from './service-settings.ts';
import { SWEEP_INDEX } from './table-definition.ts';

/** Where the status function gets the key that verifies user tokens (DESIGN.md section 2). */
export type JwtKeySource =
  /** HS256: the stack generates a Secrets Manager secret; the function reads it at cold start. */
  | { readonly kind: 'generatedSecret' }
  /** EdDSA, ES256 or RS256 with one public key (PEM "BEGIN PUBLIC KEY"). */
  | { readonly kind: 'publicKey'; readonly pem: string }
  /** The identity provider's JWKS endpoint (https). */
  | { readonly kind: 'jwks'; readonly url: string };

export interface JwtSettings {
  readonly key: JwtKeySource;
  /** Required `iss` claim, when set. */
  readonly issuer?: string | undefined;
  /** Accepted `aud` values (any one must match), when set. */
  readonly audience?: readonly string[] | undefined;
}

/**
 * The functions' settings (`staleAfterSeconds`, `jwtMaxLifetimeSeconds`, `historyRetentionDays`,
 * `eventRetentionDays`, `metricsNamespace`) come from ServiceSettings and are validated by the
 * functions' own readers (infra/service-settings.ts).
 */
export interface BucketStatusStackProps extends StackProps, ServiceSettings {
  /** Deployment stage (e.g. dev, prod): names the API, alarms and tags. */
  readonly stageName: string;
  readonly jwt: JwtSettings;
  /** Stage-wide API throttling. @default { rateLimit: 200, burstLimit: 400 } */
  readonly throttle?: ThrottleLimits | undefined;
  /** Browser origins allowed to call GET /bucket/{bucketId}/status. @default no CORS */
  readonly corsAllowedOrigins?: readonly string[] | undefined;
  /** Email subscribed to a new alarm topic. Mutually exclusive with `alarmTopicArn`. */
  readonly alarmEmail?: string | undefined;
  /** An existing SNS topic for alarm notifications. Mutually exclusive with `alarmEmail`. */
  readonly alarmTopicArn?: string | undefined;
  /** Retention of function and access logs. @default one month */
  readonly logRetention?: logs.RetentionDays | undefined;
  /** Powertools and Lambda application log level. @default INFO */
  readonly logLevel?: LogLevel | undefined;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { rateLimit: 200, burstLimit: 400 };
export const SERVICE_NAME = 'bucket-status';

/** The DynamoDB actions each function needs: nothing more (DESIGN.md section 4). */
export const TABLE_ACTIONS = {
  status: ['dynamodb:Query'],
  ingest: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  // Reads a row it found in the sweep index, records the event, takes the row out of the index.
  sweep: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const satisfies Record<string, readonly TableAction[]>;

/**
 * The whole deployed service: one HTTP API, two functions, one table, the token-signing secret
 * (HS256 mode), alarms. Environment-agnostic: no lookups, so it synthesizes with no AWS account.
 */
export class BucketStatusStack extends Stack {
  readonly table: dynamodb.Table;
  readonly statusFunction: HouseNodejsFunction;
  readonly ingestFunction: HouseNodejsFunction;
  readonly sweepFunction: HouseNodejsFunction;
  readonly httpApi: StatusHttpApi;
  readonly jwtSecret: secretsmanager.Secret | undefined;
  readonly alarms: ServiceAlarms;
  readonly alerts: AlertDelivery;
  readonly statusPage: StatusPageHosting;

  constructor(scope: Construct, id: string, props: BucketStatusStackProps) {
    super(scope, id, {
      description: `bucket-status (${props.stageName}): node status aggregation API`,
      ...props,
    });
    assertStageName(props.stageName);
    // Every function gets the service's settings, validated by the readers that will read them.
    const settings = serviceSettingsEnvironment(props);
    if (props.alarmEmail !== undefined && props.alarmTopicArn !== undefined) {
      throw new Error('set alarmEmail or alarmTopicArn, not both');
    }
    Tags.of(this).add('service', SERVICE_NAME);
    Tags.of(this).add('stage', props.stageName);

    this.table = new StatusTable(this, 'Data').table;

    this.jwtSecret =
      props.jwt.key.kind === 'generatedSecret'
        ? new secretsmanager.Secret(this, 'JwtSigningSecret', {
            description: `bucket-status ${props.stageName}: HS256 key that signs and verifies user tokens`,
            // A plain string (no JSON template) of 64 alphanumerics: ~380 bits, above HS256's
            // 32-byte minimum, and safe to pass around in shells.
            generateSecretString: { passwordLength: 64, excludePunctuation: true },
          })
        : undefined;
    if (this.jwtSecret) {
      Validations.of(this.jwtSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'HS256 signing key: automatic rotation would invalidate every outstanding token and warm functions keep the old key until their next cold start. Rotated deliberately by the operator (docs/DEPLOY.md); production token issuers should use the JWKS mode instead.',
      });
    }

    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const shared = {
      serviceName: SERVICE_NAME,
      logLevel: props.logLevel ?? 'INFO',
      logRetention,
      timeout: Duration.seconds(10),
    };
    this.statusFunction = new HouseNodejsFunction(this, 'StatusFunction', {
      ...shared,
      entry: FUNCTION_ENTRIES.status,
      description: `bucket-status ${props.stageName}: GET /bucket/{bucketId}/status`,
      // Token verification and two parallel queries: CPU scales with memory, and so does the
      // cold start of the bundled SDK.
      memorySize: 1024,
      environment: {
        TABLE_NAME: this.table.tableName,
        ...settings,
        ...jwtEnvironment(props.jwt, this.jwtSecret),
      },
    });
    this.ingestFunction = new HouseNodejsFunction(this, 'IngestFunction', {
      ...shared,
      entry: FUNCTION_ENTRIES.ingest,
      description: `bucket-status ${props.stageName}: POST /node/status`,
      // One Ed25519 verification and a few small writes per report, at the fleet's steady rate.
      memorySize: 512,
      environment: { TABLE_NAME: this.table.tableName, ...settings },
    });

    this.sweepFunction = new HouseNodejsFunction(this, 'SweepFunction', {
      ...shared,
      entry: FUNCTION_ENTRIES.sweep,
      description: `bucket-status ${props.stageName}: sweep for nodes gone silent (every minute)`,
      // A few small requests per silent node; a mass outage of 10,000 nodes is ~30,000
      // requests at 16 at a time, well inside the timeout, which stays under the period.
      memorySize: 256,
      timeout: Duration.seconds(50),
      environment: { TABLE_NAME: this.table.tableName, ...settings },
      trigger: { kind: 'schedule', schedule: events.Schedule.rate(Duration.minutes(1)) },
    });
    this.sweepFunction.grantTable(this.table, {
      actions: TABLE_ACTIONS.sweep,
      indexes: [SWEEP_INDEX.name],
    });
    this.statusFunction.grantTable(this.table, { actions: TABLE_ACTIONS.status });
    this.ingestFunction.grantTable(this.table, { actions: TABLE_ACTIONS.ingest });
    if (this.jwtSecret) {
      this.statusFunction.allow(['secretsmanager:GetSecretValue'], [this.jwtSecret.secretArn]);
    }

    // The page's origin is allowed by the API's CORS; the API's URL goes into the page's config.
    this.statusPage = new StatusPageHosting(this, 'StatusPage');
    this.httpApi = new StatusHttpApi(this, 'Http', {
      apiName: `bucket-status-${props.stageName}`,
      statusFunction: this.statusFunction.function,
      ingestFunction: this.ingestFunction.function,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogRetention: logRetention,
      corsAllowedOrigins: [this.statusPage.origin, ...(props.corsAllowedOrigins ?? [])],
    });
    this.statusPage.deployPage(this.httpApi.url);
    Validations.of(this.httpApi.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization is done in the functions by design (DESIGN.md): GET verifies a bearer JWT in a middy middleware, POST verifies a per-node Ed25519 request signature, which no API Gateway authorizer type supports.',
    });

    const notificationTopic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : props.alarmEmail
        ? new AlarmTopic(this, 'AlarmNotifications', { email: props.alarmEmail }).topic
        : undefined;
    this.alerts = new AlertDelivery(this, 'Alerts', {
      table: this.table,
      stageName: props.stageName,
      serviceName: SERVICE_NAME,
      logLevel: shared.logLevel,
      logRetention,
      settings,
      notificationTopic,
    });

    this.alarms = new ServiceAlarms(this, 'Alarms', {
      api: this.httpApi.api,
      functions: {
        status: this.statusFunction.function,
        ingest: this.ingestFunction.function,
        sweep: this.sweepFunction.function,
        fanOut: this.alerts.fanOutFunction.function,
        delivery: this.alerts.deliveryFunction.function,
      },
      failureQueues: { sweep: this.sweepFunction.failureQueue as sqs.IQueue },
      table: this.table,
      tableOperations: [
        dynamodb.Operation.QUERY,
        dynamodb.Operation.GET_ITEM,
        dynamodb.Operation.UPDATE_ITEM,
        dynamodb.Operation.PUT_ITEM,
      ],
      notificationTopic,
    });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the HTTP API',
      value: this.httpApi.url,
    });
    new CfnOutput(this, 'StatusPageUrl', {
      description: 'The status page: open <url>#bucket=<bucketId>&token=<token>',
      value: this.statusPage.url,
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table: set TABLE_NAME to this for the admin CLI',
      value: this.table.tableName,
    });
    if (this.jwtSecret) {
      new CfnOutput(this, 'JwtSecretArn', {
        description: 'Secrets Manager secret holding the HS256 token key',
        value: this.jwtSecret.secretArn,
      });
    }
  }
}

/** The status function's token settings, as the variables functions/shared/config.ts reads. */
function jwtEnvironment(
  jwt: JwtSettings,
  secret: secretsmanager.ISecret | undefined,
): Record<string, string> {
  const environment: Record<string, string> = {};
  switch (jwt.key.kind) {
    case 'generatedSecret':
      if (!secret) throw new Error('generatedSecret mode needs the generated secret');
      // The ARN only; the function fetches the value at cold start.
      environment.JWT_SECRET_ARN = secret.secretArn;
      break;
    case 'publicKey':
      environment.JWT_PUBLIC_KEY = checkedPublicKey(jwt.key.pem);
      break;
    case 'jwks':
      environment.JWT_JWKS_URL = checkedJwksUrl(jwt.key.url);
      break;
  }
  const issuer = checkedIssuer(jwt.issuer);
  const audience = checkedAudience(jwt.audience?.join(','));
  if (issuer) environment.JWT_ISSUER = issuer;
  if (audience) environment.JWT_AUDIENCE = audience.join(',');
  return environment;
}

function assertStageName(stageName: string): void {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stageName)) {
    throw new Error(
      `stage name must be 1-20 chars of [a-z0-9-], starting with a letter (got "${stageName}")`,
    );
  }
}
