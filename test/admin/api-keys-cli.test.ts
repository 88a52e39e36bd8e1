// The operator's API key commands (docs/ADMIN.md): list-api-keys shows what the API lists and
// never a key or its hash; revoke-api-key makes the key answer 401 from the next request on,
// as the API's DELETE does. Keys are created through the management function's real route.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '../../functions/http/response.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { JWT_TEST_SECRET, userToken } from '../support/ingest-fixture.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { managementRoutesFor, statusHandlerFor, testSettings } from '../support/wiring.ts';
import { adminRunner } from './helpers.ts';

let table: TestTable;
let admin: ReturnType<typeof adminRunner>;
let createKey: (description?: string) => Promise<{ id: string; key: string }>;
let readStatus: (key: string) => Promise<number>;
const W = 'ws-cli-keys';
const B = 'bucket-cli-keys';

beforeAll(async () => {
  table = await createTestTable('admin-api-keys');
  admin = adminRunner(table);
  const seed = new Seeder(table.client, table.tableName);
  await seed.workspace(W, { orgId: 'org-k' });
  await seed.workspace('ws-empty', { orgId: 'org-k' });
  await seed.bucket(B, { workspaceId: W, orgId: 'org-k' });
  await seed.user('owner-k', { orgId: 'org-k', orgRole: 'OWNER' });
  const wiring = {
    client: table.client,
    settings: testSettings(table.tableName, JWT_TEST_SECRET),
  };
  const create = managementRoutesFor(wiring)['POST /workspace/{workspaceId}/api-keys'];
  const status = statusHandlerFor(wiring);
  const token = await userToken('owner-k');
  createKey = async (description) => {
    const result = (await create(
      httpApiEvent({
        method: 'POST',
        path: `/workspace/${W}/api-keys`,
        routeKey: 'POST /workspace/{workspaceId}/api-keys',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        pathParameters: { workspaceId: W },
        body: JSON.stringify(description === undefined ? {} : { description }),
      }),
      lambdaContext(),
    )) as HttpResult;
    expect(result.statusCode, result.body).toBe(201);
    return JSON.parse(result.body as string) as { id: string; key: string };
  };
  readStatus = async (key) =>
    (
      (await status(
        httpApiEvent({
          method: 'GET',
          path: `/bucket/${B}/status`,
          routeKey: 'GET /bucket/{bucketId}/status',
          headers: { authorization: `Bearer ${key}` },
          pathParameters: { bucketId: B },
        }),
        lambdaContext(),
      )) as HttpResult
    ).statusCode;
});

describe('list-api-keys', () => {
  it('prints one JSON line of the keys, oldest first, never a key or its hash', async () => {
    const first = await createKey('ci');
    const second = await createKey();
    const run = await admin(['list-api-keys', '--workspace-id', W]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const listed = JSON.parse(run.stdout) as { workspaceId: string; keys: { id: string }[] };
    expect(listed.workspaceId).toBe(W);
    const ids = listed.keys.map((k) => k.id);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
    expect(listed.keys.find((k) => k.id === first.id)).toEqual({
      id: first.id,
      description: 'ci',
      createdAt: expect.stringMatching(/^\d{4}-/),
      expiresAt: expect.stringMatching(/^\d{4}-/),
    });
    for (const { key } of [first, second]) {
      expect(run.stdout).not.toContain(key);
      expect(run.stdout).not.toContain(createHash('sha256').update(key).digest('base64url'));
    }
  });

  it('an empty workspace lists none; a missing one exits 1; a bad id exits 2', async () => {
    expect((await admin(['list-api-keys', '--workspace-id', 'ws-empty'])).stdout).toBe(
      '{"workspaceId":"ws-empty","keys":[]}\n',
    );
    const missing = await admin(['list-api-keys', '--workspace-id', 'ws-nope']);
    expect(missing).toMatchObject({ code: 1, stderr: 'error: workspace ws-nope does not exist\n' });
    expect((await admin(['list-api-keys', '--workspace-id', 'a#b'])).code).toBe(2);
    expect((await admin(['list-api-keys'])).code).toBe(2);
  });
});

describe('revoke-api-key', () => {
  it('the key answers 401 from the next request on; it is no longer listed', async () => {
    const { id, key } = await createKey('to revoke');
    expect(await readStatus(key)).toBe(200);
    const run = await admin(['revoke-api-key', '--workspace-id', W, '--key-id', id]);
    expect(run).toEqual({
      code: 0,
      stdout: `revoked API key ${id} of workspace ${W}\n`,
      stderr: '',
    });
    expect(await readStatus(key)).toBe(401);
    const listed = await admin(['list-api-keys', '--workspace-id', W]);
    expect(listed.stdout).not.toContain(id);
    const again = await admin(['revoke-api-key', '--workspace-id', W, '--key-id', id]);
    expect(again).toMatchObject({
      code: 1,
      stderr: `error: workspace ${W} has no API key ${id}\n`,
    });
  });

  it('a key of another workspace is not revoked through this one (exit 1)', async () => {
    const { id, key } = await createKey();
    const run = await admin(['revoke-api-key', '--workspace-id', 'ws-empty', '--key-id', id]);
    expect(run.code).toBe(1);
    expect(await readStatus(key)).toBe(200);
    expect((await admin(['revoke-api-key', '--workspace-id', W])).code).toBe(2);
  });
});
