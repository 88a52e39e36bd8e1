// The operator CLI's share commands (DESIGN.md section 17, docs/ADMIN.md): list-shares shows
// a bucket's shares without their tokens, revoke-share makes a token useless at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShareStore } from '../../functions/data/shares.ts';
import { generateShareToken, shareTokenHash } from '../../functions/domain/shares.ts';
import { adminRunner } from '../admin/helpers.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

let table: TestTable;
let run: ReturnType<typeof adminRunner>;
let shares: ReturnType<typeof createShareStore>;
const token = generateShareToken();

beforeAll(async () => {
  table = await createTestTable('admin-shares');
  run = adminRunner(table);
  shares = createShareStore(table.client, table.tableName);
  const seed = new Seeder(table.client, table.tableName);
  await seed.workspace('ws-1', { orgId: 'org-1' });
  await seed.bucket('b-1', { workspaceId: 'ws-1', orgId: 'org-1' });
  await seed.bucket('b-empty', { workspaceId: 'ws-1', orgId: 'org-1' });
  await shares.putShare('b-1', {
    shareId: 'shr_one',
    slot: 3,
    label: 'for "customers"',
    showIps: false,
    createdAt: '2026-12-01T10:00:00.000Z',
    tokenHash: shareTokenHash(token),
  });
  await shares.putShare('b-1', {
    shareId: 'shr_two',
    slot: 0,
    label: undefined,
    showIps: true,
    createdAt: '2026-12-02T10:00:00.000Z',
    tokenHash: shareTokenHash(generateShareToken()),
  });
});

afterAll(() => table.client.destroy());

describe('list-shares', () => {
  it('one line per share, oldest first, never a token or its hash', async () => {
    const result = await run(['list-shares', '--bucket-id', 'b-1']);
    expect(result).toEqual({
      code: 0,
      stdout:
        'shr_one created 2026-12-01T10:00:00.000Z ips hidden label "for \\"customers\\""\n' +
        'shr_two created 2026-12-02T10:00:00.000Z ips shown\n',
      stderr: '',
    });
    expect(result.stdout).not.toContain(shareTokenHash(token));
  });

  it('says so for a bucket without shares; fails for an unknown bucket; 2 for a bad id', async () => {
    expect((await run(['list-shares', '--bucket-id', 'b-empty'])).stdout).toBe(
      'bucket b-empty has no shares\n',
    );
    const unknown = await run(['list-shares', '--bucket-id', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: bucket nope does not exist\n');
    expect((await run(['list-shares', '--bucket-id', 'bad id'])).code).toBe(2);
    expect((await run(['list-shares'])).code).toBe(2);
  });
});

describe('revoke-share', () => {
  it('removes the share and its token lookup; a second revoke fails', async () => {
    expect(await shares.findShare(shareTokenHash(token))).toMatchObject({ bucketId: 'b-1' });
    const result = await run(['revoke-share', '--bucket-id', 'b-1', '--share-id', 'shr_one']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('revoked share shr_one of bucket b-1');
    expect(await shares.findShare(shareTokenHash(token))).toBeUndefined();
    expect((await run(['list-shares', '--bucket-id', 'b-1'])).stdout).not.toContain('shr_one');
    const again = await run(['revoke-share', '--bucket-id', 'b-1', '--share-id', 'shr_one']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('error: bucket b-1 has no share shr_one\n');
    // The share of another bucket is not reachable through this one.
    const other = await run(['revoke-share', '--bucket-id', 'b-empty', '--share-id', 'shr_two']);
    expect(other.code).toBe(1);
  });
});
