// The webhook routes (DESIGN.md section 10) through their handler, on the run's engine: the
// access matrix, the limit of ten (also under concurrent creation), bad bodies, and the
// secret that is shown once, never listed and never logged.
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier } from '../../functions/auth/token-verifier.ts';
import { createUserAccessReader } from '../../functions/data/user-access.ts';
import { createWebhookStore } from '../../functions/data/webhooks.ts';
import type { ResolveHost } from '../../functions/domain/webhook-url.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { dispatchByRoute } from '../../functions/shared/wiring.ts';
import { createWebhookRoutes, WEBHOOK_ROUTES } from '../../functions/webhooks/webhooks-handler.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { createContract } from '../support/openapi-contract.ts';
import { Seeder } from '../support/seed.ts';
import { bearer, hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { REFUSED } from '../support/text.ts';

const contract = createContract();

/** Run during the lookup of `race.example.com`: another caller acting while a PATCH checks its URL. */
let duringLookup: (() => Promise<unknown>) | undefined;
const resolveHost: ResolveHost = async (host) => {
  if (host === 'hooks.example.com') return [{ address: '93.184.215.14', family: 4 }];
  if (host === 'race.example.com') {
    await duringLookup?.();
    return [{ address: '93.184.215.14', family: 4 }];
  }
  if (host === 'internal.example.com') return [{ address: '10.1.2.3', family: 4 }];
  throw new Error('ENOTFOUND');
};

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
let call: (
  method: Method,
  workspaceId: string,
  options?: { token?: string; body?: string; webhookId?: string; headers?: Record<string, string> },
) => Promise<HttpResult & { json: Record<string, unknown> }>;
let seeder: Seeder;
let table: TestTable;
const W = 'ws-main';
const ORG = 'org-1';

function event(
  method: Method,
  workspaceId: string,
  headers: Record<string, string>,
  body?: string,
  webhookId?: string,
): APIGatewayProxyEventV2 {
  const routeKey = {
    GET: WEBHOOK_ROUTES.list,
    POST: WEBHOOK_ROUTES.create,
    PATCH: WEBHOOK_ROUTES.update,
    DELETE: WEBHOOK_ROUTES.delete,
  }[method];
  const path = `/workspace/${workspaceId}/webhooks${webhookId === undefined ? '' : `/${webhookId}`}`;
  const e = httpApiEvent({
    method: method === 'DELETE' || method === 'PATCH' ? 'POST' : method,
    path,
    routeKey,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    pathParameters: { workspaceId, ...(webhookId !== undefined && { webhookId }) },
    ...(body !== undefined && { body }),
  });
  e.requestContext.http.method = method;
  return e;
}

/** The webhook routes on `client` (the run's table), with a clock when given. */
function routesOn(client: DynamoDBClient, now?: () => number) {
  const { tableName } = table;
  return dispatchByRoute(
    createWebhookRoutes({
      verifyToken: createTokenVerifier({ source: { kind: 'secret', secret: TEST_SECRET } }),
      loadUserAccess: createUserAccessReader(client, tableName),
      store: createWebhookStore(client, tableName),
      urlPolicy: { allowLoopback: false },
      resolveHost,
      logger: createLogger('webhooks-test', { logLevel: 'DEBUG' }),
      ...(now !== undefined && { now }),
    }),
  );
}

beforeAll(async () => {
  table = await createTestTable('webhooks');
  seeder = new Seeder(table.client, table.tableName);
  const handler = routesOn(table.client);
  call = async (method, workspaceId, options = {}) => {
    const token = options.token ?? (await hs256Token('ws-admin'));
    const result = (await handler(
      event(
        method,
        workspaceId,
        { ...bearer(token), ...options.headers },
        options.body,
        options.webhookId,
      ),
      lambdaContext(),
    )) as HttpResult;
    const json = result.body ? JSON.parse(result.body) : {};
    // Every response of this suite is one openapi.yaml documents (status, headers, body).
    const e = event(method, workspaceId, {}, undefined, options.webhookId);
    contract.assertResponse({
      method,
      path: e.rawPath,
      status: result.statusCode,
      headers: new Headers(result.headers),
      body: result.body ? json : undefined,
    });
    return { ...result, json };
  };
  await seeder.put({ pk: `WORKSPACE#${W}`, sk: 'META', orgId: ORG, name: 'main' });
  await seeder.put({ pk: 'WORKSPACE#ws-other-org', sk: 'META', orgId: 'org-2', name: 'other' });
  const users: [string, Parameters<Seeder['user']>[1], string | undefined][] = [
    ['ws-read', { orgId: ORG, orgRole: 'MEMBER' }, 'READ'],
    ['ws-write', { orgId: ORG, orgRole: 'MEMBER' }, 'WRITE'],
    ['ws-admin', { orgId: ORG, orgRole: 'MEMBER' }, 'ADMIN'],
    ['org-owner', { orgId: ORG, orgRole: 'OWNER' }, undefined],
    ['org-admin', { orgId: ORG, orgRole: 'ADMIN' }, undefined],
    ['org-member', { orgId: ORG, orgRole: 'MEMBER' }, undefined],
    ['other-org-owner', { orgId: 'org-2', orgRole: 'OWNER' }, undefined],
    ['other-org-ws-admin', { orgId: 'org-2', orgRole: 'MEMBER' }, 'ADMIN'],
    ['disabled-admin', { orgId: ORG, orgRole: 'OWNER', status: 'DISABLED' }, 'ADMIN'],
    [
      'revoked-admin',
      { orgId: ORG, orgRole: 'OWNER', tokensValidAfter: Math.floor(Date.now() / 1000) + 60 },
      'ADMIN',
    ],
  ];
  for (const [userId, profile, role] of users) {
    await seeder.user(userId, profile);
    if (role !== undefined) await seeder.membership(userId, W, role);
  }
});

const good = JSON.stringify({ url: 'https://hooks.example.com/in', description: 'on-call' });

describe('access matrix', () => {
  it.each([
    ['ws-read', 403],
    ['ws-write', 403],
    ['ws-admin', 200],
    ['org-owner', 200],
    ['org-admin', 200],
    ['org-member', 403],
    ['other-org-owner', 403],
    ['other-org-ws-admin', 403],
    ['disabled-admin', 403],
    ['revoked-admin', 401],
    ['no-such-user', 404],
  ] as const)('%s: GET %i, POST, PATCH and DELETE alike', async (userId, expected) => {
    const token = await hs256Token(userId);
    const list = await call('GET', W, { token });
    expect(list.statusCode).toBe(expected);
    const created = await call('POST', W, { token, body: good });
    expect(created.statusCode).toBe(expected === 200 ? 201 : expected);
    const patch = JSON.stringify({ minDurationSeconds: 30 });
    if (expected === 200) {
      const id = created.json.id as string;
      const patched = await call('PATCH', W, { token, webhookId: id, body: patch });
      expect(patched.statusCode).toBe(200);
      expect(patched.json.minDurationSeconds).toBe(30);
      const deleted = await call('DELETE', W, { token, webhookId: id });
      expect(deleted.statusCode).toBe(204);
    } else {
      expect(created.json).toEqual({ success: false, message: expect.any(String) });
      // A webhook created by an admin can be neither changed nor deleted by this caller.
      const made = await call('POST', W, { body: good });
      expect(made.statusCode).toBe(201);
      const id = made.json.id as string;
      const patched = await call('PATCH', W, { token, webhookId: id, body: patch });
      expect(patched.statusCode).toBe(expected);
      expect(patched.json).toEqual({ success: false, message: expect.any(String) });
      expect((await call('DELETE', W, { token, webhookId: id })).statusCode).toBe(expected);
      const listed = (await call('GET', W)).json.webhooks as { id: string }[];
      expect(listed.find((w) => w.id === id)).toMatchObject({ minDurationSeconds: 0 });
      expect((await call('DELETE', W, { webhookId: id })).statusCode).toBe(204);
    }
  });

  it('a disabled user is told so (403), whatever its roles', async () => {
    const token = await hs256Token('disabled-admin');
    for (const method of ['GET', 'POST'] as const) {
      const r = await call(method, W, { token, ...(method === 'POST' && { body: good }) });
      expect(r.statusCode).toBe(403);
      expect(r.json).toStrictEqual({ success: false, message: 'The user is disabled' });
    }
  });

  it('401 without a token or with a forged one; 404 for an unknown workspace', async () => {
    expect((await call('GET', W, { token: 'not.a.jwt' })).statusCode).toBe(401);
    const forged = await hs256Token('ws-admin', {
      secret: 'another-secret-that-is-32-bytes-long!!',
    });
    expect((await call('GET', W, { token: forged })).statusCode).toBe(401);
    const owner = await hs256Token('org-owner');
    const missing = await call('GET', 'no-such-workspace', { token: owner });
    expect(missing.statusCode).toBe(404);
    expect(missing.json.message).toBe('Workspace not found');
    expect((await call('POST', 'no-such-workspace', { token: owner, body: good })).statusCode).toBe(
      404,
    );
    const patched = await call('PATCH', 'no-such-workspace', {
      token: owner,
      webhookId: 'wh_x',
      body: JSON.stringify({ events: ['node.status_changed'] }),
    });
    expect(patched.statusCode).toBe(404);
    expect(patched.json.message).toBe('Workspace not found');
  });

  it('an org owner cannot manage another org workspace', async () => {
    const owner = await hs256Token('org-owner');
    expect((await call('GET', 'ws-other-org', { token: owner })).statusCode).toBe(403);
    expect((await call('POST', 'ws-other-org', { token: owner, body: good })).statusCode).toBe(403);
  });
});

describe('create, list, delete', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the secret is shown once, never listed, never logged', async () => {
    const output: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
      output.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
    const created = await call('POST', W, { body: good });
    expect(created.statusCode).toBe(201);
    const secret = created.json.secret as string;
    expect(created.json).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-f]{32}$/),
      url: 'https://hooks.example.com/in',
      description: 'on-call',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      // The defaults: both event types, delivered at once.
      events: ['node.status_changed', 'bucket.health_changed'],
      minDurationSeconds: 0,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const list = await call('GET', W);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain('secret');
    const listed = (list.json.webhooks as Record<string, unknown>[]).find(
      (w) => w.id === created.json.id,
    );
    expect(listed).toEqual({
      id: created.json.id,
      url: 'https://hooks.example.com/in',
      description: 'on-call',
      createdAt: created.json.createdAt,
      events: ['node.status_changed', 'bucket.health_changed'],
      minDurationSeconds: 0,
    });
    // A rejected request is logged (so the capture works); the secret never is.
    expect((await call('POST', W, { body: '{' })).statusCode).toBe(400);
    expect(output.join('')).toContain('request rejected');
    expect(output.join('')).not.toContain(secret);
    expect(output.join('')).not.toContain(secret.slice(6));

    const deleted = await call('DELETE', W, { webhookId: created.json.id as string });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const after = await call('GET', W);
    expect((after.json.webhooks as { id: string }[]).map((w) => w.id)).not.toContain(
      created.json.id,
    );
    const again = await call('DELETE', W, { webhookId: created.json.id as string });
    expect(again.statusCode).toBe(404);
    expect((await call('DELETE', W, { webhookId: 'wh_unknown' })).statusCode).toBe(404);
  });

  it("the URL stored and listed is the one deliveries go to (the parser's canonical form)", async () => {
    // The WHATWG parser drops tabs and newlines and lower-cases the host before it connects;
    // storing the raw text put control characters into every listing and showed other admins
    // a URL that is not the delivery target.
    const created = await call('POST', W, {
      body: JSON.stringify({ url: 'https://HOOKS.example.com/a\tb\nc' }),
    });
    expect(created.statusCode).toBe(201);
    expect(created.json.url).toBe('https://hooks.example.com/abc');
    const listed = (await call('GET', W)).json.webhooks as { id: string; url: string }[];
    expect(listed.find((w) => w.id === created.json.id)?.url).toBe('https://hooks.example.com/abc');
    expect((await call('DELETE', W, { webhookId: created.json.id as string })).statusCode).toBe(
      204,
    );
  });

  it('the 2,048-character bound holds for the URL as sent, after percent-encoding', async () => {
    // 1,026 characters as typed, 6,026 once every é becomes %C3%A9 on the request line.
    const r = await call('POST', W, {
      body: JSON.stringify({ url: `https://hooks.example.com/${'é'.repeat(1000)}` }),
    });
    expect(r.statusCode).toBe(400);
    expect(r.json.message).toMatch(/at most 2048/);
  });

  it('the list has an ETag and answers 304 to a matching If-None-Match', async () => {
    const first = await call('GET', W);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await call('GET', W, { headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const made = await call('POST', W, { body: good });
    const changed = await call('GET', W, { headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    await call('DELETE', W, { webhookId: made.json.id as string });
  });

  it('a webhook of another workspace cannot be deleted through this one', async () => {
    await seeder.put({ pk: 'WORKSPACE#ws-second', sk: 'META', orgId: ORG, name: 'second' });
    const owner = await hs256Token('org-owner');
    const made = await call('POST', 'ws-second', { token: owner, body: good });
    expect(made.statusCode).toBe(201);
    const id = made.json.id as string;
    expect((await call('DELETE', W, { token: owner, webhookId: id })).statusCode).toBe(404);
    expect((await call('DELETE', 'ws-second', { token: owner, webhookId: id })).statusCode).toBe(
      204,
    );
  });
});

describe('at most ten webhooks per workspace', () => {
  it('the 11th is a 409, and a delete makes room again', async () => {
    const workspaceId = `ws-limit-${randomUUID().slice(0, 6)}`;
    await seeder.put({ pk: `WORKSPACE#${workspaceId}`, sk: 'META', orgId: ORG, name: 'l' });
    const token = await hs256Token('org-admin');
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await call('POST', workspaceId, { token, body: good });
      expect(r.statusCode).toBe(201);
      ids.push(r.json.id as string);
    }
    const eleventh = await call('POST', workspaceId, { token, body: good });
    expect(eleventh.statusCode).toBe(409);
    expect(eleventh.json).toEqual({ success: false, message: expect.stringMatching(/at most 10/) });
    expect(
      (await call('DELETE', workspaceId, { token, webhookId: ids[3] as string })).statusCode,
    ).toBe(204);
    expect((await call('POST', workspaceId, { token, body: good })).statusCode).toBe(201);
    expect((await call('POST', workspaceId, { token, body: good })).statusCode).toBe(409);
    expect(((await call('GET', workspaceId, { token })).json.webhooks as unknown[]).length).toBe(
      10,
    );
  });

  it('a create writes only a free slot; the 11th writes nothing; the list is in creation order', async () => {
    const workspaceId = `ws-writes-${randomUUID().slice(0, 6)}`;
    await seeder.put({ pk: `WORKSPACE#${workspaceId}`, sk: 'META', orgId: ORG, name: 'w' });
    const token = await hs256Token('org-admin');
    for (let i = 0; i < 3; i++) {
      expect((await call('POST', workspaceId, { token, body: good })).statusCode).toBe(201);
    }
    await withFaultProxy(table.endpoint, async (proxy) => {
      // A clock that runs backwards: each webhook is created before the ones in lower slots.
      let clock = Date.parse('2020-01-01T00:00:00.000Z');
      const handler = routesOn(createDynamoClient({ endpoint: proxy.endpoint }), () => clock--);
      const send = async (method: 'GET' | 'POST') => {
        const result = (await handler(
          event(method, workspaceId, bearer(token), method === 'POST' ? good : undefined),
          lambdaContext(),
        )) as HttpResult;
        return { statusCode: result.statusCode, json: JSON.parse(result.body || '{}') };
      };
      const writes = () => proxy.seen.filter((r) => r.operation === 'PutItem').length;
      // Slots 0-2 are taken: the 4th webhook goes straight to slot 3.
      const fourth = await send('POST');
      expect(fourth.statusCode).toBe(201);
      expect(writes()).toBe(1);
      const made = [fourth.json.id as string];
      for (let i = 4; i < 10; i++) {
        const r = await send('POST');
        expect(r.statusCode).toBe(201);
        made.push(r.json.id as string);
      }
      expect(writes()).toBe(7);
      expect((await send('POST')).statusCode).toBe(409);
      expect(writes()).toBe(7);
      // Listed oldest first: the slots 9 down to 3 (created last, at the earliest instants),
      // then the three created first on the real clock (years later).
      const listed = ((await send('GET')).json.webhooks as { id: string }[]).map((w) => w.id);
      expect(listed.slice(0, 7)).toStrictEqual([...made].reverse());
    });
  });

  it('under 15 concurrent creations exactly 10 succeed', async () => {
    const workspaceId = `ws-race-${randomUUID().slice(0, 6)}`;
    await seeder.put({ pk: `WORKSPACE#${workspaceId}`, sk: 'META', orgId: ORG, name: 'r' });
    const token = await hs256Token('org-owner');
    const results = await Promise.all(
      Array.from({ length: 15 }, () => call('POST', workspaceId, { token, body: good })),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(10);
    expect(codes.filter((c) => c === 409)).toHaveLength(5);
    const listed = (await call('GET', workspaceId, { token })).json.webhooks as { id: string }[];
    expect(new Set(listed.map((w) => w.id))).toEqual(
      new Set(results.filter((r) => r.statusCode === 201).map((r) => r.json.id)),
    );
  });
});

describe('bad requests', () => {
  it.each([
    ['not JSON', '{', 400, /valid JSON/],
    ['an array', '[]', 400, /JSON object/],
    ['null', 'null', 400, /JSON object/],
    ['a JSON string', '"https://hooks.example.com/"', 400, /JSON object/],
    ['a JSON number', '42', 400, /JSON object/],
    ['no url', '{}', 400, /url is required/],
    ['a numeric url', '{"url":42}', 400, /url is required/],
    [
      'an unknown field',
      JSON.stringify({ url: 'https://hooks.example.com/', secret: 'x' }),
      400,
      /unknown field: secret/,
    ],
    [
      'a long description',
      JSON.stringify({ url: 'https://hooks.example.com/', description: 'd'.repeat(257) }),
      400,
      /at most 256/,
    ],
    [
      'a control character',
      JSON.stringify({ url: 'https://hooks.example.com/', description: 'a\u0007b' }),
      400,
      /control/,
    ],
    [
      // U+2028/2029 end a line in logs and a statement in JavaScript: the one text rule
      // (functions/domain/ids.ts) refuses them, as it does for names.
      'a line separator',
      JSON.stringify({ url: 'https://hooks.example.com/', description: 'a\u2028b' }),
      400,
      /control/,
    ],
    [
      'a paragraph separator',
      JSON.stringify({ url: 'https://hooks.example.com/', description: 'a\u2029b' }),
      400,
      /control/,
    ],
    [
      'a numeric description',
      JSON.stringify({ url: 'https://hooks.example.com/', description: 5 }),
      400,
      /description must be a string/,
    ],
    ['http', JSON.stringify({ url: 'http://hooks.example.com/' }), 400, /https/],
    ['a private target', JSON.stringify({ url: 'https://internal.example.com/' }), 400, /private/],
    ['the metadata address', JSON.stringify({ url: 'https://169.254.169.254/' }), 400, /linkLocal/],
    ['user info', JSON.stringify({ url: 'https://a:b@hooks.example.com/' }), 400, /user info/],
    [
      'a name that does not resolve',
      JSON.stringify({ url: 'https://nx.example.com/' }),
      400,
      /does not resolve/,
    ],
    [
      'a URL over 2,048 chars',
      JSON.stringify({ url: `https://hooks.example.com/${'a'.repeat(2040)}` }),
      400,
      /at most 2048/,
    ],
    [
      'a body over 8 KiB',
      JSON.stringify({ url: 'https://hooks.example.com/', description: 'd'.repeat(9000) }),
      413,
      /at most 8192 bytes/,
    ],
  ])('%s', async (_name, body, status, message) => {
    const r = await call('POST', W, { body });
    expect(r.statusCode).toBe(status);
    expect(r.json.success).toBe(false);
    expect(r.json.message).toMatch(message);
  });

  it.each(REFUSED)('a description with %s is a 400 naming the field', async (_name, char) => {
    const r = await call('POST', W, {
      body: JSON.stringify({ url: 'https://hooks.example.com/', description: `x${char}evil` }),
    });
    expect(r.statusCode).toBe(400);
    expect(r.json).toMatchObject({ success: false });
    expect(r.json.message).toMatch(
      /^description must not contain control, format.*\(U\+[0-9A-F]{4,5}\)$/,
    );
  });

  it('256 emoji are a description, 257 are not (code points)', async () => {
    const fits = await call('POST', W, {
      body: JSON.stringify({ url: 'https://hooks.example.com/', description: '😀'.repeat(256) }),
    });
    expect(fits.statusCode).toBe(201);
    expect(fits.json.description).toBe('😀'.repeat(256));
    expect((await call('DELETE', W, { webhookId: fits.json.id as string })).statusCode).toBe(204);
    const over = await call('POST', W, {
      body: JSON.stringify({ url: 'https://hooks.example.com/', description: '😀'.repeat(257) }),
    });
    expect(over.statusCode).toBe(400);
    expect(over.json.message).toBe('description must be at most 256 characters');
  });

  it('a 256-character description is fine', async () => {
    const r = await call('POST', W, {
      body: JSON.stringify({ url: 'https://hooks.example.com/', description: 'é'.repeat(256) }),
    });
    expect(r.statusCode).toBe(201);
    expect((await call('DELETE', W, { webhookId: r.json.id as string })).statusCode).toBe(204);
  });

  it.each([
    ['an empty', ''],
    ['a null', null],
  ])('%s description is no description', async (_name, description) => {
    const r = await call('POST', W, {
      body: JSON.stringify({ url: 'https://hooks.example.com/', description }),
    });
    expect(r.statusCode).toBe(201);
    expect(r.json).not.toHaveProperty('description');
    const listed = (await call('GET', W)).json.webhooks as { id: string }[];
    expect(listed.find((w) => w.id === r.json.id)).not.toHaveProperty('description');
    expect((await call('DELETE', W, { webhookId: r.json.id as string })).statusCode).toBe(204);
  });

  it('bad path ids are a 400', async () => {
    expect((await call('GET', 'bad#id')).statusCode).toBe(400);
    expect((await call('DELETE', W, { webhookId: 'x'.repeat(129) })).statusCode).toBe(400);
  });
});

describe('the alert policy: events and minDurationSeconds (POST and PATCH)', () => {
  const both = ['node.status_changed', 'bucket.health_changed'];

  it('POST stores them, GET lists them; PATCH changes only what it names and never shows the secret', async () => {
    const created = await call('POST', W, {
      body: JSON.stringify({
        url: 'https://hooks.example.com/health',
        events: ['bucket.health_changed'],
        minDurationSeconds: 60,
      }),
    });
    expect(created.statusCode).toBe(201);
    expect(created.json).toMatchObject({
      events: ['bucket.health_changed'],
      minDurationSeconds: 60,
    });
    const id = created.json.id as string;
    const listed = async () =>
      ((await call('GET', W)).json.webhooks as Record<string, unknown>[]).find((w) => w.id === id);
    expect(await listed()).toMatchObject({
      events: ['bucket.health_changed'],
      minDurationSeconds: 60,
    });

    const events = await call('PATCH', W, {
      webhookId: id,
      body: JSON.stringify({ events: ['bucket.health_changed', 'node.status_changed'] }),
    });
    expect(events.statusCode).toBe(200);
    // Stored in the contract's order, whatever the order sent; the rest stays.
    expect(events.json).toEqual({
      id,
      url: 'https://hooks.example.com/health',
      createdAt: created.json.createdAt,
      events: both,
      minDurationSeconds: 60,
    });
    expect(events.body).not.toContain(created.json.secret as string);
    expect(await listed()).toEqual(events.json);

    const moved = await call('PATCH', W, {
      webhookId: id,
      body: JSON.stringify({
        url: 'https://HOOKS.example.com/moved',
        description: 'pager',
        minDurationSeconds: 0,
      }),
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json).toEqual({
      id,
      url: 'https://hooks.example.com/moved',
      description: 'pager',
      createdAt: created.json.createdAt,
      events: both,
      minDurationSeconds: 0,
    });
    const cleared = await call('PATCH', W, {
      webhookId: id,
      body: JSON.stringify({ description: null }),
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json).not.toHaveProperty('description');
    expect(await listed()).toEqual(cleared.json);
    expect((await call('DELETE', W, { webhookId: id })).statusCode).toBe(204);
    const gone = await call('PATCH', W, {
      webhookId: id,
      body: JSON.stringify({ minDurationSeconds: 5 }),
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json).toEqual({ success: false, message: 'Webhook not found' });
  });

  it('PATCH changes the webhook it names, not another of the workspace', async () => {
    await seeder.put({ pk: 'WORKSPACE#ws-pair', sk: 'META', orgId: ORG, name: 'pair' });
    const owner = await hs256Token('org-owner');
    const first = await call('POST', 'ws-pair', { token: owner, body: good });
    const second = await call('POST', 'ws-pair', { token: owner, body: good });
    const id = second.json.id as string;
    const patched = await call('PATCH', 'ws-pair', {
      token: owner,
      webhookId: id,
      body: JSON.stringify({ minDurationSeconds: 7 }),
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json).toMatchObject({ id, minDurationSeconds: 7 });
    const listed = (await call('GET', 'ws-pair', { token: owner })).json.webhooks as {
      id: string;
      minDurationSeconds: number;
    }[];
    expect(listed.find((w) => w.id === first.json.id)?.minDurationSeconds).toBe(0);
    expect(listed.find((w) => w.id === id)?.minDurationSeconds).toBe(7);
    // One PATCH that sets a field and removes another.
    const both = await call('PATCH', 'ws-pair', {
      token: owner,
      webhookId: id,
      body: JSON.stringify({ description: null, minDurationSeconds: 9 }),
    });
    expect(both.statusCode).toBe(200);
    expect(both.json).toMatchObject({ id, minDurationSeconds: 9 });
    expect(both.json).not.toHaveProperty('description');
  });

  it('PATCH of a webhook of another workspace, or of an unknown id, is a 404', async () => {
    await seeder.put({ pk: 'WORKSPACE#ws-third', sk: 'META', orgId: ORG, name: 'third' });
    const owner = await hs256Token('org-owner');
    const made = await call('POST', 'ws-third', { token: owner, body: good });
    const id = made.json.id as string;
    const body = JSON.stringify({ minDurationSeconds: 5 });
    expect((await call('PATCH', W, { token: owner, webhookId: id, body })).statusCode).toBe(404);
    expect((await call('PATCH', W, { webhookId: 'wh_unknown', body })).statusCode).toBe(404);
    const listed = (await call('GET', 'ws-third', { token: owner })).json.webhooks as {
      minDurationSeconds: number;
    }[];
    expect(listed.map((w) => w.minDurationSeconds)).toEqual([0]);
  });

  it('PATCH of a webhook deleted while its new URL is checked is a 404, and nothing is recreated', async () => {
    await seeder.put({ pk: 'WORKSPACE#ws-race', sk: 'META', orgId: ORG, name: 'race' });
    const owner = await hs256Token('org-owner');
    const made = await call('POST', 'ws-race', { token: owner, body: good });
    expect(made.statusCode).toBe(201);
    const id = made.json.id as string;
    let deleted: number | undefined;
    duringLookup = async () => {
      deleted = (await call('DELETE', 'ws-race', { token: owner, webhookId: id })).statusCode;
    };
    try {
      const patched = await call('PATCH', 'ws-race', {
        token: owner,
        webhookId: id,
        body: JSON.stringify({ url: 'https://race.example.com/hook' }),
      });
      expect(deleted).toBe(204);
      expect(patched.statusCode).toBe(404);
      expect(patched.json).toStrictEqual({ success: false, message: 'Webhook not found' });
    } finally {
      duringLookup = undefined;
    }
    expect((await call('GET', 'ws-race', { token: owner })).json.webhooks).toStrictEqual([]);
  });

  const url = 'https://hooks.example.com/p';
  const policyCases: [string, Record<string, unknown>, RegExp][] = [
    ['events not an array', { events: 'node.status_changed' }, /events must be a non-empty array/],
    ['events null', { events: null }, /events must be a non-empty array/],
    ['no event type', { events: [] }, /events must be a non-empty array/],
    ['an unknown type', { events: ['node.deleted'] }, /events may hold only/],
    ['a non-string type', { events: [1] }, /events may hold only/],
    [
      'a duplicate type',
      { events: ['node.status_changed', 'node.status_changed'] },
      /events lists node.status_changed twice/,
    ],
    [
      'a negative duration',
      { minDurationSeconds: -1 },
      /minDurationSeconds must be an integer 0-900/,
    ],
    [
      'a duration over 900',
      { minDurationSeconds: 901 },
      /minDurationSeconds must be an integer 0-900/,
    ],
    ['a fractional duration', { minDurationSeconds: 1.5 }, /minDurationSeconds must be an integer/],
    ['a string duration', { minDurationSeconds: '60' }, /minDurationSeconds must be an integer/],
    ['a null duration', { minDurationSeconds: null }, /minDurationSeconds must be an integer/],
  ];

  it.each(policyCases)('POST with %s is a 400', async (_name, fields, message) => {
    const r = await call('POST', W, { body: JSON.stringify({ url, ...fields }) });
    expect(r.statusCode).toBe(400);
    expect(r.json).toEqual({ success: false, message: expect.stringMatching(message) });
  });

  it('POST at the bounds: 0 and 900, one type or both', async () => {
    for (const fields of [
      { minDurationSeconds: 0, events: ['node.status_changed'] },
      { minDurationSeconds: 900, events: ['bucket.health_changed', 'node.status_changed'] },
    ]) {
      const r = await call('POST', W, { body: JSON.stringify({ url, ...fields }) });
      expect(r.statusCode).toBe(201);
      expect(r.json.minDurationSeconds).toBe(fields.minDurationSeconds);
      expect((await call('DELETE', W, { webhookId: r.json.id as string })).statusCode).toBe(204);
    }
  });

  describe('PATCH validation', () => {
    let id: string;
    beforeAll(async () => {
      const made = await call('POST', W, { body: good });
      id = made.json.id as string;
    });

    it.each([
      ...policyCases,
      ['an empty object', {}, /at least one of/],
      ['an unknown field', { secret: 'whsec_x' }, /unknown field: secret/],
      [
        'an unknown field beside a good one',
        { minDurationSeconds: 1, slot: 3 },
        /unknown field: slot/,
      ],
      ['a numeric url', { url: 42 }, /url must be a string/],
      ['an http url', { url: 'http://hooks.example.com/' }, /https/],
      ['a private target', { url: 'https://internal.example.com/' }, /private/],
      ['a numeric description', { description: 5 }, /description must be a string/],
      ['a long description', { description: 'd'.repeat(257) }, /at most 256/],
      ['a control character', { description: 'a\u0007b' }, /control/],
    ] as [string, Record<string, unknown>, RegExp][])(
      '%s is a 400, nothing changes',
      async (_name, fields, message) => {
        const r = await call('PATCH', W, { webhookId: id, body: JSON.stringify(fields) });
        expect(r.statusCode).toBe(400);
        expect(r.json).toEqual({ success: false, message: expect.stringMatching(message) });
        const listed = ((await call('GET', W)).json.webhooks as Record<string, unknown>[]).find(
          (w) => w.id === id,
        );
        expect(listed).toMatchObject({
          url: 'https://hooks.example.com/in',
          description: 'on-call',
          events: both,
          minDurationSeconds: 0,
        });
      },
    );

    it.each([
      ['not JSON', '{', 400, /valid JSON/],
      ['an array', '[]', 400, /JSON object/],
      ['null', 'null', 400, /JSON object/],
      ['a body over 8 KiB', JSON.stringify({ description: 'd'.repeat(9000) }), 413, /at most 8192/],
    ] as const)('%s: %i', async (_name, body, status, message) => {
      const r = await call('PATCH', W, { webhookId: id, body });
      expect(r.statusCode).toBe(status);
      expect(r.json.message).toMatch(message);
    });

    it('a bad webhook id is a 400', async () => {
      const body = JSON.stringify({ minDurationSeconds: 1 });
      expect((await call('PATCH', W, { webhookId: 'x'.repeat(129), body })).statusCode).toBe(400);
    });
  });
});
