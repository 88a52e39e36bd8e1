import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
  ROUTES,
  routeKeyOf,
  routesOf,
  tableActionsOf,
} from '../functions/route-table.ts';
import { type Env, SETTINGS, type SettingKey } from '../functions/shared/config.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { AlertDelivery } from './constructs/alert-delivery.ts';
import {
  type FunctionKind,
  type FunctionTrigger,
  HouseNodejsFunction,
  type LogLevel,
} from './constructs/house-nodejs-function.ts';
import { PublicCdn } from './constructs/public-cdn.ts';
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

/** Where the functions that check bearer tokens get the key that verifies them (DESIGN.md section 2). */
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
  /** The functions' logger and Lambda application log level. @default INFO */
  readonly logLevel?: LogLevel | undefined;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { rateLimit: 200, burstLimit: 400 };
export const SERVICE_NAME = 'bucket-status';

/** The DynamoDB actions each function needs, from the route table: nothing more. */
export const TABLE_ACTIONS = Object.fromEntries(
  FUNCTION_NAMES.map((name) => [name, tableActionsOf(name)]),
) as unknown as Record<FunctionName, readonly TableAction[]>;

/**
 * The whole deployed service: one HTTP API, the functions of the route table (eight behind the
 * API, the sweep, fanOut, delivery), one table, the token-signing secret (HS256 mode), the events
 * cursor secret, alert delivery, the status page, alarms. Environment-agnostic: no lookups, so it synthesizes with no AWS account.
 */
/** Lambda's limit on a function's description. */
export class BucketStatusStack extends Stack {
  readonly table: dynamodb.Table;
  /** Every function of the route table, by name. */
  readonly functions: Record<FunctionName, HouseNodejsFunction>;
  readonly statusFunction: HouseNodejsFunction;
  readonly ingestFunction: HouseNodejsFunction;
  readonly sweepFunction: HouseNodejsFunction;
  readonly httpApi: StatusHttpApi;
  readonly jwtSecret: secretsmanager.Secret | undefined;
  readonly eventsCursorSecret: secretsmanager.Secret;
  readonly alarms: ServiceAlarms;
  readonly statusPage: StatusPageHosting;
  /** The public routes of share tokens, cached at the edge (DESIGN.md section 17). */
  readonly publicCdn: PublicCdn;
  /** The alert pipeline's queues (the fan-out and delivery functions are in `functions`). */
  readonly alerts: AlertDelivery;

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

    // The key of the events routes' tamper-evident cursors (docs/SECURITY.md): a secret of its
    // own, whatever the token mode, readable by the functions whose table entry names
    // eventsCursorKey alone (events, status, workspace, public).
    this.eventsCursorSecret = new secretsmanager.Secret(this, 'EventsCursorSecret', {
      description: `bucket-status ${props.stageName}: HMAC key of the GET /bucket/{bucketId}/events cursor`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.eventsCursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'HMAC key of the events pagination cursor: rotation would only invalidate outstanding cursors (clients start again from the newest page) and warm functions keep the old key until their next cold start; rotated deliberately by the operator (docs/DEPLOY.md).',
    });

    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const shared = {
      serviceName: SERVICE_NAME,
      logLevel: props.logLevel ?? 'INFO',
      logRetention,
      timeout: Duration.seconds(10),
    };
    this.alerts = new AlertDelivery(this, 'Alerts', { table: this.table });
    // The variables of the settings the stack gives a value (each function gets those its
    // FUNCTIONS entry names; the rest are read with their defaults). Never
    // WEBHOOK_ALLOW_LOOPBACK: deployed, only public https targets (DESIGN.md section 10). The
    // status page's URL (statusPageUrl) is set once the page exists, below.
    const stackValues: Partial<Record<SettingKey, Record<string, string>>> = {
      tableName: { TABLE_NAME: this.table.tableName },
      jwt: jwtEnvironment(props.jwt, this.jwtSecret),
      eventsCursorKey: { EVENTS_CURSOR_SECRET_ARN: this.eventsCursorSecret.secretArn },
      deliveryQueueUrl: this.alerts.environment,
    };
    const setLater: readonly SettingKey[] = ['statusPageUrl'];
    const environmentOf = (name: FunctionName): Record<string, string> => {
      // The service's settings go to every function (ServiceSettings, above).
      const environment = { ...stackValues.tableName, ...settings };
      for (const key of FUNCTIONS[name].settings) {
        const values = stackValues[key];
        if (values !== undefined) Object.assign(environment, checkedValues(key, values));
        else if (!setLater.includes(key)) assertHasDefault(name, key, settings);
      }
      return environment;
    };
    // How each function is invoked: HTTP functions by their routes (below); a scheduled or
    // queue-driven function of the table gets its schedule or queue here, by name.
    const triggers: Partial<Record<FunctionName, FunctionTrigger>> = {
      sweep: { kind: 'schedule', schedule: events.Schedule.rate(Duration.minutes(1)) },
      fanOut: this.alerts.fanOutTrigger(),
      delivery: this.alerts.deliveryTrigger(),
    };
    const triggerOf = (name: FunctionName): FunctionTrigger => {
      const kind = FUNCTIONS[name].kind as FunctionKind;
      if (kind === 'http') return { kind: 'http' };
      const trigger = triggers[name];
      if (trigger?.kind !== kind)
        throw new Error(`function ${name}: no ${kind} trigger in the stack`);
      return trigger;
    };
    // One function per entry of the route table, granted exactly its routes' table actions.
    this.functions = {} as Record<FunctionName, HouseNodejsFunction>;
    for (const name of FUNCTION_NAMES) {
      const spec = FUNCTIONS[name];
      const fn = new HouseNodejsFunction(this, spec.constructId, {
        ...shared,
        entry: spec.entry,
        // HTTP functions are described by the routes they serve, while those fit Lambda's
        // 256 characters; by their table entry's description otherwise.
        description: describeFunction(props.stageName, name),
        memorySize: spec.memorySize,
        ...('timeoutSeconds' in spec && { timeout: Duration.seconds(spec.timeoutSeconds) }),
        environment: environmentOf(name),
        trigger: triggerOf(name),
      });
      fn.grantTable(this.table, {
        actions: tableActionsOf(name),
        ...('tableIndexes' in spec && { indexes: spec.tableIndexes }),
      });
      this.functions[name] = fn;
    }
    this.statusFunction = this.functions.status;
    this.ingestFunction = this.functions.ingest;
    this.sweepFunction = this.functions.sweep;
    // A secret is readable by exactly the functions whose table entry names its setting: the
    // token key by the bearer-checking functions, the cursor key (events and health events
    // cursors) by those that sign cursors.
    const readingSetting = (key: SettingKey) =>
      FUNCTION_NAMES.filter((name) =>
        (FUNCTIONS[name].settings as readonly SettingKey[]).includes(key),
      ).map((name) => this.functions[name]);
    if (this.jwtSecret) {
      for (const fn of readingSetting('jwt')) {
        fn.allow(['secretsmanager:GetSecretValue'], [this.jwtSecret.secretArn]);
      }
    }
    for (const fn of readingSetting('eventsCursorKey')) {
      fn.allow(['secretsmanager:GetSecretValue'], [this.eventsCursorSecret.secretArn]);
    }
    this.alerts.grantFanOut(this.functions.fanOut);

    // The page's origin is allowed by the API's CORS; the API's URL goes into the page's config.
    this.statusPage = new StatusPageHosting(this, 'StatusPage');
    this.httpApi = new StatusHttpApi(this, 'Http', {
      apiName: `bucket-status-${props.stageName}`,
      routes: ROUTES.map((route) => ({
        method: route.method as HttpMethod,
        path: route.path,
        functionName: route.function,
        function: this.functions[route.function].function,
      })),
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogRetention: logRetention,
      corsAllowedOrigins: [this.statusPage.origin, ...(props.corsAllowedOrigins ?? [])],
    });
    this.statusPage.deployPage(this.httpApi.url);
    // A share link opens the page (POST shares answers `<page>#share=<token>`).
    for (const name of FUNCTION_NAMES) {
      if ((FUNCTIONS[name].settings as readonly string[]).includes('statusPageUrl')) {
        this.functions[name].function.addEnvironment('STATUS_PAGE_URL', this.statusPage.url);
      }
    }
    this.publicCdn = new PublicCdn(this, 'Public', { apiId: this.httpApi.api.apiId });
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
    this.alerts.notify(notificationTopic);
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      api: this.httpApi.api,
      functions: Object.fromEntries(
        FUNCTION_NAMES.map((name) => [name, this.functions[name].function]),
      ),
      // Scheduled functions park failed runs in their failure queue; it is watched too.
      failureQueues: Object.fromEntries(
        FUNCTION_NAMES.flatMap((name) => {
          const queue = this.functions[name].failureQueue;
          return queue === undefined ? [] : [[name, queue as sqs.IQueue]];
        }),
      ),
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
    new CfnOutput(this, 'PublicUrl', {
      description:
        'The public routes of share links, cached at the edge: <url>/public/<token>/status',
      value: this.publicCdn.url,
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

/** The variables the stack sets for a setting: only those config.ts reads it from. */
function checkedValues(key: SettingKey, values: Record<string, string>): Record<string, string> {
  const variables: readonly string[] = SETTINGS[key].variables;
  const other = Object.keys(values).filter((name) => !variables.includes(name));
  if (other.length > 0) throw new Error(`setting ${key} is not read from ${other.join(', ')}`);
  return values;
}

/**
 * A setting a function reads and the stack gives no value must read from its default: one
 * without (a new required setting) fails the synthesis, naming the function and the key.
 */
function assertHasDefault(name: FunctionName, key: SettingKey, environment: Env): void {
  try {
    SETTINGS[key].read(environment);
  } catch (error) {
    throw new Error(
      `function ${name} reads the setting ${key}, which the stack sets no value for: ${(error as Error).message}`,
    );
  }
}

/** The token settings of the functions that check bearer tokens, as the variables functions/shared/config.ts reads. */
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

/**
 * A function's description: an HTTP function's routes while they fit Lambda's 256 characters,
 * else its table description and how many routes it serves.
 */
export function describeFunction(stageName: string, name: FunctionName): string {
  const spec = FUNCTIONS[name];
  const prefix = `bucket-status ${stageName}: `;
  if (spec.kind !== 'http') return `${prefix}${spec.description}`.slice(0, 256);
  const routes = routesOf(name).map((route) => routeKeyOf(route));
  const listed = `${prefix}${routes.join(', ')}`;
  if (listed.length <= 256) return listed;
  return `${prefix}${spec.description} (${routes.length} routes)`.slice(0, 256);
}
