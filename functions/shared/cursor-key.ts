import { hkdfSync } from 'node:crypto';
import { assertSecretStrength, ConfigError, type CursorKeySource } from './config.ts';
import { fetchSecretString } from './secret-string.ts';

/** HKDF-SHA256 of the secret: a key of its own, even when the secret is JWT_SECRET (local). */
export function deriveCursorKey(secret: string): Uint8Array {
  return new Uint8Array(
    hkdfSync('sha256', Buffer.from(secret), Buffer.alloc(0), 'bucket-status events cursor v1', 32),
  );
}

export interface CursorKey {
  /** The key, resolved once per container; a failed fetch is retried on the next call. */
  get(): Promise<Uint8Array>;
  /** Start-up: resolves when the key is usable, rejects with a ConfigError when it never will be. */
  ready: Promise<unknown>;
}

export function createCursorKey(
  source: CursorKeySource,
  fetchSecret: (arn: string) => Promise<string | undefined> = fetchSecretString,
): CursorKey {
  let resolved: Promise<Uint8Array> | undefined;
  const resolve = async (): Promise<Uint8Array> => {
    if (source.kind === 'secret') return deriveCursorKey(source.secret);
    const secret = await fetchSecret(source.arn);
    if (secret === undefined) {
      throw new ConfigError(
        'EVENTS_CURSOR_SECRET_ARN names a secret without a SecretString (binary?)',
        'EVENTS_CURSOR_SECRET_ARN',
      );
    }
    assertSecretStrength(secret, 'The secret named by EVENTS_CURSOR_SECRET_ARN');
    return deriveCursorKey(secret);
  };
  const get = () => {
    resolved ??= resolve().catch((error: unknown) => {
      resolved = undefined; // a transient fetch failure is retried by the next request
      throw error;
    });
    return resolved;
  };
  const ready = get().then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof ConfigError) throw error;
    },
  );
  ready.catch(() => undefined);
  return { get, ready };
}
