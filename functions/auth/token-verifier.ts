import { createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Principal } from '../domain/access.ts';
import { Unauthenticated, Unavailable } from '../domain/errors.ts';
import { isValidId } from '../domain/ids.ts';
import { assertSecretStrength, ConfigError, type JwtConfig } from '../shared/config.ts';
import { fetchSecretString } from '../shared/secret-string.ts';
import { TtlCache } from '../shared/ttl-cache.ts';

/**
 * Who the bearer credential names: a JWT's `sub` and `iat` (epoch seconds, when the token
 * carries one), or a workspace API key's grant (functions/auth/api-keys.ts).
 */
export type VerifiedToken = Principal;

/** A bad bearer token: a 401 with the RFC 6750 challenge. */
export const invalidBearerToken = (message: string) => new Unauthenticated(message, 'bearer-token');

export type VerifyToken = (token: string) => Promise<VerifiedToken>;

/** RFC 6750 token68 shape of a compact JWS: three base64url segments. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** RFC 8725 3.11 explicit typing: accept untyped tokens and the access-token types only. */
const ACCEPTED_TYP = new Set(['jwt', 'at+jwt', 'application/at+jwt']);
const ASYMMETRIC_ALGS = ['EdDSA', 'ES256', 'RS256'];
/** Seconds of clock skew tolerated on exp/nbf/iat. */
const CLOCK_TOLERANCE_S = 5;
/** An `iat` further ahead than this is refused (DESIGN.md section 7): it would outlive revoke-tokens. */
export const MAX_IAT_AHEAD_S = 60;
/** JWT_MAX_LIFETIME_SECONDS' default, 31 days (DESIGN.md section 7). */
export const DEFAULT_MAX_LIFETIME_S = 2_678_400;

type Key = webcrypto.CryptoKey | KeyObject | JWTVerifyGetKey;
interface ResolvedKey {
  key: Key;
  algorithms: string[];
}

export interface TokenVerifierOptions {
  jwksTimeoutMs?: number;
  /** How long a verified token is remembered by its exact text; 0 turns the cache off. */
  verifiedTokenCacheMs?: number;
}

/**
 * Verified tokens are remembered for a minute (never past their `exp`), keyed by the exact
 * token text: a client polling with one token pays for the signature check (an async WebCrypto
 * job on the thread pool, about a third of the warm read path's own time under load) once per
 * minute instead of on every read. Revocation is unaffected (tokensValidAfter is read from the
 * table on every request); a key removed from a JWKS is already trusted for the JWKS cache's
 * 10 minutes, so one more minute adds no exposure.
 */
const VERIFIED_TOKEN_CACHE_MS = 60_000;
const VERIFIED_TOKEN_CACHE_ENTRIES = 1_000;

interface CachedToken {
  principal: VerifiedToken;
  expiresAtMs: number;
}

/**
 * The bearer-token check, and `ready`: settled once the key material is in place. It rejects
 * (with a ConfigError naming the setting) only when the key material is unusable, so the
 * Lambda entry awaits it to fail the cold start; a Secrets Manager that cannot be reached
 * does not fail it (requests answer 503 and retry the fetch).
 */
export type TokenVerifier = VerifyToken & { readonly ready: Promise<void> };

/**
 * Builds the bearer-token check. Key material is resolved once per cold start: a PEM when the
 * verifier is built, a JWT_SECRET_ARN secret fetched right away (during init), a JWKS on first
 * use. A failed fetch is retried by the next request instead of poisoning the container.
 */
export function createTokenVerifier(
  config: JwtConfig,
  options: TokenVerifierOptions = {},
): TokenVerifier {
  const { source } = config;
  let resolveKey: () => Promise<ResolvedKey>;
  if (source.kind === 'publicKey') {
    // A bad PEM is a deployment error: fail the cold start, naming the setting.
    const material = Promise.resolve(publicKeyMaterial(source.pem));
    resolveKey = () => material;
  } else {
    let resolved: Promise<ResolvedKey> | undefined;
    resolveKey = () => {
      resolved ??= fetchKeyMaterial(source, options).catch((error: unknown) => {
        resolved = undefined;
        throw error;
      });
      return resolved;
    };
  }
  let ready = Promise.resolve();
  if (source.kind === 'secretArn') {
    ready = resolveKey().then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof ConfigError) throw error;
      },
    );
    // Awaited by the Lambda entry; elsewhere a bad secret surfaces on each request instead.
    ready.catch(() => undefined);
  }
  const maxLifetimeS = config.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_S;

  const verified = new TtlCache<CachedToken>(
    options.verifiedTokenCacheMs ?? VERIFIED_TOKEN_CACHE_MS,
    VERIFIED_TOKEN_CACHE_ENTRIES,
  );

  const verifyToken = async (token: string): Promise<VerifiedToken> => {
    if (!COMPACT_JWS.test(token)) throw invalidBearerToken('The bearer token is malformed');
    const cached = verified.get(token);
    if (cached !== undefined && Date.now() < cached.expiresAtMs) return cached.principal;
    const { key, algorithms } = await resolveKey();
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    let typ: string | undefined;
    try {
      const result = await jwtVerify(token, key as KeyObject, {
        algorithms,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
        ...(config.issuer !== undefined && { issuer: config.issuer }),
        ...(config.audience !== undefined && { audience: config.audience }),
      });
      payload = result.payload;
      typ = result.protectedHeader.typ;
    } catch (error) {
      throw toTokenError(error);
    }
    if (typ !== undefined && !ACCEPTED_TYP.has(typ.toLowerCase())) {
      throw invalidBearerToken('The token type is not accepted');
    }
    if (!isValidId(payload.sub))
      throw invalidBearerToken('The token subject is not a valid user id');
    // jose has checked that exp, and iat when present, are numbers.
    const exp = payload.exp as number;
    const iat = payload.iat;
    const nowS = Date.now() / 1000;
    // A token "issued" in the future would pass a later revoke-tokens cut-off (section 7).
    if (iat !== undefined && iat - nowS > MAX_IAT_AHEAD_S) {
      throw invalidBearerToken('The token\'s "iat" claim is in the future');
    }
    if (exp - (iat ?? nowS) > maxLifetimeS) {
      throw invalidBearerToken('The token lifetime is longer than this service accepts');
    }
    const principal: VerifiedToken = Object.freeze({ userId: payload.sub, issuedAt: iat });
    // Remembered until exp, without the clock tolerance, so stricter.
    verified.set(token, { principal, expiresAtMs: exp * 1000 });
    return principal;
  };
  return Object.assign(verifyToken, { ready });
}

/** Key material that has to be fetched or imported asynchronously. */
async function fetchKeyMaterial(
  source: Exclude<JwtConfig['source'], { kind: 'publicKey' }>,
  options: TokenVerifierOptions,
): Promise<ResolvedKey> {
  switch (source.kind) {
    case 'secret':
      return { key: await hmacKey(source.secret), algorithms: ['HS256'] };
    case 'secretArn': {
      let secret: string | undefined;
      try {
        secret = await fetchSecretString(source.arn);
      } catch (error) {
        throw new Unavailable('Token verification is temporarily unavailable', 1, {
          cause: error,
        });
      }
      if (secret === undefined) {
        throw new ConfigError('JWT_SECRET_ARN names a secret without a SecretString (binary?)');
      }
      assertSecretStrength(secret, 'The secret named by JWT_SECRET_ARN');
      return { key: await hmacKey(secret), algorithms: ['HS256'] };
    }
    case 'jwks': {
      const jwks = createRemoteJWKSet(new URL(source.url), {
        timeoutDuration: options.jwksTimeoutMs ?? 2_000,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      });
      const getKey: JWTVerifyGetKey = async (header, token) => {
        try {
          return await jwks(header, token);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
            throw error;
          }
          // The JWKS endpoint is down, slow or answering garbage: not the caller's fault.
          throw new Unavailable('Token verification is temporarily unavailable', 5, {
            cause: error,
          });
        }
      };
      return { key: getKey, algorithms: ASYMMETRIC_ALGS };
    }
  }
}

/** Imported once: given raw bytes, jose would import the key again on every verification. */
const hmacKey = (secret: string): Promise<webcrypto.CryptoKey> =>
  webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );

function publicKeyMaterial(pem: string): ResolvedKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY is not a readable PEM public key');
  }
  return { key, algorithms: [algorithmFor(key)] };
}

/** The one algorithm a PEM public key may verify: no algorithm is taken from the token. */
function algorithmFor(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  // Only EC keys have a named curve (asymmetricKeyDetails is set on every asymmetric key).
  if (key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) {
    return 'RS256';
  }
  throw new ConfigError('JWT_PUBLIC_KEY must be an Ed25519, P-256 or RSA (>= 2048 bit) public key');
}

const TOKEN_ERROR_MESSAGES = new Map<string | undefined, string>([
  ['ERR_JWT_EXPIRED', 'The token has expired'],
  ['ERR_JOSE_ALG_NOT_ALLOWED', 'The token algorithm is not allowed'],
  ['ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'The token signature is invalid'],
  ['ERR_JWKS_NO_MATCHING_KEY', 'The token was signed with an unknown key'],
  ['ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'The token key id is ambiguous'],
]);

function toTokenError(error: unknown): Error {
  if (error instanceof Unavailable) return error;
  const code = (error as { code?: string }).code;
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const claim = (error as { claim?: string }).claim;
    return invalidBearerToken(`The token's "${claim}" claim is missing or invalid`);
  }
  return invalidBearerToken(TOKEN_ERROR_MESSAGES.get(code) ?? 'The bearer token is invalid');
}
