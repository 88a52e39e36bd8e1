import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BucketStatusClient, HttpError, retryAfterMs } from '../../client/index.ts';

/**
 * The client against a real HTTP server that records each request and answers from a script:
 * the URL, method, headers and body of every route, id validation before any request, retries
 * of 503 and 429, timeouts and aborts. The client against the running API (and as an installed
 * package) is in test/e2e/client-package.test.ts; its timeouts on Node 20 after a GC in
 * test/e2e/client-node20.test.ts.
 */

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Reply = (res: ServerResponse, seen: Seen) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function api(replies: Reply[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      (replies[Math.min(seen.length - 1, replies.length - 1)] as Reply)(res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const busy = (retryAfter?: string) =>
  json(
    503,
    { success: false, message: 'busy' },
    retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  );
const noRetryDelay = { baseDelayMs: 1 };

describe('every route: method, path, query and body', () => {
  it('GET status with the bearer token, below a stage path', async () => {
    const server = await api([json(200, { bucketId: 'b1', nodeStatus: [] })]);
    const client = new BucketStatusClient({ baseUrl: `${server.url}/prod`, authToken: 't0k' });
    expect(await client.getBucketStatus('b1')).toEqual({ bucketId: 'b1', nodeStatus: [] });
    expect(await client.getStorageBucketStatus('b1')).toEqual({ bucketId: 'b1', nodeStatus: [] });
    expect(server.seen.map((s) => [s.method, s.url])).toEqual([
      ['GET', '/prod/bucket/b1/status'],
      ['GET', '/prod/bucket/b1/status'],
    ]);
    expect(server.seen[0]?.headers).toMatchObject({
      authorization: 'Bearer t0k',
      accept: 'application/json',
    });
  });

  it('POST stats with the day, from a string or a Date (its UTC day)', async () => {
    const stats = { success: true, bucketId: 'b1', day: '2026-11-30', nodeStats: [] };
    const server = await api([json(200, stats)]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    expect(await client.getStorageBucketStats('b1', '2026-11-30')).toEqual(stats);
    await client.getStorageBucketStats('b1', new Date('2026-11-30T23:59:59.999Z'));
    expect(server.seen.map((s) => [s.method, s.url, s.body, s.headers['content-type']])).toEqual([
      ['POST', '/bucket/b1/stats', '{"day":"2026-11-30"}', 'application/json'],
      ['POST', '/bucket/b1/stats', '{"day":"2026-11-30"}', 'application/json'],
    ]);
  });

  it('GET uptime with days, or without for the default', async () => {
    const server = await api([json(200, { bucketId: 'b1', from: 'a', to: 'b', nodes: [] })]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    await client.getBucketUptime('b1', 7);
    await client.getBucketUptime('b1');
    expect(server.seen.map((s) => s.url)).toEqual([
      '/bucket/b1/uptime?days=7',
      '/bucket/b1/uptime',
    ]);
  });

  it('GET events one page, and every page through the iterator', async () => {
    const event = (id: string) => ({ id, host: 'n', from: 'ONLINE', to: 'OFFLINE', at: 'x' });
    const server = await api([
      json(200, { bucketId: 'b1', events: [event('e1'), event('e2')], nextCursor: 'c/1+=' }),
      json(200, { bucketId: 'b1', events: [event('e3')], nextCursor: 'c2' }),
      json(200, { bucketId: 'b1', events: [event('e4')] }),
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    const ids: string[] = [];
    for await (const e of client.bucketEvents('b1', { limit: 2 })) ids.push(e.id);
    expect(ids).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(server.seen.map((s) => s.url)).toEqual([
      '/bucket/b1/events?limit=2',
      '/bucket/b1/events?limit=2&cursor=c%2F1%2B%3D',
      '/bucket/b1/events?limit=2&cursor=c2',
    ]);
  });

  it('GET health (and its conditional form), health events one page and every page', async () => {
    const health = { bucketId: 'b1', verdict: 'UNKNOWN', nodes: {}, policy: {} };
    const event = (id: string) => ({ id, from: 'UNKNOWN', to: 'OPERATIONAL', at: 'x', nodes: {} });
    const server = await api([
      json(200, health, { etag: '"h1"' }),
      (res) => {
        res.writeHead(304, { etag: '"h1"' });
        res.end();
      },
      json(200, { bucketId: 'b1', events: [event('h1')], nextCursor: 'c/1' }),
      json(200, { bucketId: 'b1', events: [event('h2')], nextCursor: 'c2' }),
      json(200, { bucketId: 'b1', events: [event('h3')] }),
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    expect(await client.getBucketHealth('b1')).toEqual(health);
    expect(await client.getBucketHealthIfChanged('b1', { ifNoneMatch: '"h1"' })).toEqual({
      notModified: true,
      etag: '"h1"',
    });
    expect((await client.listBucketHealthEvents('b1', { limit: 1 })).events[0]?.id).toBe('h1');
    const ids: string[] = [];
    for await (const e of client.bucketHealthEvents('b1', { cursor: 'c/1' })) ids.push(e.id);
    expect(ids).toEqual(['h2', 'h3']);
    expect(server.seen.map((s) => s.url)).toEqual([
      '/bucket/b1/health',
      '/bucket/b1/health',
      '/bucket/b1/health/events?limit=1',
      '/bucket/b1/health/events?cursor=c%2F1',
      '/bucket/b1/health/events?cursor=c2',
    ]);
    expect(server.seen[1]?.headers['if-none-match']).toBe('"h1"');
    await expect(client.getBucketHealth('bad id!')).rejects.toThrow(TypeError);
    await expect(client.listBucketHealthEvents('b1', { limit: 0 })).rejects.toThrow(TypeError);
    await expect(client.listBucketHealthEvents('b1', { cursor: '' })).rejects.toThrow(
      'cursor must be',
    );
    expect(server.seen).toHaveLength(5);
  });

  it('GET /me (and its conditional form), the workspace overview one page and every page', async () => {
    const me = { userId: 'u1', orgId: 'o1', orgRole: 'MEMBER', workspaces: [] };
    const entry = (bucketId: string) => ({
      bucketId,
      name: bucketId,
      verdict: 'UNKNOWN',
      nodes: {},
    });
    const server = await api([
      json(200, me, { etag: '"m1"' }),
      (res) => {
        res.writeHead(304, { etag: '"m1"' });
        res.end();
      },
      json(200, { workspaceId: 'w1', buckets: [entry('b1')], nextCursor: 'c/1' }),
      json(200, { workspaceId: 'w1', buckets: [entry('b2')], nextCursor: 'c2' }),
      json(200, { workspaceId: 'w1', buckets: [entry('b3')] }),
      (res) => {
        res.writeHead(304, { etag: '"p1"' });
        res.end();
      },
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    expect(await client.getMe()).toEqual(me);
    expect(await client.getMeIfChanged({ ifNoneMatch: '"m1"' })).toEqual({
      notModified: true,
      etag: '"m1"',
    });
    const first = await client.listWorkspaceBuckets('w1', { limit: 1 });
    expect(first.buckets[0]?.bucketId).toBe('b1');
    const ids: string[] = [];
    for await (const b of client.workspaceBuckets('w1', { cursor: 'c/1' })) ids.push(b.bucketId);
    expect(ids).toEqual(['b2', 'b3']);
    expect(
      await client.listWorkspaceBucketsIfChanged('w1', { limit: 2 }, { ifNoneMatch: '"p1"' }),
    ).toEqual({ notModified: true, etag: '"p1"' });
    expect(server.seen.map((s) => s.url)).toEqual([
      '/me',
      '/me',
      '/workspace/w1/buckets?limit=1',
      '/workspace/w1/buckets?cursor=c%2F1',
      '/workspace/w1/buckets?cursor=c2',
      '/workspace/w1/buckets?limit=2',
    ]);
    expect(server.seen[1]?.headers['if-none-match']).toBe('"m1"');
    expect(server.seen[5]?.headers['if-none-match']).toBe('"p1"');
    await expect(client.listWorkspaceBuckets('bad id!')).rejects.toThrow(TypeError);
    await expect(client.listWorkspaceBuckets('w1', { limit: 201 })).rejects.toThrow(TypeError);
    await expect(client.listWorkspaceBuckets('w1', { cursor: '' })).rejects.toThrow(
      'cursor must be',
    );
    expect(server.seen).toHaveLength(6);
  });

  it('stops fetching pages when the loop breaks', async () => {
    const server = await api([
      json(200, { bucketId: 'b1', events: [{ id: 'e1' }, { id: 'e2' }], nextCursor: 'c' }),
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    for await (const e of client.bucketEvents('b1')) {
      expect(e.id).toBe('e1');
      break;
    }
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.url).toBe('/bucket/b1/events');
  });

  it('webhooks: create (201), list, update (200), delete (204)', async () => {
    const created = { id: 'wh_1', url: 'https://example.com/h', createdAt: 'x', secret: 'whsec_x' };
    const updated = {
      id: 'wh_1',
      url: 'https://example.com/h',
      createdAt: 'x',
      events: ['bucket.health_changed'],
      minDurationSeconds: 60,
    };
    const server = await api([
      json(201, created),
      json(200, { webhooks: [{ id: 'wh_1', url: 'https://example.com/h', createdAt: 'x' }] }),
      json(200, updated),
      (res) => {
        res.writeHead(204);
        res.end();
      },
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url, authToken: 'a' });
    expect(
      await client.createWebhook('ws-1', { url: 'https://example.com/h', description: 'ops' }),
    ).toEqual(created);
    expect((await client.listWebhooks('ws-1')).webhooks).toHaveLength(1);
    expect(
      await client.updateWebhook('ws-1', 'wh_1', {
        events: ['bucket.health_changed'],
        minDurationSeconds: 60,
      }),
    ).toEqual(updated);
    expect(await client.deleteWebhook('ws-1', 'wh_1')).toBeUndefined();
    expect(server.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/workspace/ws-1/webhooks', '{"url":"https://example.com/h","description":"ops"}'],
      ['GET', '/workspace/ws-1/webhooks', ''],
      [
        'PATCH',
        '/workspace/ws-1/webhooks/wh_1',
        '{"events":["bucket.health_changed"],"minDurationSeconds":60}',
      ],
      ['DELETE', '/workspace/ws-1/webhooks/wh_1', ''],
    ]);
  });

  it('maintenance: create (201), list, delete (204); health policy (PUT)', async () => {
    const window = {
      id: 'mw_1',
      bucketId: 'b1',
      start: '2026-12-07T02:00:00.000Z',
      end: '2026-12-07T04:00:00.000Z',
      createdAt: 'x',
    };
    const server = await api([
      json(201, window),
      json(200, { windows: [window] }),
      (res) => {
        res.writeHead(204);
        res.end();
      },
      json(200, { bucketId: 'b1', minOnlinePercent: 75 }),
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url, authToken: 'a' });
    expect(
      await client.createMaintenanceWindow('b1', {
        start: new Date('2026-12-07T02:00:00Z'),
        end: '2026-12-07T04:00:00Z',
        reason: 'upgrade',
      }),
    ).toEqual(window);
    expect((await client.listMaintenanceWindows('b1')).windows).toEqual([window]);
    expect(await client.deleteMaintenanceWindow('b1', 'mw_1')).toBeUndefined();
    expect(await client.setHealthPolicy('b1', 75)).toEqual({
      bucketId: 'b1',
      minOnlinePercent: 75,
    });
    expect(server.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      [
        'POST',
        '/bucket/b1/maintenance',
        '{"start":"2026-12-07T02:00:00.000Z","end":"2026-12-07T04:00:00Z","reason":"upgrade"}',
      ],
      ['GET', '/bucket/b1/maintenance', ''],
      ['DELETE', '/bucket/b1/maintenance/mw_1', ''],
      ['PUT', '/bucket/b1/health/policy', '{"minOnlinePercent":75}'],
    ]);
  });

  it('metrics: the Prometheus text as it is, the bucket filter repeated, Accept text/plain', async () => {
    const text = '# HELP bucket_status_node_up x\n# TYPE bucket_status_node_up gauge\n';
    const server = await api([
      (res) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(text);
      },
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url, authToken: 'bsk_k' });
    expect(await client.getWorkspaceMetrics('ws-1')).toBe(text);
    expect(await client.getWorkspaceMetrics('ws-1', { buckets: ['b1', 'b2'] })).toBe(text);
    expect(await client.getWorkspaceMetrics('ws-1', { buckets: [] })).toBe(text);
    expect(server.seen.map((s) => [s.method, s.url, s.headers.accept])).toEqual([
      ['GET', '/workspace/ws-1/metrics', 'text/plain'],
      ['GET', '/workspace/ws-1/metrics?bucket=b1&bucket=b2', 'text/plain'],
      ['GET', '/workspace/ws-1/metrics', 'text/plain'],
    ]);
    expect(server.seen[0]?.headers.authorization).toBe('Bearer bsk_k');
  });

  it('refuses a policy percent outside 1-100 without sending anything', async () => {
    const server = await api([json(200, {})]);
    const client = new BucketStatusClient({ baseUrl: server.url, authToken: 'a' });
    for (const percent of [0, 101, 50.5, Number.NaN]) {
      await expect(client.setHealthPolicy('b1', percent)).rejects.toThrow(TypeError);
    }
    expect(server.seen).toHaveLength(0);
  });
});

describe('ids are validated before a URL is built', () => {
  const bad = [
    '.',
    '..',
    '',
    'a/b',
    '%2F',
    '..%2F..',
    'a?b=c',
    'a#b',
    ' b',
    'b\n',
    'x'.repeat(129),
  ];

  it.each(bad)('refuses bucket id %j without sending anything', async (id) => {
    const server = await api([json(200, {})]);
    const client = new BucketStatusClient({ baseUrl: server.url, authToken: 'secret' });
    const calls = [
      () => client.getBucketStatus(id),
      () => client.getStorageBucketStats(id, '2026-11-30'),
      () => client.getBucketUptime(id, 3),
      () => client.listBucketEvents(id),
      () => client.bucketEvents(id).next(),
      () => client.createWebhook(id, { url: 'https://example.com' }),
      () => client.listWebhooks(id),
      () => client.deleteWebhook(id, 'wh_1'),
      () => client.deleteWebhook('ws', id),
      () => client.updateWebhook(id, 'wh_1', { minDurationSeconds: 1 }),
      () => client.updateWebhook('ws', id, { minDurationSeconds: 1 }),
      () => client.createShare(id),
      () => client.listShares(id),
      () => client.revokeShare(id, 'shr_1'),
      () => client.revokeShare('b', id),
      () => client.getPublicStatus(`bss_${id}`),
      () => client.getPublicUptime(id),
      () => client.getPublicBadge(`bss_${'A'.repeat(42)}${id}`),
      () => client.createMaintenanceWindow(id, { start: new Date(), end: new Date() }),
      () => client.listMaintenanceWindows(id),
      () => client.deleteMaintenanceWindow(id, 'mw_1'),
      () => client.deleteMaintenanceWindow('b1', id),
      () => client.setHealthPolicy(id, 50),
      () => client.createApiKey(id),
      () => client.listApiKeys(id),
      () => client.deleteApiKey(id, 'ak_1'),
      () => client.deleteApiKey('ws', id),
      () => client.getWorkspaceMetrics(id),
      () => client.getWorkspaceMetrics('ws', { buckets: ['b1', id] }),
    ];
    for (const call of calls) {
      await expect(call()).rejects.toThrow(TypeError);
    }
    expect(server.seen).toHaveLength(0);
  });

  it('refuses a non-string id and says which argument', async () => {
    const client = new BucketStatusClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(client.getBucketStatus(7 as unknown as string)).rejects.toThrow(
      'bucketId must be 1-128 characters of A-Z, a-z, 0-9, _ or - (got number)',
    );
    await expect(client.deleteWebhook('ws', '..')).rejects.toThrow('webhookId must be');
  });

  it.each([
    [(c: BucketStatusClient) => c.getBucketUptime('b', 0), 'days must be an integer from 1 to 90'],
    [(c: BucketStatusClient) => c.getBucketUptime('b', 91), 'days must be'],
    [(c: BucketStatusClient) => c.getBucketUptime('b', 1.5), 'days must be'],
    [
      (c: BucketStatusClient) => c.listBucketEvents('b', { limit: 201 }),
      'limit must be an integer from 1 to 200',
    ],
    [(c: BucketStatusClient) => c.listBucketEvents('b', { cursor: '' }), 'cursor must be'],
    [(c: BucketStatusClient) => c.getStorageBucketStats('b', 'yesterday'), 'day must be a Date or'],
    [(c: BucketStatusClient) => c.getStorageBucketStats('b', new Date('nope')), 'invalid Date'],
  ])('refuses bad arguments %#: %s', async (call, message) => {
    const client = new BucketStatusClient({ baseUrl: 'http://127.0.0.1:9' });
    await expect(call(client)).rejects.toThrow(message);
  });

  it('refuses a base URL with credentials or another scheme', () => {
    expect(() => new BucketStatusClient({ baseUrl: 'https://u:p@api.example.com' })).toThrow(
      'baseUrl must not carry a user name or password',
    );
    expect(() => new BucketStatusClient({ baseUrl: 'file:///etc' })).toThrow('http(s) URL');
  });
});

describe('errors', () => {
  it('throws one HttpError with status, the API message, body and headers', async () => {
    const server = await api([
      json(404, { success: false, message: 'Bucket not found' }, { 'x-amzn-requestid': 'r1' }),
    ]);
    const error = await new BucketStatusClient({ baseUrl: server.url })
      .getBucketStatus('b1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 404,
      apiMessage: 'Bucket not found',
      message: 'GET /bucket/b1/status failed with 404: Bucket not found',
      body: { success: false, message: 'Bucket not found' },
      request: 'GET /bucket/b1/status',
    });
    expect((error as HttpError).headers.get('x-amzn-requestid')).toBe('r1');
  });

  it('throws HttpError for a 200 that is not a JSON object', async () => {
    const server = await api([
      (res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html></html>');
      },
    ]);
    const error = await new BucketStatusClient({ baseUrl: server.url })
      .getBucketStatus('b1')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HttpError', status: 200, body: '<html></html>' });
  });
});

describe('retries of 503 and 429', () => {
  it('retries a 503, honouring Retry-After, and returns the answer', async () => {
    const server = await api([busy('0'), json(200, { bucketId: 'b1', nodeStatus: [] })]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    expect(await client.getBucketStatus('b1')).toEqual({ bucketId: 'b1', nodeStatus: [] });
    expect(server.seen).toHaveLength(2);
  });

  it('retries a 429 even on create (refused before anything was done)', async () => {
    const server = await api([
      json(429, { success: false, message: 'slow down' }, { 'retry-after': '0' }),
      json(201, { id: 'wh_1', url: 'https://e.example', createdAt: 'x', secret: 's' }),
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    expect((await client.createWebhook('ws', { url: 'https://e.example' })).id).toBe('wh_1');
    expect(server.seen).toHaveLength(2);
  });

  it('does not retry a 503 on create (the webhook may exist)', async () => {
    const server = await api([busy('0'), json(201, {})]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    await expect(client.createWebhook('ws', { url: 'https://e.example' })).rejects.toMatchObject({
      status: 503,
    });
    expect(server.seen).toHaveLength(1);
  });

  it('gives up after maxAttempts with the last answer', async () => {
    const server = await api([busy()]);
    const client = new BucketStatusClient({
      baseUrl: server.url,
      retry: { maxAttempts: 4, ...noRetryDelay },
    });
    await expect(client.getBucketStatus('b1')).rejects.toMatchObject({ status: 503 });
    expect(server.seen).toHaveLength(4);
  });

  it('does not retry at all with retry: false', async () => {
    const server = await api([busy('0'), json(200, {})]);
    const client = new BucketStatusClient({ baseUrl: server.url, retry: false });
    const error = await client.getBucketStatus('b1').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 0 });
    expect(server.seen).toHaveLength(1);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs: throws at once', async () => {
    const server = await api([busy('3600'), json(200, {})]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    const error = await client.getBucketStatus('b1').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 3600 });
    expect(server.seen).toHaveLength(1);
  });

  it.each([400, 401, 403, 404, 409, 500])('does not retry a %i', async (status) => {
    const server = await api([json(status, { success: false, message: 'no' }), json(200, {})]);
    const client = new BucketStatusClient({ baseUrl: server.url, retry: noRetryDelay });
    await expect(client.getBucketStatus('b1')).rejects.toMatchObject({ status });
    expect(server.seen).toHaveLength(1);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('timeouts and aborts', () => {
  const silent: Reply = () => undefined; // never answers

  it('rejects with a TimeoutError when an attempt takes longer than timeoutMs', async () => {
    const server = await api([silent]);
    const client = new BucketStatusClient({ baseUrl: server.url, timeoutMs: 100 });
    await expect(client.getBucketStatus('b1')).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(client.getBucketStatus('b1', { timeoutMs: 50 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it("rejects with the signal's reason when aborted in flight", async () => {
    const server = await api([silent]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    const controller = new AbortController();
    const pending = client.getBucketStatus('b1', { signal: controller.signal });
    await expect.poll(() => server.seen.length).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an abort also ends a wait between retries (no second attempt)', {
    timeout: 10_000,
  }, async () => {
    const server = await api([busy('25'), json(200, {})]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    const controller = new AbortController();
    const pending = client.getBucketStatus('b1', { signal: controller.signal });
    await expect.poll(() => server.seen.length).toBe(1);
    controller.abort(new Error('user navigated away'));
    await expect(pending).rejects.toThrow('user navigated away');
    expect(server.seen).toHaveLength(1);
  });
  it("a settled call leaves no timer running and no listener on the caller's signal", {
    timeout: 10_000,
  }, async () => {
    const server = await api([busy('0'), json(200, {}), json(404, {}), silent]);
    const client = new BucketStatusClient({ baseUrl: server.url, timeoutMs: 60_000 });
    const page = new AbortController(); // a page's long-lived signal, passed to every call
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await client.getBucketStatus('b1', { signal: page.signal }); // a 503 retried, then 200
    await expect(client.getBucketStatus('b1', { signal: page.signal })).rejects.toBeInstanceOf(
      HttpError,
    );
    await expect(
      client.getBucketStatus('b1', { signal: page.signal, timeoutMs: 50 }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(server.seen).toHaveLength(4);
    expect(getEventListeners(page.signal, 'abort')).toHaveLength(0);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('conditional GETs (the status page revalidates with If-None-Match)', () => {
  it('returns the body and ETag, then notModified on a 304 for the ETag it was given', async () => {
    const body = { bucketId: 'b1', nodeStatus: [] };
    const server = await api([
      json(200, body, { etag: '"v1"' }),
      (res) => {
        res.writeHead(304, { etag: '"v1"' });
        res.end();
      },
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    const first = await client.getBucketStatusIfChanged('b1');
    expect(first).toEqual({ notModified: false, etag: '"v1"', body });
    const second = await client.getBucketStatusIfChanged('b1', { ifNoneMatch: first.etag ?? '' });
    expect(second).toEqual({ notModified: true, etag: '"v1"' });
    expect(server.seen.map((s) => s.headers['if-none-match'])).toEqual([undefined, '"v1"']);
  });

  it('revalidates uptime and events with their query, and checks ids first', async () => {
    const server = await api([
      (res) => {
        res.writeHead(304, { etag: '"u"' });
        res.end();
      },
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    expect(await client.getBucketUptimeIfChanged('b1', 30, { ifNoneMatch: '"u"' })).toEqual({
      notModified: true,
      etag: '"u"',
    });
    await client.listBucketEventsIfChanged('b1', { limit: 20 }, { ifNoneMatch: '"u"' });
    expect(server.seen.map((s) => s.url)).toEqual([
      '/bucket/b1/uptime?days=30',
      '/bucket/b1/events?limit=20',
    ]);
    await expect(client.getBucketStatusIfChanged('..')).rejects.toThrow(TypeError);
    await expect(client.getBucketUptimeIfChanged('b1', 0)).rejects.toThrow('days must be');
    expect(server.seen).toHaveLength(2);
  });

  it('a 304 to a call that did not ask for one is an HttpError', async () => {
    const server = await api([
      (res) => {
        res.writeHead(304);
        res.end();
      },
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    await expect(client.getBucketStatus('b1')).rejects.toMatchObject({ status: 304 });
  });
});

describe('the request core: headers, public routes, bodies the API may answer', () => {
  const token = `bss_${'A'.repeat(43)}`;

  it('a public route sends no Authorization, and its errors name the route, not the token', async () => {
    const server = await api([
      json(200, { bucketId: 'b1', nodeStatus: [] }),
      json(404, { success: false, message: 'Share not found' }),
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url, authToken: 't0k' });
    await client.getPublicStatus(token);
    const error = await client.getPublicStatus(token).catch((e: unknown) => e);
    expect(server.seen.map((s) => [s.url, s.headers.authorization])).toEqual([
      [`/public/${token}/status`, undefined],
      [`/public/${token}/status`, undefined],
    ]);
    expect(error).toMatchObject({
      status: 404,
      request: 'GET /public/{token}/status',
      message: 'GET /public/{token}/status failed with 404: Share not found',
    });
  });

  it('no token, no Authorization; a GET carries no Content-Type', async () => {
    const server = await api([json(200, { bucketId: 'b1', nodeStatus: [] })]);
    await new BucketStatusClient({ baseUrl: server.url }).getBucketStatus('b1');
    expect(server.seen[0]?.headers).not.toHaveProperty('authorization');
    expect(server.seen[0]?.headers).not.toHaveProperty('content-type');
  });

  it('an error with an empty body has no body; a 200 of JSON null is not an answer', async () => {
    const server = await api([
      (res) => {
        res.writeHead(500);
        res.end();
      },
      json(200, null),
    ]);
    const client = new BucketStatusClient({ baseUrl: server.url });
    const empty = await client.getBucketStatus('b1').catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(HttpError);
    expect((empty as HttpError).body).toBeUndefined();
    expect(await client.getBucketStatus('b1').catch((e: unknown) => e)).toMatchObject({
      status: 200,
      body: null,
      request: 'GET /bucket/b1/status (not JSON)',
    });
  });

  it('waits for a Retry-After of exactly maxRetryAfterMs', async () => {
    const server = await api([busy('0'), json(200, { bucketId: 'b1', nodeStatus: [] })]);
    const client = new BucketStatusClient({ baseUrl: server.url, retry: { maxRetryAfterMs: 0 } });
    expect(await client.getBucketStatus('b1')).toEqual({ bucketId: 'b1', nodeStatus: [] });
    expect(server.seen).toHaveLength(2);
  });
});
