/**
 * The read check every bucket route shares (GET status, events, stats, uptime): in this order,
 * user missing -> 404, token issued before the user's cut-off -> 401, user not ACTIVE -> 403,
 * bucket missing -> 404, access rule -> 403. Pure; throws domain errors.
 */
import { type BucketOwner, decideAccess, isTokenRevoked, type UserAccess } from './access.ts';
import { Forbidden, NotFound, Unauthenticated } from './errors.ts';

/** Who is asking: the verified token's subject and `iat` (epoch seconds). */
export interface Principal {
  userId: string;
  issuedAt: number | undefined;
}

export function assertMayReadBucket(
  principal: Principal,
  user: UserAccess | undefined,
  owner: BucketOwner | undefined,
): void {
  if (user === undefined) throw new NotFound('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw new Unauthenticated('The token has been revoked', 'bearer-token');
  }
  if (user.status !== 'ACTIVE') throw new Forbidden('The user is disabled');
  if (owner === undefined) throw new NotFound('Bucket not found');
  if (decideAccess(user, owner) !== 'allowed') {
    throw new Forbidden('You do not have access to this bucket');
  }
}
