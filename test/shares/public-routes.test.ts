// The public routes of share tokens (DESIGN.md section 17) over real HTTP, on the local runtime
// (`npm start` in this process, its simulated nodes reporting): each token reads its one
// bucket (path tricks, other buckets' ids and other routes change nothing; as a bearer token
// it opens no route), `ip` only when shared on every public route, one
// byte-identical 404 for malformed, unknown and revoked tokens, cache and CORS headers, ETag,
// a well-formed SVG badge, and no token in any line the runtime logs.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BucketStatusClient, HttpError } from '../../client/index.ts';
import { createShareStore } from '../../functions/data/shares.ts';
import { generateShareToken, shareTokenHash } from '../../functions/domain/shares.ts';
import { ROUTES, routeKeyOf } from '../../functions/route-table.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { checkedFetch } from '../e2e/support.ts';

const checked = checkedFetch();
const logged: string[] = [];
let runtime: LocalRuntime;
/** Shares of the demo bucket: without and with ips; of the other workspace's bucket. */
let hidden: { id: string; token: string };
let shown: { id: string; token: string };
let otherToken: string;

const api = (path: string, init?: RequestInit) => checked.fetch(`${runtime.apiUrl}${path}`, init);
const json = async (response: Response) => (await response.json()) as Record<string, unknown>;

async function createShare(body: unknown): Promise<{ id: string; token: string }> {
  const response = await api(`/bucket/${runtime.demo.bucketId}/shares`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${runtime.demo.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  const created = await json(response);
  return { id: created.id as string, token: created.token as string };
}

/** A request with the path exactly as given (fetch would normalize `..` and `%2F`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(runtime.apiUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname === 'localhost' ? '127.0.0.1' : hostname, port, path },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  // Every line the runtime writes, its own and its loggers' (at the most verbose level).
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
    reportIntervalMs: 1_000,
    log: (line) => logged.push(line),
    nodeReportFetch: checked.fetch,
  });
  hidden = await createShare({ label: 'customers' });
  shown = await createShare({ label: 'ops', showIps: true });
  // A share of the bucket in the other workspace, as its own admin would make it.
  const dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
  try {
    otherToken = generateShareToken();
    await createShareStore(dynamo, runtime.tableName).putShare(runtime.demo.forbiddenBucketId, {
      shareId: 'shr_other',
      slot: 0,
      label: undefined,
      showIps: true,
      createdAt: new Date().toISOString(),
      tokenHash: shareTokenHash(otherToken),
    });
  } finally {
    dynamo.destroy();
  }
});

afterAll(async () => {
  await runtime?.stop();
  vi.restoreAllMocks();
  expect(checked.violations).toEqual([]);
});

describe('GET /public/{token}/status', () => {
  it("section 2's body of the share's bucket, ip left out unless shared", async () => {
    const response = await api(`/public/${hidden.token}/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=30');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = await json(response);
    expect(body.bucketId).toBe(runtime.demo.bucketId);
    const nodes = body.nodeStatus as Record<string, unknown>[];
    expect(nodes).toHaveLength(runtime.demo.nodes.length);
    for (const node of nodes) {
      expect(node).not.toHaveProperty('ip');
      expect(node).toHaveProperty('status');
    }
    const withIps = await json(await api(`/public/${shown.token}/status`));
    for (const node of withIps.nodeStatus as Record<string, unknown>[]) {
      expect(node.ip).toMatch(/^[0-9a-f.:]+$/);
    }
    // The bearer route shows the same nodes, ips and all.
    const authenticated = await json(
      await api(`/bucket/${runtime.demo.bucketId}/status`, {
        headers: { authorization: `Bearer ${runtime.demo.token}` },
      }),
    );
    expect((authenticated.nodeStatus as unknown[]).length).toBe(nodes.length);
  });

  it('has an ETag and answers 304 to a matching If-None-Match', async () => {
    // The other workspace's bucket has no node reporting: its body stays the same.
    const first = await api(`/public/${otherToken}/status`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await api(`/public/${otherToken}/status`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('public, max-age=30');
    expect(again.headers.get('access-control-allow-origin')).toBe('*');
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
  });
});

describe('GET /public/{token}/health and health/events', () => {
  it("section 13's bodies of the share's bucket, with the public headers", async () => {
    const response = await api(`/public/${hidden.token}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=30');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const health = await json(response);
    expect(health.bucketId).toBe(runtime.demo.bucketId);
    expect(health.nodes).toMatchObject({ assigned: runtime.demo.nodes.length });
    // The same answer as the bearer route's at about the same instant.
    const authenticated = await json(
      await api(`/bucket/${runtime.demo.bucketId}/health`, {
        headers: { authorization: `Bearer ${runtime.demo.token}` },
      }),
    );
    expect(health.policy).toEqual(authenticated.policy);
    const events = await api(`/public/${hidden.token}/health/events?limit=5`);
    expect(events.status).toBe(200);
    expect(events.headers.get('cache-control')).toBe('public, max-age=30');
    const page = await json(events);
    expect(page.bucketId).toBe(runtime.demo.bucketId);
    expect(Array.isArray(page.events)).toBe(true);
    const bad = await api(`/public/${hidden.token}/health/events?cursor=forged`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('GET /public/{token}/uptime', () => {
  it("section 8's body, ip left out unless shared", async () => {
    const response = await api(`/public/${hidden.token}/uptime?days=7`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=30');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = await json(response);
    expect(body.bucketId).toBe(runtime.demo.bucketId);
    const nodes = body.nodes as { ip?: string; days: unknown[] }[];
    expect(nodes).toHaveLength(runtime.demo.nodes.length);
    for (const node of nodes) {
      expect(node).not.toHaveProperty('ip');
      expect(node.days).toHaveLength(7);
    }
    const withIps = await json(await api(`/public/${shown.token}/uptime`));
    for (const node of withIps.nodes as { ip?: string; days: unknown[] }[]) {
      expect(node.ip).toMatch(/^[0-9a-f.:]+$/);
      expect(node.days).toHaveLength(30);
    }
  });

  it('400 for days out of range, with the public headers', async () => {
    const response = await api(`/public/${hidden.token}/uptime?days=91`);
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('no answer of a share without ips carries an ip anywhere, on every public route', async () => {
    const status = await json(
      await api(`/bucket/${runtime.demo.bucketId}/status`, {
        headers: { authorization: `Bearer ${runtime.demo.token}` },
      }),
    );
    const ips = (status.nodeStatus as { ip?: string }[]).map((n) => n.ip).filter(Boolean);
    expect(ips.length).toBeGreaterThan(0);
    // Every public route of the table, plain and with each query it reads; a 304 and errors too.
    const publicRoutes = ROUTES.filter((r) => r.path.startsWith('/public/'));
    expect(publicRoutes.length).toBeGreaterThanOrEqual(5);
    const queries = ['', '?days=1', '?days=90', '?show=uptime', '?show=uptime&days=7', '?limit=1'];
    const answered: string[] = [];
    for (const route of publicRoutes) {
      for (const query of [...queries, '?days=0', '?cursor=forged']) {
        const path = `${route.path.replace('{token}', hidden.token)}${query}`;
        const response = await api(path);
        const text = await response.text();
        answered.push(`${response.status} ${route.path}${query}`);
        expect(text, path).not.toMatch(/"ip"/);
        for (const ip of ips) expect(text, path).not.toContain(ip);
      }
    }
    // The queries reached 200s and 400s on every route (not one refusal repeated).
    for (const route of publicRoutes) {
      expect(answered, route.path).toContain(`200 ${route.path}`);
    }
    expect(answered.some((a) => a.startsWith('400 '))).toBe(true);
    // The same routes of the share that shows ips do show them where the body has nodes.
    const shownText = await (await api(`/public/${shown.token}/status`)).text();
    expect(ips.some((ip) => shownText.includes(ip as string))).toBe(true);
  });
});

/** Well-formed XML: every tag closed in order, attributes quoted, nothing outside the root. */
function assertWellFormedSvg(svg: string) {
  expect(svg.startsWith('<svg ')).toBe(true);
  expect(svg.endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let roots = 0;
  for (const match of svg.matchAll(tag)) {
    const [, closing, name, , selfClosing, text, stray] = match;
    expect(stray, `a stray '<' in ${svg}`).toBeUndefined();
    if (text !== undefined) {
      expect(stack.length, 'text outside the root').toBeGreaterThan(0);
      expect(text).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/);
      continue;
    }
    if (closing === '/') {
      expect(stack.pop()).toBe(name);
    } else {
      if (stack.length === 0) roots++;
      if (selfClosing !== '/') stack.push(name as string);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

describe('GET /public/{token}/badge.svg', () => {
  it('the verdict badge: well-formed SVG whose text says the verdict, cached for a minute', async () => {
    const response = await api(`/public/${hidden.token}/badge.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const svg = await response.text();
    assertWellFormedSvg(svg);
    // The demo's nodes report ONLINE or OFFLINE: the verdict is one of these words.
    const title = /<title>([^<]*)<\/title>/.exec(svg)?.[1];
    expect(title).toMatch(/^bucket: (operational|degraded|partial outage|major outage|unknown)$/);
    expect(svg).toContain(`aria-label="${title}"`);
    // The text drawn says it too, not only the title: the label and the verdict's word.
    const drawn = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(drawn).toContain('bucket');
    expect(drawn).toContain(title?.slice('bucket: '.length));
  });

  it('the uptime badge says the percentage over the days asked for', async () => {
    const response = await api(`/public/${hidden.token}/badge.svg?show=uptime&days=7`);
    expect(response.status).toBe(200);
    const svg = await response.text();
    assertWellFormedSvg(svg);
    const title = /<title>([^<]*)<\/title>/.exec(svg)?.[1];
    expect(title).toMatch(/^uptime 7d: \d{1,3}(\.\d{1,2})?%$/);
    const drawn = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(drawn).toContain('uptime 7d');
    expect(drawn).toContain(title?.slice('uptime 7d: '.length));
    const defaultDays = await (await api(`/public/${hidden.token}/badge.svg?show=uptime`)).text();
    expect(defaultDays).toContain('uptime 30d');
  });

  it('400 for an unknown show or days out of range', async () => {
    const show = await api(`/public/${hidden.token}/badge.svg?show=ips`);
    expect(show.status).toBe(400);
    expect((await json(show)).message).toBe('show must be health or uptime');
    expect((await api(`/public/${hidden.token}/badge.svg?show=uptime&days=0`)).status).toBe(400);
  });

  it('days is checked whatever show is: its values, part of the cache key, are bounded', async () => {
    // CloudFront keys the badge by show and days (infra/constructs/public-cdn.ts): a days the
    // verdict badge ignored would make every random value a cache miss, a full read each.
    for (const query of ['days=0', 'days=91', `days=${Date.now()}`, 'show=health&days=x']) {
      const response = await api(`/public/${hidden.token}/badge.svg?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('cache-control'), query).toBe('no-store');
      await response.arrayBuffer();
    }
    const inRange = await api(`/public/${hidden.token}/badge.svg?show=health&days=90`);
    expect(inRange.status).toBe(200);
    expect(await inRange.text()).toContain('<title>bucket: ');
  });
});

describe('a token reads its bucket and nothing else', () => {
  it('one 404, byte for byte, for a malformed, an unknown and a revoked token', async () => {
    const revoked = await createShare({});
    expect((await api(`/public/${revoked.token}/status`)).status).toBe(200);
    const deleted = await api(`/bucket/${runtime.demo.bucketId}/shares/${revoked.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${runtime.demo.adminToken}` },
    });
    expect(deleted.status).toBe(204);
    const tokens = [
      'nope',
      `${hidden.token}x`,
      hidden.token.slice(0, -1),
      `bss_${'A'.repeat(43)}`,
      generateShareToken(),
      revoked.token,
    ];
    for (const route of ['status', 'uptime', 'health', 'health/events', 'badge.svg']) {
      const answers = await Promise.all(
        tokens.map(async (token) => {
          const response = await api(`/public/${encodeURIComponent(token)}/${route}`);
          return {
            status: response.status,
            type: response.headers.get('content-type'),
            cors: response.headers.get('access-control-allow-origin'),
            cache: response.headers.get('cache-control'),
            body: await response.text(),
          };
        }),
      );
      for (const answer of answers) {
        expect(answer).toEqual({
          status: 404,
          type: 'application/json',
          cors: '*',
          cache: 'no-store',
          body: '{"success":false,"message":"Share not found"}',
        });
      }
    }
  });

  it('another bucket id in the query or the path changes nothing', async () => {
    const other = runtime.demo.forbiddenBucketId;
    for (const query of [`?bucketId=${other}`, `?bucket=${other}`, `?days=3&bucketId=${other}`]) {
      const body = await json(await api(`/public/${hidden.token}/status${query}`));
      expect(body.bucketId).toBe(runtime.demo.bucketId);
    }
    const uptime = await json(await api(`/public/${hidden.token}/uptime?bucketId=${other}`));
    expect(uptime.bucketId).toBe(runtime.demo.bucketId);
    // The other bucket's own token reads the other bucket, and only it.
    const theirs = await json(await api(`/public/${otherToken}/status`));
    expect(theirs.bucketId).toBe(other);
  });

  it('path tricks reach no other bucket: encoded slashes, dot segments, extra segments', async () => {
    const other = runtime.demo.forbiddenBucketId;
    const paths = [
      `/public/${hidden.token}%2F..%2F..%2Fbucket%2F${other}/status`,
      `/public/${hidden.token}/../../bucket/${other}/status`,
      `/public/..%2Fbucket%2F${other}/status`,
      `/public/${hidden.token}/status/../../${otherToken}/status`,
      `/public/${hidden.token}/${other}/status`,
      `/public/${hidden.token}%2Fstatus`,
      `/public//status`,
      `/public/%2E%2E/status`,
      `/public/${hidden.token}/status%2F..%2F..%2F${other}`,
      `/PUBLIC/${hidden.token}/status`,
    ];
    for (const path of paths) {
      const { status, body } = await rawGet(path);
      expect(status, path).toBe(404);
      expect(body, path).not.toContain(other);
      expect(body, path).not.toContain('nodeStatus');
    }
  });
});

describe('a share token opens no other route', () => {
  it('as a bearer token on every other route of the table: 401, nothing of the bucket', async () => {
    const values: Record<string, string> = {
      bucketId: runtime.demo.bucketId,
      workspaceId: runtime.demo.workspaceId,
      shareId: hidden.id,
      webhookId: 'no-such-webhook',
      windowId: 'no-such-window',
      keyId: 'no-such-key',
    };
    const others = ROUTES.filter((r) => !r.path.startsWith('/public/'));
    expect(others.length).toBeGreaterThan(10);
    for (const route of others) {
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = values[name];
        if (value === undefined) throw new Error(`no value for {${name}} in ${route.path}`);
        return value;
      });
      const response = await api(path, {
        method: route.method,
        headers: {
          authorization: `Bearer ${hidden.token}`,
          ...(route.method !== 'GET' && { 'content-type': 'application/json' }),
        },
        ...(route.method !== 'GET' && { body: '{}' }),
      });
      const body = await response.text();
      expect(response.status, routeKeyOf(route)).toBe(401);
      expect(body, routeKeyOf(route)).not.toContain('nodeStatus');
      expect(body, routeKeyOf(route)).not.toContain(runtime.demo.nodes[0]?.nodeId);
    }
    // The share still works, and was not revoked by the DELETE above.
    expect((await api(`/public/${hidden.token}/status`)).status).toBe(200);
  });

  it('under /public/{token}/, only the public routes: another suffix is a 404', async () => {
    for (const suffix of [
      '',
      '/',
      '/events',
      '/stats',
      '/shares',
      '/maintenance',
      '/health/policy',
      '/metrics',
      '/badge.png',
      '/status.json',
      `/../../bucket/${runtime.demo.bucketId}/events`,
    ]) {
      const { status, body } = await rawGet(`/public/${hidden.token}${suffix}`);
      expect(status, suffix).toBe(404);
      expect(body, suffix).not.toContain('nodeStatus');
      expect(body, suffix).not.toContain(runtime.demo.bucketId);
    }
    // POST to a public path is no route either.
    const post = await api(`/public/${hidden.token}/status`, { method: 'POST', body: '{}' });
    expect([404, 405]).toContain(post.status);
  });
});

describe('the client', () => {
  it('manages shares with a bearer token; public calls send none, and errors name no token', async () => {
    const sent: Headers[] = [];
    const client = new BucketStatusClient({
      baseUrl: runtime.apiUrl,
      authToken: runtime.demo.adminToken,
      fetch: async (input, init) => {
        sent.push(new Headers(init?.headers));
        return checked.fetch(input, init);
      },
    });
    const created = await client.createShare(runtime.demo.bucketId, { label: 'client' });
    expect(created.showIps).toBe(false);
    expect((await client.listShares(runtime.demo.bucketId)).shares.map((s) => s.id)).toContain(
      created.id,
    );
    sent.length = 0;
    const status = await client.getPublicStatus(created.token);
    expect(status.bucketId).toBe(runtime.demo.bucketId);
    const conditional = await client.getPublicStatusIfChanged(created.token);
    expect(conditional.notModified).toBe(false);
    const uptime = await client.getPublicUptime(created.token, 3);
    expect(uptime.nodes[0]?.days).toHaveLength(3);
    expect((await client.getPublicHealth(created.token)).bucketId).toBe(runtime.demo.bucketId);
    const healthEvents = await client.listPublicHealthEventsIfChanged(created.token, { limit: 2 });
    expect(healthEvents.notModified).toBe(false);
    const badge = await client.getPublicBadge(created.token, { show: 'uptime', days: 3 });
    expect(badge).toContain('uptime 3d');
    for (const headers of sent) expect(headers.has('authorization')).toBe(false);

    await client.revokeShare(runtime.demo.bucketId, created.id);
    const error = await client.getPublicStatus(created.token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(404);
    expect(String((error as Error).message)).not.toContain(created.token);
    // A malformed token never becomes a path: a TypeError, no request, no echo of it.
    sent.length = 0;
    const bad = await client.getPublicStatus('bss_../../bucket/x').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(TypeError);
    expect((bad as Error).message).not.toContain('bucket/x');
    expect(sent).toEqual([]);
  });
});

describe('logs', () => {
  it('no line the runtime writes carries a token, while the requests were logged', async () => {
    const all = logged.join('\n');
    // The capture works: the runtime logged the refused public requests by route key.
    expect(all).toContain('GET /public/{token}/status');
    for (const token of [hidden.token, shown.token, otherToken]) {
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.slice(4));
      expect(all).not.toContain(encodeURIComponent(token));
    }
  });
});
