import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { signNodeReport } from '../../functions/domain/node-signature.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { Seeder } from '../support/seed.ts';
import { hs256Token } from '../support/status-fixture.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

/**
 * Authorization over the real HTTP path: the local runtime (the API Gateway v2 adapter in
 * front of every function's handlers) on port 0, against this run's engine, spoken to with real HTTP over
 * loopback. Users x buckets x roles with the exact code for every cell; path tricks that
 * must never reveal another workspace's bucket; credentials of one route never work on the
 * other; responses carry only the contract's fields; the per-node rate limit.
 */

const JWT_SECRET = 'authorization-suite-secret-of-32-bytes-or-more';
const ORG_1 = 'org-1';
const ORG_2 = 'org-2';

interface BucketSpec {
  bucketId: string;
  workspaceId: string;
  orgId: string;
  /** The one node assigned to it, and the ip it reports: how a leak would show. */
  nodeId: string;
  ip: string;
}

const BUCKETS: BucketSpec[] = [
  { bucketId: 'b-1a', workspaceId: 'ws-1a', orgId: ORG_1, nodeId: 'n-1a', ip: '198.51.100.11' },
  { bucketId: 'b-1b', workspaceId: 'ws-1b', orgId: ORG_1, nodeId: 'n-1b', ip: '198.51.100.12' },
  { bucketId: 'b-2a', workspaceId: 'ws-2a', orgId: ORG_2, nodeId: 'n-2a', ip: '198.51.100.21' },
];
const MISSING_BUCKET = 'b-missing';
const bucketById = new Map(BUCKETS.map((b) => [b.bucketId, b]));

type OrgRole = 'OWNER' | 'ADMIN' | 'MEMBER';
type WorkspaceRole = 'READ' | 'WRITE' | 'ADMIN';

interface UserSpec {
  userId: string;
  orgId: string;
  orgRole: OrgRole;
  memberships: Record<string, WorkspaceRole>;
  status: 'ACTIVE' | 'DISABLED';
  /** No profile row at all. */
  ghost?: boolean;
  /** tokensValidAfter set after the token was minted. */
  revoked?: boolean;
}

const ORG_ROLES: OrgRole[] = ['OWNER', 'ADMIN', 'MEMBER'];
const WS_ROLES: (WorkspaceRole | undefined)[] = [undefined, 'READ', 'WRITE', 'ADMIN'];

/** Every org role x every role (or none) on ws-1a, plus the special cases. */
const USERS: UserSpec[] = [
  ...ORG_ROLES.flatMap((orgRole) =>
    WS_ROLES.map(
      (wsRole): UserSpec => ({
        userId: `u-${orgRole.toLowerCase()}-${wsRole?.toLowerCase() ?? 'none'}`,
        orgId: ORG_1,
        orgRole,
        memberships: wsRole === undefined ? {} : { 'ws-1a': wsRole },
        status: 'ACTIVE',
      }),
    ),
  ),
  { userId: 'u-org2-admin', orgId: ORG_2, orgRole: 'ADMIN', memberships: {}, status: 'ACTIVE' },
  {
    userId: 'u-cross-reader',
    orgId: ORG_1,
    orgRole: 'MEMBER',
    memberships: { 'ws-2a': 'READ' },
    status: 'ACTIVE',
  },
  {
    userId: 'u-disabled',
    orgId: ORG_1,
    orgRole: 'OWNER',
    memberships: { 'ws-1a': 'ADMIN' },
    status: 'DISABLED',
  },
  {
    userId: 'u-revoked',
    orgId: ORG_1,
    orgRole: 'OWNER',
    memberships: { 'ws-1a': 'READ' },
    status: 'ACTIVE',
    revoked: true,
  },
  {
    userId: 'u-ghost',
    orgId: ORG_1,
    orgRole: 'OWNER',
    memberships: {},
    status: 'ACTIVE',
    ghost: true,
  },
];

/** DESIGN.md section 2, restated independently of functions/domain/access.ts. */
function expectedStatus(user: UserSpec, bucketId: string): number {
  if (user.ghost) return 404;
  if (user.revoked) return 401;
  if (user.status !== 'ACTIVE') return 403;
  const bucket = bucketById.get(bucketId);
  if (bucket === undefined) return 404;
  // A membership counts only within the bucket's org (DESIGN.md section 7).
  if (user.memberships[bucket.workspaceId] !== undefined && user.orgId === bucket.orgId) return 200;
  const orgReader = user.orgRole === 'OWNER' || user.orgRole === 'ADMIN';
  return orgReader && user.orgId === bucket.orgId ? 200 : 403;
}

/** Response headers an API Gateway client may see from this API; anything else is a leak. */
const ALLOWED_HEADERS = new Set([
  'content-type',
  'content-length',
  'cache-control',
  'x-content-type-options',
  // DESIGN.md section 7's security headers (test/security/response-headers.test.ts).
  'strict-transport-security',
  'content-security-policy',
  'referrer-policy',
  'www-authenticate',
  'retry-after',
  'apigw-requestid',
  // DESIGN.md section 7: a strong ETag and Vary: Accept-Encoding on a GET route's 200.
  'etag',
  'vary',
  'date',
  'connection',
  'keep-alive',
  // DESIGN.md section 7: a strong ETag on every GET 200, and Vary: Accept-Encoding.
  'etag',
  'vary',
]);
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

let table: TestTable;
let runtime: LocalRuntime;
const tokens = new Map<string, string>();
const nodeKeys = new Map<string, string>();

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: Record<string, unknown> | undefined;
}

/**
 * One request with the path exactly as given: fetch would normalise `..` and `//` before
 * sending, which is not what an attacker's client does.
 */
function send(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  const { port } = runtime;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) flat[name] = String(value);
          resolve({ status: res.statusCode ?? 0, headers: flat, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (userId: string) => ({ authorization: `Bearer ${tokens.get(userId)}` });
const getStatus = (bucketId: string, headers: Record<string, string>) =>
  send('GET', `/bucket/${bucketId}/status`, headers);

let lastTimestamp = 0;
/** A validly signed report from `nodeId`; timestamps strictly increase across the file. */
function postReport(nodeId: string, buckets: string[], extraHeaders: Record<string, string> = {}) {
  const body = JSON.stringify({
    ip: BUCKETS.find((b) => b.nodeId === nodeId)?.ip ?? '198.51.100.99',
    region: 'eu-west-1',
    version: '2.0.1',
    buckets: buckets.map((bucketId) => ({ bucketId, status: 'ONLINE', latency_ms: 42 })),
  });
  lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
  const signature = signNodeReport(nodeId, nodeKeys.get(nodeId) as string, body, lastTimestamp);
  return send(
    'POST',
    '/node/status',
    { 'content-type': 'application/json', ...signature, ...extraHeaders },
    body,
  );
}

/** The contract's error response, exactly; returns the message. */
function expectContractError(response: RawResponse, status: number): string {
  expect({ status: response.status, body: response.json }).toStrictEqual({
    status,
    body: { success: false, message: expect.stringMatching(/\S/) },
  });
  expectOnlyContractHeaders(response);
  return response.json?.message as string;
}

function expectOnlyContractHeaders(response: RawResponse) {
  expect(response.headers['content-type']).toBe('application/json');
  const unexpected = Object.keys(response.headers).filter((name) => !ALLOWED_HEADERS.has(name));
  expect(unexpected).toStrictEqual([]);
  if (response.json !== undefined && 'success' in response.json) {
    expect(response.headers['cache-control']).toBe('no-store');
  }
}

/** None of the node data of buckets other than `visible` appears anywhere in the response. */
function expectNoForeignData(response: RawResponse, visible: string | undefined) {
  for (const bucket of BUCKETS) {
    if (bucket.bucketId === visible) continue;
    expect(response.text).not.toContain(bucket.ip);
    expect(response.text).not.toContain(bucket.nodeId);
  }
}

beforeAll(async () => {
  table = await createTestTable('authz-http');
  runtime = await startLocalRuntime({
    env: {
      DYNAMODB_ENDPOINT: table.endpoint,
      TABLE_NAME: table.tableName,
      JWT_SECRET,
      NODE_MIN_REPORT_INTERVAL_MS: '1000',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
    port: 0,
    simulateNodes: false,
    log: () => undefined,
  });
  const store = createAdminStore(table.client, table.tableName);
  const seed = new Seeder(table.client, table.tableName);
  for (const bucket of BUCKETS) {
    await store.createWorkspace({ workspaceId: bucket.workspaceId, orgId: bucket.orgId });
  }
  for (const bucket of BUCKETS) {
    await store.createBucket({ ...bucket, name: bucket.bucketId });
    const { privateKey } = await store.registerNode({ nodeId: bucket.nodeId, orgId: bucket.orgId });
    nodeKeys.set(bucket.nodeId, privateKey as string);
    await store.assignNode({ bucketId: bucket.bucketId, nodeId: bucket.nodeId });
  }
  for (const user of USERS) {
    if (!user.ghost) {
      await store.createUser({
        userId: user.userId,
        orgId: user.orgId,
        orgRole: user.orgRole,
        status: user.status,
      });
      for (const [workspaceId, role] of Object.entries(user.memberships)) {
        const workspaceOrg = BUCKETS.find((b) => b.workspaceId === workspaceId)?.orgId;
        if (workspaceOrg === user.orgId) {
          await store.grant({ userId: user.userId, workspaceId, role });
        } else {
          // The CLI refuses this grant now; a row stored before the rule must grant nothing.
          await expect(store.grant({ userId: user.userId, workspaceId, role })).rejects.toThrow(
            /belongs to org/,
          );
          await seed.membership(user.userId, workspaceId, role);
        }
      }
    }
    tokens.set(user.userId, await hs256Token(user.userId, { secret: JWT_SECRET }));
  }
  await store.revokeTokens('u-revoked');
  // Every node reports once over HTTP, so every bucket has data a leak would show.
  for (const bucket of BUCKETS) {
    const response = await postReport(bucket.nodeId, [bucket.bucketId]);
    expect(response.status).toBe(200);
  }
});

afterAll(async () => {
  await runtime?.stop();
});

describe('GET /bucket/{bucketId}/status: users x buckets x roles', () => {
  const cells = USERS.flatMap((user) =>
    [...BUCKETS.map((b) => b.bucketId), MISSING_BUCKET].map((bucketId) => ({
      label: `${user.userId} on ${bucketId}`,
      userId: user.userId,
      bucketId,
      status: expectedStatus(user, bucketId),
    })),
  );

  it('the matrix covers every outcome', () => {
    const statuses = new Set(cells.map((cell) => cell.status));
    expect([...statuses].sort()).toStrictEqual([200, 401, 403, 404]);
    expect(cells.filter((cell) => cell.status === 200).length).toBeGreaterThan(10);
  });

  it.each(cells)('$label -> $status', async ({ userId, bucketId, status }) => {
    const response = await getStatus(bucketId, bearer(userId));
    if (status !== 200) {
      expectContractError(response, status);
      if (status === 401) {
        expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      }
      expectNoForeignData(response, undefined);
      return;
    }
    const bucket = bucketById.get(bucketId) as BucketSpec;
    expect(response.status).toBe(200);
    expectOnlyContractHeaders(response);
    expect(response.json).toStrictEqual({
      bucketId,
      nodeStatus: [
        {
          ip: bucket.ip,
          region: 'eu-west-1',
          version: '2.0.1',
          status: 'ONLINE',
          latency_ms: 42,
          lastUpdated: expect.stringMatching(ISO_UTC),
        },
      ],
    });
    expectNoForeignData(response, bucketId);
  });

  it('an invalid bucket id is 400 for every user who could read something', async () => {
    for (const userId of ['u-member-read', 'u-owner-none', 'u-org2-admin']) {
      expectContractError(await getStatus('b-1a*', bearer(userId)), 400);
    }
  });

  it('the demo seeded by the runtime follows the same rule', async () => {
    const headers = { authorization: `Bearer ${runtime.demo.token}` };
    const allowed = await getStatus(runtime.demo.bucketId, headers);
    expect(allowed.status).toBe(200);
    expect(allowed.json?.bucketId).toBe(runtime.demo.bucketId);
    expectContractError(await getStatus(runtime.demo.forbiddenBucketId, headers), 403);
    for (const bucket of BUCKETS)
      expectContractError(await getStatus(bucket.bucketId, headers), 403);
  });
});

/** The workspace rule of DESIGN.md section 14: the bucket rule on the workspace's org. */
function expectedWorkspaceStatus(user: UserSpec, workspaceId: string): number {
  const bucket = BUCKETS.find((b) => b.workspaceId === workspaceId);
  return expectedStatus(user, bucket?.bucketId ?? MISSING_BUCKET);
}

/** What GET /me lists for the user (DESIGN.md section 14), restated from the specs above. */
function expectedWorkspaces(user: UserSpec) {
  const orgReader = user.orgRole === 'OWNER' || user.orgRole === 'ADMIN';
  return BUCKETS.filter((b) => b.orgId === user.orgId)
    .flatMap((b) => {
      const role = orgReader ? `ORG_${user.orgRole}` : user.memberships[b.workspaceId];
      return role === undefined ? [] : [{ workspaceId: b.workspaceId, name: b.workspaceId, role }];
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

describe('GET /workspace/{workspaceId}/buckets: users x workspaces x roles', () => {
  const cells = USERS.flatMap((user) =>
    [...BUCKETS.map((b) => b.workspaceId), 'ws-missing'].map((workspaceId) => ({
      label: `${user.userId} on ${workspaceId}`,
      userId: user.userId,
      workspaceId,
      status: expectedWorkspaceStatus(user, workspaceId),
    })),
  );

  it('the matrix covers every outcome', () => {
    expect([...new Set(cells.map((cell) => cell.status))].sort()).toStrictEqual([
      200, 401, 403, 404,
    ]);
  });

  it.each(cells)('$label -> $status', async ({ userId, workspaceId, status }) => {
    const response = await send('GET', `/workspace/${workspaceId}/buckets`, bearer(userId));
    if (status !== 200) {
      expectContractError(response, status);
      expectNoForeignData(response, undefined);
      expect(response.text).not.toMatch(/b-\d[ab]/);
      return;
    }
    const bucket = BUCKETS.find((b) => b.workspaceId === workspaceId) as BucketSpec;
    expect(response.status).toBe(200);
    expectOnlyContractHeaders(response);
    const entries = (response.json?.buckets ?? []) as Record<string, unknown>[];
    const since = entries[0]?.since === undefined ? {} : { since: expect.stringMatching(ISO_UTC) };
    // One node, reported ONLINE in beforeAll (its silence may have come since).
    expect(response.json).toStrictEqual({
      workspaceId,
      buckets: [
        {
          bucketId: bucket.bucketId,
          name: bucket.bucketId,
          verdict: expect.stringMatching(/^(OPERATIONAL|MAJOR_OUTAGE)$/),
          ...since,
          nodes: expect.objectContaining({ assigned: 1, counted: 1 }),
        },
      ],
    });
    for (const other of BUCKETS) {
      if (other.workspaceId !== workspaceId) expect(response.text).not.toContain(other.bucketId);
    }
  });

  it('an invalid workspace id is 400', async () => {
    expectContractError(
      await send('GET', '/workspace/ws-1a*/buckets', bearer('u-owner-none')),
      400,
    );
  });
});

describe('GET /me: each user, and the workspaces it may read', () => {
  it.each(USERS)('$userId', async (user) => {
    const response = await send('GET', '/me', bearer(user.userId));
    const status = user.ghost ? 404 : user.revoked ? 401 : user.status !== 'ACTIVE' ? 403 : 200;
    if (status !== 200) {
      expectContractError(response, status);
      return;
    }
    expectOnlyContractHeaders(response);
    expect(response.json).toStrictEqual({
      userId: user.userId,
      orgId: user.orgId,
      orgRole: user.orgRole,
      workspaces: expectedWorkspaces(user),
    });
    // Every workspace listed is one the overview opens for the user, and no other is.
    for (const bucket of BUCKETS) {
      const listed = expectedWorkspaces(user).some((w) => w.workspaceId === bucket.workspaceId);
      expect(expectedWorkspaceStatus(user, bucket.workspaceId) === 200).toBe(listed);
    }
  });
});

describe('path variants never reveal another workspace bucket', () => {
  // u-member-read may read b-1a only; b-1b (same org) and b-2a (other org) are off limits.
  const READER = 'u-member-read';
  const variants = [
    '/bucket/b-1b/status/',
    '/bucket/b-1b/status//',
    '/bucket//b-1b/status',
    '//bucket/b-1b/status',
    '/bucket/b-1b//status',
    '/BUCKET/b-1b/status',
    '/Bucket/b-1b/STATUS',
    '/bucket/B-1B/status',
    '/bucket/b-1a/../b-1b/status',
    '/bucket/b-1a/status/../../b-1b/status',
    '/bucket/./b-1b/status',
    '/bucket/b-1a%2F..%2Fb-1b/status',
    '/bucket/b-1a%2f..%2fb-1b/status',
    '/bucket/..%2Fb-1b/status',
    '/bucket/b-1b%2Fstatus',
    '/bucket/%2E%2E/b-1b/status',
    '/bucket/b-1b%00/status',
    '/bucket/b-1b%20/status',
    '/bucket/b-1b;b-1a/status',
    '/bucket/b-1a,b-1b/status',
    '/bucket/b-1b%23/status',
    '/bucket/%62-1b/status', // percent-encoded "b": decodes to b-1b, which is still 403
    '/bucket/*/status',
    '/bucket/b-1%2A/status',
    '/bucket/b-2a/status?bucketId=b-1a',
    '/bucket/b-1b/status?bucketId=b-1a&bucketId=b-1b',
    '/bucket/status?bucketId=b-1b',
    '/bucket/b-1b/status%3FbucketId=b-1a',
    '/bucket/b-1b/status#b-1a',
    '/bucket/BUCKET%23b-1b/status',
    '/bucket/b-1b%23META/status',
  ];

  it.each(variants)('%s', async (path) => {
    const response = await send('GET', path, bearer(READER));
    expect(response.status).not.toBe(200);
    expect([400, 403, 404]).toContain(response.status);
    expectNoForeignData(response, undefined);
    expect(response.text).not.toContain('nodeStatus');
    if (response.json !== undefined && 'success' in response.json) {
      expectContractError(response, response.status);
    } else {
      // Unmatched routes get API Gateway's own 404, never the handler.
      expect({ status: response.status, body: response.json }).toStrictEqual({
        status: 404,
        body: { message: 'Not Found' },
      });
    }
  });

  it('ids in the query string never replace the path id', async () => {
    const response = await send(
      'GET',
      '/bucket/b-1a/status?bucketId=b-1b&bucketId=b-2a',
      bearer(READER),
    );
    expect(response.status).toBe(200);
    expect(response.json?.bucketId).toBe('b-1a');
    expectNoForeignData(response, 'b-1a');
  });

  it('percent-encoding of an allowed id still reads only that bucket', async () => {
    const response = await send('GET', '/bucket/%62-1%61/status', bearer(READER));
    expect(response.status).toBe(200);
    expect(response.json?.bucketId).toBe('b-1a');
    expectNoForeignData(response, 'b-1a');
  });
});

describe('credentials of one route never work on the other', () => {
  it('a valid node signature does not authenticate GET', async () => {
    const signature = signNodeReport('n-1a', nodeKeys.get('n-1a') as string, '');
    const response = await getStatus('b-1a', { ...signature });
    expectContractError(response, 401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expectNoForeignData(response, undefined);
  });

  it('a node signature in the Authorization header does not authenticate GET', async () => {
    const signature = signNodeReport('n-1a', nodeKeys.get('n-1a') as string, '');
    for (const authorization of [
      `Bearer ${signature['X-Node-Signature']}`,
      `NodeSignature ${signature['X-Node-Signature']}`,
      `Bearer n-1a.${signature['X-Node-Timestamp']}.${signature['X-Node-Signature']}`,
    ]) {
      expectContractError(await getStatus('b-1a', { authorization }), 401);
    }
  });

  it('a user token does not authenticate POST /node/status', async () => {
    const body = JSON.stringify({
      ip: '198.51.100.11',
      region: 'eu-west-1',
      version: '2.0.1',
      buckets: [{ bucketId: 'b-1a', status: 'OFFLINE' }],
    });
    const token = tokens.get('u-owner-admin') as string;
    const attempts: Record<string, string>[] = [
      { authorization: `Bearer ${token}` },
      { authorization: `Bearer ${token}`, 'x-node-id': 'n-1a' },
      {
        'x-node-id': 'n-1a',
        'x-node-timestamp': String(Date.now()),
        'x-node-signature': token,
      },
      {
        'x-node-id': 'u-owner-admin',
        'x-node-timestamp': String(Date.now()),
        'x-node-signature': token.split('.')[2] as string,
      },
    ];
    for (const headers of attempts) {
      const response = await send(
        'POST',
        '/node/status',
        { 'content-type': 'application/json', ...headers },
        body,
      );
      expectContractError(response, 401);
      expect(response.headers['www-authenticate']).toMatch(/^NodeSignature /);
    }
    // Nothing was stored: b-1a still shows n-1a ONLINE from its own report.
    const status = await getStatus('b-1a', bearer('u-member-read'));
    expect(status.json?.nodeStatus).toMatchObject([{ status: 'ONLINE' }]);
  });

  it('a node cannot report for another tenant bucket it is not assigned to', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_050)); // n-2a reported in beforeAll
    const response = await postReport('n-2a', ['b-1a']);
    expect(response.status).toBe(200);
    expectOnlyContractHeaders(response);
    expect(response.json).toStrictEqual({
      success: true,
      message: expect.any(String),
      accepted: [],
      rejected: [{ bucketId: 'b-1a', reason: 'not assigned' }],
    });
    const status = await getStatus('b-1a', bearer('u-member-read'));
    expect(status.json?.nodeStatus).toHaveLength(1);
    expectNoForeignData(status, 'b-1a');
  });
});

describe('per-node rate limit over HTTP', () => {
  it('a second report within the interval is 429 with Retry-After; other nodes are not held', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_050)); // earlier reports of n-1a/n-1b
    expect((await postReport('n-1a', ['b-1a'])).status).toBe(200);
    const second = await postReport('n-1a', ['b-1a']);
    expect(expectContractError(second, 429)).toMatch(/1000 ms/);
    expect(second.headers['retry-after']).toBe('1');
    // The limit is per node: another node reporting at the same moment is accepted.
    expect((await postReport('n-1b', ['b-1b'])).status).toBe(200);
    // After Retry-After the node is accepted again.
    await new Promise((resolve) =>
      setTimeout(resolve, Number(second.headers['retry-after']) * 1000),
    );
    const third = await postReport('n-1a', ['b-1a']);
    expect(third.status).toBe(200);
    expect(third.json?.accepted).toStrictEqual(['b-1a']);
  });
});
