import { describe, expect, it } from 'vitest';
import { decideAccess, isTokenRevoked } from '../../functions/domain/access.ts';
import { userAccess as user } from '../support/user-access.ts';

const bucket = { workspaceId: 'ws-1', orgId: 'org-a' };

describe('decideAccess', () => {
  it.each(['READ', 'WRITE', 'ADMIN'])('allows a %s member of the workspace', (role) => {
    expect(decideAccess(user({ workspaceRoles: new Map([['ws-1', role]]) }), bucket)).toBe(
      'allowed',
    );
  });
  it('refuses a workspace member of another org: a grant never crosses orgs (DESIGN.md 7)', () => {
    const member = user({ orgId: 'org-b', workspaceRoles: new Map([['ws-1', 'ADMIN']]) });
    expect(decideAccess(member, bucket)).toBe('no-access');
    expect(decideAccess(member, { workspaceId: 'ws-1', orgId: undefined })).toBe('no-access');
  });

  it.each(['OWNER', 'ADMIN'])('allows an org %s of the owning org', (orgRole) => {
    expect(decideAccess(user({ orgRole }), bucket)).toBe('allowed');
  });
  it('refuses an org MEMBER without membership, and org roles of another org', () => {
    expect(decideAccess(user(), bucket)).toBe('no-access');
    expect(decideAccess(user({ orgId: 'org-b', orgRole: 'OWNER' }), bucket)).toBe('no-access');
  });
  it('refuses unknown roles (fail closed)', () => {
    expect(decideAccess(user({ workspaceRoles: new Map([['ws-1', 'read']]) }), bucket)).toBe(
      'no-access',
    );
    expect(decideAccess(user({ orgRole: 'owner' }), bucket)).toBe('no-access');
  });
  it('never lets an undefined org match a bucket without an org', () => {
    expect(
      decideAccess(user({ orgId: undefined, orgRole: 'OWNER' }), {
        workspaceId: 'ws-1',
        orgId: undefined,
      }),
    ).toBe('no-access');
  });
  it('refuses disabled or unknown-status users whatever their roles', () => {
    const roles = new Map([['ws-1', 'ADMIN']]);
    expect(
      decideAccess(user({ status: 'DISABLED', orgRole: 'OWNER', workspaceRoles: roles }), bucket),
    ).toBe('user-disabled');
    expect(decideAccess(user({ status: undefined, workspaceRoles: roles }), bucket)).toBe(
      'user-disabled',
    );
  });
});

describe('isTokenRevoked', () => {
  it('is false without tokensValidAfter', () => {
    expect(isTokenRevoked(undefined, undefined)).toBe(false);
    expect(isTokenRevoked(5, undefined)).toBe(false);
  });
  it('revokes tokens issued before the cut-off and tokens without iat', () => {
    expect(isTokenRevoked(99, 100)).toBe(true);
    expect(isTokenRevoked(100, 100)).toBe(false);
    expect(isTokenRevoked(undefined, 100)).toBe(true);
  });
});
