import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../functions/domain/events-cursor.ts';
import { ConfigError, readEventsCursorKeySource } from '../../functions/shared/config.ts';
import { createCursorKey, deriveCursorKey } from '../../functions/shared/cursor-key.ts';

const SECRET = 's'.repeat(40);

describe('the events cursor key source', () => {
  it('EVENTS_CURSOR_SECRET, else EVENTS_CURSOR_SECRET_ARN, else JWT_SECRET; never two', () => {
    expect(readEventsCursorKeySource({ EVENTS_CURSOR_SECRET: SECRET })).toStrictEqual({
      kind: 'secret',
      secret: SECRET,
      setting: 'EVENTS_CURSOR_SECRET',
    });
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cursor';
    expect(readEventsCursorKeySource({ EVENTS_CURSOR_SECRET_ARN: arn })).toStrictEqual({
      kind: 'secretArn',
      arn,
    });
    expect(readEventsCursorKeySource({ JWT_SECRET: SECRET })).toMatchObject({
      setting: 'JWT_SECRET',
    });
    expect(() => readEventsCursorKeySource({})).toThrow(/EVENTS_CURSOR_SECRET/);
    expect(() => readEventsCursorKeySource({ EVENTS_CURSOR_SECRET: 'short' })).toThrow(ConfigError);
    expect(() =>
      readEventsCursorKeySource({ EVENTS_CURSOR_SECRET: SECRET, EVENTS_CURSOR_SECRET_ARN: arn }),
    ).toThrow(/only one/);
    expect(() => readEventsCursorKeySource({ EVENTS_CURSOR_SECRET_ARN: 'not-an-arn' })).toThrow(
      /ARN/,
    );
  });
});

describe('the events cursor key', () => {
  it('is HKDF of the secret: 32 bytes, stable, never the secret itself', () => {
    const key = deriveCursorKey(SECRET);
    expect(key).toHaveLength(32);
    expect(Buffer.from(key).equals(Buffer.from(deriveCursorKey(SECRET)))).toBe(true);
    expect(Buffer.from(key).equals(Buffer.from(deriveCursorKey(`${SECRET}x`)))).toBe(false);
    expect(Buffer.from(key).includes(Buffer.from(SECRET.slice(0, 16)))).toBe(false);
  });

  it('is fixed across releases: a cursor handed out before a deploy still opens after it', () => {
    // Recorded once; a change of the derivation (or of the cursor format) breaks every
    // nextCursor that clients hold.
    const issued = 'MjAyNi0xMi0wMVQwODowMDowMC4wMDBaI25vZGUtYSNPTkxJTkU.FHQM3jnWnSggj5sCBMDkEg';
    const position = '2026-12-01T08:00:00.000Z#node-a#ONLINE';
    expect(encodeCursor(deriveCursorKey(SECRET), 'bucket-1', position)).toBe(issued);
    expect(decodeCursor(deriveCursorKey(SECRET), 'bucket-1', issued)).toBe(position);
  });

  it('EVENTS_CURSOR_SECRET (or JWT_SECRET): derived from the setting, nothing fetched', async () => {
    const fetched: string[] = [];
    const key = createCursorKey(
      { kind: 'secret', secret: SECRET, setting: 'JWT_SECRET' },
      async (arn) => {
        fetched.push(arn);
        throw new Error('no Secrets Manager here');
      },
    );
    await expect(key.ready).resolves.toBeUndefined();
    expect(Buffer.from(await key.get()).equals(Buffer.from(deriveCursorKey(SECRET)))).toBe(true);
    expect(fetched).toStrictEqual([]);
  });

  it('an unusable secret fails the start naming EVENTS_CURSOR_SECRET_ARN', async () => {
    const source = { kind: 'secretArn' as const, arn: 'arn:aws:secretsmanager:x' };
    const binary = createCursorKey(source, async () => undefined);
    await expect(binary.ready).rejects.toMatchObject({
      name: 'ConfigError',
      setting: 'EVENTS_CURSOR_SECRET_ARN',
    });
    const short = createCursorKey(source, async () => 'short');
    await expect(short.ready).rejects.toThrow(
      'The secret named by EVENTS_CURSOR_SECRET_ARN must be at least 32 bytes for HS256',
    );
  });

  it('an unusable secret that nobody awaits is no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const key = createCursorKey({ kind: 'secretArn', arn: 'arn:x' }, async () => 'short');
      await expect(key.get()).rejects.toThrow(/32 bytes/); // `ready` never awaited
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toStrictEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('fetches a Secrets Manager secret once, retries a failed fetch, and keeps the key', async () => {
    let calls = 0;
    let fail = true;
    const source = { kind: 'secretArn' as const, arn: 'arn:aws:secretsmanager:x' };
    const key = createCursorKey(source, async () => {
      calls++;
      if (fail) throw Object.assign(new Error('down'), { name: 'TimeoutError' });
      return SECRET;
    });
    await expect(key.ready).resolves.toBeUndefined(); // transient: not a start-up failure
    await expect(key.get()).rejects.toThrow('down');
    fail = false;
    expect(Buffer.from(await key.get()).equals(Buffer.from(deriveCursorKey(SECRET)))).toBe(true);
    await key.get();
    expect(calls).toBe(3); // the failed init fetch, the failed retry, then one success kept
  });
});

/**
 * EVENTS_CURSOR_SECRET_ARN with the real SDK client: Secrets Manager has no local engine, so a
 * small HTTP server answers its JSON protocol and the SDK's own endpoint setting
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER) points there (as test/auth/secret-arn.test.ts does).
 */
describe('the events cursor key from Secrets Manager, over HTTP', () => {
  const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cursor-AbCdEf';
  const requests: { target: unknown; body: unknown }[] = [];
  let answer: Record<string, unknown> = { ARN, SecretString: SECRET };
  let server: Server;
  const previous = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests.push({
          target: req.headers['x-amz-target'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
        });
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${port}`;
  });

  afterAll(() => {
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = previous;
    server.closeAllConnections();
    server.close();
  });

  it('asks for the named secret once and derives the key from its SecretString', async () => {
    answer = { ARN, Name: 'cursor', SecretString: SECRET };
    requests.length = 0;
    const key = createCursorKey({ kind: 'secretArn', arn: ARN });
    await expect(key.ready).resolves.toBeUndefined();
    expect(Buffer.from(await key.get()).equals(Buffer.from(deriveCursorKey(SECRET)))).toBe(true);
    expect(requests).toStrictEqual([
      { target: 'secretsmanager.GetSecretValue', body: { SecretId: ARN } },
    ]);
  });

  it('a binary secret fails the start', async () => {
    answer = { ARN, SecretBinary: Buffer.from(SECRET).toString('base64') };
    const key = createCursorKey({ kind: 'secretArn', arn: ARN });
    await expect(key.ready).rejects.toThrow(/without a SecretString/);
  });
});
