/**
 * Every setting of the service (DESIGN.md sections 5 and 7), parsed and validated here and
 * nowhere else: the Lambda entries, the local runtime (local/config.ts), the admin CLI and the
 * CDK stack's context parsing (infra/stack-context.ts) all call these readers. Each setting is
 * one declaration (its name, its parser with its bounds, its default or the message when it is
 * missing) read by `readSetting`; every error is a ConfigError naming the setting, so a bad
 * deployment fails at cold start (or at `cdk synth`) instead of per request. Each declaration
 * is its own constant, so a Lambda bundle keeps only the settings its entry reads.
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

/** Turns the (trimmed, non-empty) text of a setting into its value, or throws a ConfigError. */
type Parse<T> = (raw: string, name: string) => T;

/** One setting: its name, how it is parsed (with its bounds), and its default. */
export interface Setting<T> {
  readonly name: string;
  readonly parse: Parse<T>;
  /** The value when the setting is unset; absent: unset reads as undefined, or `missing`. */
  readonly fallback?: T;
  /** Unset is an error with this message. */
  readonly missing?: string;
}

/** The setting's value: parsed, its default when unset, or a ConfigError naming it. */
export function readSetting<T>(env: Env, setting: Setting<T> & { fallback: T }): T;
export function readSetting<T>(env: Env, setting: Setting<T> & { missing: string }): T;
export function readSetting<T>(env: Env, setting: Setting<T>): T | undefined;
export function readSetting<T>(env: Env, setting: Setting<T>): T | undefined {
  const raw = read(env, setting.name);
  if (raw !== undefined) return setting.parse(raw, setting.name);
  if (setting.missing !== undefined) throw new ConfigError(setting.missing, setting.name);
  return setting.fallback;
}

// ---------------------------------------------------------------- parsers

const fail = (name: string, message: string): never => {
  throw new ConfigError(message, name);
};

/** Text matching `pattern`; `rule` completes "<NAME> must be ...". */
const matching =
  (pattern: RegExp, rule: string): Parse<string> =>
  (raw, name) =>
    pattern.test(raw) ? raw : fail(name, `${name} must be ${rule}`);

const integer =
  ({ min = 1, max = Number.MAX_SAFE_INTEGER } = {}): Parse<number> =>
  (raw, name) =>
    /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max
      ? Number(raw)
      : fail(name, `${name} must be an integer from ${min} to ${max} (got "${raw}")`);

/** A number of seconds that may have a fraction (e.g. "0.5"), for timers of the local runtime. */
const seconds =
  ({ min, max }: { min: number; max: number }): Parse<number> =>
  (raw, name) =>
    /^\d+(\.\d+)?$/.test(raw) && Number(raw) >= min && Number(raw) <= max
      ? Number(raw)
      : fail(name, `${name} must be a number of seconds from ${min} to ${max} (got "${raw}")`);

const boolean: Parse<boolean> = (raw, name) =>
  raw === 'true' || raw === 'false'
    ? raw === 'true'
    : fail(name, `${name} must be true or false (got "${raw}")`);

const arn: Parse<string> = (raw, name) =>
  raw.startsWith('arn:') ? raw : fail(name, `${name} must be an ARN`);

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The one URL parser: an absolute URL, http(s) (`https`: https only, http on loopback alone).
 * Returns the text as given, or with `normalize` the parser's canonical form.
 */
const url =
  ({ https = false, normalize = false } = {}): Parse<string> =>
  (raw, name) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return fail(name, `${name} is not a URL: ${raw}`);
    }
    if (https) {
      const loopback = LOOPBACK_HOSTS.includes(parsed.hostname);
      if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
        fail(name, `${name} must be https (http only for localhost)`);
      }
    } else if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      fail(name, `${name} must be an http(s) URL`);
    }
    return normalize ? parsed.toString() : raw;
  };

/** JWT_PUBLIC_KEY: one PEM public key; escaped newlines (`\n`, as in env files) are restored. */
const publicKeyPem: Parse<string> = (raw, name) => {
  const pem = raw.replace(/\\n/g, '\n').trim();
  // A private key pasted by mistake would end up readable in the template and the console.
  if (/PRIVATE KEY/.test(pem)) fail(name, `${name} is a PRIVATE key; give the public key only`);
  if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) {
    fail(name, `${name} must be a PEM "BEGIN PUBLIC KEY" block`);
  }
  return pem;
};

/** Comma separated, blanks dropped; undefined when nothing is left. */
const list: Parse<string[] | undefined> = (raw) => {
  const items = raw
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
};

// ---------------------------------------------------------------- the settings

export const TABLE_NAME: Setting<string> & { missing: string } = {
  name: 'TABLE_NAME',
  parse: /* @__PURE__ */ matching(/^[A-Za-z0-9_.-]{3,255}$/, '3-255 chars of [A-Za-z0-9_.-]'),
  missing: 'TABLE_NAME is required (the DynamoDB table name)',
};

export const DYNAMODB_ENDPOINT: Setting<string> = {
  name: 'DYNAMODB_ENDPOINT',
  parse: /* @__PURE__ */ url(),
};

/** DELIVERY_QUEUE_URL: the webhook delivery queue (fan-out sends to it, delivery re-times it). */
export const DELIVERY_QUEUE_URL: Setting<string> & { missing: string } = {
  name: 'DELIVERY_QUEUE_URL',
  parse: /* @__PURE__ */ url(),
  missing: 'DELIVERY_QUEUE_URL is required (the delivery queue)',
};

export const DEFAULT_SERVICE_NAME = 'bucket-status';
export const DEFAULT_METRICS_NAMESPACE = 'BucketStatus';

/** POWERTOOLS_SERVICE_NAME: names logs, metrics and traces (the stack sets it). */
export const POWERTOOLS_SERVICE_NAME: Setting<string> & { fallback: string } = {
  name: 'POWERTOOLS_SERVICE_NAME',
  parse: /* @__PURE__ */ matching(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of [A-Za-z0-9_.-]'),
  fallback: DEFAULT_SERVICE_NAME,
};

/** POWERTOOLS_METRICS_NAMESPACE: the CloudWatch namespace of the service's metrics. */
export const POWERTOOLS_METRICS_NAMESPACE: Setting<string> & { fallback: string } = {
  name: 'POWERTOOLS_METRICS_NAMESPACE',
  // CloudWatch: 1-255 chars, no leading colon; we keep to a plain, shell-safe alphabet.
  parse: /* @__PURE__ */ matching(/^[A-Za-z0-9_./#-]{1,255}$/, '1-255 chars of [A-Za-z0-9_./#-]'),
  fallback: DEFAULT_METRICS_NAMESPACE,
};

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

/** An integer setting that is not one of the service's (the local runtime's PORT). */
export const readPositiveInt = (
  env: Env,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number => readSetting(env, { name, parse: integer(bounds), fallback });

export const readIntegerSetting = (env: Env, name: IntegerSetting): number =>
  readSetting(env, {
    name,
    parse: /* @__PURE__ */ integer(INTEGER_SETTINGS[name]),
    fallback: INTEGER_SETTINGS[name].fallback,
  });

/** SWEEP_INTERVAL_SECONDS, local runtime only (default 5; the stack's schedule is a minute). */
export const SWEEP_INTERVAL_SECONDS: Setting<number> & { fallback: number } = {
  name: 'SWEEP_INTERVAL_SECONDS',
  parse: /* @__PURE__ */ seconds({ min: 0.01, max: 3600 }),
  fallback: 5,
};

/** WEBHOOK_RETRY_BASE_SECONDS, local runtime only: the spacing of delivery retries (default 2). */
export const WEBHOOK_RETRY_BASE_SECONDS: Setting<number> & { fallback: number } = {
  name: 'WEBHOOK_RETRY_BASE_SECONDS',
  parse: /* @__PURE__ */ seconds({ min: 0, max: 3600 }),
  fallback: 2,
};

/**
 * WEBHOOK_ALLOW_LOOPBACK, local runtime only: also accept http and loopback webhook targets.
 * Defaults to false; the local runtime sets it to true (local/config.ts), the stack never.
 */
export const WEBHOOK_ALLOW_LOOPBACK: Setting<boolean> & { fallback: boolean } = {
  name: 'WEBHOOK_ALLOW_LOOPBACK',
  parse: boolean,
  fallback: false,
};

/** JWT_ISSUER: the required `iss` claim, when set. */
export const JWT_ISSUER: Setting<string> = { name: 'JWT_ISSUER', parse: (raw) => raw };
/** JWT_AUDIENCE: accepted `aud` values, comma separated (any one must match), when set. */
export const JWT_AUDIENCE: Setting<string[] | undefined> = { name: 'JWT_AUDIENCE', parse: list };
export const JWT_SECRET_ARN: Setting<string> = { name: 'JWT_SECRET_ARN', parse: arn };
export const JWT_PUBLIC_KEY: Setting<string> = { name: 'JWT_PUBLIC_KEY', parse: publicKeyPem };
/** JWT_JWKS_URL: https (http only on loopback, for tests and local identity providers). */
export const JWT_JWKS_URL: Setting<string> = {
  name: 'JWT_JWKS_URL',
  parse: /* @__PURE__ */ url({ https: true, normalize: true }),
};
export const EVENTS_CURSOR_SECRET_ARN: Setting<string> = {
  name: 'EVENTS_CURSOR_SECRET_ARN',
  parse: arn,
};

// ---------------------------------------------------------------- readers

export const requireTableName = (env: Env): string => readSetting(env, TABLE_NAME);
export const readDynamoEndpoint = (env: Env) => readSetting(env, DYNAMODB_ENDPOINT);
export const readDeliveryQueueUrl = (env: Env): string => readSetting(env, DELIVERY_QUEUE_URL);
export const readServiceName = (env: Env): string => readSetting(env, POWERTOOLS_SERVICE_NAME);
export const readMetricsNamespace = (env: Env): string =>
  readSetting(env, POWERTOOLS_METRICS_NAMESPACE);

export const readStaleAfterSeconds = (env: Env) => readIntegerSetting(env, 'STALE_AFTER_SECONDS');
export const readNodeKeyCacheSeconds = (env: Env) =>
  readIntegerSetting(env, 'NODE_KEY_CACHE_SECONDS');
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

export const readSweepIntervalSeconds = (env: Env) => readSetting(env, SWEEP_INTERVAL_SECONDS);
export const readWebhookRetryBaseSeconds = (env: Env) =>
  readSetting(env, WEBHOOK_RETRY_BASE_SECONDS);
/** `fallback`: the value when unset (false deployed). */
export const readWebhookAllowLoopback = (env: Env, fallback = false) =>
  readSetting(env, { ...WEBHOOK_ALLOW_LOOPBACK, fallback });

/**
 * STATUS_PAGE_URL: the status page a share link opens (`<page>#share=<token>`, DESIGN.md
 * section 17). The stack sets it to the page's CloudFront URL; the local runtime to the page it
 * serves itself.
 */
export const STATUS_PAGE_URL: Setting<string> & { missing: string } = {
  name: 'STATUS_PAGE_URL',
  parse: /* @__PURE__ */ url({ https: true, normalize: true }),
  missing: 'STATUS_PAGE_URL is required: the status page that share links open',
};
export const readStatusPageUrl = (env: Env): string => readSetting(env, STATUS_PAGE_URL);

/** The second release's settings in one object (DESIGN.md section 7). */
export interface ReleaseTwoSettings {
  jwtMaxLifetimeSeconds: number;
  historyRetentionDays: number;
  eventRetentionDays: number;
  sweepIntervalSeconds: number;
  webhookAllowLoopback: boolean;
  webhookRetryBaseSeconds: number;
}

export const readReleaseTwoSettings = (env: Env): ReleaseTwoSettings => ({
  jwtMaxLifetimeSeconds: readJwtMaxLifetimeSeconds(env),
  historyRetentionDays: readHistoryRetentionDays(env),
  eventRetentionDays: readEventRetentionDays(env),
  sweepIntervalSeconds: readSweepIntervalSeconds(env),
  webhookAllowLoopback: readWebhookAllowLoopback(env),
  webhookRetryBaseSeconds: readWebhookRetryBaseSeconds(env),
});

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

/**
 * The one check of an HS256 key's strength (also applied to a key fetched at cold start).
 * `name` is the variable holding the key (JWT_SECRET, EVENTS_CURSOR_SECRET), which the error
 * names as its setting, or a description of where the key came from ("the secret").
 */
export function assertSecretStrength(secret: string, name: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_HS256_SECRET_BYTES) {
    throw new ConfigError(
      `${name} must be at least ${MIN_HS256_SECRET_BYTES} bytes for HS256`,
      /^[A-Z_]+$/.test(name) ? name : undefined,
    );
  }
}

/** An HMAC secret as given (not trimmed: the key is its exact bytes), checked for strength. */
const hmacSecret = (env: Env, name: string): string | undefined => {
  if (read(env, name) === undefined) return undefined;
  const secret = env[name] as string;
  assertSecretStrength(secret, name);
  return secret;
};

/** JWT_SECRET as given (not trimmed: the HMAC key is its exact bytes), checked for strength. */
export const readJwtSecret = (env: Env): string | undefined => hmacSecret(env, 'JWT_SECRET');
export const readJwtIssuer = (env: Env): string | undefined => readSetting(env, JWT_ISSUER);
export const readJwtAudience = (env: Env): string[] | undefined => readSetting(env, JWT_AUDIENCE);
export const readJwtPublicKey = (env: Env): string | undefined => readSetting(env, JWT_PUBLIC_KEY);
export const readJwksUrl = (env: Env): string | undefined => readSetting(env, JWT_JWKS_URL);

const KEY_SOURCE_NAMES = ['JWT_SECRET', 'JWT_SECRET_ARN', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL'];

/** The issuer and audience, each only when set. */
const claims = (env: Env) => {
  const issuer = readJwtIssuer(env);
  const audience = readJwtAudience(env);
  return { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
};

export function readJwtConfig(env: Env): JwtConfig {
  const given = KEY_SOURCE_NAMES.filter((name) => read(env, name) !== undefined);
  if (given.length === 0) {
    throw new ConfigError(
      'one of JWT_SECRET, JWT_SECRET_ARN, JWT_PUBLIC_KEY or JWT_JWKS_URL is required',
      'JWT_SECRET',
    );
  }
  if (given.length > 1) {
    throw new ConfigError(
      `set only one of ${KEY_SOURCE_NAMES.join(', ')} (got ${given.join(', ')})`,
      given[1],
    );
  }
  const secret = readJwtSecret(env);
  const secretArn = readSetting(env, JWT_SECRET_ARN);
  const pem = readJwtPublicKey(env);
  let source: JwtKeySource;
  if (secret !== undefined) source = { kind: 'secret', secret };
  else if (secretArn !== undefined) source = { kind: 'secretArn', arn: secretArn };
  else if (pem !== undefined) source = { kind: 'publicKey', pem };
  else source = { kind: 'jwks', url: readJwksUrl(env) as string };
  return { source, ...claims(env), maxLifetimeSeconds: readJwtMaxLifetimeSeconds(env) };
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
  return { secret, ...claims(env) };
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
  if (read(env, 'EVENTS_CURSOR_SECRET') !== undefined && read(env, EVENTS_CURSOR_SECRET_ARN.name)) {
    throw new ConfigError(
      'set only one of EVENTS_CURSOR_SECRET and EVENTS_CURSOR_SECRET_ARN',
      'EVENTS_CURSOR_SECRET',
    );
  }
  const secret = hmacSecret(env, 'EVENTS_CURSOR_SECRET');
  if (secret !== undefined) return { kind: 'secret', secret, setting: 'EVENTS_CURSOR_SECRET' };
  const arnValue = readSetting(env, EVENTS_CURSOR_SECRET_ARN);
  if (arnValue !== undefined) return { kind: 'secretArn', arn: arnValue };
  const jwtSecret = readJwtSecret(env);
  if (jwtSecret !== undefined) return { kind: 'secret', secret: jwtSecret, setting: 'JWT_SECRET' };
  throw new ConfigError(
    'EVENTS_CURSOR_SECRET or EVENTS_CURSOR_SECRET_ARN is required (the key of the events cursor)',
    'EVENTS_CURSOR_SECRET',
  );
}

// ---------------------------------------------------------------- the registry

/** One key of `Settings`: the environment variables it is read from, and its reader. */
export interface SettingSpec<T> {
  readonly variables: readonly string[];
  readonly read: (env: Env) => T;
}

/**
 * Every setting a function may read, by its key in `Settings`: the variables behind it and its
 * reader (the readers above, so the messages naming the setting are theirs). A function names
 * the keys it reads in its FUNCTIONS entry (functions/route-table.ts) and their readers in its
 * wiring's `settingReaders` (functions/shared/wiring.ts, SettingReaders): the Lambda entry reads
 * those alone (`readSettings`), the stack sets their variables, the local runtime reads them
 * all (local/config.ts). A Lambda bundle never imports this object, so it keeps only the
 * readers of its own settings.
 */
export const SETTINGS = {
  tableName: { variables: ['TABLE_NAME'], read: requireTableName },
  jwt: {
    variables: [
      'JWT_SECRET',
      'JWT_SECRET_ARN',
      'JWT_PUBLIC_KEY',
      'JWT_JWKS_URL',
      'JWT_ISSUER',
      'JWT_AUDIENCE',
      'JWT_MAX_LIFETIME_SECONDS',
    ],
    read: readJwtConfig,
  },
  staleAfterSeconds: { variables: ['STALE_AFTER_SECONDS'], read: readStaleAfterSeconds },
  nodeKeyCacheSeconds: { variables: ['NODE_KEY_CACHE_SECONDS'], read: readNodeKeyCacheSeconds },
  nodeMinReportIntervalMs: {
    variables: ['NODE_MIN_REPORT_INTERVAL_MS'],
    read: readNodeMinReportIntervalMs,
  },
  eventsCursorKey: {
    variables: ['EVENTS_CURSOR_SECRET', 'EVENTS_CURSOR_SECRET_ARN', 'JWT_SECRET'],
    read: readEventsCursorKeySource,
  },
  statusPageUrl: { variables: ['STATUS_PAGE_URL'], read: readStatusPageUrl },
  jwtMaxLifetimeSeconds: {
    variables: ['JWT_MAX_LIFETIME_SECONDS'],
    read: readJwtMaxLifetimeSeconds,
  },
  historyRetentionDays: { variables: ['HISTORY_RETENTION_DAYS'], read: readHistoryRetentionDays },
  eventRetentionDays: { variables: ['EVENT_RETENTION_DAYS'], read: readEventRetentionDays },
  sweepIntervalSeconds: { variables: ['SWEEP_INTERVAL_SECONDS'], read: readSweepIntervalSeconds },
  // Deployed, false unless set (the stack never sets it); the local runtime's default is true.
  webhookAllowLoopback: { variables: ['WEBHOOK_ALLOW_LOOPBACK'], read: readWebhookAllowLoopback },
  webhookRetryBaseSeconds: {
    variables: ['WEBHOOK_RETRY_BASE_SECONDS'],
    read: readWebhookRetryBaseSeconds,
  },
  deliveryQueueUrl: { variables: ['DELIVERY_QUEUE_URL'], read: readDeliveryQueueUrl },
} as const satisfies Record<string, SettingSpec<unknown>>;

export type SettingKey = keyof typeof SETTINGS;

type SettingValues = { [K in SettingKey]: ReturnType<(typeof SETTINGS)[K]['read']> };

/**
 * The parsed settings a function may need, by key: what each reader of SETTINGS returns. The
 * delivery queue's URL is absent where there is no queue (the local runtime, tests): fan-out
 * and delivery then refuse to run.
 */
export type Settings = Omit<SettingValues, 'deliveryQueueUrl'> &
  Partial<Pick<SettingValues, 'deliveryQueueUrl'>>;

/** A function's settings, each by its own reader: `{ tableName: requireTableName, ... }`. */
export type Readers = Readonly<Record<string, (env: Env) => unknown>>;

/** Every setting of `readers`, read from `env` in their order (the first bad one throws). */
export function readSettings<R extends Readers>(
  env: Env,
  readers: R,
): { [K in keyof R]: ReturnType<R[K]> } {
  const settings: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(readers)) settings[key] = read(env);
  return settings as { [K in keyof R]: ReturnType<R[K]> };
}
