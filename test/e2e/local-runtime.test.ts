import { createPrivateKey, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { BucketStatusClient, HttpError, type NodeStatus } from '../../client/index.ts';
import { signNodeReport } from '../../functions/domain/node-signature.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { ReportError, sendReport } from '../../reporter/transport.ts';
import { checkedFetch, resourceSnapshot } from './support.ts';

/**
 * `npm start` in this process (port 0, its own in-memory dynalite), driven over real HTTP by
 * the client library and the reporter. Every response is checked against openapi.yaml.
 */

const checked = checkedFetch();
let runtime: LocalRuntime;
let client: BucketStatusClient;
let resources: ReturnType<typeof resourceSnapshot>;
const logLines: string[] = [];

let startedAt: number;

beforeAll(async () => {
  resources = resourceSnapshot();
  startedAt = Date.now();
  runtime = await startLocalRuntime({
    env: {},
    port: 0,
    reportIntervalMs: 1_500,
    log: (line) => logLines.push(line),
    nodeReportFetch: checked.fetch,
  });
  client = new BucketStatusClient({
    baseUrl: runtime.apiUrl,
    authToken: runtime.demo.token,
    timeoutMs: 5_000,
    fetch: checked.fetch,
  });
});

afterEach(() => {
  expect(checked.violations).toEqual([]);
});

afterAll(async () => {
  await runtime?.stop();
  // Nothing of the runtime may keep running: no server, socket, engine or timer.
  expect(await resources.leaked()).toEqual([]);
});

/** A node registered and assigned to the demo bucket through the operator store. */
async function registerTestNode(): Promise<{ nodeId: string; privateKey: string }> {
  const dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
  try {
    const store = createAdminStore(dynamo, runtime.tableName);
    const { nodeId, privateKey } = await store.registerNode({
      nodeId: `e2e-node-${randomUUID().slice(0, 8)}`,
    });
    await store.assignNode({ bucketId: runtime.demo.bucketId, nodeId });
    return { nodeId, privateKey: privateKey as string };
  } finally {
    dynamo.destroy();
  }
}

const statusOf = async (bucketId = runtime.demo.bucketId) =>
  client.getStorageBucketStatus(bucketId);

async function expectHttpError(promise: Promise<unknown>, status: number): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(status);
  return error as HttpError;
}

describe('the local runtime', () => {
  it('serves the demo bucket: three nodes, reporting live', async () => {
    const { bucketId, nodeStatus } = await statusOf();
    expect(bucketId).toBe(runtime.demo.bucketId);
    expect(nodeStatus).toHaveLength(3);
    const online = nodeStatus.filter((node) => node.status === 'ONLINE');
    expect(online.length).toBeGreaterThanOrEqual(1);
    for (const node of online) {
      // Reported during this run: after the runtime started, before this read.
      expect(Date.parse(node.lastUpdated as string)).toBeGreaterThanOrEqual(startedAt);
      expect(Date.parse(node.lastUpdated as string)).toBeLessThanOrEqual(Date.now());
      expect(node.latency_ms).toBeGreaterThan(0);
    }
    expect(runtime.apiUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(runtime.demo.nodes).toHaveLength(3);
    expect(logLines.some((line) => line.includes('accepted 1'))).toBe(true);
  });

  it('keeps the simulated nodes reporting every few seconds', async () => {
    const latest = (nodes: NodeStatus[]) =>
      Math.max(...nodes.map((node) => Date.parse(node.lastUpdated ?? '1970-01-01T00:00:00Z')));
    const first = latest((await statusOf()).nodeStatus);
    await expect
      .poll(async () => latest((await statusOf()).nodeStatus), { timeout: 6_000, interval: 250 })
      .toBeGreaterThan(first);
  });

  it('refuses a bucket in a workspace the user may not read with 403', async () => {
    const error = await expectHttpError(statusOf(runtime.demo.forbiddenBucketId), 403);
    expect(error.body).toEqual({ success: false, message: expect.any(String) });
  });

  it('answers a bad token with 401 and an RFC 6750 challenge', async () => {
    const stranger = new BucketStatusClient({ baseUrl: runtime.apiUrl, fetch: checked.fetch });
    stranger.setAuthToken(`${runtime.demo.token}x`);
    const badSignature = await expectHttpError(
      stranger.getStorageBucketStatus(runtime.demo.bucketId),
      401,
    );
    expect(badSignature.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    stranger.setAuthToken(undefined);
    await expectHttpError(stranger.getStorageBucketStatus(runtime.demo.bucketId), 401);
  });

  it('answers an invalid bucket id with 400 and an unknown bucket with 404', async () => {
    // The client refuses an invalid id before sending it, so the 400 is asked for directly.
    await expect(statusOf('not a valid id!')).rejects.toThrow(TypeError);
    const invalid = await checked.fetch(`${runtime.apiUrl}/bucket/not%20a%20valid%20id!/status`, {
      headers: { authorization: `Bearer ${runtime.demo.token}` },
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ success: false });
    await expectHttpError(statusOf('no-such-bucket'), 404);
  });

  it('answers unknown routes and methods like API Gateway: 404 {"message":"Not Found"}', async () => {
    for (const [method, path] of [
      ['GET', '/nothing-here'],
      ['POST', '/'],
      ['GET', '/web/src/app.tsx'],
      ['GET', '/bucket/x/status/extra'],
      ['DELETE', `/bucket/${runtime.demo.bucketId}/status`],
      ['GET', '/node/status'],
    ] as const) {
      const response = await checked.fetch(`${runtime.apiUrl}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
      expect(response.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('serves the status page at / with its own headers: CSP script-src self, no framing', async () => {
    expect(runtime.statusPageUrl).toBe(
      `${runtime.apiUrl}/#bucket=${runtime.demo.bucketId}&token=${runtime.demo.token}`,
    );
    const page = await fetch(`${runtime.apiUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    // No inline script: every <script> loads a file of the page's origin.
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="app.js">']);
    expect(html).not.toMatch(/<script[^>]*>[^<]+<\/script>/);
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${runtime.apiUrl}/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect(await (await fetch(`${runtime.apiUrl}/config.json`)).json()).toEqual({ apiUrl: '/' });
  });

  it("shows a newly registered node's report in the bucket status", async () => {
    const { nodeId, privateKey } = await registerTestNode();
    const before = (await statusOf()).nodeStatus;
    const nodeCount = before.length;
    expect(nodeCount).toBeGreaterThanOrEqual(4);
    expect(before.filter((node) => node.ip === '192.0.2.44')).toEqual([]);

    const sentAt = Date.now();
    const sent = await sendReport({
      apiUrl: runtime.apiUrl,
      nodeId,
      privateKey,
      body: {
        ip: '192.0.2.44',
        region: 'eu-central-1',
        version: '2.0.1',
        buckets: [
          { bucketId: runtime.demo.bucketId, status: 'ONLINE', latency_ms: 77 },
          { bucketId: runtime.demo.forbiddenBucketId, status: 'ONLINE' },
        ],
      },
      fetch: checked.fetch,
    });
    expect(sent.status).toBe(200);
    expect(sent.body.accepted).toEqual([runtime.demo.bucketId]);
    expect(sent.body.rejected).toEqual([
      { bucketId: runtime.demo.forbiddenBucketId, reason: 'not assigned' },
    ]);

    const after = (await statusOf()).nodeStatus;
    expect(after).toHaveLength(nodeCount);
    const reported = after.filter((node) => node.ip === '192.0.2.44');
    expect(reported).toEqual([
      {
        ip: '192.0.2.44',
        region: 'eu-central-1',
        version: '2.0.1',
        status: 'ONLINE',
        latency_ms: 77,
        lastUpdated: expect.any(String),
      },
    ]);
    // lastUpdated is the server's receive time of this very report: between send and read.
    const lastUpdated = Date.parse(reported[0]?.lastUpdated as string);
    expect(lastUpdated).toBeGreaterThanOrEqual(sentAt);
    expect(lastUpdated).toBeLessThanOrEqual(Date.now());
  });

  it('refuses reports with a wrong key (401) and does not retry them', async () => {
    const [node] = runtime.demo.nodes;
    const otherKey = createPrivateKey({
      key: Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.alloc(32, 7),
      ]),
      format: 'der',
      type: 'pkcs8',
    });
    const failure = await sendReport({
      apiUrl: runtime.apiUrl,
      nodeId: node?.nodeId as string,
      privateKey: otherKey,
      body: {
        ip: '192.0.2.1',
        region: 'us-east-1',
        version: '1.0.0',
        buckets: [{ bucketId: runtime.demo.bucketId, status: 'OFFLINE' }],
      },
      fetch: checked.fetch,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReportError);
    expect(failure).toMatchObject({ status: 401, attempts: 1 });
  });

  it('passes the signed bytes through unchanged, whatever the content type', async () => {
    const node = await registerTestNode();
    const body = JSON.stringify({
      ip: '198.51.100.9',
      region: 'us-east-1',
      version: '1.0.0',
      buckets: [{ bucketId: runtime.demo.bucketId, status: 'ONLINE', latency_ms: 5 }],
    });
    // API Gateway base64-encodes a body it does not consider text; the handler decodes it.
    const response = await checked.fetch(`${runtime.apiUrl}/node/status`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        ...signNodeReport(node?.nodeId as string, node?.privateKey as string, body),
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { accepted: string[] }).accepted).toEqual([
      runtime.demo.bucketId,
    ]);
  });

  it('refuses a report over 64 KiB with 413', async () => {
    const [node] = runtime.demo.nodes;
    const body = JSON.stringify({ padding: 'x'.repeat(70 * 1024) });
    const response = await checked.fetch(`${runtime.apiUrl}/node/status`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signNodeReport(node?.nodeId as string, node?.privateKey as string, body),
      },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ success: false, message: expect.any(String) });
  });

  it("records the demo's history: every node's day, and the flapping third node's OFFLINE time", async () => {
    const demoNodes = runtime.demo.nodes.map((node) => node.nodeId);
    const flapper = demoNodes.at(-1) as string;
    const today = new Date().toISOString().slice(0, 10);
    // Wait (at most a minute) until the flapping node has reported OFFLINE and then ONLINE
    // again: its day now holds an OFFLINE stretch between two reports.
    let sawOffline = false;
    let stats = await client.getStorageBucketStats(runtime.demo.bucketId, today);
    for (let i = 0; i < 120; i++) {
      const entry = stats.nodeStats.find((node) => node.host === flapper);
      if (entry?.node_status === 'OFFLINE') sawOffline = true;
      else if (sawOffline && entry?.node_status === 'ONLINE') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
      stats = await client.getStorageBucketStats(runtime.demo.bucketId, today);
    }
    expect(sawOffline).toBe(true);
    for (const host of demoNodes) {
      const entry = stats.nodeStats.find((node) => node.host === host);
      expect(entry?.online_seconds).toBeGreaterThan(0);
      expect(entry?.observed_seconds).toBeGreaterThanOrEqual(entry?.online_seconds ?? Infinity);
    }
    const flapped = stats.nodeStats.find((node) => node.host === flapper);
    expect(flapped?.perc_uptime).toBeLessThan(100);
    const uptime = await client.getBucketUptime(runtime.demo.bucketId, 2);
    const days = uptime.nodes.find((node) => node.host === flapper)?.days;
    expect(days?.map((day) => day.day).at(-1)).toBe(today);
    expect(days?.at(-1)?.perc_uptime).toBeLessThan(100);
  }, 90_000);

  it('answers a burst of 50 parallel 90-day uptime reads with 200 each (4,500 Queries on one shared client)', async () => {
    const url = `${runtime.apiUrl}/bucket/${runtime.demo.bucketId}/uptime?days=90`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${runtime.demo.token}` },
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    expect(answers).toStrictEqual(Array.from({ length: 50 }, () => 200));
  });

  it('checked every response it saw against openapi.yaml', () => {
    // The simulated nodes' reports went through the checked fetch too.
    const routes = new Set(checked.seen.map((r) => `${r.method} ${r.status}`));
    for (const expected of ['GET 200', 'GET 400', 'GET 401', 'GET 403', 'GET 404', 'POST 200']) {
      expect(routes).toContain(expected);
    }
    expect(
      checked.seen.filter((r) => r.method === 'POST' && r.status === 200).length,
    ).toBeGreaterThan(3);
  });
});
