/**
 * Every status a route can answer is in openapi.yaml, and every bound it lists is the handler's.
 * Each route of the route table is served as the local runtime serves it (its function's
 * production wiring behind the local HTTP adapter, over real HTTP, on the real engine) and gets
 * the requests that make the shared chain give each of its generic answers: no credential
 * (401), a malformed path id (400), a missing resource (404), a user of another org (403), the
 * caller it is meant for (2xx), a body just over and exactly at the bound openapi.yaml names
 * (413 and not 413), DynamoDB unavailable (503), and for a GET the response-size guard (406).
 * Every answer is checked against the document (status, headers, body).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShareStore } from '../../functions/data/shares.ts';
import { generateShareToken, shareTokenHash } from '../../functions/domain/shares.ts';
import { conditionalGetResponses } from '../../functions/http/conditional-get-middleware.ts';
import { ROUTES, type Route, routeKeyOf } from '../../functions/route-table.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { createLocalFunctions } from '../../local/handlers.ts';
import { createLocalHttpServer } from '../../local/http-adapter.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { JWT_TEST_SECRET, signed, userToken } from '../support/ingest-fixture.ts';
import { createContract } from '../support/openapi-contract.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

const contract = createContract();
const ORG = `org-${randomUUID()}`;
const WORKSPACE = `ws-${randomUUID()}`;
const BUCKET = `bucket-${randomUUID()}`;
const NODE = `node-${randomUUID()}`;
/** A share of BUCKET: the credential of the public routes. */
const SHARE_TOKEN = generateShareToken();

let table: TestTable;
let proxy: FaultProxy;
const servers: import('node:http').Server[] = [];
const clients: ReturnType<typeof createDynamoClient>[] = [];
/** The API on the engine, and the same API on an engine that is unavailable. */
let api: string;
let downApi: string;
let admin: string;
let outsider: string;
/** A token of a user with no profile row, and one of a disabled user. */
let ghost: string;
let disabled: string;
let nodeKey: string;

async function serve(endpoint: string): Promise<string> {
  const client = createDynamoClient({ endpoint });
  clients.push(client);
  const functions = await createLocalFunctions({
    client,
    settings: testSettings(table.tableName, JWT_TEST_SECRET, { nodeMinReportIntervalMs: 0 }),
    logger: createLogger('bucket-status-test'),
  });
  const server = createLocalHttpServer({ routes: functions.routes });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  table = await createTestTable('route-statuses');
  const seed = new Seeder(table.client, table.tableName);
  const adminId = randomUUID();
  const outsiderId = randomUUID();
  await seed.workspace(WORKSPACE, { orgId: ORG });
  await seed.bucket(BUCKET, { workspaceId: WORKSPACE, orgId: ORG });
  await seed.user(adminId, { orgId: ORG, orgRole: 'MEMBER' });
  await seed.membership(adminId, WORKSPACE, 'ADMIN');
  await seed.user(outsiderId, { orgId: `other-${ORG}`, orgRole: 'OWNER' });
  nodeKey = await seed.node(NODE);
  await seed.assignment(BUCKET, NODE);
  await createShareStore(table.client, table.tableName).putShare(BUCKET, {
    shareId: 'shr_route_statuses',
    slot: 0,
    label: undefined,
    showIps: false,
    createdAt: new Date().toISOString(),
    tokenHash: shareTokenHash(SHARE_TOKEN),
  });
  const disabledId = randomUUID();
  await seed.user(disabledId, { orgId: ORG, orgRole: 'OWNER', status: 'DISABLED' });
  admin = await userToken(adminId);
  outsider = await userToken(outsiderId);
  ghost = await userToken(randomUUID());
  disabled = await userToken(disabledId);
  proxy = await FaultProxy.start(table.endpoint);
  proxy.fail({ kind: 'unavailable', times: Number.POSITIVE_INFINITY });
  api = await serve(table.endpoint);
  downApi = await serve(proxy.endpoint);
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const client of clients) client.destroy();
  await proxy?.close();
});

type Operation = Record<string, unknown>;
const operationOf = (route: Route) =>
  contract.doc.paths[route.path]?.[route.method.toLowerCase()] as Operation;
const isSigned = (route: Route) => route.path === '/node/status';
/** The public routes: the share token in the path is the credential. */
const isPublic = (route: Route) => route.path.startsWith('/public/');
const hasBody = (route: Route) => operationOf(route).requestBody !== undefined;

/** The route's path with each parameter set (a valid, existing id unless overridden). */
function pathOf(route: Route, values: Record<string, string> = {}): string {
  const defaults: Record<string, string> = {
    bucketId: BUCKET,
    workspaceId: WORKSPACE,
    webhookId: 'no-such-webhook',
    shareId: 'no-such-share',
    token: SHARE_TOKEN,
    windowId: 'no-such-window',
  };
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(values[name] ?? defaults[name] ?? 'x'),
  );
}

/** A body of the route's shape that the handler accepts as JSON, padded with spaces to `size`. */
function validBody(route: Route, size?: number): string {
  const shapes: Record<string, unknown> = {
    'POST /bucket/{bucketId}/stats': { day: new Date().toISOString().slice(0, 10) },
    'POST /workspace/{workspaceId}/webhooks': { url: 'https://127.0.0.1/hook' },
    'PATCH /workspace/{workspaceId}/webhooks/{webhookId}': { minDurationSeconds: 60 },
    'POST /bucket/{bucketId}/maintenance': {
      start: new Date(Date.now() + 3_600_000).toISOString(),
      end: new Date(Date.now() + 7_200_000).toISOString(),
    },
    'PUT /bucket/{bucketId}/health/policy': { minOnlinePercent: 75 },
    'POST /node/status': {
      ip: '203.0.113.7',
      region: 'us-east-1',
      version: '1.2.3',
      buckets: [{ bucketId: BUCKET, status: 'ONLINE' }],
    },
  };
  const json = JSON.stringify(shapes[routeKeyOf(route)] ?? {});
  return size === undefined ? json : json + ' '.repeat(size - Buffer.byteLength(json));
}

interface Observed {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** Sends one request and checks the answer against openapi.yaml. */
async function call(
  route: Route,
  options: { base?: string; path?: string; token?: string; body?: string; signature?: boolean },
): Promise<Observed> {
  const path = options.path ?? pathOf(route);
  const headers: Record<string, string> = {};
  let body = options.body;
  if (body === undefined && hasBody(route)) body = validBody(route);
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.signature === true) {
    Object.assign(headers, signed(NODE, nodeKey, body ?? '').headers);
  }
  const response = await fetch(`${options.base ?? api}${path}`, {
    method: route.method,
    headers,
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  const observed = {
    status: response.status,
    headers: response.headers,
    body:
      text === '' || !response.headers.get('content-type')?.includes('json')
        ? text || undefined
        : (JSON.parse(text) as unknown),
    text,
  };
  contract.assertResponse({
    method: route.method,
    path,
    status: observed.status,
    headers: observed.headers,
    body: observed.body,
  });
  return observed;
}

/**
 * The caller each route is for: the workspace ADMIN (bearer routes), the assigned node, or
 * anyone with the share token (public routes: it is in the path already).
 */
const meant = (route: Route) =>
  isSigned(route) ? { signature: true } : isPublic(route) ? {} : { token: admin };

/** The bound openapi.yaml lists for the route's body, in bytes (its 413's "over N KiB"). */
function listedBound(route: Route): number {
  const responses = operationOf(route).responses as Record<string, { description?: string }>;
  const description = responses['413']?.description ?? '';
  const kib = /over (\d+) KiB/.exec(description)?.[1];
  expect(kib, `${routeKeyOf(route)}: the 413 names its bound ("over N KiB")`).toBeDefined();
  return Number(kib) * 1024;
}

const keys = ROUTES.map((route) => [routeKeyOf(route), route] as const);
const bearerRoutes = keys.filter(([, route]) => !isSigned(route) && !isPublic(route));
/** The bearer routes of a bucket or workspace (all but GET /me, whose only resource is the caller). */
const resourceRoutes = bearerRoutes.filter(([, route]) => route.path.includes('{'));
const callerRoutes = bearerRoutes.filter(([, route]) => !route.path.includes('{'));
const credentialRoutes = keys.filter(([, route]) => !isPublic(route));
const publicRoutes = keys.filter(([, route]) => isPublic(route));
const bodyRoutes = keys.filter(([, route]) => hasBody(route));
const getRoutes = keys.filter(([, route]) => route.method === 'GET');

describe('every answer of every route is documented', () => {
  it('finds the routes of each kind', () => {
    expect(bearerRoutes.length).toBeGreaterThanOrEqual(7);
    expect(bodyRoutes.map(([key]) => key)).toEqual(
      expect.arrayContaining(['POST /node/status', 'POST /bucket/{bucketId}/stats']),
    );
    expect(getRoutes.length).toBeGreaterThanOrEqual(4);
  });

  it.each(keys)('%s: what the caller it is meant for gets', async (key, route) => {
    const answer = await call(route, meant(route));
    // A webhook URL on a loopback address is refused; the seeded workspace has no webhook, the
    // bucket no window of that id.
    const expected: Record<string, number> = {
      'POST /workspace/{workspaceId}/webhooks': 400,
      'DELETE /workspace/{workspaceId}/webhooks/{webhookId}': 404,
      'PATCH /workspace/{workspaceId}/webhooks/{webhookId}': 404,
      'DELETE /bucket/{bucketId}/shares/{shareId}': 404,
      'DELETE /bucket/{bucketId}/maintenance/{windowId}': 404,
      'DELETE /workspace/{workspaceId}/api-keys/{keyId}': 404,
    };
    if (key in expected) expect(answer.status, answer.text).toBe(expected[key]);
    else expect([200, 201, 204], answer.text).toContain(answer.status);
  });

  it.each(credentialRoutes)('%s: 401 without a credential', async (_, route) => {
    expect((await call(route, {})).status).toBe(401);
  });

  it.each(publicRoutes)('%s: 404 for a malformed or unknown share token', async (_, route) => {
    for (const token of ['bad id!', 'x', generateShareToken()]) {
      const path = pathOf(route, { token });
      expect((await call(route, { path })).status, path).toBe(404);
    }
  });

  it.each(bearerRoutes)('%s: 400 for each malformed path id', async (_, route) => {
    for (const name of route.path.match(/\{(\w+)\}/g) ?? []) {
      const path = pathOf(route, { [name.slice(1, -1)]: 'bad id!' });
      const refused = await call(route, { token: admin, path });
      expect(refused.status, path).toBe(400);
    }
  });

  it.each(resourceRoutes)('%s: 404 for a missing bucket or workspace', async (_, route) => {
    const path = pathOf(route, { bucketId: 'no-such-bucket', workspaceId: 'no-such-workspace' });
    expect((await call(route, { token: admin, path })).status).toBe(404);
  });

  it.each(resourceRoutes)('%s: 403 for a user of another organization', async (_, route) => {
    expect((await call(route, { token: outsider })).status).toBe(403);
  });

  it.each(callerRoutes)('%s: 404 for a user without a profile, 403 disabled', async (_, route) => {
    expect((await call(route, { token: ghost })).status).toBe(404);
    expect((await call(route, { token: disabled })).status).toBe(403);
  });

  it.each(keys)('%s: 503 with Retry-After while DynamoDB is unavailable', async (_, route) => {
    const down = await call(route, { ...meant(route), base: downApi });
    expect(down.status, down.text).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('every JSON body bound is listed in openapi.yaml, and is the handler’s', () => {
  it.each(bodyRoutes)('%s: 413 one byte over the listed bound, not at it', async (_, route) => {
    const bound = listedBound(route);
    const over = await call(route, { ...meant(route), body: validBody(route, bound + 1) });
    expect(over.status, over.text).toBe(413);
    const at = await call(route, { ...meant(route), body: validBody(route, bound) });
    expect(at.status, at.text).not.toBe(413);
  });
});

describe('every GET route documents the 406 of its response-size guard', () => {
  it.each(getRoutes)('%s', async (_, route) => {
    const ok = await call(route, meant(route));
    expect(ok.status).toBe(200);
    // The guard every GET chain runs (conditionalGetResponses) on a 200 over its limit that gzip
    // would fit: the answer is a 406 whatever the route's body, so a compressible one will do.
    const request = {
      event: { requestContext: { http: { method: 'GET' } }, headers: {} },
      response: {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify({ padding: 'x'.repeat(20_000) }),
      },
    };
    const guard = conditionalGetResponses(5_000).after;
    await guard?.(request as unknown as Parameters<NonNullable<typeof guard>>[0]);
    const guarded = request.response as { statusCode: number; headers: Record<string, string> };
    const body = JSON.parse((request.response as { body: string }).body) as unknown;
    expect(guarded.statusCode).toBe(406);
    contract.assertResponse({
      method: 'GET',
      path: pathOf(route),
      status: guarded.statusCode,
      headers: new Headers(guarded.headers),
      body,
    });
  });
});
