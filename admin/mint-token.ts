import { SignJWT } from 'jose';
import { isValidId } from '../functions/domain/ids.ts';
import { assertSecretStrength, ConfigError } from '../functions/shared/config.ts';
import { AdminError } from './operator-store.ts';

/**
 * `mint-token`: a development HS256 token. No table access, so it lives beside the CLI, not
 * in the operator's data module.
 */

function requireId(value: unknown, what: string): string {
  if (!isValidId(value)) {
    throw new AdminError(`${what} must be 1-128 characters of A-Z, a-z, 0-9, _ or -`);
  }
  return value;
}

export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

/** A development HS256 token for `userId`, verifiable by the status API with the same secret. */
export async function mintToken(input: {
  userId: string;
  secret: string;
  expiresInSeconds?: number;
  issuer?: string;
  audience?: string | string[];
}): Promise<string> {
  const userId = requireId(input.userId, 'userId');
  // The one strength check (functions/shared/config.ts), as an operator error of this call.
  try {
    assertSecretStrength(input.secret ?? '', 'the secret');
  } catch (error) {
    if (error instanceof ConfigError) throw new AdminError(error.message);
    throw error;
  }
  const lifetime = input.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isSafeInteger(lifetime) || lifetime < 1) {
    throw new AdminError('expiresInSeconds must be a positive integer');
  }
  const issuedAt = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetime);
  if (input.issuer !== undefined) jwt.setIssuer(input.issuer);
  if (input.audience !== undefined) jwt.setAudience(input.audience);
  return jwt.sign(new TextEncoder().encode(input.secret));
}
