import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../admin/command-table.ts';
import { createTokenVerifier } from '../../functions/auth/token-verifier.ts';
import {
  bucketPk,
  META_SK,
  nodePk,
  nodeSk,
  PROFILE_SK,
  userPk,
  workspacePk,
  workspaceSk,
} from '../../functions/data/keys.ts';
import { MAX_BUCKETS_PER_NODE } from '../../functions/domain/node-report.ts';
import {
  generateNodeKeyPair,
  publicKeyFromRaw,
  signNodeReport,
  verifyNodeSignature,
} from '../../functions/domain/node-signature.ts';
import { errorResponse } from '../../functions/http/response.ts';
import { readJwtConfig } from '../../functions/shared/config.ts';
import { SMALL_ORDER_CANONICAL, SMALL_ORDER_NON_CANONICAL } from '../support/ed25519-points.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { REFUSED } from '../support/text.ts';
import { adminRunner, readRow } from './helpers.ts';

const SECRET = 'admin-cli-test-secret-of-at-least-32-bytes';

let table: TestTable;
let seed: Seeder;
let admin: ReturnType<typeof adminRunner>;
let scratch: string;

beforeAll(async () => {
  table = await createTestTable('admin-cli');
  seed = new Seeder(table.client, table.tableName);
  admin = adminRunner(table, { JWT_SECRET: SECRET });
  scratch = await mkdtemp(join(tmpdir(), 'admin-cli-'));
});

afterAll(async () => {
  table.client.destroy();
  await rm(scratch, { recursive: true, force: true });
});

/** Node's signature check against the key as stored: proves the pair belongs together. */
function keyPairMatches(privateKey: string, storedPublicKey: string, nodeId: string) {
  const body = '{"probe":true}';
  const headers = signNodeReport(nodeId, privateKey, body, 1_700_000_000_000);
  return verifyNodeSignature(
    publicKeyFromRaw(storedPublicKey),
    nodeId,
    headers['X-Node-Timestamp'],
    Buffer.from(body),
    headers['X-Node-Signature'],
  );
}

describe('help and dispatch', () => {
  it('--help lists every command on stdout and exits 0', async () => {
    const run = await admin(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const name of Object.keys(COMMANDS)) expect(run.stdout).toContain(`  ${name} `);
  });

  it('no command prints the usage to stderr and exits 2', async () => {
    const run = await admin([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: npm run admin -- <command>');
  });

  it('an unknown command exits 2 with one error line', async () => {
    const run = await admin(['delete-everything']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: unknown command "delete-everything" (see --help for the list)\n',
    );
  });

  it.each(Object.keys(COMMANDS))(
    '%s --help documents its options and needs no table',
    async (name) => {
      const run = await admin([name, '--help'], { TABLE_NAME: undefined, JWT_SECRET: undefined });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: npm run admin -- ${name} [options]`);
      for (const option of Object.keys(COMMANDS[name]?.options ?? {})) {
        expect(run.stdout).toContain(`--${option}`);
      }
      expect(run.stdout).toContain('Examples:');
      expect(run.stderr).toBe('');
    },
  );

  it('-h works too and wins over invalid options', async () => {
    const run = await admin(['grant', '--user-id', 'bad id', '-h']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: npm run admin -- grant');
  });

  it.each([
    [
      ['grant', '--user-id', 'u', '--workspace-id', 'w', '--role', 'READ', '--force'],
      'error: unknown option --force for grant (see grant --help)\n',
    ],
    [['grant', 'u', 'w'], 'error: unexpected argument "u" for grant (options take --name VALUE)\n'],
    [['grant', '--user-id'], 'error: --user-id needs a value (see grant --help)\n'],
    [['grant', '--user-id', 'u', '--role', 'READ'], 'error: --workspace-id is required\n'],
  ])('malformed arguments %j exit 2', async (argv, message) => {
    const run = await admin(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(message);
    expect(run.stdout).toBe('');
  });
});

describe('configuration', () => {
  it('a missing TABLE_NAME exits 2 and names the setting', async () => {
    const run = await admin(['disable-user', '--user-id', 'someone'], { TABLE_NAME: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: TABLE_NAME is required/);
  });

  it('a DYNAMODB_ENDPOINT that is not a URL exits 2', async () => {
    const run = await admin(['disable-user', '--user-id', 'someone'], {
      DYNAMODB_ENDPOINT: 'nope',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: DYNAMODB_ENDPOINT is not a URL: nope\n');
  });

  it('a table that does not exist exits 1 and names it', async () => {
    const run = await admin(['disable-user', '--user-id', 'someone'], {
      TABLE_NAME: 'no-such-table',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: table no-such-table not found at ${table.endpoint}\n`);
  });

  it('an unreachable DynamoDB exits 1 with the endpoint', async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address() as { port: number };
        server.close(() => resolve(address.port));
      });
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const run = await admin(['disable-user', '--user-id', 'someone'], {
      DYNAMODB_ENDPOINT: endpoint,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: cannot reach DynamoDB at ${endpoint} (ECONNREFUSED)\n`);
  });
});

describe('create-user', () => {
  it('stores an ACTIVE PROFILE row, MEMBER by default', async () => {
    const run = await admin(['create-user', '--user-id', 'cu-1', '--org-id', 'org-a']);
    expect(run).toEqual({
      code: 0,
      stdout: 'created user cu-1 (org org-a, MEMBER, ACTIVE)\n',
      stderr: '',
    });
    expect(await readRow(table, userPk('cu-1'), PROFILE_SK)).toEqual({
      pk: 'USER#cu-1',
      sk: 'PROFILE',
      orgId: 'org-a',
      orgRole: 'MEMBER',
      status: 'ACTIVE',
    });
  });

  it('takes --org-role', async () => {
    const run = await admin([
      'create-user',
      '--user-id',
      'cu-2',
      '--org-id',
      'org-a',
      '--org-role',
      'OWNER',
    ]);
    expect(run.code).toBe(0);
    expect((await readRow(table, userPk('cu-2'), PROFILE_SK))?.orgRole).toBe('OWNER');
  });

  it('refuses an existing user with exit 1 and keeps the stored row', async () => {
    await seed.user('cu-3', { orgId: 'org-z', orgRole: 'ADMIN', tokensValidAfter: 42 });
    const run = await admin(['create-user', '--user-id', 'cu-3', '--org-id', 'org-a']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: user cu-3 already exists\n');
    expect(await readRow(table, userPk('cu-3'), PROFILE_SK)).toMatchObject({
      orgId: 'org-z',
      orgRole: 'ADMIN',
      tokensValidAfter: 42,
    });
  });

  it.each([
    [
      ['--user-id', 'has space', '--org-id', 'o'],
      '--user-id must be 1-128 chars of [A-Za-z0-9_-] (got "has space")',
    ],
    [['--user-id', 'x'.repeat(129), '--org-id', 'o'], '--user-id must be 1-128 chars'],
    [['--user-id', 'cu-9', '--org-id', 'o#1'], '--org-id must be 1-128 chars'],
    [
      ['--user-id', 'cu-9', '--org-id', 'o', '--org-role', 'owner'],
      '--org-role must be one of OWNER, ADMIN, MEMBER (got "owner")',
    ],
    [['--user-id', 'cu-9'], '--org-id is required'],
    [['--user-id', '', '--org-id', 'o'], '--user-id must be 1-128 chars'],
  ])('%j exits 2 and writes nothing', async (args, message) => {
    const run = await admin(['create-user', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${message}`);
    expect(await readRow(table, userPk('cu-9'), PROFILE_SK)).toBeUndefined();
  });
});

describe('grant and revoke', () => {
  beforeAll(async () => {
    await seed.user('gr-1'); // org-1
    await seed.workspace('ws-g', { orgId: 'org-1' });
    await seed.workspace('ws-other-org', { orgId: 'org-2' });
  });

  it('grant refuses a user of another organization, and a workspace that does not exist', async () => {
    const crossOrg = await admin([
      'grant',
      '--user-id',
      'gr-1',
      '--workspace-id',
      'ws-other-org',
      '--role',
      'READ',
    ]);
    expect(crossOrg.code).toBe(1);
    expect(crossOrg.stderr).toBe(
      'error: user gr-1 belongs to org org-1, workspace ws-other-org to org org-2\n',
    );
    expect(await readRow(table, userPk('gr-1'), workspaceSk('ws-other-org'))).toBeUndefined();
    const missing = await admin([
      'grant',
      '--user-id',
      'gr-1',
      '--workspace-id',
      'ws-never',
      '--role',
      'READ',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: workspace ws-never does not exist\n');
    expect(await readRow(table, userPk('gr-1'), workspaceSk('ws-never'))).toBeUndefined();
  });

  it('grant stores the WORKSPACE# row and a second grant replaces the role', async () => {
    const first = await admin([
      'grant',
      '--user-id',
      'gr-1',
      '--workspace-id',
      'ws-g',
      '--role',
      'READ',
    ]);
    expect(first).toEqual({
      code: 0,
      stdout: 'granted READ on workspace ws-g to user gr-1\n',
      stderr: '',
    });
    expect(await readRow(table, userPk('gr-1'), workspaceSk('ws-g'))).toEqual({
      pk: 'USER#gr-1',
      sk: 'WORKSPACE#ws-g',
      role: 'READ',
    });
    const second = await admin([
      'grant',
      '--user-id',
      'gr-1',
      '--workspace-id',
      'ws-g',
      '--role',
      'ADMIN',
    ]);
    expect(second.code).toBe(0);
    expect((await readRow(table, userPk('gr-1'), workspaceSk('ws-g')))?.role).toBe('ADMIN');
  });

  it('grant to an unknown user exits 1 and writes no membership', async () => {
    const run = await admin([
      'grant',
      '--user-id',
      'ghost',
      '--workspace-id',
      'ws-g',
      '--role',
      'READ',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: user ghost does not exist\n');
    expect(await readRow(table, userPk('ghost'), workspaceSk('ws-g'))).toBeUndefined();
  });

  it.each(['read', 'OWNER', ''])('grant with role "%s" exits 2', async (role) => {
    const run = await admin([
      'grant',
      '--user-id',
      'gr-1',
      '--workspace-id',
      'ws-bad',
      '--role',
      role,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: --role must be one of READ, WRITE, ADMIN (got "${role}")\n`);
    expect(await readRow(table, userPk('gr-1'), workspaceSk('ws-bad'))).toBeUndefined();
  });

  it('revoke deletes the membership; revoking again exits 1', async () => {
    await seed.membership('gr-1', 'ws-r', 'WRITE');
    const run = await admin(['revoke', '--user-id', 'gr-1', '--workspace-id', 'ws-r']);
    expect(run).toEqual({
      code: 0,
      stdout: "revoked user gr-1's access to workspace ws-r\n",
      stderr: '',
    });
    expect(await readRow(table, userPk('gr-1'), workspaceSk('ws-r'))).toBeUndefined();
    const again = await admin(['revoke', '--user-id', 'gr-1', '--workspace-id', 'ws-r']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('error: user gr-1 has no grant in workspace ws-r\n');
  });

  it('revoke validates its ids', async () => {
    const run = await admin(['revoke', '--user-id', 'gr-1', '--workspace-id', 'ws r']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --workspace-id must be 1-128 chars');
  });
});

describe('names: printable text, counted in code points (DESIGN.md section 12)', () => {
  it.each(REFUSED)('create-workspace refuses %s in --name with exit 2', async (_name, char) => {
    const run = await admin([
      'create-workspace',
      '--workspace-id',
      'tx-1',
      '--org-id',
      'o',
      '--name',
      `x${char}evil`,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: --name must not contain control, format.*\(U\+[0-9A-F]{4,5}\)\n$/,
    );
    expect(await readRow(table, workspacePk('tx-1'), META_SK)).toBeUndefined();
  });

  it('create-bucket refuses a bidi override in --name with exit 2', async () => {
    const run = await admin([
      'create-bucket',
      '--bucket-id',
      'tx-b',
      '--workspace-id',
      'ws-1',
      '--name',
      'invoice\u202efdp.exe',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --name must not contain control, format');
    expect(run.stderr).toContain('U+202E');
    expect(await readRow(table, bucketPk('tx-b'), META_SK)).toBeUndefined();
  });

  it('256 emoji are a name, 257 are not (code points, not UTF-16 units)', async () => {
    const fits = await admin([
      'create-workspace',
      '--workspace-id',
      'tx-2',
      '--org-id',
      'o',
      '--name',
      '😀'.repeat(256),
    ]);
    expect(fits).toMatchObject({ code: 0, stderr: '' });
    expect((await readRow(table, workspacePk('tx-2'), META_SK))?.name).toBe('😀'.repeat(256));
    const over = await admin([
      'create-workspace',
      '--workspace-id',
      'tx-3',
      '--org-id',
      'o',
      '--name',
      '😀'.repeat(257),
    ]);
    expect(over.code).toBe(2);
    expect(over.stderr).toBe('error: --name must be 1-256 printable characters\n');
    expect(await readRow(table, workspacePk('tx-3'), META_SK)).toBeUndefined();
  });
});

describe('create-workspace', () => {
  it('stores the WORKSPACE# META row with its org and name, defaulting to the id', async () => {
    const run = await admin([
      'create-workspace',
      '--workspace-id',
      'cw-1',
      '--org-id',
      'org-a',
      '--name',
      'Photo team',
    ]);
    expect(run).toEqual({ code: 0, stdout: 'created workspace cw-1 in org org-a\n', stderr: '' });
    expect(await readRow(table, workspacePk('cw-1'), META_SK)).toEqual({
      pk: 'WORKSPACE#cw-1',
      sk: 'META',
      orgId: 'org-a',
      name: 'Photo team',
    });
    expect(
      (await admin(['create-workspace', '--workspace-id', 'cw-2', '--org-id', 'o'])).code,
    ).toBe(0);
    expect((await readRow(table, workspacePk('cw-2'), META_SK))?.name).toBe('cw-2');
  });

  it('refuses an existing workspace with exit 1 and keeps its org', async () => {
    await seed.workspace('cw-3', { orgId: 'org-old' });
    const run = await admin(['create-workspace', '--workspace-id', 'cw-3', '--org-id', 'org-new']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: workspace cw-3 already exists\n');
    expect((await readRow(table, workspacePk('cw-3'), META_SK))?.orgId).toBe('org-old');
  });

  it.each([
    [['--workspace-id', 'cw/9', '--org-id', 'o'], '--workspace-id must be'],
    [['--workspace-id', 'cw-9'], '--org-id is required'],
    [
      ['--workspace-id', 'cw-9', '--org-id', 'o', '--name', 'a\u001b[2Jb'],
      '--name must not contain control, format',
    ],
    [
      ['--workspace-id', 'cw-9', '--org-id', 'o', '--name', 'x'.repeat(257)],
      '--name must be 1-256 printable characters',
    ],
    [
      ['--workspace-id', 'cw-9', '--org-id', 'o', '--org-id', 'p'],
      '--org-id is given more than once',
    ],
  ])('%j exits 2 and writes nothing', async (args, message) => {
    const run = await admin(['create-workspace', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${message}`);
    expect(await readRow(table, workspacePk('cw-9'), META_SK)).toBeUndefined();
  });
});

describe('create-bucket', () => {
  beforeAll(async () => {
    await seed.workspace('ws-1', { orgId: 'org-a' });
    await seed.workspace('ws-new', { orgId: 'org-new' });
  });

  it('takes the org from the workspace; an --org-id that differs, or no workspace, is refused', async () => {
    const run = await admin(['create-bucket', '--bucket-id', 'cb-4', '--workspace-id', 'ws-1']);
    expect(run).toEqual({
      code: 0,
      stdout: 'created bucket cb-4 in workspace ws-1 (org org-a)\n',
      stderr: '',
    });
    expect((await readRow(table, bucketPk('cb-4'), META_SK))?.orgId).toBe('org-a');
    const otherOrg = await admin([
      'create-bucket',
      '--bucket-id',
      'cb-5',
      '--workspace-id',
      'ws-1',
      '--org-id',
      'org-b',
    ]);
    expect(otherOrg.code).toBe(1);
    expect(otherOrg.stderr).toBe('error: workspace ws-1 belongs to org org-a, not org-b\n');
    const noWorkspace = await admin([
      'create-bucket',
      '--bucket-id',
      'cb-5',
      '--workspace-id',
      'ws-none',
    ]);
    expect(noWorkspace.code).toBe(1);
    expect(noWorkspace.stderr).toContain('workspace ws-none does not exist');
    expect(await readRow(table, bucketPk('cb-5'), META_SK)).toBeUndefined();
  });

  it('stores the META row with the name, defaulting to the id', async () => {
    const named = await admin([
      'create-bucket',
      '--bucket-id',
      'cb-1',
      '--workspace-id',
      'ws-1',
      '--org-id',
      'org-a',
      '--name',
      'Holiday photos',
    ]);
    expect(named).toEqual({
      code: 0,
      stdout: 'created bucket cb-1 in workspace ws-1 (org org-a)\n',
      stderr: '',
    });
    expect(await readRow(table, bucketPk('cb-1'), META_SK)).toEqual({
      pk: 'BUCKET#cb-1',
      sk: 'META',
      workspaceId: 'ws-1',
      orgId: 'org-a',
      name: 'Holiday photos',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const unnamed = await admin([
      'create-bucket',
      '--bucket-id',
      'cb-2',
      '--workspace-id',
      'ws-1',
      '--org-id',
      'org-a',
    ]);
    expect(unnamed.code).toBe(0);
    expect((await readRow(table, bucketPk('cb-2'), META_SK))?.name).toBe('cb-2');
  });

  it('refuses an existing bucket with exit 1 and keeps its owner', async () => {
    await seed.bucket('cb-3', { workspaceId: 'ws-old', orgId: 'org-old' });
    const run = await admin([
      'create-bucket',
      '--bucket-id',
      'cb-3',
      '--workspace-id',
      'ws-new',
      '--org-id',
      'org-new',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: bucket cb-3 already exists\n');
    expect((await readRow(table, bucketPk('cb-3'), META_SK))?.workspaceId).toBe('ws-old');
  });

  it.each([
    [['--bucket-id', 'cb/9', '--workspace-id', 'w', '--org-id', 'o'], '--bucket-id must be'],
    [
      ['--bucket-id', 'cb-9', '--workspace-id', 'w', '--org-id', 'o', '--name', '  '],
      '--name must be 1-256 printable characters',
    ],
    [
      ['--bucket-id', 'cb-9', '--workspace-id', 'ws-1', '--name', 'bell\u0007'],
      '--name must not contain control, format',
    ],
    [
      ['--bucket-id', 'cb-9', '--workspace-id', 'ws-1', '--bucket-id', 'cb-8'],
      '--bucket-id is given more than once',
    ],
  ])('%j exits 2 and writes nothing', async (args, message) => {
    const run = await admin(['create-bucket', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${message}`);
    expect(await readRow(table, bucketPk('cb-9'), META_SK)).toBeUndefined();
  });
});

describe('register-node', () => {
  it('prints the generated key pair once and stores only the public key', async () => {
    const run = await admin(['register-node', '--node-id', 'rn-1', '--org-id', 'org-a']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const printed = JSON.parse(run.stdout) as {
      nodeId: string;
      publicKey: string;
      privateKey: string;
    };
    expect(Object.keys(printed)).toEqual(['nodeId', 'publicKey', 'privateKey']);
    expect(printed.nodeId).toBe('rn-1');
    const row = await readRow(table, nodePk('rn-1'), META_SK);
    expect(row).toEqual({
      pk: 'NODE#rn-1',
      sk: 'META',
      publicKey: printed.publicKey,
      status: 'ACTIVE',
      orgId: 'org-a',
    });
    expect(JSON.stringify(row)).not.toContain(printed.privateKey);
    expect(keyPairMatches(printed.privateKey, printed.publicKey, 'rn-1')).toBe(true);
  });

  it('generates a different key pair for every node', async () => {
    const a = JSON.parse((await admin(['register-node', '--node-id', 'rn-2a'])).stdout);
    const b = JSON.parse((await admin(['register-node', '--node-id', 'rn-2b'])).stdout);
    expect(a.privateKey).not.toBe(b.privateKey);
    expect(a.publicKey).not.toBe(b.publicKey);
    expect((await readRow(table, nodePk('rn-2a'), META_SK))?.orgId).toBeUndefined();
  });

  it('--key-file writes the private key to a new 0600 file and does not print it', async () => {
    const keyFile = join(scratch, 'rn-3.key');
    const run = await admin(['register-node', '--node-id', 'rn-3', '--key-file', keyFile]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toEqual({ nodeId: 'rn-3', publicKey: expect.any(String), keyFile });
    const privateKey = (await readFile(keyFile, 'utf8')).trim();
    expect(run.stdout).not.toContain(privateKey);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const stored = await readRow(table, nodePk('rn-3'), META_SK);
    expect(stored?.publicKey).toBe(printed.publicKey);
    expect(keyPairMatches(privateKey, printed.publicKey, 'rn-3')).toBe(true);
  });

  it('refuses to overwrite an existing --key-file (exit 2) and registers nothing', async () => {
    const keyFile = join(scratch, 'existing.key');
    await writeFile(keyFile, 'precious\n');
    const run = await admin(['register-node', '--node-id', 'rn-4', '--key-file', keyFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error: --key-file ${keyFile} exists; refusing to overwrite\n`);
    expect(await readFile(keyFile, 'utf8')).toBe('precious\n');
    expect(await readRow(table, nodePk('rn-4'), META_SK)).toBeUndefined();
  });

  it('an uncreatable --key-file exits 1 and registers nothing', async () => {
    const keyFile = join(scratch, 'no-such-dir', 'rn-5.key');
    const run = await admin(['register-node', '--node-id', 'rn-5', '--key-file', keyFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: cannot create key file ${keyFile}: ENOENT\n`);
    expect(await readRow(table, nodePk('rn-5'), META_SK)).toBeUndefined();
  });

  it('refuses an existing node (exit 1), keeps its key and leaves no key file behind', async () => {
    await seed.node('rn-6');
    const before = await readRow(table, nodePk('rn-6'), META_SK);
    const keyFile = join(scratch, 'rn-6.key');
    const run = await admin(['register-node', '--node-id', 'rn-6', '--key-file', keyFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: node rn-6 already exists\n');
    expect(await readRow(table, nodePk('rn-6'), META_SK)).toEqual(before);
    await expect(stat(keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('--public-key stores the given key and prints no private key', async () => {
    const keys = generateNodeKeyPair();
    const run = await admin(['register-node', '--node-id', 'rn-7', '--public-key', keys.publicKey]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ nodeId: 'rn-7', publicKey: keys.publicKey });
    expect((await readRow(table, nodePk('rn-7'), META_SK))?.publicKey).toBe(keys.publicKey);
  });

  it.each([
    [
      ['--node-id', 'rn-8', '--public-key', 'dG9vIHNob3J0'],
      '--public-key must be base64 of a raw 32-byte Ed25519 public key',
    ],
    [
      ['--node-id', 'rn-8', '--public-key', generateNodeKeyPair().publicKey, '--key-file', 'x.key'],
      '--key-file has nothing to write with --public-key',
    ],
    [['--node-id', 'rn 8'], '--node-id must be'],
    [['--node-id', 'rn-8', '--org-id', ''], '--org-id must be'],
    [['--node-id', 'rn-8', '--key-file', ''], '--key-file must be a file path'],
    [[], '--node-id is required'],
  ])('%j exits 2 and registers nothing', async (args, message) => {
    const run = await admin(['register-node', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${message}`);
    expect(await readRow(table, nodePk('rn-8'), META_SK)).toBeUndefined();
  });
});

describe('register-node refuses weak keys (DESIGN.md section 12)', () => {
  it.each([
    ...SMALL_ORDER_CANONICAL.map((hex) => ['the small-order point', hex]),
    ...SMALL_ORDER_NON_CANONICAL.map((hex) => ['the non-canonical small-order spelling', hex]),
  ])('%s %s: exit 2 with a message, nothing registered', async (_kind, hex) => {
    const run = await admin([
      'register-node',
      '--node-id',
      'rn-weak',
      '--public-key',
      Buffer.from(hex, 'hex').toString('base64'),
    ]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: --public-key is a weak Ed25519 key (a point of small order, for which forged ' +
        'signatures verify); register the public key of a generated key pair\n',
    });
    expect(await readRow(table, nodePk('rn-weak'), META_SK)).toBeUndefined();
  });
});

describe('assign-node at the per-node bucket limit', () => {
  it('exits 1 naming the limit, writes nothing, and an unassign frees a slot', async () => {
    await seed.bucket('cap-b1', { workspaceId: 'ws-1', orgId: 'org-a' });
    await seed.bucket('cap-b2', { workspaceId: 'ws-1', orgId: 'org-a' });
    await seed.node('cap-n');
    // A node that already holds every slot (its counter as assign-node keeps it), one of them
    // for cap-b1.
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: nodePk('cap-n') }, sk: { S: META_SK } },
        UpdateExpression: 'SET assignedBuckets = :max',
        ExpressionAttributeValues: { ':max': { N: String(MAX_BUCKETS_PER_NODE) } },
      }),
    );
    await seed.assignment('cap-b1', 'cap-n');
    const refused = await admin(['assign-node', '--bucket-id', 'cap-b2', '--node-id', 'cap-n']);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: node cap-n is already assigned to 1000 buckets, the most one node can serve ' +
        '(MAX_BUCKETS_PER_NODE); unassign it from one first\n',
    });
    expect(await readRow(table, bucketPk('cap-b2'), nodeSk('cap-n'))).toBeUndefined();
    const freed = await admin(['unassign-node', '--bucket-id', 'cap-b1', '--node-id', 'cap-n']);
    expect(freed.code).toBe(0);
    expect((await readRow(table, nodePk('cap-n'), META_SK))?.assignedBuckets).toBe(
      MAX_BUCKETS_PER_NODE - 1,
    );
    const assigned = await admin(['assign-node', '--bucket-id', 'cap-b2', '--node-id', 'cap-n']);
    expect(assigned.code).toBe(0);
    expect(await readRow(table, bucketPk('cap-b2'), nodeSk('cap-n'))).toBeDefined();
    expect((await readRow(table, nodePk('cap-n'), META_SK))?.assignedBuckets).toBe(
      MAX_BUCKETS_PER_NODE,
    );
  });
});

describe('assign-node and unassign-node', () => {
  beforeAll(async () => {
    await seed.bucket('an-b', { workspaceId: 'ws-1', orgId: 'org-a' });
    await seed.node('an-n1', { orgId: 'org-a' });
    await seed.node('an-n2');
    await seed.node('an-other-org', { orgId: 'org-b' });
  });

  it('creates the assignment row', async () => {
    const before = Date.now();
    const run = await admin(['assign-node', '--bucket-id', 'an-b', '--node-id', 'an-n1']);
    expect(run).toEqual({ code: 0, stdout: 'node an-n1 is assigned to bucket an-b\n', stderr: '' });
    const row = await readRow(table, bucketPk('an-b'), nodeSk('an-n1'));
    // assignedAt starts the node's observed window for the bucket (DESIGN.md section 8); it is
    // in the overview index as never reported (functions/data/overview-index.ts).
    expect(row).toEqual({
      pk: 'BUCKET#an-b',
      sk: 'NODE#an-n1',
      assignedAt: expect.any(Number),
      ovAt: '!N',
    });
    expect(Number(row?.assignedAt)).toBeGreaterThanOrEqual(before);
    expect(Number(row?.assignedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('assigning again keeps the stored report', async () => {
    const report = {
      ip: '203.0.113.7',
      region: 'us-east-1',
      version: '1.2.3',
      status: 'ONLINE',
      latency_ms: 45,
      lastUpdated: '2024-01-15T10:30:00.000Z',
      reportedAt: 1_705_314_600_000,
    };
    await seed.assignment('an-b', 'an-n2', report);
    const run = await admin(['assign-node', '--bucket-id', 'an-b', '--node-id', 'an-n2']);
    expect(run.code).toBe(0);
    expect(await readRow(table, bucketPk('an-b'), nodeSk('an-n2'))).toEqual({
      pk: 'BUCKET#an-b',
      sk: 'NODE#an-n2',
      ...report,
    });
  });

  it.each([
    [
      ['--bucket-id', 'missing-b', '--node-id', 'an-n1'],
      'bucket missing-b does not exist',
      'missing-b',
      'an-n1',
    ],
    [
      ['--bucket-id', 'an-b', '--node-id', 'missing-n'],
      'node missing-n does not exist',
      'an-b',
      'missing-n',
    ],
    [
      ['--bucket-id', 'an-b', '--node-id', 'an-other-org'],
      'node an-other-org belongs to org org-b, bucket an-b to org org-a',
      'an-b',
      'an-other-org',
    ],
  ])('%j exits 1 and assigns nothing', async (args, message, bucketId, nodeId) => {
    const run = await admin(['assign-node', ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ${message}\n`);
    expect(await readRow(table, bucketPk(bucketId), nodeSk(nodeId))).toBeUndefined();
  });

  it('validates ids (exit 2)', async () => {
    const run = await admin(['assign-node', '--bucket-id', 'an-b', '--node-id', 'n.1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --node-id must be');
  });

  it('unassign deletes the row with its report; unassigning again exits 1', async () => {
    await seed.assignment('an-b', 'an-gone', { status: 'ONLINE' });
    const run = await admin(['unassign-node', '--bucket-id', 'an-b', '--node-id', 'an-gone']);
    expect(run).toEqual({
      code: 0,
      stdout: 'node an-gone is no longer assigned to bucket an-b\n',
      stderr: '',
    });
    expect(await readRow(table, bucketPk('an-b'), nodeSk('an-gone'))).toBeUndefined();
    const again = await admin(['unassign-node', '--bucket-id', 'an-b', '--node-id', 'an-gone']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('error: node an-gone is not assigned to bucket an-b\n');
  });

  it('unassigning a node whose report still holds records its change to DISCONNECTED now', async () => {
    const lastMs = Date.now();
    await seed.assignment('an-b', 'an-live', {
      ip: '203.0.113.8',
      region: 'eu-west-1',
      status: 'ONLINE',
      lastUpdated: new Date(lastMs).toISOString(),
      lastAt: lastMs,
      reportedAt: lastMs,
      sweepShard: '0',
    });
    const before = Date.now();
    // STALE_AFTER_SECONDS is the stack's: this report holds for an hour.
    const run = await admin(['unassign-node', '--bucket-id', 'an-b', '--node-id', 'an-live'], {
      STALE_AFTER_SECONDS: '3600',
    });
    const after = Date.now();
    expect(run.code).toBe(0);
    const { Items } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'EVENTS#an-b' } },
        ConsistentRead: true,
      }),
    );
    expect(Items).toHaveLength(1);
    const event = Items?.[0];
    expect(event).toMatchObject({
      nodeId: { S: 'an-live' },
      from: { S: 'ONLINE' },
      to: { S: 'DISCONNECTED' },
      ip: { S: '203.0.113.8' },
      region: { S: 'eu-west-1' },
    });
    expect(Date.parse(event?.at?.S as string)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event?.at?.S as string)).toBeLessThanOrEqual(after);
  });

  it('an invalid STALE_AFTER_SECONDS exits 2 naming it, and unassigns nothing', async () => {
    await seed.assignment('an-b', 'an-kept');
    const run = await admin(['unassign-node', '--bucket-id', 'an-b', '--node-id', 'an-kept'], {
      STALE_AFTER_SECONDS: 'soon',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('STALE_AFTER_SECONDS');
    expect(await readRow(table, bucketPk('an-b'), nodeSk('an-kept'))).toBeDefined();
  });

  it('unassign validates ids (exit 2)', async () => {
    const run = await admin(['unassign-node', '--node-id', 'an-n1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --bucket-id is required\n');
  });
});

describe('disable-node, disable-user, revoke-tokens', () => {
  it('disable-node sets DISABLED and keeps the key', async () => {
    await seed.node('dn-1');
    const before = await readRow(table, nodePk('dn-1'), META_SK);
    const run = await admin(['disable-node', '--node-id', 'dn-1']);
    expect(run).toEqual({ code: 0, stdout: 'disabled node dn-1\n', stderr: '' });
    expect(await readRow(table, nodePk('dn-1'), META_SK)).toEqual({
      ...before,
      status: 'DISABLED',
    });
  });

  it('disable-user sets DISABLED and keeps the profile', async () => {
    await seed.user('du-1', { orgRole: 'OWNER' });
    const run = await admin(['disable-user', '--user-id', 'du-1']);
    expect(run).toEqual({ code: 0, stdout: 'disabled user du-1\n', stderr: '' });
    expect(await readRow(table, userPk('du-1'), PROFILE_SK)).toMatchObject({
      status: 'DISABLED',
      orgRole: 'OWNER',
    });
  });

  it.each([
    [
      ['disable-node', '--node-id', 'ghost-n'],
      'node ghost-n does not exist',
      nodePk('ghost-n'),
      META_SK,
    ],
    [
      ['disable-user', '--user-id', 'ghost-u'],
      'user ghost-u does not exist',
      userPk('ghost-u'),
      PROFILE_SK,
    ],
    [
      ['revoke-tokens', '--user-id', 'ghost-u'],
      'user ghost-u does not exist',
      userPk('ghost-u'),
      PROFILE_SK,
    ],
  ])('%j on a missing row exits 1 and creates none', async (argv, message, pk, sk) => {
    const run = await admin(argv);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ${message}\n`);
    expect(await readRow(table, pk, sk)).toBeUndefined();
  });

  it.each([
    [['disable-node'], '--node-id is required'],
    [['disable-user', '--user-id', 'a b'], '--user-id must be'],
    [['revoke-tokens', '--user-id', '*'], '--user-id must be'],
  ])('%j exits 2', async (argv, message) => {
    const run = await admin(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${message}`);
  });

  it('revoke-tokens stores the next whole second and prints it', async () => {
    await seed.user('rt-1');
    const before = Math.floor(Date.now() / 1000);
    const run = await admin(['revoke-tokens', '--user-id', 'rt-1']);
    const after = Math.floor(Date.now() / 1000);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.tokensValidAfter).toBeGreaterThanOrEqual(before + 1);
    expect(printed.tokensValidAfter).toBeLessThanOrEqual(after + 1);
    expect(printed).toEqual({
      userId: 'rt-1',
      tokensValidAfter: printed.tokensValidAfter,
      revokedBefore: new Date(printed.tokensValidAfter * 1000).toISOString(),
    });
    expect((await readRow(table, userPk('rt-1'), PROFILE_SK))?.tokensValidAfter).toBe(
      printed.tokensValidAfter,
    );
  });
});

describe('mint-token', () => {
  const verify = (env: Record<string, string>, token: string) =>
    createTokenVerifier(readJwtConfig(env))(token);

  it('prints an HS256 token the status API verifies, valid for an hour by default', async () => {
    const run = await admin(['mint-token', '--user-id', 'mt-1'], { TABLE_NAME: undefined });
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    expect(run.stdout).toBe(`${token}\n`);
    expect(await verify({ JWT_SECRET: SECRET }, token)).toMatchObject({ userId: 'mt-1' });
    const header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(5);
  });

  it('honours --expires-in, JWT_ISSUER and JWT_AUDIENCE', async () => {
    const env = {
      JWT_SECRET: SECRET,
      JWT_ISSUER: 'https://issuer.example',
      JWT_AUDIENCE: 'bucket-status',
    };
    const run = await admin(['mint-token', '--user-id', 'mt-2', '--expires-in', '600'], env);
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    expect(claims).toMatchObject({
      sub: 'mt-2',
      iss: 'https://issuer.example',
      aud: 'bucket-status',
    });
    expect(claims.exp - claims.iat).toBe(600);
    await expect(verify(env, token)).resolves.toMatchObject({ userId: 'mt-2' });
    // A verifier expecting another audience refuses it: the claim is really there.
    const refused = await verify({ ...env, JWT_AUDIENCE: 'other' }, token).catch((e) => e);
    expect(errorResponse(refused).statusCode).toBe(401);
  });

  it('a token signed with another secret does not verify', async () => {
    const run = await admin(['mint-token', '--user-id', 'mt-3'], { JWT_SECRET: `${SECRET}-other` });
    const refused = await verify({ JWT_SECRET: SECRET }, run.stdout.trim()).catch((e) => e);
    expect(errorResponse(refused).statusCode).toBe(401);
  });

  it.each([
    [
      ['--user-id', 'mt-4'],
      { JWT_SECRET: undefined },
      'JWT_SECRET is required for mint-token (HS256)',
    ],
    [
      ['--user-id', 'mt-4'],
      { JWT_SECRET: 'x'.repeat(31) },
      'JWT_SECRET must be at least 32 bytes for HS256',
    ],
    [
      ['--user-id', 'mt-4', '--expires-in', '0'],
      {},
      '--expires-in must be an integer from 1 to 2678400 seconds (got "0")',
    ],
    [['--user-id', 'mt-4', '--expires-in', '1h'], {}, '--expires-in must be an integer'],
    [['--user-id', 'mt-4', '--expires-in', '2678401'], {}, '--expires-in must be an integer'],
    [['--user-id', 'mt 4'], {}, '--user-id must be'],
  ])('%j with %j exits 2', async (args, env, message) => {
    const run = await admin(['mint-token', ...args], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`error: ${message}`);
  });
});
