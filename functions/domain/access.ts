/** The access rule of DESIGN.md section 2, as pure data and functions. */
export const WORKSPACE_ROLES = ['READ', 'WRITE', 'ADMIN'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];
export const ORG_ROLES = ['OWNER', 'ADMIN', 'MEMBER'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
export const USER_STATUSES = ['ACTIVE', 'DISABLED'] as const;

export interface UserAccess {
  userId: string;
  orgId: string | undefined;
  orgRole: string | undefined;
  status: string | undefined;
  /** Epoch seconds; tokens issued before this instant are revoked. */
  tokensValidAfter: number | undefined;
  /** workspaceId -> role, from the user's WORKSPACE# rows. */
  workspaceRoles: ReadonlyMap<string, string>;
}

export interface BucketOwner {
  workspaceId: string | undefined;
  orgId: string | undefined;
}

/**
 * What a workspace API key grants (DESIGN.md section 18): its lookup row's workspace and org,
 * read by one consistent GetItem on every request (functions/auth/api-keys.ts).
 */
export interface ApiKeyGrant {
  keyId: string;
  workspaceId: string;
  orgId: string;
}

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
 * A key as a principal of the access rule: ACTIVE in its org, READ in exactly its workspace,
 * no org role, never revoked by a user's tokensValidAfter (revoking a key deletes its lookup
 * row). So every bucket read's check (`decideAccess`) allows the key's workspace's buckets
 * and refuses all others as for a user without membership, and every management rule
 * (workspace ADMIN or org OWNER/ADMIN) refuses it. No user partition is read.
 */
export function apiKeyAccess(grant: ApiKeyGrant): UserAccess {
  return {
    userId: `apikey:${grant.keyId}`,
    orgId: grant.orgId,
    orgRole: undefined,
    status: 'ACTIVE',
    tokensValidAfter: undefined,
    workspaceRoles: new Map([[grant.workspaceId, 'READ']]),
  };
}

export type AccessDecision = 'allowed' | 'user-disabled' | 'no-access';

const READ_ROLES: ReadonlySet<string> = new Set(WORKSPACE_ROLES);
const ORG_READ_ROLES: ReadonlySet<string> = new Set(['OWNER', 'ADMIN']);

/**
 * ACTIVE and (a READ/WRITE/ADMIN membership in the bucket's workspace, or OWNER/ADMIN of the
 * org that owns the bucket), the user always of the bucket's org. Unknown statuses and roles
 * fail closed.
 */
export function decideAccess(user: UserAccess, bucket: BucketOwner): AccessDecision {
  if (user.status !== 'ACTIVE') return 'user-disabled';
  const role =
    bucket.workspaceId === undefined ? undefined : user.workspaceRoles.get(bucket.workspaceId);
  // A membership counts only inside the bucket's own org: nothing makes a bucket readable by a
  // user of another org (DESIGN.md section 7), not even a grant stored before the rule existed.
  const sameOrg = bucket.orgId !== undefined && user.orgId === bucket.orgId;
  if (role !== undefined && READ_ROLES.has(role) && sameOrg) return 'allowed';
  if (
    bucket.orgId !== undefined &&
    user.orgId === bucket.orgId &&
    user.orgRole !== undefined &&
    ORG_READ_ROLES.has(user.orgRole)
  ) {
    return 'allowed';
  }
  return 'no-access';
}

/**
 * A token is revoked when the user's tokensValidAfter is set and the token was issued before
 * it, or carries no `iat` at all (its issue time cannot be proven).
 */
export function isTokenRevoked(issuedAt: number | undefined, tokensValidAfter: number | undefined) {
  if (tokensValidAfter === undefined) return false;
  return issuedAt === undefined || issuedAt < tokensValidAfter;
}
