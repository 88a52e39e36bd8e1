import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, type JWK, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  createTokenVerifier,
  DEFAULT_MAX_LIFETIME_S,
  MAX_IAT_AHEAD_S,
} from '../../functions/auth/token-verifier.ts';
import { type JwtConfig, readJwtConfig } from '../../functions/shared/config.ts';
import { refusalOf } from './outcome.ts';

/**
 * The token verifier on its own, each refusal as the client sees it (status, message,
 * challenge). Issue 15's gaps: key material at cold start, JWKS with EdDSA and RS256, an
 * ambiguous kid, `typ`, an `iat` in the future and lifetime limit.
 */
const SECRET = 'a-test-secret-that-is-at-least-32-bytes!';
const secretConfig = (extra: Partial<JwtConfig> = {}): JwtConfig => ({
  source: { kind: 'secret', secret: SECRET },
  ...extra,
});
const CHALLENGE = 'Bearer error="invalid_token"';
const now = () => Math.floor(Date.now() / 1000);
const invalid = (message: string) => ({
  status: 401,
  message,
  challenge: CHALLENGE,
  retryAfter: undefined,
});

function hs256(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(new TextEncoder().encode(SECRET));
}
const valid = (extra: Record<string, unknown> = {}) =>
  hs256({ sub: 'user-1', iat: now(), exp: now() + 300, ...extra });

const servers: Server[] = [];
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});
afterEach(() => {
  vi.useRealTimers();
});

describe('HS256 secret: what a valid token yields', () => {
  it('the subject and iat', async () => {
    const iat = now() - 10;
    const verify = createTokenVerifier(secretConfig());
    expect(await verify(await valid({ iat }))).toStrictEqual({ userId: 'user-1', issuedAt: iat });
  });

  it('issuedAt undefined when the token has no iat', async () => {
    const verify = createTokenVerifier(secretConfig());
    const token = await hs256({ sub: 'user-1', exp: now() + 300 });
    expect(await verify(token)).toStrictEqual({ userId: 'user-1', issuedAt: undefined });
  });

  it('ready resolves at once outside JWT_SECRET_ARN mode', async () => {
    await expect(createTokenVerifier(secretConfig()).ready).resolves.toBeUndefined();
  });
});

describe('HS256 secret: each refusal and its message', () => {
  const verify = createTokenVerifier(secretConfig());

  it.each([
    ['expired', { exp: now() - 60 }, 'The token has expired'],
    ['no exp', { exp: undefined }, 'The token\'s "exp" claim is missing or invalid'],
    ['no sub', { sub: undefined }, 'The token\'s "sub" claim is missing or invalid'],
    ['not yet valid', { nbf: now() + 120 }, 'The token\'s "nbf" claim is missing or invalid'],
    ['a sub that is no user id', { sub: 'USER#x' }, 'The token subject is not a valid user id'],
  ])('%s', async (_, claims, message) => {
    expect(await refusalOf(verify(await valid(claims)))).toStrictEqual(invalid(message));
  });

  it('exp up to 5 s in the past is tolerated (clock skew), more is not', async () => {
    const token = await valid({ exp: now() - 3 });
    expect((await verify(token)).userId).toBe('user-1');
    expect(await refusalOf(verify(await valid({ exp: now() - 7 })))).toStrictEqual(
      invalid('The token has expired'),
    );
  });

  it('a wrong signature', async () => {
    const other = await new SignJWT({ sub: 'user-1', exp: now() + 300 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'));
    expect(await refusalOf(verify(other))).toStrictEqual(invalid('The token signature is invalid'));
  });

  it('alg none with an empty signature segment is an algorithm refusal, not "malformed"', async () => {
    const token = new UnsecuredJWT({ sub: 'user-1' }).setExpirationTime('5m').encode();
    expect(token.endsWith('.')).toBe(true);
    expect(await refusalOf(verify(token))).toStrictEqual(
      invalid('The token algorithm is not allowed'),
    );
  });

  it('an asymmetric algorithm in secret mode', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await new SignJWT({ sub: 'user-1', exp: now() + 300 })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(privateKey);
    expect(await refusalOf(verify(token))).toStrictEqual(
      invalid('The token algorithm is not allowed'),
    );
  });

  it.each([
    ['a leading dot (start anchor)', (t: string) => `.${t}`],
    ['a fourth segment (end anchor)', (t: string) => `${t}.x`],
    ['a character outside base64url', (t: string) => `${t.slice(0, 10)}+${t.slice(11)}`],
    ['two segments', (t: string) => t.split('.').slice(0, 2).join('.')],
    ['an empty header segment', (t: string) => `.${t.split('.').slice(1).join('.')}`],
    ['an empty payload segment', (t: string) => t.replace(/\..*\./, '..')],
  ])('not a compact JWS: %s', async (_, mangle) => {
    expect(await refusalOf(verify(mangle(await valid())))).toStrictEqual(
      invalid('The bearer token is malformed'),
    );
  });

  it('the right shape with content that is no JWS: the generic message', async () => {
    expect(await refusalOf(verify('aaaa.bbbb.cccc'))).toStrictEqual(
      invalid('The bearer token is invalid'),
    );
  });

  it.each(['JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/at+jwt'])(
    'typ %s is accepted',
    async (typ) => {
      const token = await hs256({ sub: 'user-1', exp: now() + 300 }, { typ });
      expect((await verify(token)).userId).toBe('user-1');
    },
  );

  it.each(['JWE', 'dpop+jwt', 'application/jwt+x'])('typ %s is refused', async (typ) => {
    const token = await hs256({ sub: 'user-1', exp: now() + 300 }, { typ });
    expect(await refusalOf(verify(token))).toStrictEqual(invalid('The token type is not accepted'));
  });
});

describe('the verified-token cache at exp', () => {
  const T0 = Date.parse('2026-06-01T12:00:00.000Z');

  it('serves the remembered principal until exp, and verifies afresh from exp on', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const verify = createTokenVerifier(secretConfig());
    const token = await valid({ iat: T0 / 1000, exp: T0 / 1000 + 30 });
    const first = await verify(token);
    vi.setSystemTime(T0 + 29_999);
    expect(await verify(token)).toBe(first); // the cached object
    vi.setSystemTime(T0 + 30_000);
    const again = await verify(token); // within jose's 5 s tolerance: verified again
    expect(again).not.toBe(first);
    expect(again).toStrictEqual(first);
  });
});

describe('issuer and audience', () => {
  const verify = createTokenVerifier(
    secretConfig({ issuer: 'https://issuer.example', audience: ['api-a', 'api-b'] }),
  );

  it('accepted when both match (any configured audience)', async () => {
    for (const aud of ['api-a', 'api-b', ['other', 'api-b']]) {
      const token = await valid({ iss: 'https://issuer.example', aud });
      expect((await verify(token)).userId).toBe('user-1');
    }
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example', aud: 'api-a' }, 'iss'],
    ['no issuer', { aud: 'api-a' }, 'iss'],
    ['another audience', { iss: 'https://issuer.example', aud: 'api-c' }, 'aud'],
    ['no audience', { iss: 'https://issuer.example' }, 'aud'],
  ])('%s', async (_, claims, claim) => {
    expect(await refusalOf(verify(await valid(claims)))).toStrictEqual(
      invalid(`The token's "${claim}" claim is missing or invalid`),
    );
  });

  it('neither is checked when not configured', async () => {
    const open = createTokenVerifier(secretConfig());
    expect((await open(await valid({ iss: 'anyone', aud: 'anything' }))).userId).toBe('user-1');
  });
});

describe('iat in the future (DESIGN.md section 7)', () => {
  const T0 = Date.parse('2026-06-01T12:00:00.000Z');
  const t0 = T0 / 1000;

  it(`is accepted up to ${MAX_IAT_AHEAD_S} s ahead, refused at ${MAX_IAT_AHEAD_S + 1} s`, async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const verify = createTokenVerifier(secretConfig());
    const at60 = await valid({ iat: t0 + 60, exp: t0 + 3600 });
    expect(await verify(at60)).toStrictEqual({ userId: 'user-1', issuedAt: t0 + 60 });
    const at61 = await valid({ iat: t0 + 61, exp: t0 + 3600 });
    expect(await refusalOf(verify(at61))).toStrictEqual(
      invalid('The token\'s "iat" claim is in the future'),
    );
  });

  it('is measured from the current time, not a fixed one', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const verify = createTokenVerifier(secretConfig(), { verifiedTokenCacheMs: 0 });
    const token = await valid({ iat: t0 + 120, exp: t0 + 3600 });
    expect((await refusalOf(verify(token))).status).toBe(401);
    vi.setSystemTime(T0 + 60_000);
    expect((await verify(token)).issuedAt).toBe(t0 + 120);
  });

  it('an iat in the past is fine, however old (exp decides)', async () => {
    const verify = createTokenVerifier(secretConfig());
    expect((await verify(await valid({ iat: now() - 86_400 }))).userId).toBe('user-1');
  });
});

describe('token lifetime (JWT_MAX_LIFETIME_SECONDS, DESIGN.md section 7)', () => {
  const T0 = Date.parse('2026-06-01T12:00:00.000Z');
  const t0 = T0 / 1000;
  const TOO_LONG = invalid('The token lifetime is longer than this service accepts');

  it('defaults to 31 days', () => {
    expect(DEFAULT_MAX_LIFETIME_S).toBe(2_678_400);
  });

  it('exp - iat: the default accepted at 31 days, refused one second more', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const verify = createTokenVerifier(secretConfig());
    const ok = await valid({ iat: t0 - 100, exp: t0 - 100 + 2_678_400 });
    expect((await verify(ok)).userId).toBe('user-1');
    const long = await valid({ iat: t0 - 100, exp: t0 - 100 + 2_678_401 });
    expect(await refusalOf(verify(long))).toStrictEqual(TOO_LONG);
  });

  it('the configured limit, both sides', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const verify = createTokenVerifier(secretConfig({ maxLifetimeSeconds: 600 }));
    expect((await verify(await valid({ iat: t0, exp: t0 + 600 }))).userId).toBe('user-1');
    expect(await refusalOf(verify(await valid({ iat: t0, exp: t0 + 601 })))).toStrictEqual(
      TOO_LONG,
    );
  });

  it('exp - now when the token has no iat', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const verify = createTokenVerifier(secretConfig({ maxLifetimeSeconds: 600 }));
    const ok = await hs256({ sub: 'user-1', exp: t0 + 600 });
    expect((await verify(ok)).userId).toBe('user-1');
    const long = await hs256({ sub: 'user-1', exp: t0 + 601 });
    expect(await refusalOf(verify(long))).toStrictEqual(TOO_LONG);
  });

  it('an old iat counts: exp - iat, not exp - now', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const verify = createTokenVerifier(secretConfig({ maxLifetimeSeconds: 600 }));
    // 100 s left, but issued for 700 s.
    expect(await refusalOf(verify(await valid({ iat: t0 - 600, exp: t0 + 100 })))).toStrictEqual(
      TOO_LONG,
    );
  });

  it('JWT_MAX_LIFETIME_SECONDS reaches the verifier through readJwtConfig', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    const config = readJwtConfig({ JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: '600' });
    expect(config.maxLifetimeSeconds).toBe(600);
    expect(readJwtConfig({ JWT_SECRET: SECRET }).maxLifetimeSeconds).toBe(2_678_400);
    expect(() => readJwtConfig({ JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: '1e9' })).toThrow(
      /JWT_MAX_LIFETIME_SECONDS/,
    );
    const verify = createTokenVerifier(config);
    expect(await refusalOf(verify(await valid({ iat: t0, exp: t0 + 601 })))).toStrictEqual(
      TOO_LONG,
    );
  });

  it('exp in the year 9999 is refused', async () => {
    const verify = createTokenVerifier(secretConfig());
    const token = await valid({ exp: Date.parse('9999-12-31T00:00:00Z') / 1000 });
    expect(await refusalOf(verify(token))).toStrictEqual(TOO_LONG);
  });
});

describe('JWT_PUBLIC_KEY: key material at cold start', () => {
  const pemOf = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
  const verifierFor = (pem: string) => createTokenVerifier({ source: { kind: 'publicKey', pem } });
  const WRONG_KIND = 'JWT_PUBLIC_KEY must be an Ed25519, P-256 or RSA (>= 2048 bit) public key';

  it.each([
    ['a P-384 key (ES256 needs P-256)', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['an RSA-1024 key', () => generateKeyPairSync('rsa', { modulusLength: 1024 })],
    ['an RSA-2047 key', () => generateKeyPairSync('rsa', { modulusLength: 2047 })],
    ['an X25519 key (not for signatures)', () => generateKeyPairSync('x25519')],
    [
      'an RSA-PSS key (RS256 needs plain RSA)',
      () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 }),
    ],
  ])('%s fails the start, naming the setting', (_, pair) => {
    const pem = pemOf(pair().publicKey);
    expect(() => verifierFor(pem)).toThrow(WRONG_KIND);
    expect(() => verifierFor(pem)).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });

  it('a malformed PEM fails the start, naming the setting', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n';
    expect(() => verifierFor(pem)).toThrow('JWT_PUBLIC_KEY is not a readable PEM public key');
  });

  it.each([
    ['ed25519', 'EdDSA', () => generateKeyPairSync('ed25519')],
    ['P-256', 'ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['RSA-2048', 'RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ] as const)('%s verifies %s and nothing else', async (_, alg, pair) => {
    const { publicKey, privateKey } = pair();
    const verify = verifierFor(pemOf(publicKey));
    await expect(verify.ready).resolves.toBeUndefined();
    const token = await new SignJWT({ sub: 'user-1', exp: now() + 300 })
      .setProtectedHeader({ alg })
      .sign(privateKey);
    expect((await verify(token)).userId).toBe('user-1');
    if (alg === 'RS256') {
      const ps256 = await new SignJWT({ sub: 'user-1', exp: now() + 300 })
        .setProtectedHeader({ alg: 'PS256' })
        .sign(privateKey);
      expect(await refusalOf(verify(ps256))).toStrictEqual(
        invalid('The token algorithm is not allowed'),
      );
    }
    // The public key PEM as an HMAC secret (algorithm confusion).
    const confused = await new SignJWT({ sub: 'user-1', exp: now() + 300 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(pemOf(publicKey)));
    expect(await refusalOf(verify(confused))).toStrictEqual(
      invalid('The token algorithm is not allowed'),
    );
  });
});

describe('JWT_JWKS_URL: EdDSA, RS256, an ambiguous kid, typ', () => {
  const ed = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ecA = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecB = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let hits = 0;

  const jwksUrl = (async () => {
    const jwk = async (key: KeyObject, kid: string, alg: string): Promise<JWK> => ({
      ...(await exportJWK(key)),
      kid,
      alg,
      use: 'sig',
    });
    const keys = [
      await jwk(ed.publicKey, 'ed-1', 'EdDSA'),
      await jwk(rsa.publicKey, 'rsa-1', 'RS256'),
      await jwk(ecA.publicKey, 'twice', 'ES256'),
      await jwk(ecB.publicKey, 'twice', 'ES256'),
    ];
    const base = await serve((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    return `${base}/.well-known/jwks.json`;
  })();

  const jwksVerifier = async () =>
    createTokenVerifier({ source: { kind: 'jwks', url: await jwksUrl } });
  const sign = (alg: string, kid: string, key: KeyObject, header: Record<string, unknown> = {}) =>
    new SignJWT({ sub: 'user-1', iat: now(), exp: now() + 300 })
      .setProtectedHeader({ alg, kid, ...header })
      .sign(key);

  it('an EdDSA key and an RS256 key each verify their tokens; the key set is fetched once', async () => {
    const verify = await jwksVerifier();
    const before = hits;
    expect((await verify(await sign('EdDSA', 'ed-1', ed.privateKey))).userId).toBe('user-1');
    expect((await verify(await sign('RS256', 'rsa-1', rsa.privateKey))).userId).toBe('user-1');
    expect(hits - before).toBe(1);
  });

  it('typ at+jwt (RFC 9068) is accepted', async () => {
    const verify = await jwksVerifier();
    const token = await sign('EdDSA', 'ed-1', ed.privateKey, { typ: 'at+jwt' });
    expect((await verify(token)).userId).toBe('user-1');
  });

  it('two keys matching one kid: 401 (the token is at fault), not a retryable 503', async () => {
    const verify = await jwksVerifier();
    const token = await sign('ES256', 'twice', ecA.privateKey);
    expect(await refusalOf(verify(token))).toStrictEqual(invalid('The token key id is ambiguous'));
  });

  it('an unknown kid: 401', async () => {
    const verify = await jwksVerifier();
    const token = await sign('EdDSA', 'nobody', ed.privateKey);
    expect(await refusalOf(verify(token))).toStrictEqual(
      invalid('The token was signed with an unknown key'),
    );
  });

  it("a known kid with another key's signature: 401", async () => {
    const verify = await jwksVerifier();
    const token = await sign('EdDSA', 'ed-1', generateKeyPairSync('ed25519').privateKey);
    expect(await refusalOf(verify(token))).toStrictEqual(invalid('The token signature is invalid'));
  });

  it('HS256 is not among the JWKS algorithms', async () => {
    const verify = await jwksVerifier();
    expect(await refusalOf(verify(await valid({ kid: 'ed-1' })))).toStrictEqual(
      invalid('The token algorithm is not allowed'),
    );
  });

  it('a JWKS endpoint that answers 500: 503 with Retry-After 5, the cause kept for the log', async () => {
    const base = await serve((_req, res) => void res.writeHead(500).end('boom'));
    const verify = createTokenVerifier({ source: { kind: 'jwks', url: `${base}/jwks` } });
    const attempt = verify(await sign('EdDSA', 'ed-1', ed.privateKey));
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(await refusalOf(Promise.reject(error))).toStrictEqual({
      status: 503,
      message: 'Token verification is temporarily unavailable',
      challenge: undefined,
      retryAfter: '5',
    });
  });
});
