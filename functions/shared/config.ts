/**
 * Environment settings (DESIGN.md section 5). Each reader validates its setting and throws a
 * ConfigError naming it, so a bad deployment fails at cold start instead of per request.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const read = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

export function requireTableName(env: Env): string {
  const name = read(env, 'TABLE_NAME');
  if (!name) throw new ConfigError('TABLE_NAME is required (the DynamoDB table name)');
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
    throw new ConfigError('TABLE_NAME must be 3-255 chars of [A-Za-z0-9_.-]');
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
    throw new ConfigError(`DYNAMODB_ENDPOINT is not a URL: ${endpoint}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('DYNAMODB_ENDPOINT must be an http(s) URL');
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
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

export const readStaleAfterSeconds = (env: Env) =>
  readPositiveInt(env, 'STALE_AFTER_SECONDS', 90, { max: 86_400 });

/** Per-container cache of node public keys; 0 turns it off. */
export const readNodeKeyCacheSeconds = (env: Env) =>
  readPositiveInt(env, 'NODE_KEY_CACHE_SECONDS', 60, { min: 0, max: 3600 });

/** Per-node rate limit on accepted reports; 0 turns it off. */
export const readNodeMinReportIntervalMs = (env: Env) =>
  readPositiveInt(env, 'NODE_MIN_REPORT_INTERVAL_MS', 1000, { min: 0, max: 3_600_000 });

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

export function readJwtConfig(env: Env): JwtConfig {
  // Secret bytes are used as they are: trimming would silently change the HMAC key.
  const secret = read(env, 'JWT_SECRET') === undefined ? undefined : env.JWT_SECRET;
  const secretArn = read(env, 'JWT_SECRET_ARN');
  const pem = read(env, 'JWT_PUBLIC_KEY');
  const jwksUrl = read(env, 'JWT_JWKS_URL');
  const given = [
    ['JWT_SECRET', secret],
    ['JWT_SECRET_ARN', secretArn],
    ['JWT_PUBLIC_KEY', pem],
    ['JWT_JWKS_URL', jwksUrl],
  ].filter(([, value]) => value !== undefined);
  if (given.length === 0) {
    throw new ConfigError('one of JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL is required');
  }
  if (given.length > 1) {
    throw new ConfigError(
      `set only one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL (got ${given.map(([n]) => n).join(', ')})`,
    );
  }
  let source: JwtKeySource;
  if (secret !== undefined) {
    assertSecretStrength(secret, 'JWT_SECRET');
    source = { kind: 'secret', secret };
  } else if (secretArn !== undefined) {
    if (!secretArn.startsWith('arn:')) throw new ConfigError('JWT_SECRET_ARN must be an ARN');
    source = { kind: 'secretArn', arn: secretArn };
  } else if (pem !== undefined) {
    // Environment variables often carry PEM newlines escaped.
    const normalized = pem.replace(/\\n/g, '\n');
    if (!normalized.includes('-----BEGIN PUBLIC KEY-----')) {
      throw new ConfigError('JWT_PUBLIC_KEY must be a PEM "BEGIN PUBLIC KEY" block');
    }
    source = { kind: 'publicKey', pem: normalized };
  } else {
    source = { kind: 'jwks', url: parseJwksUrl(jwksUrl as string) };
  }
  const issuer = read(env, 'JWT_ISSUER');
  const audience = read(env, 'JWT_AUDIENCE')
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return {
    source,
    ...(issuer ? { issuer } : {}),
    ...(audience?.length ? { audience } : {}),
  };
}

export function assertSecretStrength(secret: string, name: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_HS256_SECRET_BYTES) {
    throw new ConfigError(`${name} must be at least ${MIN_HS256_SECRET_BYTES} bytes for HS256`);
  }
}

function parseJwksUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`JWT_JWKS_URL is not a URL: ${raw}`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError('JWT_JWKS_URL must be https (http only for localhost)');
  }
  return url.toString();
}
