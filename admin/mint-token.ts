import { SignJWT } from 'jose';
import { AdminError } from '../functions/data/operator.ts';
import { isValidId } from '../functions/domain/ids.ts';
import { MIN_HS256_SECRET_BYTES } from '../functions/shared/config.ts';

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
  if (Buffer.byteLength(input.secret ?? '', 'utf8') < MIN_HS256_SECRET_BYTES) {
    throw new AdminError(`the secret must be at least ${MIN_HS256_SECRET_BYTES} bytes for HS256`);
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
