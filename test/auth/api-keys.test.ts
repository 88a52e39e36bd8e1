// The API key bearer check (functions/auth/api-keys.ts) over an in-memory lookup port: the exact
// shape before any lookup, the hash it looks up, unknown and expired keys (the expiry instant
// itself refused), the principal it makes, and the management function's refusal.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  acceptingApiKeys,
  apiKeyHash,
  authenticateApiKey,
  refusingApiKeys,
} from '../../functions/auth/api-keys.ts';
import type { TokenVerifier } from '../../functions/auth/token-verifier.ts';
import { Forbidden, Unauthenticated } from '../../functions/domain/errors.ts';
import type { StoredApiKey } from '../../functions/domain/ports/api-keys.ts';

const key = `bsk_${randomBytes(32).toString('base64url')}`;
const stored: StoredApiKey = {
  keyId: 'ak_1',
  workspaceId: 'ws-1',
  orgId: 'org-1',
  expiresAtMs: 1_000_000,
};

function lookup(rows: Record<string, StoredApiKey>) {
  const asked: string[] = [];
  const resolve = async (hash: string) => {
    asked.push(hash);
    return rows[hash];
  };
  return { resolve, asked };
}

const jwt = Object.assign(async (token: string) => ({ userId: `jwt:${token}`, issuedAt: 1 }), {
  ready: Promise.resolve(),
}) as TokenVerifier;

describe('authenticateApiKey', () => {
  it('looks up base64url SHA-256 of the key and makes a principal of its grant', async () => {
    const hash = createHash('sha256').update(key).digest('base64url');
    expect(apiKeyHash(key)).toBe(hash);
    const { resolve, asked } = lookup({ [hash]: stored });
    const principal = await authenticateApiKey(key, resolve, () => 999_999);
    expect(asked).toEqual([hash]);
    expect(principal).toEqual({
      userId: 'apikey:ak_1',
      issuedAt: undefined,
      apiKey: { keyId: 'ak_1', workspaceId: 'ws-1', orgId: 'org-1' },
    });
    expect(Object.isFrozen(principal)).toBe(true);
  });

  it('refuses from the expiry instant on', async () => {
    const { resolve } = lookup({ [apiKeyHash(key)]: stored });
    await expect(authenticateApiKey(key, resolve, () => 1_000_000)).rejects.toThrow(
      new Unauthenticated('The API key has expired', 'bearer-token'),
    );
  });

  it('refuses an unknown key after one lookup', async () => {
    const { resolve, asked } = lookup({});
    await expect(authenticateApiKey(key, resolve, () => 0)).rejects.toThrow(
      'The API key is not valid',
    );
    expect(asked).toHaveLength(1);
  });

  it.each([
    `bsk_${'A'.repeat(42)}`,
    `bsk_${'A'.repeat(44)}`,
    `bsk_${'A'.repeat(42)}=`,
    `bsk_${'A'.repeat(42)}+`,
    `BSK_${'A'.repeat(43)}`,
    `bsk_${'A'.repeat(43)}\n`,
  ])('refuses %j as malformed without a lookup', async (value) => {
    const { resolve, asked } = lookup({});
    const error = await authenticateApiKey(value, resolve, () => 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Unauthenticated);
    expect((error as Error).message).toBe('The API key is malformed');
    expect(asked).toEqual([]);
  });
});

describe('acceptingApiKeys and refusingApiKeys', () => {
  const { resolve } = lookup({ [apiKeyHash(key)]: stored });

  it('the read functions take a key as its principal, anything else to the JWT verifier', async () => {
    const verify = acceptingApiKeys(jwt, { resolve, now: () => 0 });
    expect((await verify(key)).apiKey?.workspaceId).toBe('ws-1');
    expect(await verify('a.b.c')).toEqual({ userId: 'jwt:a.b.c', issuedAt: 1 });
    // A value that is not bsk_ is never looked up as a key, whatever it looks like.
    expect(await verify(`xbsk_${'A'.repeat(43)}`)).toMatchObject({ userId: /^jwt:/ });
    expect(verify.ready).toBe(jwt.ready);
  });

  it('the management function: 403 for a valid key, 401 for an invalid one, JWTs pass', async () => {
    const verify = refusingApiKeys(jwt, { resolve, now: () => 0 });
    await expect(verify(key)).rejects.toBeInstanceOf(Forbidden);
    await expect(verify(`bsk_${'B'.repeat(43)}`)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(verify('bsk_x')).rejects.toThrow('The API key is malformed');
    const expired = refusingApiKeys(jwt, { resolve, now: () => 2_000_000 });
    await expect(expired(key)).rejects.toThrow('The API key has expired');
    expect(await verify('a.b.c')).toEqual({ userId: 'jwt:a.b.c', issuedAt: 1 });
    expect(verify.ready).toBe(jwt.ready);
  });
});
