/**
 * Stack properties from CDK context (`cdk.json` "context" or `-c key=value`), so a deployment
 * is configured without editing code. Keys are documented in docs/DEPLOY.md. Settings the
 * functions read are parsed by their own readers (functions/shared/config.ts, through
 * infra/service-settings.ts); only the stack's own settings (stage, throttling, alarms, logs,
 * CORS) are parsed here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import {
  type Env,
  readEventRetentionDays,
  readHistoryRetentionDays,
  readJwtMaxLifetimeSeconds,
  readMetricsNamespace,
  readStaleAfterSeconds,
} from '../functions/shared/config.ts';
import {
  type BucketStatusStackProps,
  DEFAULT_THROTTLE,
  type JwtKeySource,
} from './bucket-status-stack.ts';
import { LOG_LEVELS, type LogLevel, PROJECT_ROOT } from './constructs/house-nodejs-function.ts';
import {
  checkedAudience,
  checkedIssuer,
  readAs,
  SETTING_VARIABLES,
  type ServiceSettings,
} from './service-settings.ts';

export function stackPropsFromContext(node: Node): BucketStatusStackProps {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`context ${key} must be a string`);
    }
    return String(value).trim();
  };
  const integer = (key: string): number | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new Error(`context ${key} must be a whole number`);
    return Number(value);
  };
  const list = (key: string): string[] | undefined =>
    text(key)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  // The functions' settings, as the environment variables they read, parsed by their readers.
  const env: Env = {};
  for (const [key, variable] of Object.entries(SETTING_VARIABLES)) env[variable] = text(key);
  const given = (key: keyof typeof SETTING_VARIABLES) => env[SETTING_VARIABLES[key]] !== undefined;
  const service: ServiceSettings = {
    ...(given('staleAfterSeconds') && {
      staleAfterSeconds: readAs('context', env, readStaleAfterSeconds),
    }),
    ...(given('jwtMaxLifetimeSeconds') && {
      jwtMaxLifetimeSeconds: readAs('context', env, readJwtMaxLifetimeSeconds),
    }),
    ...(given('historyRetentionDays') && {
      historyRetentionDays: readAs('context', env, readHistoryRetentionDays),
    }),
    ...(given('eventRetentionDays') && {
      eventRetentionDays: readAs('context', env, readEventRetentionDays),
    }),
    ...(given('metricsNamespace') && {
      metricsNamespace: readAs('context', env, readMetricsNamespace),
    }),
  };

  const publicKeyFile = text('jwtPublicKeyFile');
  const publicKey =
    text('jwtPublicKey') ??
    (publicKeyFile ? readFileSync(path.resolve(PROJECT_ROOT, publicKeyFile), 'utf8') : undefined);
  const jwksUrl = text('jwtJwksUrl');
  if (publicKey !== undefined && jwksUrl !== undefined) {
    throw new Error('set at most one of jwtPublicKey/jwtPublicKeyFile and jwtJwksUrl');
  }
  // Checked (with the functions' readers) when the stack renders them into the environment.
  const key: JwtKeySource =
    publicKey !== undefined
      ? { kind: 'publicKey', pem: publicKey }
      : jwksUrl !== undefined
        ? { kind: 'jwks', url: jwksUrl }
        : { kind: 'generatedSecret' };

  const rateLimit = integer('throttleRateLimit') ?? DEFAULT_THROTTLE.rateLimit;
  const logLevel = text('logLevel')?.toUpperCase();
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`context logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const retentionDays = integer('logRetentionDays');
  if (
    retentionDays !== undefined &&
    !(Object.values(logs.RetentionDays) as unknown[]).includes(retentionDays)
  ) {
    throw new Error(
      `context logRetentionDays is not a CloudWatch Logs retention: ${retentionDays}`,
    );
  }

  return {
    stageName: text('stage') ?? 'dev',
    jwt: {
      key,
      issuer: checkedIssuer(env.JWT_ISSUER, 'context'),
      audience: checkedAudience(env.JWT_AUDIENCE, 'context'),
    },
    ...service,
    throttle: { rateLimit, burstLimit: integer('throttleBurstLimit') ?? rateLimit * 2 },
    corsAllowedOrigins: list('corsAllowedOrigins'),
    alarmEmail: text('alarmEmail'),
    alarmTopicArn: text('alarmTopicArn'),
    logRetention: retentionDays as logs.RetentionDays | undefined,
    logLevel: logLevel as LogLevel | undefined,
  };
}
