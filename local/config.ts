import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  type Env,
  readDynamoEndpoint,
  readPositiveInt,
  SETTINGS,
  type SettingKey,
  type Settings,
} from '../functions/shared/config.ts';

/**
 * Everything the local runtime reads from its environment, validated before anything starts:
 * every setting of functions/shared/config.ts's SETTINGS (so every function's), each by its own
 * reader, over the runtime's defaults; nothing is parsed here.
 */
export type LocalConfig = Omit<Settings, 'statusPageUrl' | 'deliveryQueueUrl'> & {
  port: number;
  /** DYNAMODB_ENDPOINT: an engine that is already running, instead of embedded dynalite. */
  dynamoEndpoint: string | undefined;
  jwtSecret: string;
  /** STATUS_PAGE_URL when set; otherwise the runtime uses the page it serves itself. */
  statusPageUrl: string | undefined;
};

/** No delivery queue locally: the in-process alert queue delivers (local/alert-queue.ts). */
const NOT_READ_LOCALLY: readonly SettingKey[] = ['deliveryQueueUrl'];

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
  // The runtime's defaults. EVENTS_CURSOR_SECRET when set, else derived from the runtime's
  // JWT_SECRET (docs/SECURITY.md). The local runtime alone accepts http and loopback webhook
  // targets (DESIGN.md section 10); WEBHOOK_ALLOW_LOOPBACK=false turns that off to try the
  // deployed rules locally.
  const effective: Env = {
    ...env,
    TABLE_NAME: set('TABLE_NAME') ? env.TABLE_NAME : DEFAULT_LOCAL_TABLE_NAME,
    JWT_SECRET: jwtSecret,
    WEBHOOK_ALLOW_LOOPBACK: set('WEBHOOK_ALLOW_LOOPBACK') ? env.WEBHOOK_ALLOW_LOOPBACK : 'true',
  };
  const config: Record<string, unknown> = {
    port:
      overrides.port ?? readPositiveInt(env, 'PORT', DEFAULT_LOCAL_PORT, { min: 0, max: 65_535 }),
    dynamoEndpoint: readDynamoEndpoint(env),
    jwtSecret,
    statusPageUrl: undefined,
  };
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    if (NOT_READ_LOCALLY.includes(key)) continue;
    if (key === 'statusPageUrl' && !set('STATUS_PAGE_URL')) continue;
    config[key] = SETTINGS[key].read(effective);
  }
  return config as LocalConfig;
}
