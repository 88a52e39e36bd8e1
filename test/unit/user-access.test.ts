// The user access reader (functions/data/user-access.ts) over the real engine: the PROFILE row
// and the WORKSPACE# membership rows of a user's partition become one UserAccess; nothing else
// in the partition grants a role, and a user without a profile has no access at all.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUserAccessReader } from '../../functions/data/user-access.ts';
import type { LoadUserAccess } from '../../functions/domain/ports/bucket-reads.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable } from '../support/table.ts';

let seed: Seeder;
let loadAccess: LoadUserAccess;
const load = (userId: string) => loadAccess({ userId, issuedAt: undefined });
beforeAll(async () => {
  const { client, tableName } = await createTestTable('user-access');
  seed = new Seeder(client, tableName);
  loadAccess = createUserAccessReader(client, tableName);
});

describe('loadUserAccess', () => {
  it('reads the profile and every membership with its role', async () => {
    const userId = randomUUID();
    await seed.user(userId, {
      orgId: 'org-9',
      orgRole: 'ADMIN',
      status: 'DISABLED',
      tokensValidAfter: 1_764_576_000,
    });
    await seed.membership(userId, 'ws-a', 'READ');
    await seed.membership(userId, 'ws-b', 'ADMIN');
    expect(await load(userId)).toStrictEqual({
      userId,
      orgId: 'org-9',
      orgRole: 'ADMIN',
      status: 'DISABLED',
      tokensValidAfter: 1_764_576_000,
      workspaceRoles: new Map([
        ['ws-a', 'READ'],
        ['ws-b', 'ADMIN'],
      ]),
    });
  });

  it('a user without a PROFILE row has no access, whatever memberships are left', async () => {
    const userId = randomUUID();
    await seed.membership(userId, 'ws-a', 'ADMIN');
    expect(await load(userId)).toBeUndefined();
    expect(await load(randomUUID())).toBeUndefined();
  });

  it('a membership row without a role, or a row of another kind, grants no role', async () => {
    const userId = randomUUID();
    await seed.user(userId, { orgId: 'org-1', orgRole: 'MEMBER' });
    await seed.membership(userId, 'ws-kept', 'WRITE');
    await seed.put({ pk: `USER#${userId}`, sk: 'WORKSPACE#ws-no-role' });
    await seed.put({ pk: `USER#${userId}`, sk: 'INVITE#ws-invited', role: 'ADMIN' });
    const access = await load(userId);
    expect(access?.workspaceRoles).toStrictEqual(new Map([['ws-kept', 'WRITE']]));
  });

  it('an API key reads nothing: ACTIVE in its org, READ in exactly its workspace', async () => {
    // A user partition under the key's principal id would be ignored: none is read.
    await seed.user('apikey:ak_1', { orgId: 'org-x', orgRole: 'OWNER' });
    const apiKey = { keyId: 'ak_1', workspaceId: 'ws-k', orgId: 'org-k' };
    expect(await loadAccess({ userId: 'apikey:ak_1', issuedAt: undefined, apiKey })).toStrictEqual({
      userId: 'apikey:ak_1',
      orgId: 'org-k',
      orgRole: undefined,
      status: 'ACTIVE',
      tokensValidAfter: undefined,
      workspaceRoles: new Map([['ws-k', 'READ']]),
    });
  });
});
