// Who may manage a workspace's webhooks (DESIGN.md section 10), as the pure rule: the webhook
// handler checks the user's status before it asks, so the rule's own refusals (disabled users,
// workspaces without an org) are only reachable here. The HTTP matrix is in
// test/webhooks/management.test.ts.
import { describe, expect, it } from 'vitest';
import { mayManageWebhooks } from '../../functions/domain/webhook-access.ts';
import { userAccess as user } from '../support/user-access.ts';

const workspace = { workspaceId: 'ws-1', orgId: 'org-a' };
const wsAdmin = new Map([['ws-1', 'ADMIN']]);

describe('mayManageWebhooks', () => {
  it('allows a workspace ADMIN and an org OWNER or ADMIN', () => {
    expect(mayManageWebhooks(user({ workspaceRoles: wsAdmin }), workspace)).toBe(true);
    expect(mayManageWebhooks(user({ orgRole: 'OWNER' }), workspace)).toBe(true);
    expect(mayManageWebhooks(user({ orgRole: 'ADMIN' }), workspace)).toBe(true);
  });

  it('refuses READ and WRITE members, org MEMBERs, users without an org role', () => {
    for (const role of ['READ', 'WRITE']) {
      expect(
        mayManageWebhooks(user({ workspaceRoles: new Map([['ws-1', role]]) }), workspace),
      ).toBe(false);
    }
    expect(mayManageWebhooks(user(), workspace)).toBe(false);
    expect(mayManageWebhooks(user({ orgRole: undefined }), workspace)).toBe(false);
  });

  it('refuses a user who is not ACTIVE, whatever their roles', () => {
    for (const status of ['DISABLED', undefined]) {
      expect(
        mayManageWebhooks(user({ status, orgRole: 'OWNER', workspaceRoles: wsAdmin }), workspace),
      ).toBe(false);
    }
  });

  it('refuses everyone for a workspace without an org, even an org-less workspace ADMIN', () => {
    const orgless = { workspaceId: 'ws-1', orgId: undefined };
    expect(
      mayManageWebhooks(
        user({ orgId: undefined, orgRole: 'OWNER', workspaceRoles: wsAdmin }),
        orgless,
      ),
    ).toBe(false);
    expect(mayManageWebhooks(user({ orgRole: 'OWNER', workspaceRoles: wsAdmin }), orgless)).toBe(
      false,
    );
  });

  it('refuses roles of another org, and a workspace ADMIN row of a user of another org', () => {
    const other = { workspaceId: 'ws-1', orgId: 'org-b' };
    expect(mayManageWebhooks(user({ orgRole: 'OWNER' }), other)).toBe(false);
    expect(mayManageWebhooks(user({ workspaceRoles: wsAdmin }), other)).toBe(false);
  });
});
