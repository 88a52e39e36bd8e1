import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  type CursorKeySource,
  type Env,
  type JwtConfig,
  type ReleaseTwoSettings,
  readDynamoEndpoint,
  readEventsCursorKeySource,
  readJwtConfig,
  readNodeKeyCacheSeconds,
  readNodeMinReportIntervalMs,
  readPositiveInt,
  readReleaseTwoSettings,
  readStaleAfterSeconds,
  readStatusPageUrl,
  requireTableName,
} from '../functions/shared/config.ts';

/**
 * Everything the local runtime reads from its environment, validated before anything starts.
 * Every value comes from a reader of functions/shared/config.ts: nothing is parsed here.
 */
export interface LocalConfig extends ReleaseTwoSettings {
  port: number;
  tableName: string;
  /** DYNAMODB_ENDPOINT: an engine that is already running, instead of embedded dynalite. */
  dynamoEndpoint: string | undefined;
  jwtSecret: string;
  jwt: JwtConfig;
  staleAfterSeconds: number;
  nodeKeyCacheSeconds: number;
  nodeMinReportIntervalMs: number;
  eventsCursorKey: CursorKeySource;
  /** STATUS_PAGE_URL when set; otherwise the runtime uses the page it serves itself. */
  statusPageUrl: string | undefined;
}

export const DEFAULT_LOCAL_TABLE_NAME = 'bucket-status-local';
export const DEFAULT_LOCAL_PORT = 3000;

/** A fresh HS256 secret: 32 random bytes, base64url (43 characters). */
export const randomJwtSecret = () => randomBytes(32).toString('base64url');

const UNSUPPORTED_KEY_SOURCES = ['JWT_SECRET_ARN', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL'];

export function readLocalConfig(env: Env, overrides: { port?: number } = {}): LocalConfig {
  const set = (name: string) => (env[name]?.trim() ?? '') !== '';
  for (const name of UNSUPPORTED_KEY_SOURCES) {
    // The runtime mints the demo token itself, which needs the HS256 secret.
    if (set(name)) {
      throw new ConfigError(
        `${name} is not supported by the local runtime (it mints the demo token with JWT_SECRET); unset it`,
      );
    }
  }
  const jwtSecret = set('JWT_SECRET') ? (env.JWT_SECRET as string) : randomJwtSecret();
  const effective: Env = {
    ...env,
    TABLE_NAME: set('TABLE_NAME') ? env.TABLE_NAME : DEFAULT_LOCAL_TABLE_NAME,
    JWT_SECRET: jwtSecret,
  };
  return {
    port:
      overrides.port ?? readPositiveInt(env, 'PORT', DEFAULT_LOCAL_PORT, { min: 0, max: 65_535 }),
    tableName: requireTableName(effective),
    dynamoEndpoint: readDynamoEndpoint(env),
    jwtSecret,
    jwt: readJwtConfig(effective),
    staleAfterSeconds: readStaleAfterSeconds(env),
    nodeKeyCacheSeconds: readNodeKeyCacheSeconds(env),
    nodeMinReportIntervalMs: readNodeMinReportIntervalMs(env),
    // EVENTS_CURSOR_SECRET when set, else derived from the runtime's JWT_SECRET (docs/SECURITY.md).
    eventsCursorKey: readEventsCursorKeySource(effective),
    statusPageUrl: env.STATUS_PAGE_URL?.trim() ? readStatusPageUrl(env) : undefined,
    // The local runtime alone accepts http and loopback webhook targets (DESIGN.md section 10);
    // WEBHOOK_ALLOW_LOOPBACK=false turns that off to try the deployed rules locally.
    ...readReleaseTwoSettings(env, { local: true }),
  };
}
