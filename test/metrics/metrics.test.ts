/**
 * GET /workspace/{workspaceId}/metrics (DESIGN.md section 18) over real HTTP, every route served
 * as the local runtime serves it, on the run's engine, with one simulated clock for every
 * function and the operator store. A seeded workspace: buckets made by create-bucket, nodes
 * registered and assigned, signed reports through POST /node/status (ONLINE with a latency,
 * OFFLINE, gone silent past the stale bound, never reported), an active maintenance window and
 * a bucket with no node. Every answer is checked against openapi.yaml; every 200 by Prometheus's
 * own `promtool check metrics`, which must print nothing (no error, no lint warning).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { listingSk, workspaceBucketsPk } from '../../functions/data/keys.ts';
import { VERDICTS } from '../../functions/domain/health.ts';
import { METRIC_FAMILIES, NODE_STATES } from '../../functions/domain/workspace-metrics.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { createLocalFunctions } from '../../local/handlers.ts';
import { createLocalHttpServer } from '../../local/http-adapter.ts';
import { accessMatrix } from '../support/access-matrix.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { JWT_TEST_SECRET, reportBody, signed, userToken } from '../support/ingest-fixture.ts';
import { createContract } from '../support/openapi-contract.ts';
import { checkMetrics, promtoolAvailability } from '../support/promtool.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

const contract = createContract();
const promtool = promtoolAvailability();
if (!promtool.available) console.warn(`promtool checks skipped: ${promtool.reason}`);
const itPromtool = promtool.available ? it : it.skip;

const STALE_S = 90;
const ORG = `org-${randomUUID()}`;
const W = `ws-${randomUUID()}`;
const W2 = `ws-${randomUUID()}`;
const id = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
/**
 * The workspace's buckets: alpha (ONLINE, OFFLINE, never reported), beta (OFFLINE, gone
 * silent), gamma (in maintenance), empty (no node); and a bucket of another workspace.
 */
const ALPHA = id('alpha');
const BETA = id('beta');
const GAMMA = id('gamma');
const EMPTY = id('empty');
const ELSEWHERE = id('elsewhere');
const N = {
  up: id('n1'),
  down: id('n2'),
  never: id('n3'),
  fast: id('n4'),
  silent: id('n5'),
  kept: id('n6'),
};

let table: TestTable;
const servers: import('node:http').Server[] = [];
let api: string;
/** The same API with the series bound lowered (the `maxMetricsSeries` override). */
let boundedApi: string;
const BOUND = 40;
let admin: string;
let adminUserId: string;
const adminOf = () => adminUserId;
let clock = Date.now();
const T0 = clock;

/** The API behind a proxy that records every DynamoDB request (and fails chosen ones). */
let proxy: FaultProxy;
let proxiedApi: string;
let boundedProxiedApi: string;
const clients: ReturnType<typeof createDynamoClient>[] = [];

async function serve(maxMetricsSeries?: number, endpoint?: string): Promise<string> {
  let client = table.client;
  if (endpoint !== undefined) {
    client = createDynamoClient({ endpoint });
    clients.push(client);
  }
  const functions = await createLocalFunctions({
    client,
    settings: testSettings(table.tableName, JWT_TEST_SECRET, {
      nodeMinReportIntervalMs: 0,
      staleAfterSeconds: STALE_S,
    }),
    logger: createLogger('bucket-status-test'),
    overrides: {
      now: () => clock,
      ...(maxMetricsSeries !== undefined && { maxMetricsSeries }),
    },
  });
  const server = createLocalHttpServer({ routes: functions.routes });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** One request; the answer is checked against openapi.yaml. */
async function send(
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    base?: string;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${options.base ?? api}${path}`, {
    method,
    headers,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const raw = Buffer.from(await response.arrayBuffer());
  // fetch decodes gzip itself; a body asked for as gzip is checked as it arrives.
  const text = raw.toString('utf8');
  const isJson = response.headers.get('content-type')?.startsWith('application/json') === true;
  const json = isJson && text !== '' ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  contract.assertResponse({
    method,
    path,
    status: response.status,
    headers: response.headers,
    body: isJson ? json : text || undefined,
  });
  return { status: response.status, headers: response.headers, text, json };
}

const metrics = (query = '', token = admin, base?: string) =>
  send('GET', `/workspace/${W}/metrics${query}`, { token, ...(base && { base }) });

async function report(
  nodeId: string,
  key: string,
  bucketId: string,
  status: 'ONLINE' | 'OFFLINE',
  latency?: number,
) {
  const body = reportBody([
    { bucketId, status, ...(latency !== undefined && { latency_ms: latency }) },
  ]);
  const request = signed(nodeId, key, body, clock);
  const response = await fetch(`${api}/node/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...request.headers },
    body: request.body,
  });
  expect(response.status, await response.text()).toBe(200);
}

beforeAll(async () => {
  table = await createTestTable('metrics');
  api = await serve();
  boundedApi = await serve(BOUND);
  proxy = await FaultProxy.start(table.endpoint);
  proxiedApi = await serve(undefined, proxy.endpoint);
  boundedProxiedApi = await serve(BOUND, proxy.endpoint);
  const seed = new Seeder(table.client, table.tableName);
  const store = createAdminStore(table.client, table.tableName, {
    now: () => clock,
    staleAfterSeconds: STALE_S,
  });
  await seed.workspace(W, { orgId: ORG });
  await seed.workspace(W2, { orgId: ORG });
  const adminId = randomUUID();
  await seed.user(adminId, { orgId: ORG, orgRole: 'MEMBER' });
  await seed.membership(adminId, W, 'ADMIN');
  admin = await userToken(adminId);
  adminUserId = adminId;
  for (const [bucketId, workspaceId] of [
    [ALPHA, W],
    [BETA, W],
    [GAMMA, W],
    [EMPTY, W],
    [ELSEWHERE, W2],
  ] as const) {
    await store.createBucket({ bucketId, workspaceId, name: bucketId });
  }
  const keys: Record<string, string> = {};
  const placement: [string, string][] = [
    [N.up, ALPHA],
    [N.down, ALPHA],
    [N.never, ALPHA],
    [N.fast, BETA],
    [N.silent, BETA],
    [N.kept, GAMMA],
  ];
  for (const [nodeId, bucketId] of placement) {
    keys[nodeId] = (await store.registerNode({ nodeId, orgId: ORG })).privateKey as string;
    await store.assignNode({ bucketId, nodeId });
  }
  clock = T0 + 1_000;
  await report(N.silent, keys[N.silent] as string, BETA, 'ONLINE', 80);
  clock = T0 + (STALE_S + 5) * 1000;
  await report(N.up, keys[N.up] as string, ALPHA, 'ONLINE', 45);
  await report(N.down, keys[N.down] as string, ALPHA, 'OFFLINE');
  await report(N.fast, keys[N.fast] as string, BETA, 'OFFLINE', 1234);
  await report(N.kept, keys[N.kept] as string, GAMMA, 'ONLINE', 7);
  await store.addMaintenance(GAMMA, {
    start: clock,
    end: clock + 3_600_000,
    reason: 'disk swap',
  });
  clock += 2_000;
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const client of clients) client.destroy();
  await proxy?.close();
});

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text body (the families' HELP and TYPE lines checked by promtool). */
function parse(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (match === null) throw new Error(`unexpected line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] as string).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/g, (_, c) =>
        c === 'n' ? '\n' : c,
      );
    }
    series.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return series;
}

const pick = (series: Series[], name: string, labels: Record<string, string>) =>
  series.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );

describe('GET /workspace/{workspaceId}/metrics', () => {
  itPromtool('passes promtool check metrics with no error and no warning', async () => {
    for (const query of ['', `?bucket=${ALPHA}`, `?bucket=${EMPTY}`, `?bucket=${GAMMA}`]) {
      const answer = await metrics(query);
      expect(answer.status, answer.text).toBe(200);
      const checked = await checkMetrics(answer.text);
      expect(checked, query).toEqual({ code: 0, output: '' });
    }
  });

  itPromtool('promtool does refuse a broken text (the check can fail)', async () => {
    const answer = await metrics();
    const broken = await checkMetrics(
      answer.text.replace(/^# HELP bucket_status_node_up .*\n/m, ''),
    );
    expect(broken.code).not.toBe(0);
    expect(broken.output).toMatch(/no help text/);
    const garbled = await checkMetrics(`${answer.text}bucket_status_node_up{bucket_id="x} 1\n`);
    expect(garbled.code).not.toBe(0);
  });

  it('is text/plain; version=0.0.4, the six families in order, each with HELP and TYPE gauge', async () => {
    const answer = await metrics();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = [...answer.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(families).toEqual(METRIC_FAMILIES.map((name) => [name, 'gauge']));
    const helps = [...answer.text.matchAll(/^# HELP (\S+) \S/gm)].map((m) => m[1]);
    expect(helps).toEqual([...METRIC_FAMILIES]);
    expect(answer.text.endsWith('\n')).toBe(true);
  });

  it('agrees with GET status and GET health of each bucket at the same instant', async () => {
    const series = parse((await metrics()).text);
    for (const bucketId of [ALPHA, BETA, GAMMA, EMPTY]) {
      const status = await send('GET', `/bucket/${bucketId}/status`, { token: admin });
      const health = await send('GET', `/bucket/${bucketId}/health`, { token: admin });
      const views = status.json?.nodeStatus as Record<string, unknown>[];
      const up = pick(series, 'bucket_status_node_up', { bucket_id: bucketId });
      // One node series per view, in the same (node id) order.
      expect(up).toHaveLength(views.length);
      up.forEach((upSeries, i) => {
        const view = views[i] as Record<string, unknown>;
        const nodeId = upSeries.labels.node_id as string;
        expect(upSeries.labels.region).toBe(view.region ?? '');
        expect(upSeries.value).toBe(view.status === 'ONLINE' ? 1 : 0);
        for (const state of NODE_STATES) {
          const [s] = pick(series, 'bucket_status_node_state', {
            bucket_id: bucketId,
            node_id: nodeId,
            state,
          });
          expect(s?.value, `${nodeId} ${state}`).toBe(view.status === state ? 1 : 0);
        }
        const latency = pick(series, 'bucket_status_node_latency_seconds', {
          bucket_id: bucketId,
          node_id: nodeId,
        });
        expect(latency.map((s) => s.value)).toEqual(
          view.latency_ms === undefined ? [] : [(view.latency_ms as number) / 1000],
        );
        const last = pick(series, 'bucket_status_node_last_report_timestamp_seconds', {
          bucket_id: bucketId,
          node_id: nodeId,
        });
        expect(last.map((s) => s.value)).toEqual(
          view.lastUpdated === undefined ? [] : [Date.parse(view.lastUpdated as string) / 1000],
        );
      });
      const verdicts = pick(series, 'bucket_status_bucket_health', { bucket_id: bucketId });
      expect(verdicts.map((s) => s.labels.verdict)).toEqual([...VERDICTS]);
      expect(verdicts.filter((s) => s.value === 1).map((s) => s.labels.verdict)).toEqual([
        health.json?.verdict,
      ]);
      expect(verdicts.filter((s) => s.value !== 1).every((s) => s.value === 0)).toBe(true);
      const nodes = health.json?.nodes as Record<string, number>;
      const counts = pick(series, 'bucket_status_bucket_nodes', { bucket_id: bucketId });
      expect(Object.fromEntries(counts.map((s) => [s.labels.state, s.value]))).toEqual({
        ONLINE: nodes.online,
        OFFLINE: nodes.offline,
        DISCONNECTED: nodes.disconnected,
      });
    }
  });

  it('shows what the seeded workspace holds (so the agreement above compares something)', async () => {
    const series = parse((await metrics()).text);
    const state = (nodeId: string) =>
      pick(series, 'bucket_status_node_state', { node_id: nodeId }).find((s) => s.value === 1)
        ?.labels.state;
    expect(state(N.up)).toBe('ONLINE');
    expect(state(N.down)).toBe('OFFLINE');
    expect(state(N.never)).toBe('DISCONNECTED');
    expect(state(N.silent)).toBe('DISCONNECTED');
    expect(state(N.fast)).toBe('OFFLINE');
    expect(pick(series, 'bucket_status_node_up', { node_id: N.never })[0]?.labels.region).toBe('');
    expect(pick(series, 'bucket_status_node_up', { node_id: N.up })[0]?.labels.region).toBe(
      'us-east-1',
    );
    // 45 ms is 0.045; a silent node shows no latency, a node that never reported no last report.
    expect(pick(series, 'bucket_status_node_latency_seconds', { node_id: N.up })).toEqual([
      expect.objectContaining({ value: 0.045 }),
    ]);
    expect(pick(series, 'bucket_status_node_latency_seconds', { node_id: N.silent })).toEqual([]);
    expect(
      pick(series, 'bucket_status_node_last_report_timestamp_seconds', { node_id: N.silent }),
    ).toEqual([expect.objectContaining({ value: (T0 + 1_000) / 1000 })]);
    expect(
      pick(series, 'bucket_status_node_last_report_timestamp_seconds', { node_id: N.never }),
    ).toEqual([]);
    const verdict = (bucketId: string) =>
      pick(series, 'bucket_status_bucket_health', { bucket_id: bucketId }).find(
        (s) => s.value === 1,
      )?.labels.verdict;
    expect(verdict(ALPHA)).toBe('DEGRADED');
    expect(verdict(BETA)).toBe('MAJOR_OUTAGE');
    expect(verdict(GAMMA)).toBe('MAINTENANCE');
    expect(verdict(EMPTY)).toBe('UNKNOWN');
    // Another workspace's bucket is not in this workspace's metrics.
    expect(series.some((s) => s.labels.bucket_id === ELSEWHERE)).toBe(false);
  });

  it('leaves out a listed bucket whose own row names another workspace, or that has none', async () => {
    const seed = new Seeder(table.client, table.tableName);
    const stray = id('stray');
    const ghost = id('ghost');
    // Listing rows of W for a bucket of W2 and for no bucket at all (written by hand: the
    // operator store writes a listing row only with its bucket).
    await seed.bucket(stray, { workspaceId: W2, orgId: ORG });
    for (const bucketId of [stray, ghost]) {
      await seed.put({
        pk: workspaceBucketsPk(W),
        sk: listingSk(bucketId, bucketId),
        bucketId,
        name: bucketId,
      });
    }
    try {
      const answer = await metrics();
      expect(answer.status, answer.text).toBe(200);
      const buckets = new Set(parse(answer.text).map((s) => s.labels.bucket_id));
      expect(buckets).toEqual(new Set([ALPHA, BETA, GAMMA, EMPTY]));
      expect((await metrics(`?bucket=${stray}`)).status).toBe(200);
      expect(parse((await metrics(`?bucket=${stray}`)).text)).toEqual([]);
    } finally {
      for (const bucketId of [stray, ghost]) {
        await table.client.send(
          new DeleteItemCommand({
            TableName: table.tableName,
            Key: {
              pk: { S: workspaceBucketsPk(W) },
              sk: { S: listingSk(bucketId, bucketId) },
            },
          }),
        );
      }
    }
  });

  it('reads every bucket of a workspace of more buckets than it reads at once', async () => {
    const seed = new Seeder(table.client, table.tableName);
    const many = id('ws-many');
    await seed.workspace(many, { orgId: ORG });
    const store = createAdminStore(table.client, table.tableName, { now: () => clock });
    const ids = Array.from({ length: 19 }, (_, i) => `many-${String(i).padStart(2, '0')}-${many}`);
    for (const bucketId of ids)
      await store.createBucket({ bucketId, workspaceId: many, name: bucketId });
    const answer = await send('GET', `/workspace/${many}/metrics`, { token: admin });
    // The admin is no member of it: an org OWNER reads it.
    expect(answer.status).toBe(403);
    const ownerId = randomUUID();
    await seed.user(ownerId, { orgId: ORG, orgRole: 'OWNER' });
    const owner = await userToken(ownerId);
    const read = await send('GET', `/workspace/${many}/metrics`, { token: owner });
    expect(read.status).toBe(200);
    const verdicts = parse(read.text).filter(
      (s) => s.name === 'bucket_status_bucket_health' && s.value === 1,
    );
    expect(verdicts.map((s) => s.labels.bucket_id)).toEqual(ids);
    expect(verdicts.every((s) => s.labels.verdict === 'UNKNOWN')).toBe(true);
    // Over the bound with many buckets: the 400, not a text cut short; and once over it, no
    // further bucket is started (each bucket read is one GetItem of its STATE row).
    proxy.clear();
    const bounded = await send('GET', `/workspace/${many}/metrics`, {
      token: owner,
      base: boundedProxiedApi,
    });
    expect(bounded.status).toBe(400);
    const started = proxy.seen.filter(
      (r) => r.operation === 'GetItem' && r.body.includes('"HEALTH#many-'),
    ).length;
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(ids.length);
  });

  it('reads the whole listing, page after page, before it applies the filter', async () => {
    const seed = new Seeder(table.client, table.tableName);
    const big = id('ws-big');
    await seed.workspace(big, { orgId: ORG });
    await seed.membership(adminOf(), big, 'READ');
    // 450 listing rows (three pages of the 200 the route asks for); real buckets inside the
    // first and the second page (listed by name after listed-100 and listed-300) and last.
    await seed.putMany(
      Array.from({ length: 450 }, (_, i) => {
        const bucketId = `listed-${String(i).padStart(3, '0')}`;
        return {
          pk: workspaceBucketsPk(big),
          sk: listingSk(bucketId, bucketId),
          bucketId,
          name: bucketId,
        };
      }),
    );
    const early = id('early');
    const middle = id('middle');
    const last = id('zz-last');
    const store = createAdminStore(table.client, table.tableName, { now: () => clock });
    await store.createBucket({ bucketId: early, workspaceId: big, name: `listed-100-${early}` });
    await store.createBucket({ bucketId: middle, workspaceId: big, name: `listed-300-${middle}` });
    await store.createBucket({ bucketId: last, workspaceId: big, name: last });
    const answer = await send(
      'GET',
      `/workspace/${big}/metrics?bucket=${last}&bucket=${middle}&bucket=${early}`,
      { token: admin },
    );
    expect(answer.status, answer.text).toBe(200);
    // Nine bucket series for each, once: every listing row read once, no page read twice.
    const health = parse(answer.text).filter((s) => s.name === 'bucket_status_bucket_health');
    expect(health.map((s) => s.labels.bucket_id)).toEqual([
      ...Array(6).fill(early),
      ...Array(6).fill(middle),
      ...Array(6).fill(last),
    ]);
    expect(parse(answer.text)).toHaveLength(27);
    const first = await send('GET', `/workspace/${big}/metrics?bucket=listed-000`, {
      token: admin,
    });
    expect(first.status, first.text).toBe(200);
    expect(parse(first.text)).toEqual([]);
  });

  it('a workspace with no bucket: the six families, each with no series', async () => {
    const bare = id('ws-bare');
    await new Seeder(table.client, table.tableName).workspace(bare, { orgId: ORG });
    await new Seeder(table.client, table.tableName).membership(adminOf(), bare, 'READ');
    const answer = await send('GET', `/workspace/${bare}/metrics`, { token: admin });
    expect(answer.status, answer.text).toBe(200);
    expect(parse(answer.text)).toEqual([]);
    expect(answer.text.match(/^# TYPE /gm)).toHaveLength(METRIC_FAMILIES.length);
  });

  it("reads the access rule's inputs with the listing's first page, then only the buckets it shows", async () => {
    proxy.clear();
    const answer = await metrics(`?bucket=${ALPHA}`, admin, proxiedApi);
    expect(answer.status, answer.text).toBe(200);
    const listing = proxy.seen.filter((r) => r.body.includes(`WSBUCKETS#${W}`));
    expect(listing.map((r) => r.operation)).toEqual(['Query']);
    // Only ALPHA's partitions, and nothing for an index past the last bucket.
    for (const other of [BETA, GAMMA, EMPTY, 'undefined']) {
      expect(proxy.seen.filter((r) => r.body.includes(`#${other}"`))).toEqual([]);
    }
    expect(proxy.seen.some((r) => r.body.includes(`"BUCKET#${ALPHA}"`))).toBe(true);
    expect(proxy.seen.some((r) => r.body.includes(`"HEALTH#${ALPHA}"`))).toBe(true);
  });

  it("a bucket's read that fails is the route's 503, never a text without that bucket", async () => {
    proxy.clear();
    proxy.fail({ kind: 'unavailable', bodyIncludes: `"BUCKET#${BETA}"`, times: Infinity });
    try {
      const answer = await metrics('', admin, proxiedApi);
      expect(answer.status, answer.text).toBe(503);
    } finally {
      proxy.clear();
    }
  });

  it('?bucket= (repeatable) narrows it to those buckets', async () => {
    const answer = await metrics(`?bucket=${GAMMA}&bucket=${ALPHA}&bucket=${GAMMA}`);
    expect(answer.status).toBe(200);
    const buckets = new Set(parse(answer.text).map((s) => s.labels.bucket_id));
    expect(buckets).toEqual(new Set([ALPHA, GAMMA]));
  });

  it('a filter naming a bucket of another workspace is the 404 of one that does not exist', async () => {
    const other = await metrics(`?bucket=${ELSEWHERE}`);
    const none = await metrics('?bucket=no-such-bucket');
    expect(other.status).toBe(404);
    expect(none.status).toBe(404);
    expect(other.json?.message).toBe(`No bucket ${ELSEWHERE} in this workspace`);
    expect(none.json?.message).toBe('No bucket no-such-bucket in this workspace');
    expect((await metrics(`?bucket=${ALPHA}&bucket=${ELSEWHERE}`)).status).toBe(404);
  });

  it.each([
    ['?bucket=', 'bucket must be 1-128 characters'],
    ['?bucket=bad%20id', 'bucket must be 1-128 characters'],
    [`?bucket=${'x'.repeat(129)}`, 'bucket must be 1-128 characters'],
  ])('400 for %s', async (query, message) => {
    const answer = await metrics(query);
    expect(answer.status).toBe(400);
    expect(answer.json?.message).toContain(message);
  });

  it('over the series bound: 400 naming the filter; at the bound, or narrowed under it, 200', async () => {
    const all = parse((await metrics()).text).length;
    expect(all).toBeGreaterThan(BOUND);
    const refused = await metrics('', admin, boundedApi);
    expect(refused.status).toBe(400);
    expect(refused.json?.message).toBe(
      `The metrics would be more than ${BOUND} series; narrow them with the bucket filter (?bucket=<bucketId>, repeatable)`,
    );
    const alpha = parse((await metrics(`?bucket=${ALPHA}`)).text).length;
    const beta = parse((await metrics(`?bucket=${BETA}`)).text).length;
    expect(alpha).toBeLessThanOrEqual(BOUND);
    const narrowed = await metrics(`?bucket=${ALPHA}`, admin, boundedApi);
    expect(narrowed.status).toBe(200);
    expect(parse(narrowed.text)).toHaveLength(alpha);
    // Exactly at the bound is allowed, one over is not.
    const at = await serve(alpha + beta);
    expect((await metrics(`?bucket=${ALPHA}&bucket=${BETA}`, admin, at)).status).toBe(200);
    const under = await serve(alpha + beta - 1);
    expect((await metrics(`?bucket=${ALPHA}&bucket=${BETA}`, admin, under)).status).toBe(400);
  });

  it('ETag and 304, and gzip when asked, like GET status', async () => {
    const first = await metrics();
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await send('GET', `/workspace/${W}/metrics`, {
      token: admin,
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    const response = await fetch(`${api}/workspace/${W}/metrics`, {
      headers: { authorization: `Bearer ${admin}`, 'accept-encoding': 'gzip' },
    });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes the gzip body: the same text.
    expect(await response.text()).toBe(first.text);
  });

  it('404 for a workspace that does not exist; 401 without a credential', async () => {
    const missing = await send('GET', '/workspace/no-such-ws/metrics', { token: admin });
    expect(missing.status).toBe(404);
    expect(missing.json?.message).toBe('Workspace not found');
    expect((await send('GET', `/workspace/${W}/metrics`)).status).toBe(401);
  });
});

describe('who may read it: the overview rule of a workspace (members, org OWNER/ADMIN)', () => {
  const seed = () => new Seeder(table.client, table.tableName);
  it.each(accessMatrix(ORG))('%s -> %i', async (_, profile, role, expected) => {
    const userId = randomUUID();
    await seed().user(userId, profile);
    if (role !== undefined) await seed().membership(userId, W, role);
    const answer = await metrics('', await userToken(userId));
    expect(answer.status, answer.text).toBe(expected);
    if (expected === 403) expect(answer.json?.message).toMatch(/workspace|disabled/);
  });

  it("a member of another workspace of the org: 403, and a filter naming this workspace's bucket changes nothing", async () => {
    const userId = randomUUID();
    await seed().user(userId, { orgId: ORG, orgRole: 'MEMBER' });
    await seed().membership(userId, W2, 'ADMIN');
    const token = await userToken(userId);
    expect((await metrics('', token)).status).toBe(403);
    // The filter is looked at only after access: no answer tells a stranger which ids exist.
    expect((await metrics(`?bucket=${ALPHA}`, token)).status).toBe(403);
    expect((await metrics('?bucket=no-such-bucket', token)).status).toBe(403);
  });
});

describe('with an API key (bsk_) as the principal', () => {
  const createKey = async (workspaceId: string, body: Record<string, unknown> = {}) => {
    const created = await send('POST', `/workspace/${workspaceId}/api-keys`, {
      token: admin,
      body,
    });
    expect(created.status, created.text).toBe(201);
    return created.json as { id: string; key: string };
  };

  it("the workspace's own key: 200, the same text as a member's", async () => {
    const { key } = await createKey(W);
    const answer = await metrics('', key);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe((await metrics()).text);
  });

  it('a key of another workspace: 403', async () => {
    const adminOfW2 = randomUUID();
    await new Seeder(table.client, table.tableName).user(adminOfW2, {
      orgId: ORG,
      orgRole: 'ADMIN',
    });
    const created = await send('POST', `/workspace/${W2}/api-keys`, {
      token: await userToken(adminOfW2),
      body: {},
    });
    expect(created.status).toBe(201);
    const answer = await metrics('', created.json?.key as string);
    expect(answer.status).toBe(403);
  });

  it('an expired key: 401 from its expiry on', async () => {
    const created = clock;
    const { key } = await createKey(W, { expiresInDays: 1 });
    const saved = clock;
    try {
      clock = created + 86_400_000 - 1;
      expect((await metrics('', key)).status).toBe(200);
      clock = created + 86_400_000;
      const answer = await metrics('', key);
      expect(answer.status).toBe(401);
      expect(answer.json?.message).toBe('The API key has expired');
    } finally {
      clock = saved;
    }
  });

  it('a revoked key: 401 from the next request on', async () => {
    const { id: keyId, key } = await createKey(W);
    expect((await metrics('', key)).status).toBe(200);
    expect(
      (await send('DELETE', `/workspace/${W}/api-keys/${keyId}`, { token: admin })).status,
    ).toBe(204);
    const answer = await metrics('', key);
    expect(answer.status).toBe(401);
    expect(answer.json?.message).toBe('The API key is not valid');
  });
});
