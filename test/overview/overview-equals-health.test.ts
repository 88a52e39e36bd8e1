/**
 * GET /workspace/{workspaceId}/buckets (DESIGN.md section 14) against GET /bucket/{id}/health,
 * through the production wiring on the run's engine (test/support/health-api.ts: ingest, the
 * operator store, the management routes, the sweep and the status function on one simulated
 * clock). Each run is a fresh workspace of random buckets (names drawn from a small set, so
 * equal names, prefixes and non-ASCII names occur), random nodes, and a random sequence of
 * reports, silences past stale (noticed by a sweep or not), unassignments and reassignments,
 * policies and maintenance windows (most runs start shortly before a midnight and cross it),
 * and reports whose event writes fail (through a fault proxy: their changes stay pending on the
 * row, which the overview must read as GET health does); at random instants (some exactly when
 * a report turns stale) every page of the overview (a random page size) is read and every entry
 * must equal what GET health answers at the same instant, the buckets in name (code point) then
 * id order, each once. Every answer is checked against openapi.yaml.
 * OVERVIEW_RUNS sets the run count (default 6); OVERVIEW_SEED and OVERVIEW_PATH replay one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsPk } from '../../functions/data/events.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { type BucketWorld, createHealthApi, type HealthApi } from '../support/health-api.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

const RUNS = Number(process.env.OVERVIEW_RUNS ?? 6);
const STALE_S = 60;
const STALE = STALE_S * 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const NAMES = ['alpha', 'Alpha', 'alp', 'alpha beta', 'b', 'é', 'z😀', 'Ω'];

type Status = 'ONLINE' | 'OFFLINE';
type Action =
  | { kind: 'report'; bucket: number; node: number; status: Status }
  | { kind: 'pending'; bucket: number; node: number; status: Status }
  | { kind: 'unassign'; bucket: number; node: number }
  | { kind: 'reassign'; bucket: number; node: number }
  | { kind: 'policy'; bucket: number; percent: number }
  | { kind: 'window'; bucket: number; startMs: number; length: number }
  | { kind: 'sweep' }
  | { kind: 'check'; limit: number | undefined };
interface Raw {
  /** Where the run starts relative to a midnight: before it, so the run crosses it. */
  startMs: number;
  buckets: { name: number; nodes: number }[];
  steps: { gapMs: number; action: Action }[];
}

const status = fc.constantFrom<Status>('ONLINE', 'OFFLINE');
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      bucket: fc.nat(),
      node: fc.nat(),
      status,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('pending' as const),
      bucket: fc.nat(),
      node: fc.nat(),
      status,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('unassign' as const),
      bucket: fc.nat(),
      node: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reassign' as const),
      bucket: fc.nat(),
      node: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('policy' as const),
      bucket: fc.nat(),
      percent: fc.integer({ min: 1, max: 100 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('window' as const),
      bucket: fc.nat(),
      startMs: fc.integer({ min: -60_000, max: HOUR }),
      length: fc.integer({ min: 1, max: 2 * HOUR }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'sweep' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('check' as const),
      limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    }),
  },
);
const rawArb: fc.Arbitrary<Raw> = fc.record({
  startMs: fc.constantFrom(0, -20 * 60_000, -5 * 60_000, -STALE),
  buckets: fc.array(
    fc.record({ name: fc.nat({ max: NAMES.length - 1 }), nodes: fc.integer({ min: 0, max: 3 }) }),
    { minLength: 1, maxLength: 6 },
  ),
  steps: fc.array(
    fc.record({
      gapMs: fc.oneof(
        fc.constantFrom(1, STALE - 1, STALE, STALE + 1),
        fc.integer({ min: 1, max: 3 * STALE }),
      ),
      action: actionArb,
    }),
    { minLength: 1, maxLength: 20 },
  ),
});

let table: TestTable;
let proxy: FaultProxy;
/** Each run starts on a later day than every earlier one ended: the sweep sees them all. */
let nextDay = Date.parse('2027-03-01T00:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('overview');
  proxy = await FaultProxy.start(table.endpoint);
});
afterAll(async () => {
  await proxy?.close();
});

/** Names in code point order (UTF-8 bytes), then ids: the order the overview promises. */
const byNameThenId = (
  a: { name: string; bucketId: string },
  b: { name: string; bucketId: string },
) =>
  Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) ||
  (a.bucketId < b.bucketId ? -1 : a.bucketId > b.bucketId ? 1 : 0);

/** Every page of the overview at the clock's instant, `limit` a page. */
async function readOverview(api: HealthApi, limit: number | undefined) {
  const entries: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const query: Record<string, string> = {};
    if (limit !== undefined) query.limit = String(limit);
    if (cursor !== undefined) query.cursor = cursor;
    const answer = await api.request(
      'GET',
      'GET /workspace/{workspaceId}/buckets',
      `/workspace/${api.workspaceId}/buckets`,
      { workspaceId: api.workspaceId },
      { query },
    );
    expect(answer.statusCode, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.workspaceId).toBe(api.workspaceId);
    entries.push(...(answer.json.buckets as Record<string, unknown>[]));
    cursor = answer.json.nextCursor as string | undefined;
    pages++;
  } while (cursor !== undefined);
  return { entries, pages };
}

/** GET health of one bucket at the clock's instant, as an overview entry shows it. */
async function healthEntry(api: HealthApi, world: BucketWorld, name: string) {
  const answer = await api.request(
    'GET',
    'GET /bucket/{bucketId}/health',
    `/bucket/${world.bucketId}/health`,
    { bucketId: world.bucketId },
  );
  expect(answer.statusCode).toBe(200);
  const { policy: _, ...rest } = answer.json;
  return { bucketId: world.bucketId, name, ...rest };
}

async function play(raw: Raw): Promise<void> {
  const api = createHealthApi(table, {
    staleAfterSeconds: STALE_S,
    ingestClient: createDynamoClient({ endpoint: proxy.endpoint }),
  });
  api.now = nextDay + raw.startMs;
  const trace: string[] = [];
  const log = (line: string) => trace.push(`${iso(api.now)} ${line}`);
  const worlds: { world: BucketWorld; name: string }[] = [];
  for (const spec of raw.buckets) {
    const name = NAMES[spec.name] as string;
    const world = await api.newBucket(name);
    worlds.push({ world, name });
    for (let i = 0; i < spec.nodes; i++) await world.assign(await world.addNode());
    log(`bucket ${world.bucketId} "${name}" with ${spec.nodes} nodes`);
  }
  const pick = (i: number) => worlds[i % worlds.length] as (typeof worlds)[number];
  const check = async (limit: number | undefined) => {
    const { entries, pages } = await readOverview(api, limit);
    const expected = await Promise.all(
      worlds.map(({ world, name }) => healthEntry(api, world, name)),
    );
    expected.sort(byNameThenId);
    log(`check (limit ${limit ?? 'default'}, ${pages} pages)`);
    expect(entries, `overview\n${trace.join('\n')}\n`).toStrictEqual(expected);
    expect(pages).toBe(Math.max(1, Math.ceil(worlds.length / (limit ?? 100))));
  };
  try {
    for (const { gapMs, action } of raw.steps) {
      api.now += gapMs;
      switch (action.kind) {
        case 'report': {
          const { world } = pick(action.bucket);
          const assigned = world.nodes.filter((n) => n.current !== undefined);
          const node = assigned[action.node % Math.max(1, assigned.length)];
          if (node === undefined) break;
          await world.report({ node, status: action.status });
          log(`report ${node.nodeId} ${action.status}`);
          break;
        }
        case 'pending': {
          const { world } = pick(action.bucket);
          const assigned = world.nodes.filter((n) => n.current !== undefined);
          const node = assigned[action.node % Math.max(1, assigned.length)];
          if (node === undefined) break;
          proxy.fail({
            kind: 'throttle',
            operation: 'PutItem',
            bodyIncludes: eventsPk(world.bucketId),
            times: Infinity,
          });
          try {
            const pending = await world.reportWithEventsPending(node, action.status);
            log(`report ${node.nodeId} ${action.status}${pending ? ' (its changes pending)' : ''}`);
          } finally {
            proxy.clear();
          }
          break;
        }
        case 'unassign': {
          const { world } = pick(action.bucket);
          const assigned = world.nodes.filter((n) => n.current !== undefined);
          const node = assigned[action.node % Math.max(1, assigned.length)];
          if (node === undefined) break;
          await world.unassign(node);
          log(`unassign ${node.nodeId}`);
          break;
        }
        case 'reassign': {
          const { world } = pick(action.bucket);
          const unassigned = world.nodes.filter((n) => n.current === undefined);
          const node = unassigned[action.node % Math.max(1, unassigned.length)];
          if (node === undefined) break;
          await world.assign(node);
          log(`reassign ${node.nodeId}`);
          break;
        }
        case 'policy':
          await pick(action.bucket).world.setPolicy(action.percent);
          log(`policy ${action.percent}`);
          break;
        case 'window': {
          const start = api.now + action.startMs;
          const id = await pick(action.bucket).world.addWindow(start, start + action.length);
          log(`window ${id} [${iso(start)}, ${iso(start + action.length)})`);
          break;
        }
        case 'sweep':
          await api.sweep();
          log('sweep');
          break;
        case 'check':
          await check(action.limit);
          break;
      }
    }
    await check(undefined);
  } finally {
    nextDay = Math.ceil((api.now + 1) / DAY) * DAY + DAY;
  }
}

describe('every overview entry equals GET health at the same instant', () => {
  it('over random workspaces (buckets, nodes, silences, windows, policies, sweeps)', async () => {
    await fc.assert(fc.asyncProperty(rawArb, play), {
      numRuns: RUNS,
      endOnFailure: true,
      ...(process.env.OVERVIEW_SEED !== undefined && {
        seed: Number(process.env.OVERVIEW_SEED),
        ...(process.env.OVERVIEW_PATH !== undefined && { path: process.env.OVERVIEW_PATH }),
      }),
    });
  }, 600_000);
});
