/**
 * POST /bucket/{bucketId}/stats and GET /bucket/{bucketId}/uptime on a real engine: every error
 * of DESIGN.md section 8's table, the status route's access matrix, paging of a 6,000-node
 * bucket, and every response checked against openapi.yaml.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { historyPk } from '../../functions/data/history-days.ts';
import { accessMatrix } from '../support/access-matrix.ts';
import { type HistoryApi, historyApi, statsEvent } from '../support/history-fixture.ts';
import { type Response, reportBody, signed, userToken } from '../support/ingest-fixture.ts';
import { createContract } from '../support/openapi-contract.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

const contract = createContract();
const ORG = 'org-history';
const WORKSPACE = 'ws-history';
const BUCKET = 'bucket-history';
const NODE = 'node-history';
const NOW = Date.parse('2026-12-01T12:00:00.000Z');

let table: TestTable;
let seed: Seeder;
let api: HistoryApi;
let token: string;
let clock = NOW;

beforeAll(async () => {
  table = await createTestTable('history-routes');
  seed = new Seeder(table.client, table.tableName);
  api = historyApi(table.client, table.tableName, { now: () => clock });
  await seed.bucket(BUCKET, { workspaceId: WORKSPACE, orgId: ORG });
  const privateKey = await seed.node(NODE);
  clock = NOW - 3 * 86_400_000;
  await createAdminStore(table.client, table.tableName, { now: () => clock }).assignNode({
    bucketId: BUCKET,
    nodeId: NODE,
  });
  // Two days of reports every 30 s from the assignment, then silence.
  for (let i = 0; i < 4; i++) {
    clock += 30_000;
    const report = signed(
      NODE,
      privateKey,
      reportBody([{ bucketId: BUCKET, latency_ms: 10 * i }]),
      clock,
    );
    expect((await api.report(report.body, report.headers)).statusCode).toBe(200);
  }
  clock = NOW;
  token = await reader({}, 'READ');
});

async function reader(profile: Parameters<Seeder['user']>[1], role: string | undefined) {
  const userId = randomUUID();
  await seed.user(userId, { orgId: ORG, orgRole: 'MEMBER', ...profile });
  if (role !== undefined) await seed.membership(userId, WORKSPACE, role);
  return userToken(userId);
}

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

const stats = async (body: unknown, bucketId = BUCKET, bearer = token) =>
  checked('POST', `/bucket/${bucketId}/stats`, await api.stats(bucketId, body, bearer));
const uptime = async (days: number | string | undefined, bucketId = BUCKET, bearer = token) =>
  checked('GET', `/bucket/${bucketId}/uptime`, await api.uptime(bucketId, days, bearer));

function expectError(response: Response, status: number, message?: RegExp) {
  expect(response.statusCode).toBe(status);
  expect(Object.keys(response.json).sort()).toStrictEqual(['message', 'success']);
  expect(response.json.success).toBe(false);
  if (message) expect(response.json.message).toMatch(message);
  expect(response.body).not.toMatch(/\bat .*\.ts:\d+|node_modules/);
}

/** The bucket's verdict figures of a day with nothing observed (this bucket has no checkpoint). */
const nothingObserved = (day: string) => ({
  day,
  operational_seconds: 0,
  degraded_seconds: 0,
  partial_outage_seconds: 0,
  major_outage_seconds: 0,
  maintenance_seconds: 0,
  unknown_seconds: 0,
  observed_seconds: 0,
  perc_available: null,
});

describe('POST /bucket/{bucketId}/stats: 200', () => {
  it('the day of the reports: the observed window starts at the assignment', async () => {
    const response = await stats({ day: '2026-11-28' });
    expect(response.statusCode).toBe(200);
    expect(response.json).toStrictEqual({
      success: true,
      bucketId: BUCKET,
      day: '2026-11-28',
      nodeStats: [
        {
          host: NODE,
          ip: '203.0.113.7',
          region: 'us-east-1',
          version: '1.2.3',
          // Assigned at 12:00; ONLINE from 12:00:30 to the last report (12:02:00) + 90 s.
          perc_uptime: Math.round((10_000 * 180) / 43_200) / 100,
          online_seconds: 180,
          observed_seconds: 43_200,
          avg_latency_ms: 15,
          last_latency_ms: 30,
          node_status: 'DISCONNECTED',
          last_updated: '2026-11-28T12:02:00.000Z',
        },
      ],
      bucket: nothingObserved('2026-11-28'),
    });
  });

  it('an ISO date-time counts as its UTC day; a silent day is observed and not online', async () => {
    const response = await stats({ day: '2026-11-29T22:30:00-02:00' });
    expect(response.json.day).toBe('2026-11-30');
    expect(response.json.nodeStats).toStrictEqual([
      expect.objectContaining({ perc_uptime: 0, online_seconds: 0, observed_seconds: 86_400 }),
    ]);
  });

  it('today is observed up to now, and a body sent base64-encoded is read', async () => {
    const event = statsEvent(
      BUCKET,
      Buffer.from(JSON.stringify({ day: '2026-12-01' })).toString('base64'),
      { authorization: `Bearer ${token}` },
      true,
    );
    const response = await api.statsEvent(event);
    expect(response.statusCode).toBe(200);
    expect(response.json.nodeStats).toStrictEqual([
      expect.objectContaining({ observed_seconds: 43_200, node_status: 'DISCONNECTED' }),
    ]);
  });

  it('the oldest day of the retention is accepted (default 400 days, today included)', async () => {
    expect((await stats({ day: '2025-10-28' })).statusCode).toBe(200);
  });
});

describe('POST /bucket/{bucketId}/stats: errors', () => {
  it.each([
    ['not JSON', '{"day": '],
    ['an array', '[]'],
    ['a string', '"2026-11-30"'],
    ['null', 'null'],
    ['an empty body', ''],
    ['no day', '{}'],
    ['an unknown field', '{"day":"2026-11-30","node":"x"}'],
    ['a number', '{"day":20261130}'],
    ['not a date', '{"day":"yesterday"}'],
    ['an impossible date', '{"day":"2026-02-30"}'],
    ['a month 13', '{"day":"2026-13-01"}'],
    ['a date-time without offset', '{"day":"2026-11-30T10:00:00"}'],
    ['hour 24', '{"day":"2026-11-30T24:00:00Z"}'],
    ['a future day', '{"day":"2026-12-02"}'],
    ['a day past the retention', '{"day":"2025-10-27"}'],
  ])('400 for %s', async (_label, body) => {
    expectError(await stats(body), 400);
  });

  it('413 for a body over 1 KiB', async () => {
    expectError(await stats(JSON.stringify({ day: '2026-11-30', pad: 'x'.repeat(1100) })), 413);
  });

  it('400 for an invalid bucket id, 404 for a missing bucket', async () => {
    expectError(await stats({ day: '2026-11-30' }, 'bad id!'), 400, /bucketId/);
    expectError(await stats({ day: '2026-11-30' }, 'no-such-bucket'), 404);
  });

  it('401 with the RFC 6750 challenge without a valid token, before anything else', async () => {
    const response = await stats('{bad json', 'bad id!', 'not-a-token');
    expectError(response, 401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });
});

describe('GET /bucket/{bucketId}/uptime', () => {
  it('the last N days, today included, ascending; nothing observed before the assignment', async () => {
    const response = await uptime(5);
    expect(response.statusCode).toBe(200);
    expect(response.json).toStrictEqual({
      bucketId: BUCKET,
      from: '2026-11-27',
      to: '2026-12-01',
      nodes: [
        {
          host: NODE,
          ip: '203.0.113.7',
          region: 'us-east-1',
          days: [
            { day: '2026-11-27', perc_uptime: null, online_seconds: 0, observed_seconds: 0 },
            {
              day: '2026-11-28',
              perc_uptime: 0.42,
              online_seconds: 180,
              observed_seconds: 43_200,
              avg_latency_ms: 15,
            },
            { day: '2026-11-29', perc_uptime: 0, online_seconds: 0, observed_seconds: 86_400 },
            { day: '2026-11-30', perc_uptime: 0, online_seconds: 0, observed_seconds: 86_400 },
            { day: '2026-12-01', perc_uptime: 0, online_seconds: 0, observed_seconds: 43_200 },
          ],
        },
      ],
      bucket: {
        days: ['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01'].map(
          nothingObserved,
        ),
      },
    });
  });

  it('defaults to 30 days and accepts 90', async () => {
    const byDefault = await uptime(undefined);
    const days = (byDefault.json.nodes as { days: unknown[] }[])[0]?.days;
    expect(days).toHaveLength(30);
    expect(byDefault.json.from).toBe('2026-11-02');
    const ninety = await uptime(90);
    expect((ninety.json.nodes as { days: unknown[] }[])[0]?.days).toHaveLength(90);
  });

  it.each(['0', '91', '-1', '1.5', 'abc', '', '030', '1,2', '9999'])(
    '400 for days=%s',
    async (days) => {
      expectError(await uptime(days), 400, /days/);
    },
  );

  // One rule for every numeric query parameter (GET events' limit too): a canonical decimal
  // integer, and a message that says so (days=01 is an integer from 1 to 90 to a reader).
  it.each(['01', '030', '007', '+5', ' 5', '5 '])('400 for days=%j, saying why', async (days) => {
    expectError(
      await uptime(days),
      400,
      /^days must be an integer from 1 to 90, in decimal digits without a leading zero$/,
    );
  });

  it('400 for an invalid bucket id, 404 for a missing bucket, 401 without a token', async () => {
    expectError(await uptime(5, 'bad id!'), 400, /bucketId/);
    expectError(await uptime(5, 'no-such-bucket'), 404);
    expectError(await uptime(5, BUCKET, 'x.y.z'), 401);
  });
});

describe("access rule matrix (the status route's)", () => {
  it.each(accessMatrix(ORG))(
    '%s gets %i on stats and uptime',
    async (_label, profile, role, expected) => {
      const bearer = await reader(profile, role);
      const [s, u] = [
        await stats({ day: '2026-11-30' }, BUCKET, bearer),
        await uptime(3, BUCKET, bearer),
      ];
      expect([s.statusCode, u.statusCode]).toStrictEqual([expected, expected]);
      if (expected !== 200) {
        expectError(s, expected);
        expectError(u, expected);
      }
    },
  );

  it('404 when the token user does not exist; 401 for a revoked token', async () => {
    expectError(await stats({ day: '2026-11-30' }, BUCKET, await userToken(randomUUID())), 404);
    const userId = randomUUID();
    await seed.user(userId, {
      orgId: ORG,
      orgRole: 'OWNER',
      tokensValidAfter: Math.floor(Date.now() / 1000) + 60,
    });
    expectError(await uptime(3, BUCKET, await userToken(userId)), 401);
  });
});

describe('a bucket of 6,000 nodes', () => {
  it('lists every node once, in node-id order, on both routes (pages followed)', async () => {
    const bucketId = `big-${randomUUID()}`;
    await seed.bucket(bucketId, { workspaceId: WORKSPACE, orgId: ORG });
    const nodeIds = Array.from({ length: 6000 }, (_, i) => `n${String(i).padStart(5, '0')}`);
    const day = '2026-11-30';
    const padding = 'p'.repeat(200);
    await seed.putMany(
      nodeIds.flatMap((nodeId, i) => [
        // A node that reported (with a day slot) and a history row of the day before.
        seed.assignmentRow(bucketId, nodeId, {
          assignedAt: NOW - 10 * 86_400_000,
          ip: '10.0.0.1',
          region: 'eu-west-1',
          version: '1.0.0',
          status: 'ONLINE',
          lastAt: NOW - 1000,
          lastUpdated: new Date(NOW - 1000).toISOString(),
          hDay: '2026-12-01',
          hOn: -Date.parse('2026-12-01T00:00:00.000Z'),
          hLs: 0,
          hLc: 0,
          padding,
        }),
        {
          pk: historyPk(bucketId, day),
          sk: `NODE#${nodeId}`,
          assignedAt: NOW - 10 * 86_400_000,
          day,
          on: i % 2 === 0 ? 86_400_000 : 43_200_000,
          ls: 0,
          lc: 0,
        },
      ]),
    );
    const up = await uptime(2, bucketId);
    const nodes = up.json.nodes as { host: string; days: { perc_uptime: number }[] }[];
    expect(nodes.map((n) => n.host)).toStrictEqual(nodeIds);
    expect(nodes.map((n) => n.days[0]?.perc_uptime)).toStrictEqual(
      nodeIds.map((_, i) => (i % 2 === 0 ? 100 : 50)),
    );
    expect(nodes.every((n) => n.days[1]?.perc_uptime === 100)).toBe(true);
    const st = await stats({ day }, bucketId);
    expect((st.json.nodeStats as unknown[]).length).toBe(6000);
  }, 120_000);
});
