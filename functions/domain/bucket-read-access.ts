import {
  type BucketOwner,
  decideAccess,
  isTokenRevoked,
  type Principal,
  type UserAccess,
} from './access.ts';
import { Forbidden, NotFound, Unauthenticated } from './errors.ts';
import type { BucketReadGrant, DecideBucketRead, LoadUserAccess } from './ports/bucket-reads.ts';

export type { Principal };

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

/**
 * The same rule for a workspace's reads (GET /workspace/{workspaceId}/buckets, DESIGN.md section
 * 14), in the same order: user missing 404, token revoked 401, user disabled 403, workspace
 * missing 404, no access 403 (a member of the workspace, any role, or org OWNER/ADMIN of its
 * org; an API key of that workspace).
 */
export function assertWorkspaceReadable(
  principal: Principal,
  user: UserAccess | undefined,
  workspace: BucketOwner | undefined,
): asserts workspace is BucketOwner {
  if (user === undefined) throw new NotFound('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw new Unauthenticated('The token has been revoked', 'bearer-token');
  }
  if (user.status !== 'ACTIVE') throw new Forbidden('The user is disabled');
  if (workspace === undefined) throw new NotFound('Workspace not found');
  if (decideAccess(user, workspace) !== 'allowed') {
    throw new Forbidden('You do not have access to this workspace');
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
    const user = await loadUserAccess(principal);
    return (owner) => {
      assertBucketReadable(principal, user, owner);
      return FULL_VIEW;
    };
  };
