import { createHash } from 'node:crypto';
import { Forbidden } from '../domain/errors.ts';
import type { ResolveApiKey } from '../domain/ports/api-keys.ts';
import { invalidBearerToken, type TokenVerifier, type VerifiedToken } from './token-verifier.ts';

/**
 * Workspace API keys as bearer credentials (DESIGN.md section 18; docs/SECURITY.md, "API
 * keys"). A key is `bsk_` + base64url of 32 random bytes (43 characters); the table holds only
 * its SHA-256, as the key of its lookup row (`APIKEY#<hash>` / `META`). Authenticating a key is
 * that one consistent GetItem on every request (no cache, so a deleted key is refused from the
 * next request on): no stored secret is compared with the presented one in code, the lookup by
 * key is the comparison.
 */
export const API_KEY_PREFIX = 'bsk_';
const API_KEY_SHAPE = /^bsk_[A-Za-z0-9_-]{43}$/;

/** A `bsk_` bearer value is an API key, whatever follows; only the exact shape is looked up. */
export const isApiKeyToken = (token: string) => token.startsWith(API_KEY_PREFIX);

/** The key's lookup hash: base64url of SHA-256 over its text. */
export const apiKeyHash = (key: string) => createHash('sha256').update(key).digest('base64url');

/**
 * The key's grant: a malformed key is a 401 before any read; an unknown (never created,
 * deleted) or expired key a 401 after the one lookup.
 */
export async function authenticateApiKey(
  key: string,
  resolve: ResolveApiKey,
  now: () => number,
): Promise<VerifiedToken> {
  if (!API_KEY_SHAPE.test(key)) throw invalidBearerToken('The API key is malformed');
  const stored = await resolve(apiKeyHash(key));
  if (stored === undefined) throw invalidBearerToken('The API key is not valid');
  if (now() >= stored.expiresAtMs) throw invalidBearerToken('The API key has expired');
  const grant = { keyId: stored.keyId, workspaceId: stored.workspaceId, orgId: stored.orgId };
  return Object.freeze({ userId: `apikey:${stored.keyId}`, issuedAt: undefined, apiKey: grant });
}

export interface ApiKeyOptions {
  resolve: ResolveApiKey;
  now?: () => number;
}

/**
 * The bearer check of a read function: a `bsk_` value is authenticated as an API key (its
 * principal carries the grant, which the access rule reads instead of a user partition),
 * anything else goes to the JWT verifier unchanged.
 */
export function acceptingApiKeys(verify: TokenVerifier, options: ApiKeyOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const check = (token: string) =>
    isApiKeyToken(token) ? authenticateApiKey(token, options.resolve, now) : verify(token);
  return Object.assign(check, { ready: verify.ready });
}

/**
 * The bearer check of the functions that change something (webhooks, manage): API keys are
 * read-only, so a valid key is a 403 on every route of them (an invalid one a 401, as
 * everywhere).
 */
export function refusingApiKeys(verify: TokenVerifier, options: ApiKeyOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const check = async (token: string) => {
    if (!isApiKeyToken(token)) return verify(token);
    await authenticateApiKey(token, options.resolve, now);
    throw new Forbidden('API keys are read-only: changes need a user token');
  };
  return Object.assign(check, { ready: verify.ready });
}
