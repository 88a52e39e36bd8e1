/**
 * Every setting of the service (DESIGN.md sections 5 and 7), parsed and validated here and
 * nowhere else: the Lambda entries, the local runtime (local/config.ts), the admin CLI and the
 * CDK stack's context parsing (infra/stack-context.ts) all call these readers. Each reader
 * validates its setting and throws a ConfigError naming it, so a bad deployment fails at cold
 * start (or at `cdk synth`) instead of per request.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** The environment variable the message is about, when it is about one. */
  readonly setting: string | undefined;

  constructor(message: string, setting?: string) {
    super(message);
    this.setting = setting;
  }
}

export type Env = Record<string, string | undefined>;

const read = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

export function requireTableName(env: Env): string {
  const name = read(env, 'TABLE_NAME');
  if (!name)
    throw new ConfigError('TABLE_NAME is required (the DynamoDB table name)', 'TABLE_NAME');
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
    throw new ConfigError('TABLE_NAME must be 3-255 chars of [A-Za-z0-9_.-]', 'TABLE_NAME');
  }
  return name;
}

export function readDynamoEndpoint(env: Env): string | undefined {
  const endpoint = read(env, 'DYNAMODB_ENDPOINT');
  if (endpoint === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`DYNAMODB_ENDPOINT is not a URL: ${endpoint}`, 'DYNAMODB_ENDPOINT');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('DYNAMODB_ENDPOINT must be an http(s) URL', 'DYNAMODB_ENDPOINT');
  }
  return endpoint;
}

export function readPositiveInt(
  env: Env,
  name: string,
  fallback: number,
  { min = 1, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`, name);
  }
  return Number(raw);
}

/** A number of seconds that may have a fraction (e.g. "0.5"), for timers of the local runtime. */
export function readSeconds(
  env: Env,
  name: string,
  fallback: number,
  { min, max }: { min: number; max: number },
): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      `${name} must be a number of seconds from ${min} to ${max} (got "${raw}")`,
      name,
    );
  }
  return Number(raw);
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`, name);
}

/**
 * Integer settings: name, default and bounds in one table, so the stack (which passes them on
 * to the functions) and the functions (which read them) cannot disagree.
 */
export const INTEGER_SETTINGS = {
  STALE_AFTER_SECONDS: { fallback: 90, min: 1, max: 86_400 },
  /** Per-container cache of node public keys; 0 turns it off. */
  NODE_KEY_CACHE_SECONDS: { fallback: 60, min: 0, max: 3600 },
  /** Per-node rate limit on accepted reports; 0 turns it off. */
  NODE_MIN_REPORT_INTERVAL_MS: { fallback: 1000, min: 0, max: 3_600_000 },
  /** Longest accepted token lifetime, `exp - iat` (31 days by default; at most a year). */
  JWT_MAX_LIFETIME_SECONDS: { fallback: 2_678_400, min: 60, max: 31_536_000 },
  /** Days of history rows kept (stats and uptime); at most ten years. */
  HISTORY_RETENTION_DAYS: { fallback: 400, min: 1, max: 3650 },
  /** Days of event rows kept; at most ten years. */
  EVENT_RETENTION_DAYS: { fallback: 90, min: 1, max: 3650 },
} as const;

export type IntegerSetting = keyof typeof INTEGER_SETTINGS;

export const readIntegerSetting = (env: Env, name: IntegerSetting): number =>
  readPositiveInt(env, name, INTEGER_SETTINGS[name].fallback, INTEGER_SETTINGS[name]);

export const readStaleAfterSeconds = (env: Env) => readIntegerSetting(env, 'STALE_AFTER_SECONDS');

/** Per-container cache of node public keys; 0 turns it off. */
export const readNodeKeyCacheSeconds = (env: Env) =>
  readIntegerSetting(env, 'NODE_KEY_CACHE_SECONDS');

/** Per-node rate limit on accepted reports; 0 turns it off. */
export const readNodeMinReportIntervalMs = (env: Env) =>
  readIntegerSetting(env, 'NODE_MIN_REPORT_INTERVAL_MS');

/** JWT_MAX_LIFETIME_SECONDS (default 2,678,400 = 31 days, DESIGN.md section 7). */
export const readJwtMaxLifetimeSeconds = (env: Env) =>
  readIntegerSetting(env, 'JWT_MAX_LIFETIME_SECONDS');

/** HISTORY_RETENTION_DAYS (default 400, DESIGN.md section 8). */
export const readHistoryRetentionDays = (env: Env) =>
  readIntegerSetting(env, 'HISTORY_RETENTION_DAYS');

/** EVENT_RETENTION_DAYS (default 90, DESIGN.md section 9). */
export const readEventRetentionDays = (env: Env) => readIntegerSetting(env, 'EVENT_RETENTION_DAYS');

/** SWEEP_INTERVAL_SECONDS, local runtime only (default 5; the stack's schedule is a minute). */
export const readSweepIntervalSeconds = (env: Env) =>
  readSeconds(env, 'SWEEP_INTERVAL_SECONDS', 5, { min: 0.01, max: 3600 });

/**
 * WEBHOOK_ALLOW_LOOPBACK, local runtime only: also accept http and loopback webhook targets.
 * Defaults to false here; the local runtime sets it to true (local/config.ts), the stack never.
 */
export const readWebhookAllowLoopback = (env: Env, fallback = false) =>
  readBoolean(env, 'WEBHOOK_ALLOW_LOOPBACK', fallback);

/** WEBHOOK_RETRY_BASE_SECONDS, local runtime only: the spacing of delivery retries (default 2). */
export const readWebhookRetryBaseSeconds = (env: Env) =>
  readSeconds(env, 'WEBHOOK_RETRY_BASE_SECONDS', 2, { min: 0, max: 3600 });

/** The second release's settings in one object (DESIGN.md section 7). */
export interface ReleaseTwoSettings {
  jwtMaxLifetimeSeconds: number;
  historyRetentionDays: number;
  eventRetentionDays: number;
  sweepIntervalSeconds: number;
  webhookAllowLoopback: boolean;
  webhookRetryBaseSeconds: number;
}

/** `local`: the local runtime's defaults (loopback webhook targets allowed unless set false). */
export const readReleaseTwoSettings = (
  env: Env,
  { local = false }: { local?: boolean } = {},
): ReleaseTwoSettings => ({
  jwtMaxLifetimeSeconds: readJwtMaxLifetimeSeconds(env),
  historyRetentionDays: readHistoryRetentionDays(env),
  eventRetentionDays: readEventRetentionDays(env),
  sweepIntervalSeconds: readSweepIntervalSeconds(env),
  webhookAllowLoopback: readWebhookAllowLoopback(env, local),
  webhookRetryBaseSeconds: readWebhookRetryBaseSeconds(env),
});

/** DELIVERY_QUEUE_URL: the webhook delivery queue (fan-out sends to it, delivery re-times it). */
export function readDeliveryQueueUrl(env: Env): string {
  const raw = read(env, 'DELIVERY_QUEUE_URL');
  if (raw === undefined) {
    throw new ConfigError(
      'DELIVERY_QUEUE_URL is required (the delivery queue)',
      'DELIVERY_QUEUE_URL',
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`DELIVERY_QUEUE_URL is not a URL: ${raw}`, 'DELIVERY_QUEUE_URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('DELIVERY_QUEUE_URL must be an http(s) URL', 'DELIVERY_QUEUE_URL');
  }
  return raw;
}

export const DEFAULT_SERVICE_NAME = 'bucket-status';
export const DEFAULT_METRICS_NAMESPACE = 'BucketStatus';

/** POWERTOOLS_SERVICE_NAME: names logs, metrics and traces (the stack sets it). */
export function readServiceName(env: Env): string {
  const name = read(env, 'POWERTOOLS_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
    throw new ConfigError(
      'POWERTOOLS_SERVICE_NAME must be 1-64 chars of [A-Za-z0-9_.-]',
      'POWERTOOLS_SERVICE_NAME',
    );
  }
  return name;
}

/** POWERTOOLS_METRICS_NAMESPACE: the CloudWatch namespace of the service's metrics. */
export function readMetricsNamespace(env: Env): string {
  const namespace = read(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULT_METRICS_NAMESPACE;
  // CloudWatch: 1-255 chars, no leading colon; we keep to a plain, shell-safe alphabet.
  if (!/^[A-Za-z0-9_./#-]{1,255}$/.test(namespace)) {
    throw new ConfigError(
      'POWERTOOLS_METRICS_NAMESPACE must be 1-255 chars of [A-Za-z0-9_./#-]',
      'POWERTOOLS_METRICS_NAMESPACE',
    );
  }
  return namespace;
}

/** Where the status function gets its token-verification key from: exactly one source. */
export type JwtKeySource =
  | { kind: 'secret'; secret: string }
  | { kind: 'secretArn'; arn: string }
  | { kind: 'publicKey'; pem: string }
  | { kind: 'jwks'; url: string };

export interface JwtConfig {
  source: JwtKeySource;
  issuer?: string;
  audience?: string[];
  /** JWT_MAX_LIFETIME_SECONDS; the verifier's default (31 days) when absent. */
  maxLifetimeSeconds?: number;
}

export const MIN_HS256_SECRET_BYTES = 32;

/** JWT_SECRET as given (not trimmed: the HMAC key is its exact bytes), checked for strength. */
export function readJwtSecret(env: Env): string | undefined {
  if (read(env, 'JWT_SECRET') === undefined) return undefined;
  const secret = env.JWT_SECRET as string;
  assertSecretStrength(secret, 'JWT_SECRET');
  return secret;
}

/** JWT_ISSUER: the required `iss` claim, when set. */
export const readJwtIssuer = (env: Env): string | undefined => read(env, 'JWT_ISSUER');

/** JWT_AUDIENCE: accepted `aud` values, comma separated (any one must match), when set. */
export function readJwtAudience(env: Env): string[] | undefined {
  const audience = read(env, 'JWT_AUDIENCE')
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return audience?.length ? audience : undefined;
}

/** JWT_PUBLIC_KEY: one PEM public key; escaped newlines (`\n`, as in env files) are restored. */
export function readJwtPublicKey(env: Env): string | undefined {
  const raw = read(env, 'JWT_PUBLIC_KEY');
  if (raw === undefined) return undefined;
  const pem = raw.replace(/\\n/g, '\n').trim();
  // A private key pasted by mistake would end up readable in the template and the console.
  if (/PRIVATE KEY/.test(pem)) {
    throw new ConfigError(
      'JWT_PUBLIC_KEY is a PRIVATE key; give the public key only',
      'JWT_PUBLIC_KEY',
    );
  }
  if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) {
    throw new ConfigError(
      'JWT_PUBLIC_KEY must be a PEM "BEGIN PUBLIC KEY" block',
      'JWT_PUBLIC_KEY',
    );
  }
  return pem;
}

/** JWT_JWKS_URL: https (http only on loopback, for tests and local identity providers). */
export function readJwksUrl(env: Env): string | undefined {
  const raw = read(env, 'JWT_JWKS_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`JWT_JWKS_URL is not a URL: ${raw}`, 'JWT_JWKS_URL');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError('JWT_JWKS_URL must be https (http only for localhost)', 'JWT_JWKS_URL');
  }
  return url.toString();
}

const KEY_SOURCE_NAMES = ['JWT_SECRET', 'JWT_SECRET_ARN', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL'];

export function readJwtConfig(env: Env): JwtConfig {
  const given = KEY_SOURCE_NAMES.filter((name) => read(env, name) !== undefined);
  if (given.length === 0) {
    throw new ConfigError(
      'one of JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL is required',
      'JWT_SECRET',
    );
  }
  if (given.length > 1) {
    throw new ConfigError(
      `set only one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL (got ${given.join(', ')})`,
      given[1],
    );
  }
  const secret = readJwtSecret(env);
  const secretArn = read(env, 'JWT_SECRET_ARN');
  const pem = readJwtPublicKey(env);
  let source: JwtKeySource;
  if (secret !== undefined) {
    source = { kind: 'secret', secret };
  } else if (secretArn !== undefined) {
    if (!secretArn.startsWith('arn:')) {
      throw new ConfigError('JWT_SECRET_ARN must be an ARN', 'JWT_SECRET_ARN');
    }
    source = { kind: 'secretArn', arn: secretArn };
  } else if (pem !== undefined) {
    source = { kind: 'publicKey', pem };
  } else {
    source = { kind: 'jwks', url: readJwksUrl(env) as string };
  }
  const issuer = readJwtIssuer(env);
  const audience = readJwtAudience(env);
  return {
    source,
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
    maxLifetimeSeconds: readJwtMaxLifetimeSeconds(env),
  };
}

/** What minting a development token needs (admin CLI `mint-token`): HS256 only. */
export interface TokenMintingConfig {
  secret: string;
  issuer?: string;
  audience?: string[];
}

export function readTokenMintingConfig(env: Env): TokenMintingConfig {
  const secret = readJwtSecret(env);
  if (secret === undefined) {
    throw new ConfigError('JWT_SECRET is required for mint-token (HS256)', 'JWT_SECRET');
  }
  const issuer = readJwtIssuer(env);
  const audience = readJwtAudience(env);
  return { secret, ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
}

/** The one check of an HS256 key's strength (also applied to a key fetched at cold start). */
export function assertSecretStrength(secret: string, name: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_HS256_SECRET_BYTES) {
    throw new ConfigError(
      `${name} must be at least ${MIN_HS256_SECRET_BYTES} bytes for HS256`,
      name.startsWith('JWT_') ? name : undefined,
    );
  }
}

/**
 * Where the HMAC key of the events cursor comes from (docs/SECURITY.md): EVENTS_CURSOR_SECRET
 * (at least 32 bytes), or EVENTS_CURSOR_SECRET_ARN (a Secrets Manager secret the stack
 * generates), or, when neither is set, JWT_SECRET (the local runtime's). The key itself is
 * derived from the secret with HKDF, so it never equals a key used for anything else.
 */
export type CursorKeySource =
  | { kind: 'secret'; secret: string; setting: 'EVENTS_CURSOR_SECRET' | 'JWT_SECRET' }
  | { kind: 'secretArn'; arn: string };

export function readEventsCursorKeySource(env: Env): CursorKeySource {
  const secret =
    read(env, 'EVENTS_CURSOR_SECRET') === undefined ? undefined : env.EVENTS_CURSOR_SECRET;
  const arn = read(env, 'EVENTS_CURSOR_SECRET_ARN');
  if (secret !== undefined && arn !== undefined) {
    throw new ConfigError(
      'set only one of EVENTS_CURSOR_SECRET and EVENTS_CURSOR_SECRET_ARN',
      'EVENTS_CURSOR_SECRET',
    );
  }
  if (secret !== undefined) {
    assertSecretStrength(secret, 'EVENTS_CURSOR_SECRET');
    return { kind: 'secret', secret, setting: 'EVENTS_CURSOR_SECRET' };
  }
  if (arn !== undefined) {
    if (!arn.startsWith('arn:')) {
      throw new ConfigError('EVENTS_CURSOR_SECRET_ARN must be an ARN', 'EVENTS_CURSOR_SECRET_ARN');
    }
    return { kind: 'secretArn', arn };
  }
  const jwtSecret = readJwtSecret(env);
  if (jwtSecret !== undefined) return { kind: 'secret', secret: jwtSecret, setting: 'JWT_SECRET' };
  throw new ConfigError(
    'EVENTS_CURSOR_SECRET or EVENTS_CURSOR_SECRET_ARN is required (the key of the events cursor)',
    'EVENTS_CURSOR_SECRET',
  );
}
