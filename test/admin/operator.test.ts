import { type PutItemCommandInput, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../admin/mint-token.ts';
import {
  AdminError,
  type AdminStore,
  ASSIGN_CLAIM_STALE_MS,
  createAdminStore,
} from '../../admin/operator-store.ts';
import {
  bucketPk,
  META_SK,
  nodePk,
  nodeSk,
  PROFILE_SK,
  userPk,
  workspaceSk,
} from '../../functions/data/keys.ts';
import { isTokenRevoked } from '../../functions/domain/access.ts';
import { MAX_BUCKETS_PER_NODE } from '../../functions/domain/node-report.ts';
import { generateNodeKeyPair } from '../../functions/domain/node-signature.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type FaultProxy, faultProxyFixtures } from '../support/fault-proxy.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { readRow } from './helpers.ts';

/** `it` with the file's fault proxy (a file-scoped fixture is defined at the top level). */
const withProxy = faultProxyFixtures();

// The store as the local runtime's demo seeding calls it: no CLI in between.
const SECRET = 'store-test-secret-with-at-least-32-bytes';

let table: TestTable;
let store: AdminStore;

beforeAll(async () => {
  table = await createTestTable('admin-store');
  store = createAdminStore(table.client, table.tableName);
});

afterAll(() => table.client.destroy());

describe('createAdminStore', () => {
  it('createUser takes an explicit status and refuses a duplicate with an AdminError', async () => {
    await store.createUser({
      userId: 's-u1',
      orgId: 'org-a',
      orgRole: 'ADMIN',
      status: 'DISABLED',
    });
    expect(await readRow(table, userPk('s-u1'), PROFILE_SK)).toMatchObject({
      orgRole: 'ADMIN',
      status: 'DISABLED',
    });
    const duplicate = store.createUser({ userId: 's-u1', orgId: 'org-a', orgRole: 'MEMBER' });
    await expect(duplicate).rejects.toBeInstanceOf(AdminError);
    await expect(duplicate).rejects.toThrow('user s-u1 already exists');
  });

  it.each([
    [
      'a bad id',
      () => store.createUser({ userId: 'no spaces', orgId: 'o', orgRole: 'MEMBER' }),
      'userId must be',
    ],
    [
      'a bad org role',
      () => store.createUser({ userId: 's-x', orgId: 'o', orgRole: 'ROOT' as 'OWNER' }),
      'orgRole must be one of OWNER, ADMIN, MEMBER',
    ],
    [
      'a bad workspace role',
      () => store.grant({ userId: 's-x', workspaceId: 'w', role: 'ALL' as 'READ' }),
      'role must be one of READ, WRITE, ADMIN',
    ],
    [
      'an empty bucket name',
      () => store.createBucket({ bucketId: 's-x', workspaceId: 'w', orgId: 'o', name: ' ' }),
      'name must be 1-256 printable characters',
    ],
    [
      'a bucket name with a control character',
      () => store.createBucket({ bucketId: 's-x', workspaceId: 'w', name: 'evil\u001b]0;x\u0007' }),
      'name must be 1-256 printable characters',
    ],
    [
      'a bad public key',
      () => store.registerNode({ nodeId: 's-x', publicKey: 'AAAA' }),
      'publicKey must be base64',
    ],
  ])('refuses %s with an AdminError before writing', async (_, call, message) => {
    await expect(call()).rejects.toThrow(new AdminError(message).message);
    expect(await readRow(table, userPk('s-x'), PROFILE_SK)).toBeUndefined();
    expect(await readRow(table, bucketPk('s-x'), META_SK)).toBeUndefined();
    expect(await readRow(table, nodePk('s-x'), META_SK)).toBeUndefined();
  });

  it('registerNode returns a private key only when it generated the pair', async () => {
    const generated = await store.registerNode({ nodeId: 's-n1', orgId: 'org-a' });
    expect(generated).toEqual({
      nodeId: 's-n1',
      publicKey: expect.any(String),
      privateKey: expect.any(String),
    });
    const given = generateNodeKeyPair().publicKey;
    expect(await store.registerNode({ nodeId: 's-n2', publicKey: given })).toEqual({
      nodeId: 's-n2',
      publicKey: given,
    });
    expect(await readRow(table, nodePk('s-n2'), META_SK)).toEqual({
      pk: 'NODE#s-n2',
      sk: 'META',
      publicKey: given,
      status: 'ACTIVE',
    });
  });

  it('createWorkspace, then createBucket takes its org; grant refuses a user of another org', async () => {
    await store.createWorkspace({ workspaceId: 's-w1', orgId: 'org-a', name: 'team' });
    await expect(store.createWorkspace({ workspaceId: 's-w1', orgId: 'org-b' })).rejects.toThrow(
      'workspace s-w1 already exists',
    );
    expect(await store.createBucket({ bucketId: 's-b2', workspaceId: 's-w1', name: 'b' })).toEqual({
      orgId: 'org-a',
    });
    expect((await readRow(table, bucketPk('s-b2'), META_SK))?.orgId).toBe('org-a');
    await expect(
      store.createBucket({ bucketId: 's-b3', workspaceId: 's-w1', orgId: 'org-b', name: 'b' }),
    ).rejects.toThrow('workspace s-w1 belongs to org org-a, not org-b');
    await expect(
      store.createBucket({ bucketId: 's-b3', workspaceId: 's-none', name: 'b' }),
    ).rejects.toThrow('workspace s-none does not exist');
    expect(await readRow(table, bucketPk('s-b3'), META_SK)).toBeUndefined();

    await store.createUser({ userId: 's-u4', orgId: 'org-b', orgRole: 'OWNER' });
    await expect(
      store.grant({ userId: 's-u4', workspaceId: 's-w1', role: 'ADMIN' }),
    ).rejects.toThrow('user s-u4 belongs to org org-b, workspace s-w1 to org org-a');
    expect(await readRow(table, userPk('s-u4'), workspaceSk('s-w1'))).toBeUndefined();
  });

  it('registerNode refuses a weak (small-order) public key and stores nothing', async () => {
    await expect(
      store.registerNode({ nodeId: 'weak-n', publicKey: Buffer.alloc(32).toString('base64') }),
    ).rejects.toThrow(new AdminError('publicKey is a weak Ed25519 key (a point of small order)'));
    expect(await store.getNode('weak-n')).toBeUndefined();
  });

  it('assignNode is idempotent and unassignNode reports a missing assignment', async () => {
    await store.createWorkspace({ workspaceId: 'w', orgId: 'org-a' });
    await store.createBucket({ bucketId: 's-b1', workspaceId: 'w', orgId: 'org-a', name: 'b' });
    await store.assignNode({ bucketId: 's-b1', nodeId: 's-n1' });
    await store.assignNode({ bucketId: 's-b1', nodeId: 's-n1' });
    expect(await readRow(table, bucketPk('s-b1'), nodeSk('s-n1'))).toBeDefined();
    await store.unassignNode({ bucketId: 's-b1', nodeId: 's-n1' });
    await expect(store.unassignNode({ bucketId: 's-b1', nodeId: 's-n1' })).rejects.toBeInstanceOf(
      AdminError,
    );
  });

  describe('the per-node bucket limit (MAX_BUCKETS_PER_NODE, lowered to 3 here)', () => {
    const LIMIT = 3;
    let limited: AdminStore;
    const buckets = Array.from({ length: 8 }, (_, i) => `lim-b${i}`);

    beforeAll(async () => {
      limited = createAdminStore(table.client, table.tableName, { maxBucketsPerNode: LIMIT });
      await store.createWorkspace({ workspaceId: 'lim-w', orgId: 'org-a' });
      for (const bucketId of buckets) {
        await store.createBucket({ bucketId, workspaceId: 'lim-w', name: bucketId });
      }
    });

    const assignedRows = async (nodeId: string) => {
      let count = 0;
      for (const bucketId of buckets) {
        if (await limited.isAssigned(bucketId, nodeId)) count += 1;
      }
      return count;
    };

    it('is 1,000 by default, the reporter bound too', () => {
      expect(MAX_BUCKETS_PER_NODE).toBe(1_000);
    });

    it('refuses the limit+1th assignment, naming the limit; re-assigning stays idempotent', async () => {
      await limited.registerNode({ nodeId: 'lim-n1' });
      for (const bucketId of buckets.slice(0, LIMIT)) {
        await limited.assignNode({ bucketId, nodeId: 'lim-n1' });
      }
      const refused = limited.assignNode({ bucketId: buckets[LIMIT] as string, nodeId: 'lim-n1' });
      await expect(refused).rejects.toBeInstanceOf(AdminError);
      await expect(refused).rejects.toThrow(
        'node lim-n1 is already assigned to 3 buckets, the most one node can serve',
      );
      expect(await limited.isAssigned(buckets[LIMIT] as string, 'lim-n1')).toBe(false);
      // An existing assignment at the limit is not a new one.
      await limited.assignNode({ bucketId: buckets[0] as string, nodeId: 'lim-n1' });
      expect((await limited.getNode('lim-n1'))?.assignedBuckets).toBe(LIMIT);
    });

    it('unassign frees a slot (once: a second unassign of the same row frees nothing)', async () => {
      await limited.unassignNode({ bucketId: buckets[0] as string, nodeId: 'lim-n1' });
      await expect(
        limited.unassignNode({ bucketId: buckets[0] as string, nodeId: 'lim-n1' }),
      ).rejects.toBeInstanceOf(AdminError);
      expect((await limited.getNode('lim-n1'))?.assignedBuckets).toBe(LIMIT - 1);
      await limited.assignNode({ bucketId: buckets[LIMIT] as string, nodeId: 'lim-n1' });
      expect(await limited.isAssigned(buckets[LIMIT] as string, 'lim-n1')).toBe(true);
      await expect(
        limited.assignNode({ bucketId: buckets[0] as string, nodeId: 'lim-n1' }),
      ).rejects.toThrow('already assigned to 3 buckets');
      expect(await assignedRows('lim-n1')).toBe(LIMIT);
    });

    it('concurrent assignments never pass the limit, and the count matches the rows', async () => {
      await limited.registerNode({ nodeId: 'lim-n2' });
      // Every bucket twice at once: distinct buckets race for slots, the same pair races for
      // its row (the loser gives its slot back).
      const results = await Promise.allSettled(
        [...buckets, ...buckets].map((bucketId) =>
          limited.assignNode({ bucketId, nodeId: 'lim-n2' }),
        ),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      for (const r of refused)
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AdminError);
      // Exactly LIMIT: an assign of a pair another one has claimed waits for it and takes no
      // slot, so no bucket is refused while a slot is held for nothing.
      const rows = await assignedRows('lim-n2');
      expect(rows).toBe(LIMIT);
      expect((await limited.getNode('lim-n2'))?.assignedBuckets).toBe(rows);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2 * LIMIT);
    });

    it('concurrent unassigns of one row free one slot', async () => {
      const held = [];
      for (const bucketId of buckets) {
        if (await limited.isAssigned(bucketId, 'lim-n2')) held.push(bucketId);
      }
      const target = held[0] as string;
      const before = (await limited.getNode('lim-n2'))?.assignedBuckets as number;
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => limited.unassignNode({ bucketId: target, nodeId: 'lim-n2' })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await limited.getNode('lim-n2'))?.assignedBuckets).toBe(before - 1);
      expect(await assignedRows('lim-n2')).toBe(before - 1);
    });
  });

  it('revokeTokens revokes tokens issued in the revocation second, not in the next one', async () => {
    await store.createUser({ userId: 's-u2', orgId: 'org-a', orgRole: 'MEMBER' });
    const tokensValidAfter = await store.revokeTokens('s-u2', 1_700_000_000.25);
    expect(tokensValidAfter).toBe(1_700_000_001);
    expect((await readRow(table, userPk('s-u2'), PROFILE_SK))?.tokensValidAfter).toBe(
      1_700_000_001,
    );
    expect(isTokenRevoked(1_700_000_000, tokensValidAfter)).toBe(true);
    expect(isTokenRevoked(1_700_000_001, tokensValidAfter)).toBe(false);
    expect(await store.revokeTokens('s-u2', 1_700_000_005)).toBe(1_700_000_006);
  });

  it('revokeTokens never moves the cut-off backwards (a caller with a slower clock)', async () => {
    await store.createUser({ userId: 's-u3', orgId: 'org-a', orgRole: 'MEMBER' });
    await store.revokeTokens('s-u3', 1_700_000_100);
    expect(await store.revokeTokens('s-u3', 1_700_000_000)).toBe(1_700_000_101);
    expect((await readRow(table, userPk('s-u3'), PROFILE_SK))?.tokensValidAfter).toBe(
      1_700_000_101,
    );
    await expect(store.revokeTokens('no-such-user', 1_700_000_000)).rejects.toThrow(
      /does not exist/,
    );
  });
});

// These tests build their store inside the test: what createAdminStore returns is then part of
// what the test exercises.
describe('the store in detail', () => {
  const fresh = () => createAdminStore(table.client, table.tableName);
  const seed = () => new Seeder(table.client, table.tableName);
  const setHint = (nodeId: string, bucketId: string) =>
    table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: nodePk(nodeId) }, sk: { S: META_SK } },
        UpdateExpression: 'SET #hint = :hint',
        ExpressionAttributeNames: { '#hint': `h_${bucketId}` },
        ExpressionAttributeValues: { ':hint': { S: 'a-hint' } },
      }),
    );

  it('reads return what the writes stored, and undefined (or false) for rows that do not exist', async () => {
    const admin = fresh();
    await admin.createUser({ userId: 'rd-u', orgId: 'org-r', orgRole: 'ADMIN' });
    await admin.createWorkspace({ workspaceId: 'rd-w', orgId: 'org-r', name: 'Reads' });
    await admin.createBucket({ bucketId: 'rd-b', workspaceId: 'rd-w', name: 'Read bucket' });
    await admin.grant({ userId: 'rd-u', workspaceId: 'rd-w', role: 'WRITE' });
    const { publicKey } = await admin.registerNode({ nodeId: 'rd-n', orgId: 'org-r' });
    await admin.assignNode({ bucketId: 'rd-b', nodeId: 'rd-n' });

    expect(await admin.getUser('rd-u')).toStrictEqual({
      orgId: 'org-r',
      orgRole: 'ADMIN',
      status: 'ACTIVE',
      tokensValidAfter: undefined,
    });
    await admin.revokeTokens('rd-u', 1_700_000_000);
    expect((await admin.getUser('rd-u'))?.tokensValidAfter).toBe(1_700_000_001);
    expect(await admin.getMembership('rd-u', 'rd-w')).toBe('WRITE');
    expect(await admin.getWorkspace('rd-w')).toStrictEqual({ orgId: 'org-r', name: 'Reads' });
    expect(await admin.getBucket('rd-b')).toStrictEqual({
      workspaceId: 'rd-w',
      orgId: 'org-r',
      name: 'Read bucket',
    });
    expect(await admin.getNode('rd-n')).toStrictEqual({
      publicKey,
      orgId: 'org-r',
      status: 'ACTIVE',
      assignedBuckets: 1,
    });
    expect(await admin.isAssigned('rd-b', 'rd-n')).toBe(true);

    expect(await admin.getUser('rd-none')).toBeUndefined();
    expect(await admin.getMembership('rd-u', 'rd-none')).toBeUndefined();
    expect(await admin.getWorkspace('rd-none')).toBeUndefined();
    expect(await admin.getBucket('rd-none')).toBeUndefined();
    expect(await admin.getNode('rd-none')).toBeUndefined();
    expect(await admin.isAssigned('rd-b', 'rd-none')).toBe(false);
  });

  it('getNode of a node without an org or assignments says so', async () => {
    const admin = fresh();
    await admin.registerNode({ nodeId: 'rd-bare' });
    expect(await admin.getNode('rd-bare')).toMatchObject({ orgId: undefined, assignedBuckets: 0 });
  });

  it.each([
    [
      'createUser',
      'orgId',
      () => fresh().createUser({ userId: 'v-u', orgId: '', orgRole: 'MEMBER' }),
    ],
    [
      'createUser',
      'status must be one of ACTIVE, DISABLED',
      () =>
        fresh().createUser({
          userId: 'v-u',
          orgId: 'o',
          orgRole: 'MEMBER',
          status: 'GONE' as 'ACTIVE',
        }),
    ],
    ['grant', 'userId', () => fresh().grant({ userId: 'a b', workspaceId: 'w', role: 'READ' })],
    [
      'grant',
      'workspaceId',
      () => fresh().grant({ userId: 'u', workspaceId: 'a/b', role: 'READ' }),
    ],
    ['revoke', 'userId', () => fresh().revoke({ userId: '', workspaceId: 'w' })],
    ['revoke', 'workspaceId', () => fresh().revoke({ userId: 'u', workspaceId: 'w w' })],
    ['registerNode', 'nodeId', () => fresh().registerNode({ nodeId: 'n.1' })],
    ['registerNode', 'orgId', () => fresh().registerNode({ nodeId: 'v-n', orgId: 'o o' })],
    ['disableNode', 'nodeId', () => fresh().disableNode('n n')],
    ['disableUser', 'userId', () => fresh().disableUser('u u')],
    ['revokeTokens', 'userId', () => fresh().revokeTokens('u u', 1)],
  ])('%s names the bad input: %s', async (_, field, call) => {
    const refused = call();
    await expect(refused).rejects.toBeInstanceOf(AdminError);
    await expect(refused).rejects.toThrow(field.includes(' ') ? field : `${field} must be`);
    expect(await readRow(table, userPk('v-u'), PROFILE_SK)).toBeUndefined();
    expect(await readRow(table, nodePk('v-n'), META_SK)).toBeUndefined();
  });

  it('createBucket refuses a missing name (a caller without types) instead of inventing one', async () => {
    await fresh().createWorkspace({ workspaceId: 'nm-w', orgId: 'org-a' });
    await expect(
      fresh().createBucket({
        bucketId: 'nm-b',
        workspaceId: 'nm-w',
        name: undefined as unknown as string,
      }),
    ).rejects.toThrow(new AdminError('name must be 1-256 printable characters'));
    expect(await readRow(table, bucketPk('nm-b'), META_SK)).toBeUndefined();
  });

  it('revokeTokens takes any instant from 0 on and refuses a negative or non-finite one', async () => {
    const admin = fresh();
    await admin.createUser({ userId: 'rv-u', orgId: 'org-a', orgRole: 'MEMBER' });
    for (const nowSeconds of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(admin.revokeTokens('rv-u', nowSeconds)).rejects.toThrow(
        new AdminError('nowSeconds must be a non-negative number'),
      );
    }
    expect((await admin.getUser('rv-u'))?.tokensValidAfter).toBeUndefined();
    expect(await admin.revokeTokens('rv-u', 0)).toBe(1);
  });

  it('grant refuses a user without an org, even to a workspace without one (rows from before orgs)', async () => {
    await seed().put({
      pk: userPk('no-org-u'),
      sk: PROFILE_SK,
      orgRole: 'MEMBER',
      status: 'ACTIVE',
    });
    await seed().put({ pk: 'WORKSPACE#no-org-w', sk: META_SK, name: 'old' });
    await expect(
      fresh().grant({ userId: 'no-org-u', workspaceId: 'no-org-w', role: 'READ' }),
    ).rejects.toThrow(
      'user no-org-u belongs to org undefined, workspace no-org-w to org undefined',
    );
    expect(await readRow(table, userPk('no-org-u'), workspaceSk('no-org-w'))).toBeUndefined();
  });

  it("unassign removes the bucket's hint with the slot, and only the hint from a node without a counter", async () => {
    const admin = fresh();
    await admin.createWorkspace({ workspaceId: 'hint-w', orgId: 'org-a' });
    await admin.createBucket({ bucketId: 'hint-b1', workspaceId: 'hint-w', name: 'b1' });
    await admin.createBucket({ bucketId: 'hint-b2', workspaceId: 'hint-w', name: 'b2' });
    await admin.registerNode({ nodeId: 'hint-n' });
    await admin.assignNode({ bucketId: 'hint-b1', nodeId: 'hint-n' });
    await admin.assignNode({ bucketId: 'hint-b2', nodeId: 'hint-n' });
    await setHint('hint-n', 'hint-b1');
    await setHint('hint-n', 'hint-b2');
    await admin.unassignNode({ bucketId: 'hint-b1', nodeId: 'hint-n' });
    const meta = await readRow(table, nodePk('hint-n'), META_SK);
    expect(meta?.assignedBuckets).toBe(1);
    expect(meta).not.toHaveProperty('h_hint-b1');
    expect(meta?.['h_hint-b2']).toBe('a-hint');

    // Assigned before the counter existed: no slot to give back, the hint goes all the same.
    await seed().node('legacy-n');
    await seed().assignment('hint-b1', 'legacy-n');
    await setHint('legacy-n', 'hint-b1');
    await admin.unassignNode({ bucketId: 'hint-b1', nodeId: 'legacy-n' });
    const legacy = await readRow(table, nodePk('legacy-n'), META_SK);
    expect(legacy).not.toHaveProperty('h_hint-b1');
    expect(legacy).not.toHaveProperty('assignedBuckets');
    expect(await admin.isAssigned('hint-b1', 'legacy-n')).toBe(false);
  });

  it('two racing assigns of one pair take one slot: a third bucket at the limit is not refused meanwhile', async () => {
    const admin = createAdminStore(table.client, table.tableName, { maxBucketsPerNode: 2 });
    await admin.createWorkspace({ workspaceId: 'spur-w', orgId: 'org-a' });
    for (const bucketId of ['spur-a', 'spur-b']) {
      await admin.createBucket({ bucketId, workspaceId: 'spur-w', name: bucketId });
    }
    await admin.registerNode({ nodeId: 'spur-n' });
    // The first assign of (spur-a, spur-n) stops before its row write until the gate opens.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let reached: () => void = () => undefined;
    const atGate = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const first = createDynamoClient({ endpoint: table.endpoint });
    first.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as PutItemCommandInput;
        if (context.commandName === 'PutItemCommand' && input.Item?.pk?.S === bucketPk('spur-a')) {
          reached();
          await gate;
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    // The second assign of the same pair: told once its META write (a slot, or a claim) is answered.
    let tried: () => void = () => undefined;
    const secondTried = new Promise<void>((resolve) => {
      tried = resolve;
    });
    const second = createDynamoClient({ endpoint: table.endpoint });
    second.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } finally {
          if (context.commandName === 'UpdateItemCommand') tried();
        }
      },
      { step: 'initialize' },
    );
    const store = (client: typeof first) =>
      createAdminStore(client, table.tableName, { maxBucketsPerNode: 2 });
    try {
      const racing = [
        store(first).assignNode({ bucketId: 'spur-a', nodeId: 'spur-n' }),
        atGate.then(() => store(second).assignNode({ bucketId: 'spur-a', nodeId: 'spur-n' })),
      ];
      await atGate;
      await secondTried;
      // One assignment in progress, one slot in use of two: a second bucket fits.
      await admin.assignNode({ bucketId: 'spur-b', nodeId: 'spur-n' });
      open();
      await Promise.all(racing);
    } finally {
      open();
      first.destroy();
      second.destroy();
    }
    expect(await admin.isAssigned('spur-a', 'spur-n')).toBe(true);
    expect(await admin.isAssigned('spur-b', 'spur-n')).toBe(true);
    expect((await admin.getNode('spur-n'))?.assignedBuckets).toBe(2);
  });

  /** An assign through a client that runs `interleave` once, before its first `command` of the pair. */
  async function assignInterleaved(
    command: 'UpdateItemCommand' | 'PutItemCommand',
    interleave: () => Promise<void>,
    pair: { bucketId: string; nodeId: string },
  ) {
    const client = createDynamoClient({ endpoint: table.endpoint });
    let interleaved = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as PutItemCommandInput & { Key?: PutItemCommandInput['Item'] };
        const ofPair =
          input.Item?.sk?.S === nodeSk(pair.nodeId) || input.Key?.pk?.S === nodePk(pair.nodeId);
        if (!interleaved && context.commandName === command && ofPair) {
          interleaved = true;
          await interleave();
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      await createAdminStore(client, table.tableName).assignNode(pair);
    } finally {
      client.destroy();
    }
    expect(interleaved).toBe(true);
  }

  it('an assign whose row check raced a whole assign of the same pair takes no slot', async () => {
    const admin = fresh();
    await admin.createWorkspace({ workspaceId: 'race-w', orgId: 'org-a' });
    await admin.createBucket({ bucketId: 'race-b', workspaceId: 'race-w', name: 'b' });
    await admin.registerNode({ nodeId: 'race-n' });
    await admin.assignNode({ bucketId: 'race-b', nodeId: 'race-n' });
    await admin.unassignNode({ bucketId: 'race-b', nodeId: 'race-n' });
    // A hint left by a report refused as "not assigned" whose removal failed: no claim.
    await setHint('race-n', 'race-b');
    let standing: unknown;
    // The concurrent assign runs to its end between this one's row check and its slot.
    await assignInterleaved(
      'UpdateItemCommand',
      async () => {
        await admin.assignNode({ bucketId: 'race-b', nodeId: 'race-n' });
        standing = (await readRow(table, nodePk('race-n'), META_SK))?.['h_race-b'];
      },
      { bucketId: 'race-b', nodeId: 'race-n' },
    );
    expect(await admin.isAssigned('race-b', 'race-n')).toBe(true);
    expect((await admin.getNode('race-n'))?.assignedBuckets).toBe(1);
    // The stray hint was replaced by the standing assignment's claim, which this one left alone.
    expect(standing).toMatch(/^a,\d+$/);
    expect((await readRow(table, nodePk('race-n'), META_SK))?.['h_race-b']).toBe(standing);
  });

  it('an assign stalled past its claim’s staleness, whose pair another assign then took, gives its slot back', async () => {
    const admin = fresh();
    await admin.createWorkspace({ workspaceId: 'stale-w', orgId: 'org-a' });
    await admin.createBucket({ bucketId: 'stale-b', workspaceId: 'stale-w', name: 'b' });
    await admin.registerNode({ nodeId: 'stale-n' });
    // Run between this one's claim and its row write, with a clock past the claim's staleness.
    const later = createAdminStore(table.client, table.tableName, {
      now: () => Date.now() + ASSIGN_CLAIM_STALE_MS + 1_000,
    });
    await assignInterleaved(
      'PutItemCommand',
      () => later.assignNode({ bucketId: 'stale-b', nodeId: 'stale-n' }),
      { bucketId: 'stale-b', nodeId: 'stale-n' },
    );
    expect(await admin.isAssigned('stale-b', 'stale-n')).toBe(true);
    expect((await admin.getNode('stale-n'))?.assignedBuckets).toBe(1);
  });

  describe('an engine failure is reported, never taken for success', () => {
    const it = withProxy;
    let faulty: AdminStore;
    let client: ReturnType<typeof createDynamoClient>;

    const start = (proxy: FaultProxy) => {
      proxy.clear();
      client = createDynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      faulty = createAdminStore(client, table.tableName);
      return faulty;
    };

    it('unassign that cannot give the slot back fails (the slot is not lost silently)', async ({
      proxy,
    }) => {
      const admin = start(proxy);
      try {
        await admin.createWorkspace({ workspaceId: 'ef-w', orgId: 'org-a' });
        await admin.createBucket({ bucketId: 'ef-b', workspaceId: 'ef-w', name: 'b' });
        await admin.registerNode({ nodeId: 'ef-n' });
        await admin.assignNode({ bucketId: 'ef-b', nodeId: 'ef-n' });
        proxy.fail({
          kind: 'internal',
          operation: 'UpdateItem',
          bodyIncludes: 'ADD assignedBuckets :minusOne',
          times: 1,
        });
        await expect(admin.unassignNode({ bucketId: 'ef-b', nodeId: 'ef-n' })).rejects.toThrow(
          expect.objectContaining({ name: 'InternalServerError' }),
        );
        expect(proxy.count('UpdateItem', true)).toBe(1);
      } finally {
        client.destroy();
      }
    });

    it('unassign whose change to DISCONNECTED cannot be recorded says so, and still frees the slot', async ({
      proxy,
    }) => {
      const admin = start(proxy);
      try {
        await admin.createWorkspace({ workspaceId: 'ef-w3', orgId: 'org-a' });
        await admin.createBucket({ bucketId: 'ef-b3', workspaceId: 'ef-w3', name: 'b' });
        await admin.registerNode({ nodeId: 'ef-n3' });
        await admin.assignNode({ bucketId: 'ef-b3', nodeId: 'ef-n3' });
        const now = Date.now();
        await seed().assignment('ef-b3', 'ef-n3', {
          status: 'ONLINE',
          lastUpdated: new Date(now).toISOString(),
          lastAt: now,
          reportedAt: now,
          sweepShard: '0',
        });
        proxy.fail({
          kind: 'internal',
          operation: 'PutItem',
          bodyIncludes: 'EVENTS#ef-b3',
          times: 1,
        });
        await expect(admin.unassignNode({ bucketId: 'ef-b3', nodeId: 'ef-n3' })).rejects.toThrow(
          /^node ef-n3 is no longer assigned to bucket ef-b3, but its change to DISCONNECTED could not be recorded/,
        );
        expect(proxy.count('PutItem', true)).toBe(1);
        expect(await admin.isAssigned('ef-b3', 'ef-n3')).toBe(false);
        expect((await admin.getNode('ef-n3'))?.assignedBuckets).toBe(0);
      } finally {
        client.destroy();
      }
    });

    it('unassign from a node without a counter that cannot remove the hint fails', async ({
      proxy,
    }) => {
      const admin = start(proxy);
      try {
        await seed().bucket('ef-b2', { workspaceId: 'ef-w', orgId: 'org-a' });
        await seed().node('ef-legacy');
        await seed().assignment('ef-b2', 'ef-legacy');
        proxy.fail({
          kind: 'internal',
          operation: 'UpdateItem',
          bodyIncludes: '"REMOVE #hint"',
          times: 1,
        });
        await expect(
          admin.unassignNode({ bucketId: 'ef-b2', nodeId: 'ef-legacy' }),
        ).rejects.toThrow(expect.objectContaining({ name: 'InternalServerError' }));
        expect(proxy.count('UpdateItem', true)).toBe(1);
      } finally {
        client.destroy();
      }
    });

    it('assign that cannot write its row fails (not reported as assigned)', async ({ proxy }) => {
      const admin = start(proxy);
      try {
        await seed().bucket('ef-b3', { workspaceId: 'ef-w', orgId: 'org-a' });
        await seed().node('ef-n3');
        proxy.fail({
          kind: 'internal',
          operation: 'PutItem',
          bodyIncludes: 'assignedAt',
          times: 1,
        });
        await expect(admin.assignNode({ bucketId: 'ef-b3', nodeId: 'ef-n3' })).rejects.toThrow(
          expect.objectContaining({ name: 'InternalServerError' }),
        );
        expect(proxy.count('PutItem', true)).toBe(1);
        expect(await readRow(table, bucketPk('ef-b3'), nodeSk('ef-n3'))).toBeUndefined();
      } finally {
        client.destroy();
      }
    });

    it('revokeTokens that cannot store the cut-off fails instead of returning one', async ({
      proxy,
    }) => {
      const admin = start(proxy);
      try {
        await admin.createUser({ userId: 'ef-u', orgId: 'org-a', orgRole: 'MEMBER' });
        proxy.fail({ kind: 'internal', operation: 'UpdateItem', times: 1 });
        await expect(admin.revokeTokens('ef-u', 1_700_000_000)).rejects.toThrow(
          expect.objectContaining({ name: 'InternalServerError' }),
        );
        expect(
          (await readRow(table, userPk('ef-u'), PROFILE_SK))?.tokensValidAfter,
        ).toBeUndefined();
      } finally {
        client.destroy();
      }
    });
  });
});

describe('mintToken', () => {
  it('signs sub, iat, exp, iss and aud with HS256', async () => {
    const token = await mintToken({
      userId: 's-u3',
      secret: SECRET,
      expiresInSeconds: 120,
      issuer: 'iss-1',
      audience: ['aud-1', 'aud-2'],
    });
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({
      sub: 's-u3',
      iss: 'iss-1',
      aud: ['aud-1', 'aud-2'],
      iat: expect.any(Number),
      exp: (payload.iat as number) + 120,
    });
  });

  it.each([
    [{ userId: 's-u3', secret: 'short' }, 'the secret must be at least 32 bytes'],
    [
      { userId: 's-u3', secret: SECRET, expiresInSeconds: 0 },
      'expiresInSeconds must be a positive integer',
    ],
    [
      { userId: 's-u3', secret: SECRET, expiresInSeconds: 1.5 },
      'expiresInSeconds must be a positive integer',
    ],
    [{ userId: '', secret: SECRET }, 'userId must be'],
  ])('refuses %j', async (input, message) => {
    await expect(mintToken(input)).rejects.toThrow(message);
  });
});
