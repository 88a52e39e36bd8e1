// A hostile pass over the third release's routes (DESIGN.md sections 13, 15-18) over real HTTP,
// on the local runtime (`npm start` in this process, at the most verbose log level): every
// answer of the authenticated routes carries the API's security headers, `no-store` and no
// CORS grant; the public routes' errors are never cached; a user token or API key of one
// workspace, or of another org, reaches nothing of another workspace; ids of another bucket or
// workspace in the path of one's own change nothing; no body carries a stack trace; and no line
// the runtime writes carries a bearer token, an API key or a share token.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROUTES, type Route, routeKeyOf } from '../../functions/route-table.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { Seeder } from '../support/seed.ts';

/** DESIGN.md section 7: on every API response, whatever its status. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

const logged: string[] = [];
let runtime: LocalRuntime;
/** The demo workspace's admin, a READ member of it, and the admin of a workspace of another org. */
let admin: string;
let reader: string;
let outsider: string;
let apiKey: { id: string; key: string };
let share: { id: string; token: string };
let webhookId: string;
let windowId: string;
const OTHER_ORG = `org-${randomUUID()}`;
const OTHER_WS = `ws-${randomUUID()}`;
const OTHER_BUCKET = `bucket-${randomUUID()}`;
/** Every answer seen, for the checks that hold for all of them. */
const answers: { what: string; status: number; headers: Headers; text: string }[] = [];

async function send(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const all: Record<string, string> = { ...headers };
  if (token !== undefined) all.authorization = `Bearer ${token}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: all,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  const answer = {
    what: `${method} ${path}`,
    status: response.status,
    headers: response.headers,
    text,
  };
  answers.push(answer);
  return answer;
}

const json = (answer: { text: string }) => JSON.parse(answer.text) as Record<string, unknown>;

async function tokenFor(userId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(runtime.demo.jwtSecret));
}

const isThirdRelease = (route: Route) =>
  /\/(health|maintenance|shares|api-keys)|^\/public\//.test(route.path) || route.method === 'PATCH';
const THIRD_RELEASE = ROUTES.filter(isThirdRelease);
const AUTHENTICATED = THIRD_RELEASE.filter((route) => !route.path.startsWith('/public/'));
const PUBLIC = THIRD_RELEASE.filter((route) => route.path.startsWith('/public/'));

/** The route's path on the given ids (an id the route needs but was not given: a fresh one). */
const pathOf = (route: Route, ids: Record<string, string>) =>
  route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(ids[name] ?? `x${randomUUID()}`),
  );

/** A body the route accepts. */
function bodyOf(route: Route): unknown {
  switch (routeKeyOf(route)) {
    case 'PUT /bucket/{bucketId}/health/policy':
      return { minOnlinePercent: 60 };
    case 'POST /bucket/{bucketId}/maintenance': {
      const start = Date.now() + 86_400_000;
      return {
        start: new Date(start).toISOString(),
        end: new Date(start + 3_600_000).toISOString(),
      };
    }
    case 'PATCH /workspace/{workspaceId}/webhooks/{webhookId}':
      return { minDurationSeconds: 5 };
    default:
      return ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
  }
}

beforeAll(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk, ...rest) => {
      logged.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
  }
  runtime = await startLocalRuntime({
    env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
    port: 0,
    simulateNodes: false,
    log: (line) => logged.push(line),
  });
  admin = runtime.demo.adminToken;
  const dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
  try {
    const seed = new Seeder(dynamo, runtime.tableName);
    const readerId = `reader-${randomUUID()}`;
    await seed.user(readerId, { orgId: runtime.demo.orgId, orgRole: 'MEMBER' });
    await seed.membership(readerId, runtime.demo.workspaceId, 'READ');
    const outsiderId = `outsider-${randomUUID()}`;
    await seed.workspace(OTHER_WS, { orgId: OTHER_ORG });
    await seed.bucket(OTHER_BUCKET, { workspaceId: OTHER_WS, orgId: OTHER_ORG });
    // OWNER of its org: the widest role there is, of the wrong org.
    await seed.user(outsiderId, { orgId: OTHER_ORG, orgRole: 'OWNER' });
    await seed.membership(outsiderId, OTHER_WS, 'ADMIN');
    reader = await tokenFor(readerId);
    outsider = await tokenFor(outsiderId);
  } finally {
    dynamo.destroy();
  }
  const { bucketId, workspaceId } = runtime.demo;
  const key = await send('POST', `/workspace/${workspaceId}/api-keys`, admin, {});
  apiKey = { id: json(key).id as string, key: json(key).key as string };
  const created = await send('POST', `/bucket/${bucketId}/shares`, admin, { label: 'hostile' });
  share = { id: json(created).id as string, token: json(created).token as string };
  const hook = await send('POST', `/workspace/${workspaceId}/webhooks`, admin, {
    url: 'http://127.0.0.1:9/hook',
  });
  webhookId = json(hook).id as string;
  const window = await send(
    'POST',
    `/bucket/${bucketId}/maintenance`,
    admin,
    bodyOf(ROUTES.find((r) => routeKeyOf(r) === 'POST /bucket/{bucketId}/maintenance') as Route),
  );
  windowId = json(window).id as string;
  expect([key.status, created.status, hook.status, window.status]).toEqual([201, 201, 201, 201]);
});

afterAll(async () => {
  await runtime?.stop();
  vi.restoreAllMocks();
});

/** The demo's ids, with the objects made above. */
const own = () => ({
  bucketId: runtime.demo.bucketId,
  workspaceId: runtime.demo.workspaceId,
  webhookId,
  windowId,
  shareId: share.id,
  keyId: apiKey.id,
  token: share.token,
});

describe('the third release routes, found in the route table', () => {
  it('every route of sections 13 and 15-18 on main is under test here', () => {
    expect(THIRD_RELEASE.map(routeKeyOf).sort()).toEqual(
      [
        'GET /bucket/{bucketId}/health',
        'GET /bucket/{bucketId}/health/events',
        'PUT /bucket/{bucketId}/health/policy',
        'POST /bucket/{bucketId}/maintenance',
        'GET /bucket/{bucketId}/maintenance',
        'DELETE /bucket/{bucketId}/maintenance/{windowId}',
        'PATCH /workspace/{workspaceId}/webhooks/{webhookId}',
        'POST /bucket/{bucketId}/shares',
        'GET /bucket/{bucketId}/shares',
        'DELETE /bucket/{bucketId}/shares/{shareId}',
        'GET /public/{token}/status',
        'GET /public/{token}/uptime',
        'GET /public/{token}/health',
        'GET /public/{token}/health/events',
        'GET /public/{token}/badge.svg',
        'POST /workspace/{workspaceId}/api-keys',
        'GET /workspace/{workspaceId}/api-keys',
        'DELETE /workspace/{workspaceId}/api-keys/{keyId}',
      ].sort(),
    );
  });
});

describe('another org: its OWNER (admin of its own workspace) reaches nothing of this one', () => {
  it.each(AUTHENTICATED.map((r) => [routeKeyOf(r), r] as const))('%s: 403', async (_, route) => {
    const answer = await send(route.method, pathOf(route, own()), outsider, bodyOf(route));
    expect(answer.status, answer.text).toBe(403);
  });

  it('nor with its own bucket or workspace in the path and this one’s objects after it (404)', async () => {
    const cases: [string, string][] = [
      ['PATCH', `/workspace/${OTHER_WS}/webhooks/${webhookId}`],
      ['DELETE', `/workspace/${OTHER_WS}/webhooks/${webhookId}`],
      ['DELETE', `/bucket/${OTHER_BUCKET}/maintenance/${windowId}`],
      ['DELETE', `/bucket/${OTHER_BUCKET}/shares/${share.id}`],
      ['DELETE', `/workspace/${OTHER_WS}/api-keys/${apiKey.id}`],
    ];
    for (const [method, path] of cases) {
      const body = method === 'PATCH' ? { minDurationSeconds: 5 } : undefined;
      const answer = await send(method, path, outsider, body);
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(404);
    }
    // Everything made above is still there and unchanged.
    const { bucketId, workspaceId } = runtime.demo;
    const hooks = json(await send('GET', `/workspace/${workspaceId}/webhooks`, admin));
    expect(hooks.webhooks).toEqual([
      expect.objectContaining({ id: webhookId, minDurationSeconds: 0 }),
    ]);
    const windows = json(await send('GET', `/bucket/${bucketId}/maintenance`, admin));
    expect(windows.windows).toEqual([expect.objectContaining({ id: windowId })]);
    const shares = json(await send('GET', `/bucket/${bucketId}/shares`, admin));
    expect(shares.shares).toEqual([expect.objectContaining({ id: share.id })]);
    const keys = json(await send('GET', `/workspace/${workspaceId}/api-keys`, admin));
    expect(keys.keys).toEqual([expect.objectContaining({ id: apiKey.id })]);
  });

  it('path tricks on the reads reach no other bucket: encoded slashes, dot segments, case, length, unicode', async () => {
    const { bucketId } = runtime.demo;
    const forbidden = runtime.demo.forbiddenBucketId;
    const variants = [
      `${bucketId}%2F..%2F${forbidden}`,
      `..%2F${forbidden}`,
      `${forbidden.toUpperCase()}`,
      `${bucketId}%23x`,
      `${bucketId}%20`,
      'a'.repeat(129),
      '%E2%80%AE',
      '%C3%A9',
      '%00',
    ];
    for (const route of AUTHENTICATED.filter(
      (r) => r.method === 'GET' && r.path.includes('{bucketId}'),
    )) {
      for (const variant of variants) {
        const path = route.path.replace('{bucketId}', variant);
        const answer = await send('GET', path, admin);
        expect([400, 404], `${path}: ${answer.text}`).toContain(answer.status);
      }
      for (const suffix of ['/', '//']) {
        const answer = await send('GET', `${pathOf(route, own())}${suffix}`, admin);
        expect(answer.status, `${route.path}${suffix}`).toBe(404);
      }
    }
  });

  it('a key on a management route is a 403 whether its ids exist or not: it probes nothing', async () => {
    const none = { bucketId: `none-${randomUUID()}`, workspaceId: `none-${randomUUID()}` };
    for (const route of AUTHENTICATED.filter(
      (r) => r.function === 'webhooks' || r.function === 'manage',
    )) {
      const answer = await send(route.method, pathOf(route, none), apiKey.key, bodyOf(route));
      expect(answer.status, `${routeKeyOf(route)}: ${answer.text}`).toBe(403);
    }
  });

  it('a share token and an API key are refused as each other', async () => {
    const { bucketId } = runtime.demo;
    expect((await send('GET', `/bucket/${bucketId}/health`, share.token)).status).toBe(401);
    expect((await send('GET', `/public/${apiKey.key}/health`, undefined)).status).toBe(404);
  });
});

describe('headers of every answer', () => {
  it('public routes: CORS for any origin; cached only when 200 or 304, never an error', async () => {
    for (const route of PUBLIC) {
      const ok = await send('GET', pathOf(route, own()), undefined);
      expect(ok.status, ok.what).toBe(200);
      expect(ok.headers.get('cache-control'), ok.what).toMatch(/^public, max-age=(30|60)$/);
      const unknown = await send(
        'GET',
        pathOf(route, { token: `bss_${'A'.repeat(43)}` }),
        undefined,
      );
      const malformed = await send('GET', pathOf(route, { token: 'bss_..%2F..' }), undefined);
      for (const answer of [ok, unknown, malformed]) {
        expect(answer.headers.get('access-control-allow-origin'), answer.what).toBe('*');
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
          expect(answer.headers.get(name), `${answer.what}: ${name}`).toBe(value);
        }
      }
      for (const answer of [unknown, malformed]) {
        expect(answer.status, answer.what).toBe(404);
        expect(answer.headers.get('cache-control'), answer.what).toBe('no-store');
      }
    }
  });
  // The admin's DELETEs here remove what was made above: no later test needs any of it.
  it('authenticated routes: security headers, no-store and no CORS grant, on 2xx, 4xx alike', async () => {
    const origin = { origin: 'https://evil.example' };
    for (const route of AUTHENTICATED) {
      const ids = own();
      for (const token of [admin, reader, outsider, apiKey.key, undefined, 'bsk_nope']) {
        const answer = await send(route.method, pathOf(route, ids), token, bodyOf(route), origin);
        const what = `${answer.what} -> ${answer.status}`;
        expect(answer.headers.get('cache-control'), what).toBe('no-store');
        expect(answer.headers.get('access-control-allow-origin'), what).toBeNull();
        expect(answer.headers.get('access-control-allow-credentials'), what).toBeNull();
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
          expect(answer.headers.get(name), `${what}: ${name}`).toBe(value);
        }
      }
    }
  });

  it('a 304 of an authenticated GET is not cacheable by a shared cache either', async () => {
    const path = `/bucket/${runtime.demo.bucketId}/shares`;
    const first = await send('GET', path, admin);
    const etag = first.headers.get('etag') ?? '';
    const again = await send('GET', path, admin, undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('no-store');
  });
});

describe('unbounded and confused input', () => {
  it('bodies over their bound are 413 before any use; deep JSON is a 400', async () => {
    const { bucketId, workspaceId } = runtime.demo;
    const deep = `{"description":${'['.repeat(3000)}${']'.repeat(3000)}}`;
    expect((await send('POST', `/workspace/${workspaceId}/api-keys`, admin, deep)).status).toBe(
      400,
    );
    const cases: [string, string, number][] = [
      ['PUT', `/bucket/${bucketId}/health/policy`, 4 * 1024],
      ['POST', `/bucket/${bucketId}/maintenance`, 4 * 1024],
      ['POST', `/bucket/${bucketId}/shares`, 4 * 1024],
      ['POST', `/workspace/${workspaceId}/api-keys`, 8 * 1024],
    ];
    for (const [method, path, bound] of cases) {
      const body = JSON.stringify({ pad: 'x'.repeat(bound) });
      const answer = await send(method, path, admin, body);
      expect(answer.status, `${method} ${path}`).toBe(413);
    }
  });

  it('policy and windows out of range or of the wrong type are 400s, and change nothing', async () => {
    const { bucketId } = runtime.demo;
    const policy = async () => json(await send('GET', `/bucket/${bucketId}/health`, admin)).policy;
    const policyBefore = await policy();
    // As sent: 1e400 parses to Infinity, 9007199254740993 to an integer above 100.
    const policies = [
      '0',
      '101',
      '-1',
      '50.5',
      '"75"',
      'null',
      'true',
      '[75]',
      '1e400',
      '9007199254740993',
    ];
    for (const raw of policies) {
      const body = `{"minOnlinePercent":${raw}}`;
      const answer = await send('PUT', `/bucket/${bucketId}/health/policy`, admin, body);
      expect(answer.status, body).toBe(400);
    }
    expect(await policy()).toEqual(policyBefore);
    const before = json(await send('GET', `/bucket/${bucketId}/maintenance`, admin));
    const hour = 3_600_000;
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const windows = [
      { start: '+275760-09-13T00:00:00.000Z', end: at(2 * hour) },
      { start: at(hour), end: '+275760-09-13T00:00:00.000Z' },
      { start: '9999-12-31T23:59:59Z', end: '9999-12-31T23:59:59.999Z' },
      { start: -1, end: at(hour) },
      { start: 'NaN', end: at(hour) },
      { start: at(2 * hour), end: at(hour) },
      { start: '1969-12-31T23:59:59Z', end: at(hour) },
      { start: at(hour), end: at(2 * hour), reason: 'x'.repeat(257) },
      { start: at(hour), end: at(2 * hour), reason: 'a\u202eb' },
      { start: at(hour), end: at(2 * hour), bucketId: OTHER_BUCKET },
    ];
    for (const window of windows) {
      const answer = await send('POST', `/bucket/${bucketId}/maintenance`, admin, window);
      expect(answer.status, JSON.stringify(window).slice(0, 120)).toBe(400);
    }
    const listed = json(await send('GET', `/bucket/${bucketId}/maintenance`, admin));
    expect(listed.windows).toEqual(before.windows);
  });

  it('PATCH webhooks: type confusion and fields that are not the patch’s are 400s', async () => {
    const path = `/workspace/${runtime.demo.workspaceId}/webhooks/${webhookId}`;
    const bodies = [
      { url: { href: 'https://example.com' } },
      { events: { 0: 'node.status_changed', length: 1 } },
      { events: [] },
      { events: ['node.status_changed', 'node.status_changed'] },
      { minDurationSeconds: 900.0000000000001 },
      { minDurationSeconds: true },
      { minDurationSeconds: '5' },
      { minDurationSeconds: 901 },
      { secret: 'whsec_mine' },
      { id: 'wh_other' },
      {},
      [],
      null,
    ];
    for (const body of bodies) {
      const answer = await send('PATCH', path, admin, JSON.stringify(body));
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('limit and cursor abuse on health events is a 400 naming the parameter', async () => {
    const base = `/bucket/${runtime.demo.bucketId}/health/events`;
    for (const query of ['limit=0', 'limit=201', 'limit=1e2', 'limit=5&limit=5', 'cursor=x.y']) {
      const answer = await send('GET', `${base}?${query}`, admin);
      expect(answer.status, query).toBe(400);
      expect(json(answer).message, query).toMatch(/limit|cursor/);
    }
  });
});

describe('what no answer and no log line carries', () => {
  it('every answer of an authenticated route in this file: no-store, the security headers, no CORS grant', () => {
    const authenticated = answers.filter((a) => !a.what.includes(' /public/'));
    const statuses = new Set(authenticated.map((a) => a.status));
    for (const status of [200, 201, 204, 304, 400, 401, 403, 404, 413]) {
      expect(statuses, `a ${status} was seen`).toContain(status);
    }
    for (const answer of authenticated) {
      const what = `${answer.what} -> ${answer.status}`;
      expect(answer.headers.get('cache-control'), what).toBe('no-store');
      expect(answer.headers.get('access-control-allow-origin'), what).toBeNull();
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(answer.headers.get(name), `${what}: ${name}`).toBe(value);
      }
    }
  });

  it('no body is a stack trace or names a source file', () => {
    expect(answers.length).toBeGreaterThan(100);
    for (const answer of answers) {
      expect(answer.text, answer.what).not.toMatch(/\n\s+at |\.ts:\d+|node:internal|Error:/);
    }
  });

  it('no line the runtime writes carries a bearer token, an API key or a share token', () => {
    const all = logged.join('\n');
    // The capture works: rejected requests were logged, by route key.
    expect(all).toContain('request rejected');
    expect(all).toContain('GET /public/{token}/health');
    for (const secret of [admin, reader, outsider, apiKey.key, share.token]) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.slice(-24));
    }
  });
});
