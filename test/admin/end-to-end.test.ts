import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_SK, userPk } from '../../functions/data/keys.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { readJwtConfig } from '../../functions/shared/config.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { lambdaContext, statusEvent } from '../support/events.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { statusHandlerFor, testSettings } from '../support/wiring.ts';
import { adminRunner, readRow } from './helpers.ts';

const SECRET = 'end-to-end-secret-with-more-than-32-bytes';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let table: TestTable;
let admin: ReturnType<typeof adminRunner>;
let getStatus: (
  bucketId: string,
  token: string,
) => Promise<HttpResult & { json: Record<string, unknown> }>;

beforeAll(async () => {
  table = await createTestTable('admin-e2e');
  admin = adminRunner(table, { JWT_SECRET: SECRET });
  // The production wiring (functions/status/wiring.ts), against the test table.
  const handler = statusHandlerFor({
    client: table.client,
    settings: testSettings(table.tableName, SECRET, { jwt: readJwtConfig({ JWT_SECRET: SECRET }) }),
    logger: createLogger('admin-e2e'),
  });
  getStatus = async (bucketId, token) => {
    const event = statusEvent(bucketId, { authorization: `Bearer ${token}` });
    const result = (await handler(event, lambdaContext())) as HttpResult;
    return { ...result, json: JSON.parse(result.body) };
  };
});

afterAll(() => table.client.destroy());

/** Runs a command that must succeed and returns its stdout. */
async function ok(argv: string[]): Promise<string> {
  const run = await admin(argv);
  expect(run, `${argv.join(' ')}: ${run.stderr}`).toMatchObject({ code: 0, stderr: '' });
  return run.stdout;
}

const mint = async (userId: string) => (await ok(['mint-token', '--user-id', userId])).trim();

describe('operator workflow, read back through the status API', () => {
  it('grants, revokes, revokes tokens and disables with the API answering accordingly', async () => {
    await ok(['create-user', '--user-id', 'alice', '--org-id', 'acme']);
    await ok(['create-workspace', '--workspace-id', 'ws-media', '--org-id', 'acme']);
    await ok([
      'create-bucket',
      '--bucket-id',
      'photos',
      '--workspace-id',
      'ws-media',
      '--org-id',
      'acme',
    ]);
    await ok(['grant', '--user-id', 'alice', '--workspace-id', 'ws-media', '--role', 'READ']);
    const node = JSON.parse(await ok(['register-node', '--node-id', 'edge-1', '--org-id', 'acme']));
    expect(node.privateKey).toEqual(expect.any(String));
    await ok(['assign-node', '--bucket-id', 'photos', '--node-id', 'edge-1']);
    const token = await mint('alice');

    const granted = await getStatus('photos', token);
    expect(granted.statusCode).toBe(200);
    // Assigned but never reported: DISCONNECTED, with no report fields.
    expect(granted.json).toEqual({ bucketId: 'photos', nodeStatus: [{ status: 'DISCONNECTED' }] });

    await ok(['revoke', '--user-id', 'alice', '--workspace-id', 'ws-media']);
    const revoked = await getStatus('photos', token);
    expect(revoked.statusCode).toBe(403);
    expect(revoked.json).toEqual({
      success: false,
      message: 'You do not have access to this bucket',
    });

    await ok(['grant', '--user-id', 'alice', '--workspace-id', 'ws-media', '--role', 'WRITE']);
    expect((await getStatus('photos', token)).statusCode).toBe(200);
    const { tokensValidAfter } = JSON.parse(await ok(['revoke-tokens', '--user-id', 'alice']));
    const revokedToken = await getStatus('photos', token);
    expect(revokedToken.statusCode).toBe(401);
    expect(revokedToken.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(revokedToken.json).toEqual({ success: false, message: 'The token has been revoked' });

    // A token issued from tokensValidAfter on works again (at most a second's wait).
    const wait = tokensValidAfter * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const freshToken = await mint('alice');
    expect((await getStatus('photos', freshToken)).statusCode).toBe(200);

    await ok(['disable-user', '--user-id', 'alice']);
    const disabled = await getStatus('photos', freshToken);
    expect(disabled.statusCode).toBe(403);
    expect(disabled.json).toEqual({ success: false, message: 'The user is disabled' });
  });

  it('unassign-node removes the node from the status; an org ADMIN reads without a grant', async () => {
    await ok(['create-user', '--user-id', 'olga', '--org-id', 'acme', '--org-role', 'ADMIN']);
    await ok(['create-workspace', '--workspace-id', 'ws-ops', '--org-id', 'acme']);
    await ok([
      'create-bucket',
      '--bucket-id',
      'logs',
      '--workspace-id',
      'ws-ops',
      '--org-id',
      'acme',
    ]);
    await ok(['register-node', '--node-id', 'edge-a']);
    await ok(['register-node', '--node-id', 'edge-b']);
    await ok(['assign-node', '--bucket-id', 'logs', '--node-id', 'edge-b']);
    await ok(['assign-node', '--bucket-id', 'logs', '--node-id', 'edge-a']);
    const token = await mint('olga');
    const both = await getStatus('logs', token);
    expect(both.statusCode).toBe(200);
    expect((both.json.nodeStatus as unknown[]).length).toBe(2);
    await ok(['unassign-node', '--bucket-id', 'logs', '--node-id', 'edge-a']);
    const one = await getStatus('logs', token);
    expect(one.json).toEqual({ bucketId: 'logs', nodeStatus: [{ status: 'DISCONNECTED' }] });
  });
});

describe('the real CLI process (npm run admin wiring)', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, ['admin/cli.ts', ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TABLE_NAME: table.tableName,
        DYNAMODB_ENDPOINT: table.endpoint,
        ...env,
      },
      timeout: 20_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );

  it('prints --help with exit 0 and a usage error with exit 2', async () => {
    const [help, usage] = await Promise.all([cli(['--help']), cli(['grant', '--role', 'GOD'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run admin -- <command> [options]');
    expect(usage).toEqual({ code: 2, stdout: '', stderr: 'error: --user-id is required\n' });
  });

  it('writes to the table named by TABLE_NAME at DYNAMODB_ENDPOINT, exit 1 on failure', async () => {
    const created = await cli(['create-user', '--user-id', 'proc-user', '--org-id', 'acme']);
    expect(created).toEqual({
      code: 0,
      stdout: 'created user proc-user (org acme, MEMBER, ACTIVE)\n',
      stderr: '',
    });
    expect(await readRow(table, userPk('proc-user'), PROFILE_SK)).toMatchObject({
      status: 'ACTIVE',
    });
    const duplicate = await cli(['create-user', '--user-id', 'proc-user', '--org-id', 'acme']);
    expect(duplicate).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: user proc-user already exists\n',
    });
  });
});
