import { describe, expect, it } from 'vitest';
import { createCursorKey, deriveCursorKey } from '../../functions/events/cursor-key.ts';
import { ConfigError, readEventsCursorKeySource } from '../../functions/shared/config.ts';

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

  it('fetches a Secrets Manager secret once, retries a failed fetch, refuses an unusable one', async () => {
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

    const binary = createCursorKey(source, async () => undefined);
    await expect(binary.ready).rejects.toThrow(/SecretString/);
    const short = createCursorKey(source, async () => 'short');
    await expect(short.ready).rejects.toThrow(/32 bytes/);
  });
});
