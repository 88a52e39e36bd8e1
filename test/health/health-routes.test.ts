/**
 * GET /bucket/{bucketId}/health, GET /bucket/{bucketId}/health/events and the bucket's figures
 * of GET uptime and POST stats, through the production wiring on dynalite, with no sweep
 * running: every silence is one the sweep has not noticed, so the reads derive them. The
 * scenario's figures are computed by hand from DESIGN.md sections 8 and 13; every response is
 * checked against openapi.yaml.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { createHealthReader, createHealthWriter } from '../../functions/data/bucket-health.ts';
import { createHealthTailReader } from '../../functions/data/health-tail.ts';
import { createMaintenanceWindowStore } from '../../functions/data/maintenance-windows.ts';
import { healthEventId } from '../../functions/domain/events.ts';
import { encodeCursor } from '../../functions/domain/events-cursor.ts';
import type { HealthInput } from '../../functions/domain/health.ts';
import {
  advanceHealth,
  type HealthPoint,
  initialCheckpoint,
} from '../../functions/domain/health-timeline.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { wire as wireIngest } from '../../functions/ingest/wiring.ts';
import { deriveCursorKey } from '../../functions/shared/cursor-key.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { wire as wireStatus } from '../../functions/status/wiring.ts';
import { accessMatrix } from '../support/access-matrix.ts';
import { commandName, traceCalls } from '../support/call-trace.ts';
import { httpApiEvent, ingestEvent, lambdaContext } from '../support/events.ts';
import {
  JWT_TEST_SECRET,
  type Response,
  reportBody,
  signed,
  userToken,
} from '../support/ingest-fixture.ts';
import { createContract } from '../support/openapi-contract.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

const contract = createContract();
const ORG = 'org-health';
const WORKSPACE = 'ws-health';
const BUCKET = 'bucket-health';
const NEW_BUCKET = 'bucket-health-new';
const WINDOW_BUCKET = 'bucket-health-window';
const NODES = ['node-h1', 'node-h2', 'node-h3'] as const;
const STALE_MS = 3_600_000;
const CREATED = Date.parse('2026-12-01T00:00:00.000Z');
const at = (hms: string, day = '2026-12-01') => Date.parse(`${day}T${hms}Z`);

let table: TestTable;
let seed: Seeder;
let token: string;
let clock = CREATED;
let routes: ReturnType<typeof wireStatus>['routes'];
let ingest: ReturnType<typeof wireIngest>['routes']['POST /node/status'];
const keys = new Map<string, string>();

const toResponse = (result: HttpResult): Response => ({
  statusCode: result.statusCode,
  headers: result.headers,
  body: result.body,
  json: JSON.parse(
    result.isBase64Encoded === true
      ? gunzipSync(Buffer.from(result.body, 'base64')).toString('utf8')
      : result.body,
  ) as Record<string, unknown>,
});

function checked(method: 'GET' | 'POST', path: string, response: Response): Response {
  contract.assertResponse({
    method,
    path,
    status: response.statusCode,
    headers: new Headers(response.headers),
    body: response.json,
  });
  return response;
}

async function get(
  route: 'health' | 'health/events' | 'uptime',
  bucketId: string,
  query: Record<string, string> = {},
  bearer = token,
  headers: Record<string, string> = {},
): Promise<Response> {
  const path = `/bucket/${bucketId}/${route}`;
  const event = httpApiEvent({
    method: 'GET',
    path,
    routeKey: `GET /bucket/{bucketId}/${route}`,
    pathParameters: { bucketId },
    headers: { authorization: `Bearer ${bearer}`, ...headers },
  });
  const withQuery =
    Object.keys(query).length === 0
      ? event
      : {
          ...event,
          rawQueryString: new URLSearchParams(query).toString(),
          queryStringParameters: query,
        };
  const handler = routes[`GET /bucket/{bucketId}/${route}`];
  const result = (await handler(withQuery, lambdaContext())) as HttpResult;
  return checked('GET', path, toResponse(result));
}

async function stats(bucketId: string, day: string, bearer = token): Promise<Response> {
  const path = `/bucket/${bucketId}/stats`;
  const event = httpApiEvent({
    method: 'POST',
    path,
    routeKey: 'POST /bucket/{bucketId}/stats',
    pathParameters: { bucketId },
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ day }),
  });
  const result = (await routes['POST /bucket/{bucketId}/stats'](
    event,
    lambdaContext(),
  )) as HttpResult;
  return checked('POST', path, toResponse(result));
}

async function report(
  nodeId: string,
  bucketId: string,
  status: 'ONLINE' | 'OFFLINE',
  when: number,
) {
  clock = when;
  const body = signed(
    nodeId,
    keys.get(nodeId) as string,
    reportBody([{ bucketId, status, latency_ms: 10 }]),
    when,
  );
  const result = (await ingest(
    ingestEvent(body.body, body.headers),
    lambdaContext(),
  )) as HttpResult;
  expect(result.statusCode).toBe(200);
}

/** The bucket as create-bucket leaves it: its META row, and its initial checkpoint. */
async function createBucket(bucketId: string, createdAt: number) {
  await seed.bucket(bucketId, { workspaceId: WORKSPACE, orgId: ORG });
  const checkpoint = initialCheckpoint(createdAt, []);
  const written = await createHealthWriter(table.client, table.tableName, {
    eventRetentionDays: 90,
    historyRetentionDays: 400,
  }).writeCheckpoint(bucketId, checkpoint, checkpoint, {
    expectVer: undefined,
    expectMarkSeq: undefined,
    nextMark: undefined,
  });
  expect(written).toBe(true);
}

async function reader(profile: Parameters<Seeder['user']>[1], role: string | undefined) {
  const userId = randomUUID();
  await seed.user(userId, { orgId: ORG, orgRole: 'MEMBER', ...profile });
  if (role !== undefined) await seed.membership(userId, WORKSPACE, role);
  return userToken(userId);
}

beforeAll(async () => {
  table = await createTestTable('health-routes');
  seed = new Seeder(table.client, table.tableName);
  const settings = testSettings(table.tableName, JWT_TEST_SECRET, {
    nodeMinReportIntervalMs: 0,
    staleAfterSeconds: STALE_MS / 1000,
  });
  const deps = {
    client: table.client,
    settings,
    logger: createLogger('bucket-status-test'),
    overrides: { now: () => clock },
  };
  routes = wireStatus(deps).routes;
  ingest = wireIngest(deps).routes['POST /node/status'];
  token = await reader({}, 'READ');

  for (const bucketId of [BUCKET, NEW_BUCKET, WINDOW_BUCKET]) await createBucket(bucketId, CREATED);
  const admin = createAdminStore(table.client, table.tableName, { now: () => clock });
  for (const nodeId of NODES) {
    keys.set(nodeId, await seed.node(nodeId));
    await admin.assignNode({ bucketId: BUCKET, nodeId });
  }
  await admin.assignNode({ bucketId: NEW_BUCKET, nodeId: 'node-h1' });
  await admin.assignNode({ bucketId: WINDOW_BUCKET, nodeId: 'node-h1' });

  // 01:00 the first reports (UNKNOWN -> OPERATIONAL at the first); 01:30:20 node 3 says OFFLINE
  // (DEGRADED: 2 of 3 online, q = 2); node 2 last reports at 02:00:10, node 3 never again.
  await report('node-h1', BUCKET, 'ONLINE', at('01:00:00.000'));
  await report('node-h2', BUCKET, 'ONLINE', at('01:00:10.000'));
  await report('node-h3', BUCKET, 'ONLINE', at('01:00:20.000'));
  await report('node-h1', BUCKET, 'ONLINE', at('01:30:00.000'));
  await report('node-h2', BUCKET, 'ONLINE', at('01:30:10.000'));
  await report('node-h3', BUCKET, 'OFFLINE', at('01:30:20.000'));
  await report('node-h1', BUCKET, 'ONLINE', at('02:00:00.000'));
  await report('node-h2', BUCKET, 'ONLINE', at('02:00:10.000'));
  for (const hms of ['02:30:00.000', '03:00:00.000', '03:30:00.000']) {
    await report('node-h1', BUCKET, 'ONLINE', at(hms));
  }
});

/** The position a cursor carries (its text before the tag). */
const cursorPosition = (cursor: string) =>
  Buffer.from(cursor.split('.')[0] as string, 'base64url').toString('utf8');

const verdictEvent = (from: string, to: string, when: number, counted: number, online: number) => ({
  id: healthEventId(BUCKET, new Date(when).toISOString(), to),
  from,
  to,
  at: new Date(when).toISOString(),
  nodes: { counted, online },
});

describe('GET /bucket/{bucketId}/health', () => {
  it('counts the nodes as GET status shows them; a silence not yet swept is DISCONNECTED at last report + stale, in the verdict and in since', async () => {
    clock = at('03:45:00.000');
    const response = await get('health', BUCKET);
    expect(response.statusCode).toBe(200);
    // Node 2 (last report 02:00:10) went DISCONNECTED at 03:00:10: 1 of 3 online, under q = 2.
    expect(response.json).toStrictEqual({
      bucketId: BUCKET,
      verdict: 'PARTIAL_OUTAGE',
      since: '2026-12-01T03:00:10.000Z',
      nodes: { assigned: 3, counted: 3, online: 1, offline: 0, disconnected: 2 },
      policy: { minOnlinePercent: 50, minOnline: 2 },
    });
    // The same as GET status at the same instant.
    const status = (await routes['GET /bucket/{bucketId}/status'](
      httpApiEvent({
        method: 'GET',
        path: `/bucket/${BUCKET}/status`,
        routeKey: 'GET /bucket/{bucketId}/status',
        pathParameters: { bucketId: BUCKET },
        headers: { authorization: `Bearer ${token}` },
      }),
      lambdaContext(),
    )) as HttpResult;
    const shown = (JSON.parse(status.body) as { nodeStatus: { status: string }[] }).nodeStatus;
    expect(shown.map((n) => n.status).sort()).toEqual(['DISCONNECTED', 'DISCONNECTED', 'ONLINE']);
    // One ms before node 2's silence: still DEGRADED since node 3's OFFLINE.
    clock = at('03:00:09.999');
    expect((await get('health', BUCKET)).json).toMatchObject({
      verdict: 'DEGRADED',
      since: '2026-12-01T01:30:20.000Z',
      nodes: { online: 2, offline: 0, disconnected: 1 },
    });
  });

  it('omits since for a new bucket (UNKNOWN since its creation), and counts a node that never reported as not counted', async () => {
    clock = at('03:45:00.000');
    const response = await get('health', NEW_BUCKET);
    expect(response.json).toStrictEqual({
      bucketId: NEW_BUCKET,
      verdict: 'UNKNOWN',
      nodes: { assigned: 1, counted: 0, online: 0, offline: 0, disconnected: 1 },
      policy: { minOnlinePercent: 50, minOnline: 1 },
    });
  });

  it('shows maintenance only while a window is active, and the verdict MAINTENANCE then', async () => {
    clock = at('04:00:00.000');
    const window = await createMaintenanceWindowStore(table.client, table.tableName).addWindow(
      WINDOW_BUCKET,
      { start: at('05:00:00.000'), end: at('06:00:00.000'), reason: 'disk swap' },
      clock,
    );
    const before = await get('health', WINDOW_BUCKET);
    expect(before.json.verdict).toBe('UNKNOWN');
    expect(before.json).not.toHaveProperty('maintenance');
    clock = at('05:00:00.000');
    const during = await get('health', WINDOW_BUCKET);
    expect(during.json).toMatchObject({
      verdict: 'MAINTENANCE',
      since: '2026-12-01T05:00:00.000Z',
      maintenance: {
        id: window.id,
        start: '2026-12-01T05:00:00.000Z',
        end: '2026-12-01T06:00:00.000Z',
        reason: 'disk swap',
      },
    });
    clock = at('06:00:00.000');
    const after = await get('health', WINDOW_BUCKET);
    expect(after.json.verdict).toBe('UNKNOWN');
    expect(after.json.since).toBe('2026-12-01T06:00:00.000Z');
    expect(after.json).not.toHaveProperty('maintenance');
  });

  it('answers 304 to a matching If-None-Match and gzips on request, like GET status', async () => {
    clock = at('03:45:00.000');
    const first = await get('health', BUCKET);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"/);
    const again = (await routes['GET /bucket/{bucketId}/health'](
      httpApiEvent({
        method: 'GET',
        path: `/bucket/${BUCKET}/health`,
        routeKey: 'GET /bucket/{bucketId}/health',
        pathParameters: { bucketId: BUCKET },
        headers: { authorization: `Bearer ${token}`, 'if-none-match': etag },
      }),
      lambdaContext(),
    )) as HttpResult;
    expect(again.statusCode).toBe(304);
  });

  it('400 for an invalid bucket id, 404 for a missing bucket, 401 without a valid token', async () => {
    expect((await get('health', 'bad id!')).statusCode).toBe(400);
    expect((await get('health', 'no-such-bucket')).statusCode).toBe(404);
    expect((await get('health', BUCKET, {}, 'not-a-token')).statusCode).toBe(401);
    expect((await get('health/events', 'no-such-bucket')).statusCode).toBe(404);
  });
});

describe('GET /bucket/{bucketId}/health/events', () => {
  it('every change at its exact instant with the counts after it, newest first, paged by cursor', async () => {
    clock = at('03:45:00.000');
    const first = await get('health/events', BUCKET, { limit: '2' });
    expect(first.statusCode).toBe(200);
    expect(first.json.events).toStrictEqual([
      verdictEvent('DEGRADED', 'PARTIAL_OUTAGE', at('03:00:10.000'), 3, 1),
      verdictEvent('OPERATIONAL', 'DEGRADED', at('01:30:20.000'), 3, 2),
    ]);
    expect(typeof first.json.nextCursor).toBe('string');
    const second = await get('health/events', BUCKET, {
      limit: '2',
      cursor: first.json.nextCursor as string,
    });
    expect(second.json).toStrictEqual({
      bucketId: BUCKET,
      events: [verdictEvent('UNKNOWN', 'OPERATIONAL', at('01:00:00.000'), 1, 1)],
    });
    // The default limit takes them all.
    expect((await get('health/events', BUCKET)).json.events).toHaveLength(3);
  });

  it('400 for a bad limit, a forged cursor, another bucket’s cursor or another route’s', async () => {
    clock = at('03:45:00.000');
    const page = await get('health/events', BUCKET, { limit: '1' });
    const cursor = page.json.nextCursor as string;
    for (const limit of ['0', '201', '050', 'x']) {
      expect((await get('health/events', BUCKET, { limit })).statusCode).toBe(400);
    }
    const [text, mac] = cursor.split('.') as [string, string];
    const forged = `${text.slice(0, -2)}AA.${mac}`;
    for (const bad of [forged, `${text}.${'A'.repeat(22)}`, 'nonsense']) {
      const response = await get('health/events', BUCKET, { cursor: bad });
      expect(response.statusCode).toBe(400);
      expect(response.json.message).toMatch(/cursor/);
    }
    // The same cursor on another bucket: the MAC is over the bucket.
    expect((await get('health/events', NEW_BUCKET, { cursor })).statusCode).toBe(400);
    // A cursor of GET events of this very bucket (same key): another scope, a 400.
    const key = deriveCursorKey(JWT_TEST_SECRET);
    const eventsCursor = encodeCursor(key, BUCKET, '2026-12-01T01:00:00.000Z#node-h1#ONLINE');
    expect((await get('health/events', BUCKET, { cursor: eventsCursor })).statusCode).toBe(400);
    const misplaced = encodeCursor(key, BUCKET, cursorPosition(cursor));
    expect((await get('health/events', BUCKET, { cursor: misplaced })).statusCode).toBe(400);
    // A 400 before any read: even for a bucket that does not exist.
    expect((await get('health/events', 'no-such-bucket', { cursor: forged })).statusCode).toBe(400);
  });
});

describe("the bucket's figures in GET uptime and POST stats", () => {
  // By hand: UNKNOWN 00:00-01:00, OPERATIONAL 01:00-01:30:20, DEGRADED 01:30:20-03:00:10,
  // PARTIAL_OUTAGE 03:00:10-04:30:00 (node 1's last report 03:30 + 1 h), MAJOR_OUTAGE after.
  const dec1 = {
    day: '2026-12-01',
    operational_seconds: 1820,
    degraded_seconds: 5390,
    partial_outage_seconds: 5390,
    major_outage_seconds: 70_200,
    maintenance_seconds: 0,
    unknown_seconds: 3600,
    observed_seconds: 86_400,
    // 100 * 7,210 / 82,800
    perc_available: 8.71,
  };
  const dec2 = {
    day: '2026-12-02',
    operational_seconds: 0,
    degraded_seconds: 0,
    partial_outage_seconds: 0,
    major_outage_seconds: 1800,
    maintenance_seconds: 0,
    unknown_seconds: 0,
    observed_seconds: 1800,
    perc_available: 0,
  };

  it('today so far, from the bucket’s creation to now', async () => {
    clock = at('03:45:00.000');
    const response = await get('uptime', BUCKET, { days: '2' });
    expect(response.statusCode).toBe(200);
    expect(response.json.bucket).toStrictEqual({
      days: [
        {
          day: '2026-11-30',
          operational_seconds: 0,
          degraded_seconds: 0,
          partial_outage_seconds: 0,
          major_outage_seconds: 0,
          maintenance_seconds: 0,
          unknown_seconds: 0,
          observed_seconds: 0,
          perc_available: null,
        },
        {
          day: '2026-12-01',
          operational_seconds: 1820,
          degraded_seconds: 5390,
          partial_outage_seconds: 2690,
          major_outage_seconds: 0,
          maintenance_seconds: 0,
          unknown_seconds: 3600,
          observed_seconds: 13_500,
          // 100 * 7,210 / 9,900
          perc_available: 72.83,
        },
      ],
    });
  });

  it('an ended day and the running one, in uptime and in stats', async () => {
    clock = at('00:30:00.000', '2026-12-02');
    const uptime = await get('uptime', BUCKET, { days: '2' });
    expect(uptime.json.bucket).toStrictEqual({ days: [dec1, dec2] });
    expect((await stats(BUCKET, '2026-12-01')).json.bucket).toStrictEqual(dec1);
    expect((await stats(BUCKET, '2026-12-02')).json.bucket).toStrictEqual(dec2);
  });
});

describe("access rule matrix (the status route's)", () => {
  it.each(accessMatrix(ORG))(
    '%s gets %i on health and health/events',
    async (_label, profile, role, expected) => {
      clock = at('03:45:00.000');
      const bearer = await reader(profile, role);
      const [h, e] = [
        await get('health', BUCKET, {}, bearer),
        await get('health/events', BUCKET, {}, bearer),
      ];
      expect([h.statusCode, e.statusCode]).toStrictEqual([expected, expected]);
      if (expected !== 200) {
        expect(h.json).toStrictEqual({ success: false, message: expect.any(String) });
        expect(e.json).toStrictEqual({ success: false, message: expect.any(String) });
      }
    },
  );
});

describe('after the sweep stored the timeline up to a settled instant', () => {
  it('the reads are the same: stored health events and closed days merged with the read’s own, each once', async () => {
    clock = at('00:30:00.000', '2026-12-02');
    const before = {
      health: (await get('health', BUCKET)).json,
      events: (await get('health/events', BUCKET)).json,
      uptime: (await get('uptime', BUCKET, { days: '2' })).json.bucket,
      stats: (await stats(BUCKET, '2026-12-01')).json.bucket,
    };
    // What the sweep does, by hand: the recorded inputs and the silences its node step records
    // (node 3 at 02:30:20, node 2 at 03:00:10, node 1 at 04:30:00), advanced to G.
    const recorded = await createHealthTailReader(table.client, table.tableName, {
      retentionDays: 400,
    })(BUCKET, CREATED);
    const silence = (nodeId: string, when: number, from: 'ONLINE' | 'OFFLINE'): HealthInput => ({
      kind: 'node',
      at: when,
      nodeId,
      from,
      to: 'DISCONNECTED',
      first: false,
    });
    const inputs = [
      ...recorded,
      silence('node-h3', at('02:30:20.000'), 'OFFLINE'),
      silence('node-h2', at('03:00:10.000'), 'ONLINE'),
      silence('node-h1', at('04:30:00.000'), 'ONLINE'),
    ];
    const settled = at('00:10:00.000', '2026-12-02');
    const start = initialCheckpoint(CREATED, []);
    const step = advanceHealth(start, inputs, [], settled);
    const entryOf = (day: string) =>
      (step.dayEntries.find((e) => e.day === day)?.entry ?? start) as HealthPoint;
    const writer = createHealthWriter(table.client, table.tableName, {
      eventRetentionDays: 90,
      historyRetentionDays: 400,
    });
    await writer.putHealthChanges(BUCKET, step.changes);
    await writer.putClosedDays(
      BUCKET,
      step.closedDays.map((d) => ({ ...d, entry: entryOf(d.day) })),
    );
    const state = await createHealthReader(table.client, table.tableName).loadHealthState(
      BUCKET,
      true,
    );
    expect(
      await writer.writeCheckpoint(BUCKET, step.checkpoint, entryOf(step.checkpoint.day), {
        expectVer: state?.ver,
        expectMarkSeq: state?.markSeq,
        nextMark: undefined,
      }),
    ).toBe(true);
    expect(step.changes).toHaveLength(4);

    const after = {
      health: (await get('health', BUCKET)).json,
      events: (await get('health/events', BUCKET)).json,
      uptime: (await get('uptime', BUCKET, { days: '2' })).json.bucket,
      stats: (await stats(BUCKET, '2026-12-01')).json.bucket,
    };
    expect(after).toStrictEqual(before);
    expect((before.events.events as unknown[]).length).toBe(4);
    // Paged across the stored ones: each once, in order.
    const first = await get('health/events', BUCKET, { limit: '3' });
    const second = await get('health/events', BUCKET, {
      limit: '3',
      cursor: first.json.nextCursor as string,
    });
    expect([
      ...(first.json.events as unknown[]),
      ...(second.json.events as unknown[]),
    ]).toStrictEqual(before.events.events);
    expect(second.json).not.toHaveProperty('nextCursor');
  });
});

describe('round trips of the health reads (a bucket whose rows fit the first page)', () => {
  const measure = async (read: () => Promise<Response>) => {
    const trace = traceCalls(table.client, (command) => ({ name: commandName(command) }));
    try {
      expect((await read()).statusCode).toBe(200);
      return { roundTrips: trace.roundTrips(), calls: trace.calls.length };
    } finally {
      vi.restoreAllMocks();
    }
  };

  it('1 when the checkpoint is recent or nothing is marked before the tail’s bound (5 min)', async () => {
    // The previous test's sweep left a checkpoint at 00:10 with no mark.
    clock = at('00:12:00.000', '2026-12-02');
    expect((await measure(() => get('health', BUCKET))).roundTrips).toBe(1);
    expect((await measure(() => get('health/events', BUCKET))).roundTrips).toBe(1);
    clock = at('01:00:00.000', '2026-12-02');
    expect((await measure(() => get('health', BUCKET))).roundTrips).toBe(1);
    // uptime and stats: the closed days' Query with the history days' (after the access rule).
    expect((await measure(() => get('uptime', BUCKET, { days: '2' }))).roundTrips).toBe(2);
    expect((await measure(() => stats(BUCKET, '2026-12-01'))).roundTrips).toBe(2);
  });

  it('2 when a mark before the bound says inputs the first read missed may be there', async () => {
    // The window bucket: its checkpoint is its creation; the window marked it at 05:00.
    clock = at('00:30:00.000', '2026-12-02');
    expect((await measure(() => get('health', WINDOW_BUCKET))).roundTrips).toBe(2);
  });
});
