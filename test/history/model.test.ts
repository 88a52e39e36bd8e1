/**
 * The property test of DESIGN.md section 8 on a real engine: random report sequences (gaps just
 * under, at and over the staleness window, flips, midnight crossings, assignment mid-day,
 * unassign and reassign, duplicate deliveries, SDK retries of writes whose first attempt
 * landed, injected by the fault proxy) go through the real ingest handler with a controlled
 * clock; POST stats and GET uptime must then equal the plain reference model, to the
 * millisecond. HISTORY_PROPERTY_RUNS raises the run count (default 50).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { historyApi } from '../support/history-fixture.ts';
import { reportBody, signed, userToken } from '../support/ingest-fixture.ts';
import { type TableFixtures, tableFixtures } from '../support/table.ts';
import { daysBetween, type ModelReport, modelDay } from '../support/uptime-model.ts';

const RUNS = Number(process.env.HISTORY_PROPERTY_RUNS ?? 50);
const DAY = 86_400_000;

type Gap =
  | { kind: 'stale'; delta: -1 | 0 | 1 }
  | { kind: 'ms'; ms: number }
  | { kind: 'midnight'; delta: -1 | 0 | 1 };

type Action =
  | {
      kind: 'report';
      gap: Gap;
      status: 'ONLINE' | 'OFFLINE';
      latencyMs: number | undefined;
      fault: 'none' | 'bucket' | 'guard';
      duplicate: boolean;
    }
  | { kind: 'reassign'; gap: Gap };

interface Scenario {
  staleSeconds: number;
  /** Offset of the assignment from a midnight. */
  start: number;
  actions: Action[];
  reads: number[];
}

const delta = fc.constantFrom(-1 as const, 0 as const, 1 as const);
const gapArb: fc.Arbitrary<Gap> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('stale' as const), delta }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ms' as const),
      ms: fc.oneof(fc.constantFrom(0, 1, 1000), fc.integer({ min: 1, max: 2 * DAY })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('midnight' as const), delta }) },
);
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      gap: gapArb,
      status: fc.constantFrom('ONLINE' as const, 'OFFLINE' as const),
      latencyMs: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
      fault: fc.constantFrom('none' as const, 'none' as const, 'bucket' as const, 'guard' as const),
      duplicate: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reassign' as const), gap: gapArb }) },
);
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  staleSeconds: fc.constantFrom(5, 90, 3600),
  start: fc.integer({ min: -2 * 3600_000, max: 2 * 3600_000 }),
  actions: fc.array(actionArb, { minLength: 1, maxLength: 10 }),
  reads: fc.array(fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 2 * DAY })), {
    minLength: 1,
    maxLength: 2,
  }),
});

let client: DynamoDBClient;
let token: string;
const workspaceId = randomUUID();
const orgId = randomUUID();
const BASE_MIDNIGHT = Date.parse('2026-11-20T00:00:00.000Z');

const it = tableFixtures('history-model');

it.beforeAll(async ({ seed, proxy }) => {
  client = createDynamoClient({ endpoint: proxy.endpoint });
  const userId = randomUUID();
  await seed.user(userId, { orgId, orgRole: 'MEMBER' });
  await seed.membership(userId, workspaceId, 'READ');
  token = await userToken(userId);
});

function gapMs(gap: Gap, clock: number, staleMs: number): number {
  if (gap.kind === 'stale') return staleMs + gap.delta;
  if (gap.kind === 'ms') return gap.ms;
  const toMidnight = DAY - (clock % DAY);
  return Math.max(0, toMidnight + gap.delta);
}

async function run(
  { table, seed, proxy }: Pick<TableFixtures, 'table' | 'seed' | 'proxy'>,
  scenario: Scenario,
): Promise<void> {
  const staleMs = scenario.staleSeconds * 1000;
  let clock = BASE_MIDNIGHT + scenario.start;
  const now = () => clock;
  const api = historyApi(client, table.tableName, {
    now,
    settings: { staleAfterSeconds: scenario.staleSeconds },
  });
  const admin = createAdminStore(table.client, table.tableName, { now });
  const bucketId = randomUUID();
  const nodeId = `model-${randomUUID()}`;
  await seed.bucket(bucketId, { workspaceId, orgId });
  const privateKey = await seed.node(nodeId);
  await admin.assignNode({ bucketId, nodeId });
  let assignedAt = clock;
  let reports: ModelReport[] = [];
  let lastTs = 0;

  for (const action of scenario.actions) {
    clock += gapMs(action.gap, clock, staleMs);
    if (action.kind === 'reassign') {
      await admin.unassignNode({ bucketId, nodeId });
      await admin.assignNode({ bucketId, nodeId });
      assignedAt = clock;
      reports = [];
      continue;
    }
    lastTs = Math.max(lastTs + 1, clock);
    const body = reportBody([
      {
        bucketId,
        status: action.status,
        ...(action.latencyMs !== undefined && { latency_ms: action.latencyMs }),
      },
    ]);
    const delivery = signed(nodeId, privateKey, body, lastTs);
    if (action.fault !== 'none') {
      proxy.fail({
        kind: 'lost-response',
        operation: 'UpdateItem',
        bodyIncludes: action.fault === 'bucket' ? `BUCKET#${bucketId}` : `NODE#${nodeId}`,
        times: 1,
      });
    }
    const response = await api.report(delivery.body, delivery.headers);
    // The injected fault really happened: one write applied whose answer was lost.
    expect(proxy.count('UpdateItem', true)).toBe(action.fault === 'none' ? 0 : 1);
    proxy.clear();
    expect({ status: response.statusCode, body: response.json }).toMatchObject({
      status: 200,
      body: { accepted: [bucketId], rejected: [] },
    });
    reports.push({ at: clock, status: action.status, latencyMs: action.latencyMs });
    if (action.duplicate) {
      // The same signed delivery again (a network duplicate): a replay, no effect.
      expect((await api.report(delivery.body, delivery.headers)).statusCode).toBe(401);
    }
  }

  for (const readAfter of scenario.reads) {
    clock += readAfter;
    const days = daysBetween(
      new Date(assignedAt).toISOString().slice(0, 10),
      new Date(clock).toISOString().slice(0, 10),
    );
    const expected = days.map((day) => modelDay(reports, assignedAt, day, clock, staleMs));

    const uptime = await api.uptime(bucketId, days.length, token);
    expect(uptime.statusCode).toBe(200);
    const node = (uptime.json.nodes as { host: string; days: unknown[] }[])[0];
    expect(node?.host).toBe(nodeId);
    expect(node?.days).toStrictEqual(
      expected.map((m) => ({
        day: m.day,
        perc_uptime: m.perc_uptime,
        online_seconds: m.online_seconds,
        observed_seconds: m.observed_seconds,
        ...(m.avg_latency_ms !== undefined && { avg_latency_ms: m.avg_latency_ms }),
      })),
    );

    for (const model of expected) {
      const stats = await api.stats(bucketId, { day: model.day }, token);
      expect(stats.statusCode).toBe(200);
      const entry = (stats.json.nodeStats as Record<string, unknown>[])[0] as Record<
        string,
        unknown
      >;
      const { host, ip, region, version, ...figures } = entry;
      expect(host).toBe(nodeId);
      const { day: _day, ...want } = model;
      expect({ day: model.day, ...figures }).toStrictEqual({ day: model.day, ...want });
      if (reports.length > 0) {
        expect({ ip, region, version }).toStrictEqual({
          ip: '203.0.113.7',
          region: 'us-east-1',
          version: '1.2.3',
        });
      }
    }
  }
}

describe('history equals the reference model, through the real ingest handler on a real engine', () => {
  it(`${RUNS} random report sequences, compared to the millisecond`, async ({
    table,
    seed,
    proxy,
  }) => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, (scenario) => run({ table, seed, proxy }, scenario)),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
});
