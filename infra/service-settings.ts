/**
 * The functions' settings as the stack sees them: typed stack props (and the CDK context keys of
 * the same names) on one side, the environment variables functions/shared/config.ts reads on the
 * other. Validation is the functions' own readers, run at synthesis on exactly the strings the
 * functions will read at cold start: nothing is checked twice, and `cdk synth` fails on any
 * value a function would refuse, with a message naming the prop or context key.
 */
import {
  ConfigError,
  type Env,
  readEventRetentionDays,
  readHistoryRetentionDays,
  readJwksUrl,
  readJwtAudience,
  readJwtIssuer,
  readJwtMaxLifetimeSeconds,
  readJwtPublicKey,
  readMetricsNamespace,
  readStaleAfterSeconds,
} from '../functions/shared/config.ts';

/** Settings every function gets (each reads those it needs). */
export interface ServiceSettings {
  /** Seconds without a report after which a node shows DISCONNECTED. @default 90 */
  readonly staleAfterSeconds?: number | undefined;
  /** Longest accepted token lifetime in seconds. @default 2678400 (31 days) */
  readonly jwtMaxLifetimeSeconds?: number | undefined;
  /** Days of history kept. @default 400 */
  readonly historyRetentionDays?: number | undefined;
  /** Days of events kept. @default 90 */
  readonly eventRetentionDays?: number | undefined;
  /** CloudWatch namespace of the service's metrics. @default BucketStatus */
  readonly metricsNamespace?: string | undefined;
}

/** Prop (and CDK context key) → the environment variable the functions read. */
export const SETTING_VARIABLES = {
  staleAfterSeconds: 'STALE_AFTER_SECONDS',
  jwtMaxLifetimeSeconds: 'JWT_MAX_LIFETIME_SECONDS',
  historyRetentionDays: 'HISTORY_RETENTION_DAYS',
  eventRetentionDays: 'EVENT_RETENTION_DAYS',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  jwtPublicKey: 'JWT_PUBLIC_KEY',
  jwtJwksUrl: 'JWT_JWKS_URL',
} as const;

type SettingKey = keyof typeof SETTING_VARIABLES;

/**
 * Runs a config.ts reader over `env`; a ConfigError is re-thrown naming the prop or context key
 * (`what` is "context" or "prop") as well as the variable, e.g.
 * "context staleAfterSeconds: STALE_AFTER_SECONDS must be an integer from 1 to 86400 (got "0")".
 */
export function readAs<T>(what: string, env: Env, reader: (env: Env) => T): T {
  try {
    return reader(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const key = (Object.keys(SETTING_VARIABLES) as SettingKey[]).find(
      (k) => SETTING_VARIABLES[k] === error.setting,
    );
    throw new ConfigError(`${what} ${key ?? error.setting}: ${error.message}`, error.setting);
  }
}

/** The variables for `settings`, defaults filled in, each validated by its function reader. */
export function serviceSettingsEnvironment(settings: ServiceSettings): Record<string, string> {
  const env: Env = {};
  for (const key of [
    'staleAfterSeconds',
    'jwtMaxLifetimeSeconds',
    'historyRetentionDays',
    'eventRetentionDays',
    'metricsNamespace',
  ] as const) {
    const value = settings[key];
    if (value !== undefined) env[SETTING_VARIABLES[key]] = String(value);
  }
  const values = {
    STALE_AFTER_SECONDS: readAs('prop', env, readStaleAfterSeconds),
    JWT_MAX_LIFETIME_SECONDS: readAs('prop', env, readJwtMaxLifetimeSeconds),
    HISTORY_RETENTION_DAYS: readAs('prop', env, readHistoryRetentionDays),
    EVENT_RETENTION_DAYS: readAs('prop', env, readEventRetentionDays),
    POWERTOOLS_METRICS_NAMESPACE: readAs('prop', env, readMetricsNamespace),
  };
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, String(v)]));
}

/** One PEM public key that verifies user tokens, normalized as the function reads it. */
export const checkedPublicKey = (pem: string, what = 'prop'): string =>
  readAs(what, { JWT_PUBLIC_KEY: pem }, readJwtPublicKey) as string;

/** A deployed function fetches its JWKS over the internet: https only (no loopback). */
export function checkedJwksUrl(raw: string, what = 'prop'): string {
  const url = readAs(what, { JWT_JWKS_URL: raw }, readJwksUrl) as string;
  if (!url.startsWith('https:')) {
    throw new ConfigError(`${what} jwtJwksUrl: JWT_JWKS_URL must be https`, 'JWT_JWKS_URL');
  }
  return url;
}

export const checkedIssuer = (raw: string | undefined, what = 'prop') =>
  readAs(what, { JWT_ISSUER: raw }, readJwtIssuer);

export const checkedAudience = (raw: string | undefined, what = 'prop') =>
  readAs(what, { JWT_AUDIENCE: raw }, readJwtAudience);
