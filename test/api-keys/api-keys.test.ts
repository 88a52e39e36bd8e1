/**
 * Workspace API keys (DESIGN.md section 18) over real HTTP, every route of the route table
 * served as the local runtime serves it (each function's production wiring behind the local
 * HTTP adapter) on the run's engine, through a pass-through proxy that records every DynamoDB
 * request. The access matrix with a key as the principal on every route present: its own
 * workspace's reads 200; another workspace's (same org or not) 403; every management route
 * 403; expired, revoked (on the very next request), unknown and malformed keys 401, a
 * malformed one without any read. Then create, list, delete, and the limit of twenty, also for
 * concurrent creations and two creators racing for the last slot. Every answer is checked
 * against openapi.yaml.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROUTES, type Route, routeKeyOf } from '../../functions/route-table.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { createLocalFunctions } from '../../local/handlers.ts';
import { createLocalHttpServer } from '../../local/http-adapter.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { JWT_TEST_SECRET, userToken } from '../support/ingest-fixture.ts';
import { createContract } from '../support/openapi-contract.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

const contract = createContract();
const DAY_MS = 86_400_000;
const ORG = `org-${randomUUID()}`;
const OTHER_ORG = `org-${randomUUID()}`;
/** The keys' workspace and bucket. */
const W = `ws-${randomUUID()}`;
const B = `bucket-${randomUUID()}`;
/** Another workspace of the same org, and a workspace of another org. */
const W2 = `ws-${randomUUID()}`;
const B2 = `bucket-${randomUUID()}`;
const W3 = `ws-${randomUUID()}`;
const B3 = `bucket-${randomUUID()}`;

let table: TestTable;
let proxy: FaultProxy;
let server: import('node:http').Server;
let dynamo: ReturnType<typeof createDynamoClient>;
let api: string;
let admin: string;
let adminId: string;
let reader: string;
/** The server clock of every function (epoch ms); tests move it to expire keys. */
let clock = Date.now();

beforeAll(async () => {
  table = await createTestTable('api-keys');
  const seed = new Seeder(table.client, table.tableName);
  await seed.workspace(W, { orgId: ORG });
  await seed.workspace(W2, { orgId: ORG });
  await seed.workspace(W3, { orgId: OTHER_ORG });
  await seed.bucket(B, { workspaceId: W, orgId: ORG });
  await seed.bucket(B2, { workspaceId: W2, orgId: ORG });
  await seed.bucket(B3, { workspaceId: W3, orgId: OTHER_ORG });
  adminId = randomUUID();
  const readerId = randomUUID();
  await seed.user(adminId, { orgId: ORG, orgRole: 'MEMBER' });
  await seed.membership(adminId, W, 'ADMIN');
  await seed.user(readerId, { orgId: ORG, orgRole: 'MEMBER' });
  await seed.membership(readerId, W, 'READ');
  admin = await userToken(adminId);
  reader = await userToken(readerId);
  proxy = await FaultProxy.start(table.endpoint);
  dynamo = createDynamoClient({ endpoint: proxy.endpoint });
  const functions = await createLocalFunctions({
    client: dynamo,
    settings: testSettings(table.tableName, JWT_TEST_SECRET, { nodeMinReportIntervalMs: 0 }),
    logger: createLogger('bucket-status-test'),
    overrides: { now: () => clock },
  });
  server = createLocalHttpServer({ routes: functions.routes });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  dynamo?.destroy();
  await proxy?.close();
});

beforeEach(() => {
  clock = Date.now();
});

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
  text: string;
}

/** One request; the answer is checked against openapi.yaml. */
async function send(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${api}${path}`, {
    method,
    headers,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  // Every answer is JSON but the 200 of GET metrics (the Prometheus text).
  const json = response.headers.get('content-type')?.startsWith('application/json') === true;
  const parsed = text === '' || !json ? undefined : (JSON.parse(text) as Record<string, unknown>);
  contract.assertResponse({
    method,
    path,
    status: response.status,
    headers: response.headers,
    body: json ? parsed : text,
  });
  return { status: response.status, body: parsed, text };
}

const createKey = (workspaceId: string, body: unknown = {}, token = admin) =>
  send('POST', `/workspace/${workspaceId}/api-keys`, token, body);

async function newKey(workspaceId = W, body: unknown = {}): Promise<{ id: string; key: string }> {
  const created = await createKey(workspaceId, body);
  expect(created.status, created.text).toBe(201);
  return { id: created.body?.id as string, key: created.body?.key as string };
}

// The routes of the table, by what a key may do on them.
const isSigned = (route: Route) => route.path === '/node/status';
const isPublic = (route: Route) => route.path.startsWith('/public/');
/** Every route of the management functions changes something (or shows secrets): keys refused. */
const isManagement = (route: Route) => route.function === 'webhooks' || route.function === 'manage';
/** GET /me: a read of the caller's user, which a key has not (403, docs/ARCHITECTURE.md). */
const isUserRead = (route: Route) => route.path === '/me';
const bearerRoutes = ROUTES.filter((route) => !isSigned(route) && !isPublic(route));
const readRoutes = bearerRoutes.filter((route) => !isManagement(route) && !isUserRead(route));
const userReadRoutes = bearerRoutes.filter(isUserRead);
const managementRoutes = bearerRoutes.filter(isManagement);
const named = (routes: readonly Route[]) => routes.map((route) => [routeKeyOf(route), route]);

/** A path of the route on the given bucket or workspace (other ids: any valid id). */
const pathOf = (route: Route, ids: { bucketId: string; workspaceId: string }) =>
  route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent((ids as Record<string, string>)[name] ?? 'x'),
  );

/** A body the route accepts (its shape's defaults where it has any). */
function bodyOf(route: Route): unknown {
  if (!['POST', 'PUT', 'PATCH'].includes(route.method)) return undefined;
  if (routeKeyOf(route) === 'POST /bucket/{bucketId}/stats') {
    return { day: new Date().toISOString().slice(0, 10) };
  }
  return {};
}

const call = (route: Route, token: string, ids: { bucketId: string; workspaceId: string }) =>
  send(route.method, pathOf(route, ids), token, bodyOf(route));

const OWN = { bucketId: B, workspaceId: W };
const SAME_ORG = { bucketId: B2, workspaceId: W2 };
const OTHER_ORG_IDS = { bucketId: B3, workspaceId: W3 };

describe('the access matrix with an API key as the principal', () => {
  let key: string;
  beforeAll(async () => {
    key = (await newKey(W, { description: 'matrix' })).key;
  });

  it('finds the routes of each kind', () => {
    expect(readRoutes.map(routeKeyOf)).toEqual(
      expect.arrayContaining([
        'GET /bucket/{bucketId}/status',
        'POST /bucket/{bucketId}/stats',
        'GET /bucket/{bucketId}/uptime',
        'GET /bucket/{bucketId}/events',
        'GET /bucket/{bucketId}/health',
        'GET /bucket/{bucketId}/health/events',
        'GET /bucket/{bucketId}/maintenance',
        'GET /workspace/{workspaceId}/metrics',
        'GET /workspace/{workspaceId}/buckets',
      ]),
    );
    expect(userReadRoutes.map(routeKeyOf)).toEqual(['GET /me']);
    expect(managementRoutes.map(routeKeyOf)).toEqual(
      expect.arrayContaining([
        'POST /workspace/{workspaceId}/webhooks',
        'POST /bucket/{bucketId}/maintenance',
        'DELETE /bucket/{bucketId}/maintenance/{windowId}',
        'PUT /bucket/{bucketId}/health/policy',
        'GET /workspace/{workspaceId}/api-keys',
        'DELETE /workspace/{workspaceId}/api-keys/{keyId}',
      ]),
    );
  });

  it.each(named(readRoutes))('%s: 200 on its own workspace', async (_, route) => {
    const answer = await call(route as Route, key, OWN);
    expect(answer.status, answer.text).toBe(200);
  });

  it.each(named(readRoutes))(
    '%s: 403 on another workspace, of its org or another',
    async (_, route) => {
      for (const ids of [SAME_ORG, OTHER_ORG_IDS]) {
        const answer = await call(route as Route, key, ids);
        expect(answer.status, `${ids.workspaceId}: ${answer.text}`).toBe(403);
      }
    },
  );

  it.each(named(userReadRoutes))(
    '%s: 403 (a key has no user), 200 for a user',
    async (_, route) => {
      const answer = await call(route as Route, key, OWN);
      expect(answer.status, answer.text).toBe(403);
      expect(answer.body?.message).toMatch(/API key/);
      expect((await call(route as Route, reader, OWN)).status).toBe(200);
    },
  );

  it.each(named(managementRoutes))('%s: 403 (keys are read-only)', async (_, route) => {
    for (const ids of [OWN, SAME_ORG, OTHER_ORG_IDS]) {
      const answer = await call(route as Route, key, ids);
      expect(answer.status, answer.text).toBe(403);
      expect(answer.body?.message).toMatch(/read-only/);
    }
  });

  it('a user with READ in the workspace gets what the key gets on its reads', async () => {
    for (const route of readRoutes) {
      expect((await call(route, reader, OWN)).status).toBe(200);
      expect((await call(route, reader, SAME_ORG)).status).toBe(403);
    }
  });

  it.each(named(bearerRoutes))('%s: 401 once the key has expired', async (_, route) => {
    const createdAt = clock;
    const expiring = await newKey(W, { expiresInDays: 1 });
    clock = createdAt + DAY_MS - 1;
    if (!isManagement(route as Route)) {
      expect((await call(route as Route, expiring.key, OWN)).status).toBe(
        isUserRead(route as Route) ? 403 : 200,
      );
    }
    clock = createdAt + DAY_MS;
    const answer = await call(route as Route, expiring.key, OWN);
    expect(answer.status, answer.text).toBe(401);
    expect(answer.body?.message).toBe('The API key has expired');
    clock = Date.now();
    expect((await send('DELETE', `/workspace/${W}/api-keys/${expiring.id}`, admin)).status).toBe(
      204,
    );
  });

  it.each(named(bearerRoutes))('%s: 401 from the request after its DELETE', async (_, route) => {
    const revoked = await newKey(W);
    if (!isManagement(route as Route)) {
      expect((await call(route as Route, revoked.key, OWN)).status).toBe(
        isUserRead(route as Route) ? 403 : 200,
      );
    }
    expect((await send('DELETE', `/workspace/${W}/api-keys/${revoked.id}`, admin)).status).toBe(
      204,
    );
    const answer = await call(route as Route, revoked.key, OWN);
    expect(answer.status, answer.text).toBe(401);
    expect(answer.body?.message).toBe('The API key is not valid');
  });

  it.each(named(bearerRoutes))(
    '%s: 401 for an unknown key of the right shape',
    async (_, route) => {
      const unknown = `bsk_${randomBytes(32).toString('base64url')}`;
      const answer = await call(route as Route, unknown, OWN);
      expect(answer.status, answer.text).toBe(401);
    },
  );

  it.each(named(bearerRoutes))(
    '%s: 401 without any read for a malformed bsk_ value',
    async (_, route) => {
      const malformed = [
        'bsk_',
        'bsk_short',
        `bsk_${randomBytes(32).toString('base64url')}x`,
        `bsk_${randomBytes(32).toString('base64')}`.replace(/=+$/, '='),
        `bsk_${'A'.repeat(42)}.`,
      ];
      for (const value of malformed) {
        proxy.clear();
        const answer = await call(route as Route, value, OWN);
        expect(answer.status, value).toBe(401);
        expect(answer.body?.message).toBe('The API key is malformed');
        expect(proxy.seen, value).toEqual([]);
      }
    },
  );

  it('a key is one consistent GetItem of its lookup row, and no user partition is read', async () => {
    proxy.clear();
    const route = readRoutes.find((r) => routeKeyOf(r) === 'GET /bucket/{bucketId}/status');
    expect((await call(route as Route, key, OWN)).status).toBe(200);
    const hash = createHash('sha256').update(key).digest('base64url');
    const lookups = proxy.seen.filter((s) => s.body.includes(`APIKEY#${hash}`));
    expect(lookups.map((s) => s.operation)).toEqual(['GetItem']);
    expect(JSON.parse(lookups[0]?.body ?? '{}').ConsistentRead).toBe(true);
    expect(proxy.seen.some((s) => s.body.includes('USER#'))).toBe(false);
  });
});

describe('create, list, delete', () => {
  it('creates a key shown once: bsk_ + 43 base64url characters, 90 days by default', async () => {
    const created = await createKey(W, { description: 'grafana ✓' });
    expect(created.status, created.text).toBe(201);
    const body = created.body as Record<string, string>;
    expect(body).toEqual({
      id: expect.stringMatching(/^ak_[0-9a-f]{32}$/),
      description: 'grafana ✓',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      key: expect.stringMatching(/^bsk_[A-Za-z0-9_-]{43}$/),
    });
    expect(Buffer.from((body.key as string).slice(4), 'base64url')).toHaveLength(32);
    expect(Date.parse(body.expiresAt as string) - Date.parse(body.createdAt as string)).toBe(
      90 * DAY_MS,
    );
    const list = await send('GET', `/workspace/${W}/api-keys`, admin);
    expect(list.status).toBe(200);
    const listed = ((list.body?.keys ?? []) as Record<string, unknown>[]).find(
      (k) => k.id === body.id,
    );
    expect(listed).toEqual({
      id: body.id,
      description: 'grafana ✓',
      createdAt: body.createdAt,
      expiresAt: body.expiresAt,
    });
    // Neither the key nor its hash in the list.
    const hash = createHash('sha256')
      .update(body.key as string)
      .digest('base64url');
    expect(list.text).not.toContain(body.key);
    expect(list.text).not.toContain(hash);
    expect(list.text).not.toContain('bsk_');
    // Nor anywhere in the table but as the lookup row's key.
    const stored = await table.client.send(
      new (await import('@aws-sdk/client-dynamodb')).ScanCommand({ TableName: table.tableName }),
    );
    expect(JSON.stringify(stored.Items)).not.toContain(body.key);
    expect(await send('DELETE', `/workspace/${W}/api-keys/${body.id}`, admin)).toMatchObject({
      status: 204,
    });
  });

  it('expiresInDays: 1 and 365 accepted; the expiry is that many days after creation', async () => {
    for (const days of [1, 365]) {
      const created = await createKey(W, { expiresInDays: days });
      expect(created.status, created.text).toBe(201);
      const { createdAt, expiresAt, id } = created.body as Record<string, string>;
      expect(Date.parse(expiresAt as string) - Date.parse(createdAt as string)).toBe(days * DAY_MS);
      expect((await send('DELETE', `/workspace/${W}/api-keys/${id}`, admin)).status).toBe(204);
    }
  });

  it.each([
    [[], 'body must be a JSON object'],
    [{ expiresInDays: 0 }, 'expiresInDays must be an integer from 1 to 365'],
    [{ expiresInDays: 366 }, 'expiresInDays must be an integer from 1 to 365'],
    [{ expiresInDays: 1.5 }, 'expiresInDays must be an integer from 1 to 365'],
    [{ expiresInDays: '30' }, 'expiresInDays must be an integer from 1 to 365'],
    [{ description: 7 }, 'description must be a string'],
    [{ description: 'a\u2028b' }, 'description must not contain'],
    [{ description: '😀'.repeat(257) }, 'description must be at most 256 characters'],
    [{ key: 'bsk_chosen' }, 'unknown field: key'],
  ])('400 for %j', async (body, message) => {
    const answer = await createKey(W, body);
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body?.message).toContain(message);
  });

  it('256 emoji are a description; null or empty is none', async () => {
    for (const [description, listed] of [
      ['😀'.repeat(256), '😀'.repeat(256)],
      [null, undefined],
      ['', undefined],
    ] as const) {
      const created = await createKey(W, { description });
      expect(created.status, created.text).toBe(201);
      expect(created.body?.description).toBe(listed);
      await send('DELETE', `/workspace/${W}/api-keys/${created.body?.id}`, admin);
    }
  });

  it('the callers of the webhook routes: a READ member is refused, an unknown key id is 404', async () => {
    expect((await createKey(W, {}, reader)).status).toBe(403);
    expect((await send('GET', `/workspace/${W}/api-keys`, reader)).status).toBe(403);
    expect((await send('DELETE', `/workspace/${W}/api-keys/ak_nope`, admin)).status).toBe(404);
    expect((await send('GET', `/workspace/no-such-ws/api-keys`, admin)).status).toBe(404);
  });

  it('a key of another workspace cannot be deleted through this one (404)', async () => {
    const own = await newKey(W);
    // The admin of W is no manager of W2: 403; and W's key id under another path is unknown.
    expect((await send('DELETE', `/workspace/${W2}/api-keys/${own.id}`, admin)).status).toBe(403);
    expect((await send('GET', `/bucket/${B}/status`, own.key)).status).toBe(200);
    await send('DELETE', `/workspace/${W}/api-keys/${own.id}`, admin);
  });
});

describe('at most twenty keys per workspace', () => {
  async function slotsOf(workspaceId: string): Promise<number> {
    const list = await send('GET', `/workspace/${workspaceId}/api-keys`, admin);
    return ((list.body?.keys ?? []) as unknown[]).length;
  }

  async function freshWorkspace(): Promise<string> {
    const workspaceId = `ws-${randomUUID()}`;
    await new Seeder(table.client, table.tableName).workspace(workspaceId, { orgId: ORG });
    await new Seeder(table.client, table.tableName).membership(adminId, workspaceId, 'ADMIN');
    return workspaceId;
  }

  it('the 21st is a 409; a deleted one frees its slot', async () => {
    const workspaceId = await freshWorkspace();
    const keys = [];
    for (let i = 0; i < 20; i++) keys.push(await newKey(workspaceId));
    const refused = await createKey(workspaceId);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body?.message).toBe('A workspace has at most 20 API keys');
    expect(await slotsOf(workspaceId)).toBe(20);
    // Every key works (each has its lookup row).
    for (const { key } of keys.slice(0, 3)) {
      expect((await send('GET', `/workspace/${workspaceId}/api-keys`, key)).status).toBe(403);
    }
    await send('DELETE', `/workspace/${workspaceId}/api-keys/${keys[7]?.id}`, admin);
    expect((await createKey(workspaceId)).status).toBe(201);
    expect((await createKey(workspaceId)).status).toBe(409);
  });

  it('two creators racing for the last slot: one 201, one 409', async () => {
    const workspaceId = await freshWorkspace();
    for (let i = 0; i < 19; i++) await newKey(workspaceId);
    const answers = await Promise.all([createKey(workspaceId), createKey(workspaceId)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await slotsOf(workspaceId)).toBe(20);
  });

  it('25 concurrent creations give exactly 20 keys, each of which works', async () => {
    const workspaceId = await freshWorkspace();
    const bucketId = `bucket-${randomUUID()}`;
    await new Seeder(table.client, table.tableName).bucket(bucketId, {
      workspaceId,
      orgId: ORG,
    });
    const answers = await Promise.all(Array.from({ length: 25 }, () => createKey(workspaceId)));
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(20);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(5);
    expect(await slotsOf(workspaceId)).toBe(20);
    for (const answer of created) {
      const status = await send('GET', `/bucket/${bucketId}/status`, answer.body?.key as string);
      expect(status.status).toBe(200);
    }
  });
});
