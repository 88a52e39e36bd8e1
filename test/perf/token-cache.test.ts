import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier } from '../../functions/auth/token-verifier.ts';
import { hs256Token, TEST_SECRET } from '../support/status-fixture.ts';

/**
 * The verified-token cache (docs/evidence/performance.md, "What was optimized") saves the signature check for a token seen
 * within the last minute. It must never accept anything the uncached verifier would refuse.
 */

const T0 = Date.parse('2026-06-01T12:00:00.000Z');
const verifier = (cacheMs?: number) =>
  createTokenVerifier(
    { source: { kind: 'secret', secret: TEST_SECRET } },
    cacheMs === undefined ? {} : { verifiedTokenCacheMs: cacheMs },
  );
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: Error) => error.message,
  );

afterEach(() => {
  vi.useRealTimers();
});

describe('verified-token cache', () => {
  it('never outlives the token: refused past exp (and its tolerance) even when cached', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const verify = verifier();
    const token = await hs256Token('u1', { iat: T0 / 1000, expiresIn: T0 / 1000 + 30 });

    expect(await verify(token)).toStrictEqual({ userId: 'u1', issuedAt: T0 / 1000 });
    vi.setSystemTime(T0 + 20_000);
    expect((await verify(token)).userId).toBe('u1'); // cached
    vi.setSystemTime(T0 + 40_000); // past exp + 5 s tolerance, inside the cache's minute
    expect(await rejection(verify(token))).toBe('The token has expired');
  });

  it('keys on the exact token text: a tampered copy of a cached token is refused', async () => {
    const verify = verifier();
    const token = await hs256Token('u1');
    await verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(await rejection(verify(`${header}.${payload}.${flipped}`))).toBe(
      'The token signature is invalid',
    );
    const forged = await hs256Token('u2', { secret: `${TEST_SECRET}-other` });
    expect(await rejection(verify(forged))).toBe('The token signature is invalid');
  });

  it('remembers only successes: a refused token stays refused', async () => {
    const verify = verifier();
    const wrongKey = await hs256Token('u1', { secret: `${TEST_SECRET}-other` });
    expect(await rejection(verify(wrongKey))).toBe('The token signature is invalid');
    expect(await rejection(verify(wrongKey))).toBe('The token signature is invalid');
  });

  it('checks the signature of a polling client once a minute; with 0, every time', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const token = await hs256Token('u1', { iat: T0 / 1000, expiresIn: T0 / 1000 + 3600 });
    const signatureChecks = vi.spyOn(globalThis.crypto.subtle, 'verify');
    const cached = verifier();
    for (let i = 0; i < 5; i++) await cached(token);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
    vi.setSystemTime(T0 + 61_000);
    await cached(token);
    expect(signatureChecks).toHaveBeenCalledTimes(2);

    signatureChecks.mockClear();
    const uncached = verifier(0);
    for (let i = 0; i < 3; i++) await uncached(token);
    expect(signatureChecks).toHaveBeenCalledTimes(3);
    signatureChecks.mockRestore();
  });
});
