import type { Seeder } from './seed.ts';

/** [label, user profile, membership role in the bucket's workspace, expected status]. */
export type AccessCase = [string, Parameters<Seeder['user']>[1], string | undefined, number];

/**
 * The access rule of DESIGN.md section 2 as a table, for a bucket owned by org `org`: shared by
 * every bucket route's tests (status, stats, uptime, events), so all of them face the same
 * cases.
 */
export const accessMatrix = (org: string): AccessCase[] => [
  ['READ member', { orgId: org, orgRole: 'MEMBER' }, 'READ', 200],
  ['WRITE member', { orgId: org, orgRole: 'MEMBER' }, 'WRITE', 200],
  ['ADMIN member', { orgId: org, orgRole: 'MEMBER' }, 'ADMIN', 200],
  ['org OWNER of the owning org', { orgId: org, orgRole: 'OWNER' }, undefined, 200],
  ['org ADMIN of the owning org', { orgId: org, orgRole: 'ADMIN' }, undefined, 200],
  ['org MEMBER of the owning org', { orgId: org, orgRole: 'MEMBER' }, undefined, 403],
  ['org OWNER of another org', { orgId: 'other', orgRole: 'OWNER' }, undefined, 403],
  ['org ADMIN of another org', { orgId: 'other', orgRole: 'ADMIN' }, undefined, 403],
  ['org MEMBER of another org', { orgId: 'other', orgRole: 'MEMBER' }, undefined, 403],
  ['non-member', { orgId: org, orgRole: 'MEMBER' }, undefined, 403],
  ['member with an unknown role', { orgId: org, orgRole: 'MEMBER' }, 'SUPERUSER', 403],
  // DESIGN.md section 7: a membership never crosses orgs (a grant stored before the rule).
  ['READ member of another org', { orgId: 'other', orgRole: 'MEMBER' }, 'READ', 403],
  ['ADMIN member of another org', { orgId: 'other', orgRole: 'OWNER' }, 'ADMIN', 403],
  ['DISABLED READ member', { orgId: org, orgRole: 'OWNER', status: 'DISABLED' }, 'READ', 403],
  ['user with an unknown status', { orgId: org, orgRole: 'OWNER', status: 'PENDING' }, 'READ', 403],
];
