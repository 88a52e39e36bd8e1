import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  readDynamoEndpoint,
  readJwtConfig,
  readStaleAfterSeconds,
  requireTableName,
} from '../../functions/shared/config.ts';

const SECRET = 'x'.repeat(32);

describe('configuration', () => {
  it('requires TABLE_NAME and names it', () => {
    expect(() => requireTableName({})).toThrow(/TABLE_NAME/);
    expect(() => requireTableName({ TABLE_NAME: 'a b' })).toThrow(ConfigError);
    expect(requireTableName({ TABLE_NAME: 'bucket-status' })).toBe('bucket-status');
  });
  it('validates DYNAMODB_ENDPOINT', () => {
    expect(readDynamoEndpoint({})).toBeUndefined();
    expect(() => readDynamoEndpoint({ DYNAMODB_ENDPOINT: 'nope' })).toThrow(/DYNAMODB_ENDPOINT/);
    expect(() => readDynamoEndpoint({ DYNAMODB_ENDPOINT: 'ftp://x' })).toThrow(/DYNAMODB_ENDPOINT/);
    expect(readDynamoEndpoint({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toBe(
      'http://127.0.0.1:8000',
    );
  });
  it('defaults STALE_AFTER_SECONDS to 90 and rejects non-integers', () => {
    expect(readStaleAfterSeconds({})).toBe(90);
    expect(readStaleAfterSeconds({ STALE_AFTER_SECONDS: '30' })).toBe(30);
    for (const bad of ['0', '-1', '1.5', 'ninety', '999999']) {
      expect(() => readStaleAfterSeconds({ STALE_AFTER_SECONDS: bad }), bad).toThrow(
        /STALE_AFTER_SECONDS/,
      );
    }
  });
  it('needs exactly one JWT key source', () => {
    expect(() => readJwtConfig({})).toThrow(/JWT_SECRET/);
    expect(() => readJwtConfig({ JWT_SECRET: SECRET, JWT_JWKS_URL: 'https://x/jwks' })).toThrow(
      /only one/,
    );
  });
  it('uses JWT_SECRET byte for byte (no trimming of the HMAC key)', () => {
    const padded = ` ${SECRET} `;
    expect(readJwtConfig({ JWT_SECRET: padded }).source).toStrictEqual({
      kind: 'secret',
      secret: padded,
    });
    expect(() => readJwtConfig({ JWT_SECRET: '   ' })).toThrow(/JWT_SECRET/);
  });
  it('refuses an HS256 secret under 32 bytes', () => {
    expect(() => readJwtConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET.*32 bytes/);
    expect(readJwtConfig({ JWT_SECRET: SECRET }).source).toStrictEqual({
      kind: 'secret',
      secret: SECRET,
    });
  });
  it('requires https for JWKS except on loopback', () => {
    expect(() => readJwtConfig({ JWT_JWKS_URL: 'http://issuer.example/jwks' })).toThrow(/https/);
    expect(readJwtConfig({ JWT_JWKS_URL: 'http://127.0.0.1:9/jwks' }).source.kind).toBe('jwks');
  });
  it('reads issuer and a comma-separated audience list', () => {
    const config = readJwtConfig({ JWT_SECRET: SECRET, JWT_ISSUER: 'iss', JWT_AUDIENCE: 'a, b' });
    expect(config).toStrictEqual({
      source: { kind: 'secret', secret: SECRET },
      issuer: 'iss',
      audience: ['a', 'b'],
    });
  });
  it('accepts a PEM with escaped newlines and rejects other text', () => {
    expect(() => readJwtConfig({ JWT_PUBLIC_KEY: 'not a pem' })).toThrow(/JWT_PUBLIC_KEY/);
    const config = readJwtConfig({
      JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----',
    });
    expect(config.source).toStrictEqual({
      kind: 'publicKey',
      pem: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
    });
  });
});
