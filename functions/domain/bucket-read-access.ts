import {
  type ApiKeyGrant,
  type BucketOwner,
  decideAccess,
  isTokenRevoked,
  type UserAccess,
} from './access.ts';
import { Forbidden, NotFound, Unauthenticated } from './errors.ts';

/**
 * Who is asking: the verified token's subject and `iat` (epoch seconds), or a workspace API
 * key (`apiKey` set, `userId` the key's `apikey:<keyId>`, never a user id: ids have no colon).
 */
export interface Principal {
  userId: string;
  issuedAt: number | undefined;
  apiKey?: ApiKeyGrant;
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
