import type { UserAccess } from '../../functions/domain/access.ts';

/** A user as the access rules see it: an active MEMBER of org-a with no workspace roles. */
export const userAccess = (overrides: Partial<UserAccess> = {}): UserAccess => ({
  userId: 'u',
  orgId: 'org-a',
  orgRole: 'MEMBER',
  status: 'ACTIVE',
  tokensValidAfter: undefined,
  workspaceRoles: new Map(),
  ...overrides,
});
