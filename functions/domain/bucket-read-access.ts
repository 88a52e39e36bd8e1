import { type BucketOwner, decideAccess, isTokenRevoked, type UserAccess } from './access.ts';
import { Forbidden, NotFound, Unauthenticated } from './errors.ts';
import type { BucketReadGrant, DecideBucketRead, LoadUserAccess } from './ports/bucket-reads.ts';

/** Who is asking: the verified token's subject and `iat` (epoch seconds). */
export interface Principal {
  userId: string;
  issuedAt: number | undefined;
}

/**
 * The access rule of every bucket read (DESIGN.md section 2), in its order: user missing 404,
 * token revoked 401, user disabled 403, bucket missing 404, no access 403. The status, stats,
 * uptime and events routes all call this one function.
 */
export function assertBucketReadable(
  principal: Principal,
  user: UserAccess | undefined,
  owner: BucketOwner | undefined,
): asserts owner is BucketOwner {
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

/** A user who may read a bucket sees all of it. */
const FULL_VIEW: BucketReadGrant = { showIps: true };

/**
 * The access decision of a user's bucket read: the user's partition (read in parallel with the
 * bucket's first page), then assertBucketReadable.
 */
export const userBucketRead =
  (principal: Principal, loadUserAccess: LoadUserAccess): DecideBucketRead =>
  async () => {
    const user = await loadUserAccess(principal.userId);
    return (owner) => {
      assertBucketReadable(principal, user, owner);
      return FULL_VIEW;
    };
  };
