import { randomUUID } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { META_SK, nodePk } from '../../functions/data/keys.ts';
import { createNodeKeyReader } from '../../functions/data/node-registry.ts';
import { generateNodeKeyPair } from '../../functions/domain/node-signature.ts';
import { NODE_NOT_AUTHENTICATED } from '../../functions/ingest/authenticate-report.ts';
import { TtlCache } from '../../functions/shared/ttl-cache.ts';
import { SMALL_ORDER_CANONICAL, SMALL_ORDER_NON_CANONICAL } from '../support/ed25519-points.ts';
import {
  assignedNode,
  bucketWithReader,
  expectError,
  type IngestHandlerOptions,
  ingestFixtures,
  NO_RATE_LIMIT,
  nodeOnBuckets,
  type PostReport,
  reportBody,
  type StoredRows,
  signed,
  userToken,
} from '../support/ingest-fixture.ts';
import type { Seeder } from '../support/seed.ts';

const it = ingestFixtures('ingest-auth');

/** The report left no trace: no bucket row report, no accepted timestamp on the node. */
async function expectNothingStored(read: StoredRows, nodeId: string, bucketId: string) {
  const row = await read.bucketRow(bucketId, nodeId);
  expect(row?.reportedAt).toBeUndefined();
  expect(row?.lastUpdated).toBeUndefined();
  const meta = await read.nodeMeta(nodeId);
  expect(meta?.lastTimestamp).toBeUndefined();
}

function expectUnauthorized(response: Awaited<ReturnType<PostReport>>, message: RegExp) {
  expect(expectError(response, 401)).toMatch(message);
  expect(response.headers['www-authenticate']).toMatch(/^NodeSignature /);
}

describe('POST /node/status: a valid signed report', () => {
  it('is stored and visible through the status endpoint with the server receive time', async ({
    seed,
    read,
    postWith,
    readStatus,
  }) => {
    const { bucketId, token } = await bucketWithReader(seed);
    const reporterId = `node-a-${randomUUID()}`;
    const silentId = `node-b-${randomUUID()}`;
    const privateKey = await assignedNode(seed, reporterId, [bucketId]);
    await assignedNode(seed, silentId, [bucketId]);
    // The node's clock runs 200 s behind: lastUpdated must still be the server's clock.
    const serverNow = Date.now();
    const postAt = postWith({ now: () => serverNow });
    const report = signed(
      reporterId,
      privateKey,
      reportBody([{ bucketId, status: 'ONLINE', latency_ms: 45 }], {
        ip: '2001:db8::7',
        region: 'eu-west-1',
        version: '2.0.1-rc.1',
      }),
      serverNow - 200_000,
    );

    const response = await postAt(report.body, report.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json).toStrictEqual({
      success: true,
      message: expect.stringMatching(/\S/),
      accepted: [bucketId],
      rejected: [],
    });
    expect(response.headers['content-type']).toBe('application/json');

    const status = await readStatus(bucketId, {
      authorization: `Bearer ${token}`,
    });
    expect(status.statusCode).toBe(200);
    expect(status.json.bucketId).toBe(bucketId);
    expect(status.json.nodeStatus).toHaveLength(2);
    expect(status.json.nodeStatus).toContainEqual({
      ip: '2001:db8::7',
      region: 'eu-west-1',
      version: '2.0.1-rc.1',
      status: 'ONLINE',
      latency_ms: 45,
      lastUpdated: new Date(serverNow).toISOString(),
    });
    expect(status.json.nodeStatus).toContainEqual({ status: 'DISCONNECTED' });

    const row = await read.bucketRow(bucketId, reporterId);
    expect(row?.reportedAt).toBe(serverNow - 200_000);
    const meta = await read.nodeMeta(reporterId);
    expect(meta).toMatchObject({
      lastTimestamp: serverNow - 200_000,
      ip: '2001:db8::7',
      region: 'eu-west-1',
      version: '2.0.1-rc.1',
      lastSeen: new Date(serverNow).toISOString(),
    });
  });

  it('verifies an isBase64Encoded body over its decoded bytes', async ({ seed, post, read }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const report = signed(nodeId, privateKey, reportBody([{ bucketId, latency_ms: 7 }]));
    const encoded = Buffer.from(report.body, 'utf8').toString('base64');

    // The same base64 text taken literally is not what the node signed.
    expectUnauthorized(await post(encoded, report.headers, false), /signature/);
    const response = await post(encoded, report.headers, true);
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual([bucketId]);
    expect(await read.bucketRow(bucketId, nodeId)).toMatchObject({
      latency_ms: 7,
      status: 'ONLINE',
    });
  });

  it('verifies the exact bytes as sent, whatever their spacing and escapes', async ({
    seed,
    post,
    read,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    // Spacing and a \u escape the server would never produce itself.
    const body = `{ "ip":"203.0.113.7" ,"region":"us\\u002deast-1","version":"1.2.3","buckets":[{"bucketId":"${bucketId}","status":"OFFLINE"}]}\n`;
    const response = await post(body, signed(nodeId, privateKey, body).headers);
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual([bucketId]);
    const row = await read.bucketRow(bucketId, nodeId);
    expect(row).toMatchObject({ region: 'us-east-1', status: 'OFFLINE' });
  });
});

/** The one message for unknown, disabled and badly signed nodes, exactly. */
const NODE_ONE_MESSAGE = new RegExp(
  `^${NODE_NOT_AUTHENTICATED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
);

describe('POST /node/status: 401 for an unauthenticated report', () => {
  it('gives one message for an unknown node, a disabled node and a bad signature', async ({
    seed,
    post,
  }) => {
    const { bucketId, nodeId } = await nodeOnBuckets(seed);
    const disabledId = `node-${randomUUID()}`;
    const disabledKey = await seed.node(disabledId, { status: 'DISABLED' });
    const ghostId = `ghost-${randomUUID()}`;
    const someKey = generateNodeKeyPair().privateKey;
    const body = reportBody([{ bucketId }]);
    const unknown = signed(ghostId, someKey, body);
    const disabled = signed(disabledId, disabledKey, body);
    const badlySigned = signed(nodeId, someKey, body);
    const messages = await Promise.all(
      [unknown, disabled, badlySigned].map(async (report) =>
        expectError(await post(report.body, report.headers), 401),
      ),
    );
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).toMatch(NODE_ONE_MESSAGE);
  });

  it('refuses a tampered body and stores nothing', async ({ seed, post, read }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const report = signed(nodeId, privateKey, reportBody([{ bucketId, status: 'ONLINE' }]));
    const tampered = report.body.replace('"ONLINE"', '"OFFLINE"');
    expect(tampered).not.toBe(report.body);
    expectUnauthorized(await post(tampered, report.headers), NODE_ONE_MESSAGE);
    await expectNothingStored(read, nodeId, bucketId);
  });

  it('refuses a re-serialized body (same JSON value, different whitespace)', async ({
    seed,
    post,
    read,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const body = reportBody([{ bucketId }]);
    const report = signed(nodeId, privateKey, body);
    const reserialized = JSON.stringify(body, null, 2);
    expect(JSON.parse(reserialized)).toStrictEqual(JSON.parse(report.body));
    expectUnauthorized(await post(reserialized, report.headers), NODE_ONE_MESSAGE);
    await expectNothingStored(read, nodeId, bucketId);
  });

  it('refuses a report signed with another key', async ({ seed, post, read }) => {
    const { bucketId, nodeId } = await nodeOnBuckets(seed);
    const otherKey = generateNodeKeyPair().privateKey;
    const report = signed(nodeId, otherKey, reportBody([{ bucketId }]));
    expectUnauthorized(await post(report.body, report.headers), NODE_ONE_MESSAGE);
    await expectNothingStored(read, nodeId, bucketId);
  });

  it('refuses a signature made for another node id or timestamp', async ({ seed, post, read }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const now = Date.now();
    const report = signed(nodeId, privateKey, reportBody([{ bucketId }]), now);
    const otherTimestamp = { ...report.headers, 'X-Node-Timestamp': String(now + 1) };
    expectUnauthorized(await post(report.body, otherTimestamp), /signature/);

    const twinId = `node-${randomUUID()}`;
    await seed.put({
      pk: nodePk(twinId),
      sk: META_SK,
      // Same key, other id: the id is part of what is signed.
      publicKey: (await read.nodeMeta(nodeId))?.publicKey,
      status: 'ACTIVE',
    });
    await seed.assignment(bucketId, twinId);
    expectUnauthorized(
      await post(report.body, { ...report.headers, 'X-Node-Id': twinId }),
      /signature/,
    );
    await expectNothingStored(read, nodeId, bucketId);
    await expectNothingStored(read, twinId, bucketId);
  });

  it('refuses an unknown node', async ({ seed, post, read }) => {
    const bucketId = randomUUID();
    const nodeId = `ghost-${randomUUID()}`;
    await seed.assignment(bucketId, nodeId); // assigned, but never registered
    const report = signed(nodeId, generateNodeKeyPair().privateKey, reportBody([{ bucketId }]));
    expectUnauthorized(await post(report.body, report.headers), NODE_ONE_MESSAGE);
    expect(await read.nodeMeta(nodeId)).toBeUndefined();
    expect((await read.bucketRow(bucketId, nodeId))?.reportedAt).toBeUndefined();
  });

  it('refuses a DISABLED node', async ({ seed, post, read }) => {
    const bucketId = randomUUID();
    const nodeId = `node-${randomUUID()}`;
    const privateKey = await seed.node(nodeId, { status: 'DISABLED' });
    await seed.assignment(bucketId, nodeId);
    const report = signed(nodeId, privateKey, reportBody([{ bucketId }]));
    expectUnauthorized(await post(report.body, report.headers), NODE_ONE_MESSAGE);
    await expectNothingStored(read, nodeId, bucketId);
  });

  it('refuses a node disabled after its key was cached, on the very next report', async ({
    table,
    seed,
    post,
    read,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const first = signed(nodeId, privateKey, reportBody([{ bucketId }]), Date.now() - 1000);
    expect((await post(first.body, first.headers)).statusCode).toBe(200);
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: nodePk(nodeId) }, sk: { S: META_SK } },
        UpdateExpression: 'SET #status = :disabled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': { S: 'DISABLED' } },
      }),
    );
    const second = signed(nodeId, privateKey, reportBody([{ bucketId, status: 'OFFLINE' }]));
    expectUnauthorized(await post(second.body, second.headers), NODE_ONE_MESSAGE);
    const row = await read.bucketRow(bucketId, nodeId);
    expect(row?.status).toBe('ONLINE');
  });

  it.for([['X-Node-Id'], ['X-Node-Timestamp'], ['X-Node-Signature']] as const)(
    'refuses a report without %s',
    async ([header], { seed, post, read }) => {
      const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
      const report = signed(nodeId, privateKey, reportBody([{ bucketId }]));
      const headers = { ...report.headers };
      delete headers[header];
      expectUnauthorized(
        await post(report.body, headers),
        /X-Node-Id, X-Node-Timestamp and X-Node-Signature are required/,
      );
      await expectNothingStored(read, nodeId, bucketId);
    },
  );

  it.for([
    ['seconds with a fraction', (ms: number) => `${ms / 1000}`],
    ['an ISO date', (ms: number) => new Date(ms).toISOString()],
    ['a negative number', (ms: number) => `-${ms}`],
    ['empty', () => ''],
  ] as const)('refuses an X-Node-Timestamp that is %s', async ([_, format], { seed, post }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const body = JSON.stringify(reportBody([{ bucketId }]));
    const headers = {
      ...signed(nodeId, privateKey, body).headers,
      'X-Node-Timestamp': format(Date.now()),
    };
    expectUnauthorized(await post(body, headers), /X-Node-Timestamp/);
  });

  it.for([
    [
      'standard base64 with padding',
      (sig: string) => Buffer.from(sig, 'base64url').toString('base64'),
    ],
    ['truncated', (sig: string) => sig.slice(0, 85)],
    ['empty', () => ''],
    ['not base64url at all', () => '!'.repeat(86)],
  ] as const)('refuses a signature that is %s', async ([_, mangle], { seed, post, read }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const report = signed(nodeId, privateKey, reportBody([{ bucketId }]));
    const headers = {
      ...report.headers,
      'X-Node-Signature': mangle(report.headers['X-Node-Signature'] as string),
    };
    expectUnauthorized(await post(report.body, headers), /signature/);
    await expectNothingStored(read, nodeId, bucketId);
  });

  it('refuses a user JWT in place of a node signature', async ({ seed, post, read }) => {
    const { bucketId, nodeId } = await nodeOnBuckets(seed);
    const { userId } = await bucketWithReader(seed, bucketId);
    const token = await userToken(userId);
    const body = JSON.stringify(reportBody([{ bucketId }]));

    expectUnauthorized(await post(body, { authorization: `Bearer ${token}` }), /required/);
    expectUnauthorized(
      await post(body, {
        authorization: `Bearer ${token}`,
        'X-Node-Id': nodeId,
        'X-Node-Timestamp': String(Date.now()),
        'X-Node-Signature': token,
      }),
      /signature/,
    );
    await expectNothingStored(read, nodeId, bucketId);
  });

  it('a node signature does not work on the status endpoint', async ({ seed, readStatus }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    await bucketWithReader(seed, bucketId);
    const report = signed(nodeId, privateKey, '');
    const status = await readStatus(bucketId, report.headers);
    expect(expectError(status, 401)).toMatch(/bearer token/i);
    expect(status.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });
});

describe('a weak (small-order) public key stored for a node (DESIGN.md section 12)', () => {
  /** A node whose META row holds `hex` as its key (written around the CLI, which refuses it). */
  async function nodeWithStoredKey(seed: Seeder, hex: string) {
    const bucketId = randomUUID();
    const nodeId = `weak-${randomUUID()}`;
    await seed.put({
      pk: nodePk(nodeId),
      sk: META_SK,
      publicKey: Buffer.from(hex, 'hex').toString('base64'),
      status: 'ACTIVE',
    });
    await seed.assignment(bucketId, nodeId);
    return { bucketId, nodeId };
  }

  it.for([...SMALL_ORDER_CANONICAL, ...SMALL_ORDER_NON_CANONICAL])(
    'is unusable: the key read finds no key for the node (%s)',
    async (hex, { seed, table }) => {
      const { nodeId } = await nodeWithStoredKey(seed, hex);
      const readKey = createNodeKeyReader(table.client, table.tableName, new TtlCache(60_000, 10));
      expect(await readKey(nodeId)).toBeUndefined();
    },
  );

  it('authenticates nothing: 64 reports with the forged signature R = identity, S = 0 are all 401', async ({
    seed,
    post,
    read,
  }) => {
    const { bucketId, nodeId } = await nodeWithStoredKey(seed, '00'.repeat(32));
    // The signature a weak key lets anyone forge: with A of order 4 and k = H(R, A, M),
    // [0]B = R + [k]A holds whenever 4 divides k, so a quarter of all messages without the check.
    const forged = Buffer.concat([
      Buffer.from(SMALL_ORDER_CANONICAL[0] as string, 'hex'),
      Buffer.alloc(32),
    ]).toString('base64url');
    const now = Date.now();
    for (let i = 0; i < 64; i++) {
      const body = JSON.stringify(
        reportBody([{ bucketId, status: 'ONLINE' }], { version: `1.0.${i}` }),
      );
      const response = await post(body, {
        'X-Node-Id': nodeId,
        'X-Node-Timestamp': String(now + i),
        'X-Node-Signature': forged,
      });
      expectUnauthorized(response, NODE_ONE_MESSAGE);
    }
    await expectNothingStored(read, nodeId, bucketId);
  });
});

describe('POST /node/status: the ±300 s timestamp window', () => {
  const serverNow = Date.now();
  const at = (postWith: (overrides: IngestHandlerOptions) => PostReport) =>
    postWith({ ...NO_RATE_LIMIT, now: () => serverNow });

  it.for([
    ['301 s behind', -301_000],
    ['301 s ahead', 301_000],
    ['300.001 s behind', -300_001],
    ['300.001 s ahead', 300_001],
    ['an hour ahead', 3_600_000],
    ['at the epoch', -serverNow],
  ] as const)(
    'refuses a timestamp %s of the server clock',
    async ([_, offset], { seed, read, postWith }) => {
      const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
      const report = signed(nodeId, privateKey, reportBody([{ bucketId }]), serverNow + offset);
      expectUnauthorized(await at(postWith)(report.body, report.headers), /300 s/);
      await expectNothingStored(read, nodeId, bucketId);
    },
  );

  it.for([
    ['exactly 300 s behind', -300_000],
    ['exactly 300 s ahead', 300_000],
    ['299 s ahead', 299_000],
  ] as const)(
    'accepts a timestamp %s of the server clock',
    async ([_, offset], { seed, read, postWith }) => {
      const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
      const report = signed(nodeId, privateKey, reportBody([{ bucketId }]), serverNow + offset);
      const response = await at(postWith)(report.body, report.headers);
      expect(response.statusCode).toBe(200);
      expect(response.json.accepted).toStrictEqual([bucketId]);
      const row = await read.bucketRow(bucketId, nodeId);
      expect(row).toMatchObject({
        reportedAt: serverNow + offset,
        lastUpdated: new Date(serverNow).toISOString(),
      });
    },
  );

  it('a future timestamp is remembered: the node must not report an earlier one after it', async ({
    seed,
    postWith,
  }) => {
    // Why: the replay guard orders by the node's clock. A node whose clock jumped ahead is
    // locked out until its clock passes that timestamp, which the ±300 s window bounds.
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const ahead = signed(nodeId, privateKey, reportBody([{ bucketId }]), serverNow + 250_000);
    expect((await at(postWith)(ahead.body, ahead.headers)).statusCode).toBe(200);

    const honest = signed(nodeId, privateKey, reportBody([{ bucketId }]), serverNow);
    expectUnauthorized(await at(postWith)(honest.body, honest.headers), /replay/);
    const later = signed(nodeId, privateKey, reportBody([{ bucketId }]), serverNow + 250_001);
    expect((await at(postWith)(later.body, later.headers)).statusCode).toBe(200);
  });
});
