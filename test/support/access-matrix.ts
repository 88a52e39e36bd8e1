import type { Seeder } from './seed.ts';

/**
 * The access rule's matrix (DESIGN.md section 2) for a bucket of workspace `WORKSPACE` in org
 * `ORG`: shared by every bucket route's suite (status, events, ...), so each route proves the
 * same rule. [label, the user's profile, a role in the bucket's workspace, expected status].
 */
export const ACCESS_ORG = 'org-owner';
export const ACCESS_WORKSPACE = 'ws-main';

export type AccessCase = [string, Parameters<Seeder['user']>[1], string | undefined, number];

export const ACCESS_MATRIX: AccessCase[] = [
  ['READ member', { orgId: 'other', orgRole: 'MEMBER' }, 'READ', 200],
  ['WRITE member', { orgId: 'other', orgRole: 'MEMBER' }, 'WRITE', 200],
  ['ADMIN member', { orgId: 'other', orgRole: 'MEMBER' }, 'ADMIN', 200],
  ['org OWNER of the owning org', { orgId: ACCESS_ORG, orgRole: 'OWNER' }, undefined, 200],
  ['org ADMIN of the owning org', { orgId: ACCESS_ORG, orgRole: 'ADMIN' }, undefined, 200],
  ['org MEMBER of the owning org', { orgId: ACCESS_ORG, orgRole: 'MEMBER' }, undefined, 403],
  ['org OWNER of another org', { orgId: 'other', orgRole: 'OWNER' }, undefined, 403],
  ['org ADMIN of another org', { orgId: 'other', orgRole: 'ADMIN' }, undefined, 403],
  ['org MEMBER of another org', { orgId: 'other', orgRole: 'MEMBER' }, undefined, 403],
  ['non-member', { orgId: ACCESS_ORG, orgRole: 'MEMBER' }, undefined, 403],
  ['member with an unknown role', { orgId: 'other', orgRole: 'MEMBER' }, 'SUPERUSER', 403],
  [
    'DISABLED READ member',
    { orgId: ACCESS_ORG, orgRole: 'OWNER', status: 'DISABLED' },
    'READ',
    403,
  ],
  [
    'user with an unknown status',
    { orgId: ACCESS_ORG, orgRole: 'OWNER', status: 'PENDING' },
    'READ',
    403,
  ],
];
