import { describe, expect, it } from 'vitest';
import {
  assertSecretStrength,
  ConfigError,
  INTEGER_SETTINGS,
  type IntegerSetting,
  readDeliveryQueueUrl,
  readDynamoEndpoint,
  readEventRetentionDays,
  readEventsCursorKeySource,
  readHistoryRetentionDays,
  readIntegerSetting,
  readJwksUrl,
  readJwtConfig,
  readJwtMaxLifetimeSeconds,
  readMetricsNamespace,
  readPositiveInt,
  readReleaseTwoSettings,
  readServiceName,
  readStaleAfterSeconds,
  readStatusPageUrl,
  readSweepIntervalSeconds,
  readTokenMintingConfig,
  readWebhookAllowLoopback,
  readWebhookRetryBaseSeconds,
  requireTableName,
} from '../../functions/shared/config.ts';
import { readLocalConfig } from '../../local/config.ts';

const SECRET = 'x'.repeat(32);

/** The `setting` of the ConfigError `fn` throws ('no error' when it returns). */
const settingOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).setting;
  }
  return 'no error';
};

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
      maxLifetimeSeconds: 2_678_400,
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
  it('refuses a private key given as JWT_PUBLIC_KEY', () => {
    expect(() =>
      readJwtConfig({
        JWT_PUBLIC_KEY: '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----',
      }),
    ).toThrow(/JWT_PUBLIC_KEY is a PRIVATE key/);
  });
  it('names the setting on the error it throws', () => {
    expect(settingOf(() => readStaleAfterSeconds({ STALE_AFTER_SECONDS: 'x' }))).toBe(
      'STALE_AFTER_SECONDS',
    );
    expect(settingOf(() => readJwtConfig({ JWT_JWKS_URL: 'http://x.example/jwks' }))).toBe(
      'JWT_JWKS_URL',
    );
    expect(settingOf(() => readJwtConfig({ JWT_SECRET: 'short' }))).toBe('JWT_SECRET');
  });
});

describe('second-release settings', () => {
  const integerCases = [
    ['JWT_MAX_LIFETIME_SECONDS', readJwtMaxLifetimeSeconds, 2_678_400, ['0', '59', '31536001']],
    ['HISTORY_RETENTION_DAYS', readHistoryRetentionDays, 400, ['0', '3651']],
    ['EVENT_RETENTION_DAYS', readEventRetentionDays, 90, ['0', '3651']],
  ] as const;
  for (const [name, reader, fallback, outOfRange] of integerCases) {
    it(`${name}: default ${fallback}, integers in range, else an error naming it`, () => {
      expect(reader({})).toBe(fallback);
      expect(reader({ [name]: ' ' })).toBe(fallback);
      expect(reader({ [name]: '120' })).toBe(120);
      for (const bad of [...outOfRange, '-1', '1.5', '1e3', 'soon', '0x10']) {
        expect(() => reader({ [name]: bad }), bad).toThrow(new RegExp(`^${name} must be`));
      }
    });
  }

  it('SWEEP_INTERVAL_SECONDS: default 5, fractions allowed, 0 and words refused', () => {
    expect(readSweepIntervalSeconds({})).toBe(5);
    expect(readSweepIntervalSeconds({ SWEEP_INTERVAL_SECONDS: '0.25' })).toBe(0.25);
    expect(readSweepIntervalSeconds({ SWEEP_INTERVAL_SECONDS: '60' })).toBe(60);
    for (const bad of ['0', '-1', '3601', 'fast', '1,5', '.5']) {
      expect(() => readSweepIntervalSeconds({ SWEEP_INTERVAL_SECONDS: bad }), bad).toThrow(
        /^SWEEP_INTERVAL_SECONDS must be/,
      );
    }
  });

  it('WEBHOOK_RETRY_BASE_SECONDS: default 2, 0 allowed (tests), bounded', () => {
    expect(readWebhookRetryBaseSeconds({})).toBe(2);
    expect(readWebhookRetryBaseSeconds({ WEBHOOK_RETRY_BASE_SECONDS: '0' })).toBe(0);
    expect(readWebhookRetryBaseSeconds({ WEBHOOK_RETRY_BASE_SECONDS: '0.1' })).toBe(0.1);
    for (const bad of ['-1', '3601', 'two']) {
      expect(() => readWebhookRetryBaseSeconds({ WEBHOOK_RETRY_BASE_SECONDS: bad }), bad).toThrow(
        /^WEBHOOK_RETRY_BASE_SECONDS must be/,
      );
    }
  });

  it('WEBHOOK_ALLOW_LOOPBACK: true or false only; off unless told', () => {
    expect(readWebhookAllowLoopback({})).toBe(false);
    expect(readWebhookAllowLoopback({ WEBHOOK_ALLOW_LOOPBACK: 'true' })).toBe(true);
    expect(readWebhookAllowLoopback({ WEBHOOK_ALLOW_LOOPBACK: 'false' }, true)).toBe(false);
    for (const bad of ['1', 'yes', 'TRUE', 'on']) {
      expect(() => readWebhookAllowLoopback({ WEBHOOK_ALLOW_LOOPBACK: bad }), bad).toThrow(
        /^WEBHOOK_ALLOW_LOOPBACK must be true or false/,
      );
    }
  });

  it('reads all of them as one object, and fails on the first bad one', () => {
    expect(readReleaseTwoSettings({})).toStrictEqual({
      jwtMaxLifetimeSeconds: 2_678_400,
      historyRetentionDays: 400,
      eventRetentionDays: 90,
      sweepIntervalSeconds: 5,
      webhookAllowLoopback: false,
      webhookRetryBaseSeconds: 2,
    });
    expect(() => readReleaseTwoSettings({ EVENT_RETENTION_DAYS: 'forever' })).toThrow(
      /EVENT_RETENTION_DAYS/,
    );
  });

  it('the local runtime reads them through the same readers; loopback webhooks on by default', () => {
    const local = readLocalConfig({ JWT_SECRET: SECRET, HISTORY_RETENTION_DAYS: '30' });
    expect(local).toMatchObject({
      historyRetentionDays: 30,
      eventRetentionDays: 90,
      jwtMaxLifetimeSeconds: 2_678_400,
      sweepIntervalSeconds: 5,
      webhookAllowLoopback: true,
      webhookRetryBaseSeconds: 2,
    });
    expect(
      readLocalConfig({ JWT_SECRET: SECRET, WEBHOOK_ALLOW_LOOPBACK: 'false' }).webhookAllowLoopback,
    ).toBe(false);
    expect(() => readLocalConfig({ SWEEP_INTERVAL_SECONDS: 'often' })).toThrow(
      /SWEEP_INTERVAL_SECONDS/,
    );
  });
});

describe('service name, metrics namespace, token minting', () => {
  it('defaults the service name and namespace and refuses odd characters', () => {
    expect(readServiceName({})).toBe('bucket-status');
    expect(readMetricsNamespace({})).toBe('BucketStatus');
    expect(readMetricsNamespace({ POWERTOOLS_METRICS_NAMESPACE: 'Acme/Status' })).toBe(
      'Acme/Status',
    );
    expect(() => readServiceName({ POWERTOOLS_SERVICE_NAME: 'a b' })).toThrow(
      /POWERTOOLS_SERVICE_NAME/,
    );
    expect(() => readMetricsNamespace({ POWERTOOLS_METRICS_NAMESPACE: 'a;b' })).toThrow(
      /POWERTOOLS_METRICS_NAMESPACE/,
    );
  });
  it('reads what mint-token needs with the same secret, issuer and audience readers', () => {
    expect(() => readTokenMintingConfig({})).toThrow(/JWT_SECRET is required/);
    expect(() => readTokenMintingConfig({ JWT_SECRET: 'short' })).toThrow(/32 bytes/);
    expect(
      readTokenMintingConfig({ JWT_SECRET: SECRET, JWT_ISSUER: ' iss ', JWT_AUDIENCE: 'a,,b' }),
    ).toStrictEqual({ secret: SECRET, issuer: 'iss', audience: ['a', 'b'] });
  });
});

describe('DELIVERY_QUEUE_URL', () => {
  it('is required, and must be an http(s) URL', () => {
    expect(() => readDeliveryQueueUrl({})).toThrow(/^DELIVERY_QUEUE_URL is required/);
    expect(() => readDeliveryQueueUrl({ DELIVERY_QUEUE_URL: 'queue' })).toThrow(/not a URL/);
    expect(() => readDeliveryQueueUrl({ DELIVERY_QUEUE_URL: 'ftp://x/q' })).toThrow(/http\(s\)/);
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries';
    expect(readDeliveryQueueUrl({ DELIVERY_QUEUE_URL: ` ${url} ` })).toBe(url);
  });
});

describe('bounds and patterns, at their edges', () => {
  it('an integer setting takes its min and its max, not one past either', () => {
    for (const [name, { min, max }] of Object.entries(INTEGER_SETTINGS)) {
      const read = (value: number) =>
        readIntegerSetting({ [name]: String(value) }, name as IntegerSetting);
      expect(read(min), `${name} ${min}`).toBe(min);
      expect(read(max), `${name} ${max}`).toBe(max);
      expect(() => read(max + 1), `${name} ${max + 1}`).toThrow(
        `${name} must be an integer from ${min} to ${max} (got "${max + 1}")`,
      );
      if (min > 0) {
        expect(() => read(min - 1), `${name} ${min - 1}`).toThrow(`${name} must be an integer`);
      }
    }
  });

  it('an integer outside the registry (PORT) is read with its own bounds and default', () => {
    const port = (value?: string) =>
      readPositiveInt({ PORT: value }, 'PORT', 3000, { min: 0, max: 65_535 });
    expect(port()).toBe(3000);
    expect(port('0')).toBe(0);
    expect(port('8080')).toBe(8080);
    expect(port('65535')).toBe(65_535);
    expect(() => port('65536')).toThrow('PORT must be an integer from 0 to 65535 (got "65536")');
    expect(settingOf(() => port('65536'))).toBe('PORT');
    // Without bounds: from 1.
    expect(readPositiveInt({ N: '1' }, 'N', 5)).toBe(1);
    expect(() => readPositiveInt({ N: '0' }, 'N', 5)).toThrow(/^N must be an integer from 1 to/);
  });

  it('a number of seconds takes its min and its max, not one step past either', () => {
    expect(readSweepIntervalSeconds({ SWEEP_INTERVAL_SECONDS: '0.01' })).toBe(0.01);
    expect(readSweepIntervalSeconds({ SWEEP_INTERVAL_SECONDS: '3600' })).toBe(3600);
    expect(readWebhookRetryBaseSeconds({ WEBHOOK_RETRY_BASE_SECONDS: '3600' })).toBe(3600);
    for (const bad of ['0.009', '3600.01']) {
      expect(() => readSweepIntervalSeconds({ SWEEP_INTERVAL_SECONDS: bad }), bad).toThrow(
        `SWEEP_INTERVAL_SECONDS must be a number of seconds from 0.01 to 3600 (got "${bad}")`,
      );
    }
    expect(() => readWebhookRetryBaseSeconds({ WEBHOOK_RETRY_BASE_SECONDS: '3600.5' })).toThrow(
      /^WEBHOOK_RETRY_BASE_SECONDS must be/,
    );
  });

  it('a number of seconds is digits with an optional fraction, nothing after it', () => {
    // Each starts like a number and is one to Number() ("1e2" is 100, "5." is 5, "0x10" 16).
    for (const bad of ['1.5x', '1e2', '5.', '0x10', '2s', '1.5.5']) {
      expect(() => readSweepIntervalSeconds({ SWEEP_INTERVAL_SECONDS: bad }), bad).toThrow(
        /^SWEEP_INTERVAL_SECONDS must be a number of seconds/,
      );
      expect(() => readWebhookRetryBaseSeconds({ WEBHOOK_RETRY_BASE_SECONDS: bad }), bad).toThrow(
        /^WEBHOOK_RETRY_BASE_SECONDS must be a number of seconds/,
      );
    }
  });
});

describe('https-only URLs (JWT_JWKS_URL, STATUS_PAGE_URL)', () => {
  const readers = [
    ['JWT_JWKS_URL', readJwksUrl],
    ['STATUS_PAGE_URL', readStatusPageUrl],
  ] as const;
  for (const [name, reader] of readers) {
    it(`${name}: https anywhere, http on loopback alone, no other scheme`, () => {
      expect(reader({ [name]: 'https://issuer.example/x' })).toBe('https://issuer.example/x');
      for (const loopback of ['http://localhost:9/x', 'http://127.0.0.1:9/x', 'http://[::1]:9/x']) {
        expect(reader({ [name]: loopback }), loopback).toBe(loopback);
      }
      for (const bad of [
        'http://issuer.example/x',
        'http://127.0.0.2/x',
        'http://localhost.example/x',
        // Loopback excuses http, not any scheme.
        'ftp://localhost/x',
        'ws://127.0.0.1:9/x',
        'file://localhost/x',
      ]) {
        expect(() => reader({ [name]: bad }), bad).toThrow(
          `${name} must be https (http only for localhost)`,
        );
        expect(
          settingOf(() => reader({ [name]: bad })),
          bad,
        ).toBe(name);
      }
    });
  }
});

describe('JWT_PUBLIC_KEY', () => {
  const PEM = '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----';
  it('is the key without the whitespace around it (escaped newlines included)', () => {
    for (const given of [
      '\\n-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----\\n',
      '  \\n-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n\\n  ',
      `\n\t${PEM}\n\n`,
    ]) {
      expect(readJwtConfig({ JWT_PUBLIC_KEY: given }).source, given).toStrictEqual({
        kind: 'publicKey',
        pem: PEM,
      });
    }
  });
});

describe('the key sources and the setting each error names', () => {
  const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt';

  it('JWT_SECRET_ARN is a key source of its own; its value must be an ARN', () => {
    expect(readJwtConfig({ JWT_SECRET_ARN: ARN }).source).toStrictEqual({
      kind: 'secretArn',
      arn: ARN,
    });
    expect(() => readJwtConfig({ JWT_SECRET_ARN: 'jwt-secret' })).toThrow(
      'JWT_SECRET_ARN must be an ARN',
    );
    expect(settingOf(() => readJwtConfig({ JWT_SECRET_ARN: 'jwt-secret' }))).toBe('JWT_SECRET_ARN');
  });

  it('no key source names JWT_SECRET; two name the second, listing both; each message names all four', () => {
    expect(settingOf(() => readJwtConfig({}))).toBe('JWT_SECRET');
    expect(() => readJwtConfig({})).toThrow(
      'one of JWT_SECRET, JWT_SECRET_ARN, JWT_PUBLIC_KEY or JWT_JWKS_URL is required',
    );
    const two = { JWT_SECRET: SECRET, JWT_JWKS_URL: 'https://x/jwks' };
    expect(() => readJwtConfig(two)).toThrow(
      'set only one of JWT_SECRET, JWT_SECRET_ARN, JWT_PUBLIC_KEY, JWT_JWKS_URL (got JWT_SECRET, JWT_JWKS_URL)',
    );
    expect(settingOf(() => readJwtConfig(two))).toBe('JWT_JWKS_URL');
  });

  it('mint-token without JWT_SECRET names JWT_SECRET', () => {
    expect(settingOf(() => readTokenMintingConfig({}))).toBe('JWT_SECRET');
    expect(settingOf(() => readTokenMintingConfig({ JWT_SECRET: 'short' }))).toBe('JWT_SECRET');
  });

  it('the events cursor key: its errors name EVENTS_CURSOR_SECRET', () => {
    expect(settingOf(() => readEventsCursorKeySource({}))).toBe('EVENTS_CURSOR_SECRET');
    expect(
      settingOf(() =>
        readEventsCursorKeySource({ EVENTS_CURSOR_SECRET: SECRET, EVENTS_CURSOR_SECRET_ARN: ARN }),
      ),
    ).toBe('EVENTS_CURSOR_SECRET');
    expect(settingOf(() => readEventsCursorKeySource({ EVENTS_CURSOR_SECRET: 'short' }))).toBe(
      'EVENTS_CURSOR_SECRET',
    );
    expect(settingOf(() => readEventsCursorKeySource({ EVENTS_CURSOR_SECRET_ARN: 'x' }))).toBe(
      'EVENTS_CURSOR_SECRET_ARN',
    );
  });

  it('the events cursor key falls back to JWT_SECRET, as a secret', () => {
    expect(readEventsCursorKeySource({ JWT_SECRET: SECRET })).toStrictEqual({
      kind: 'secret',
      secret: SECRET,
      setting: 'JWT_SECRET',
    });
  });

  it('an HS256 key is counted in UTF-8 bytes; the error names a variable, not a description', () => {
    expect(() => assertSecretStrength('é'.repeat(16), 'JWT_SECRET')).not.toThrow();
    expect(() => assertSecretStrength('é'.repeat(15), 'JWT_SECRET')).toThrow(
      'JWT_SECRET must be at least 32 bytes for HS256',
    );
    expect(settingOf(() => assertSecretStrength('short', 'JWT_SECRET'))).toBe('JWT_SECRET');
    expect(settingOf(() => assertSecretStrength('short', 'the secret'))).toBeUndefined();
    expect(
      settingOf(() => assertSecretStrength('short', 'The secret named by JWT_SECRET_ARN')),
    ).toBeUndefined();
  });
});
