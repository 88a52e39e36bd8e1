/**
 * Model-based property test of a bucket's health as the API shows it (DESIGN.md sections 8, 13
 * and 15), against the reference model test/support/health-model.ts. Each run is a fresh bucket
 * of one shared table on the run's engine, and a random sequence, over one simulated clock, of:
 * signed reports of several nodes (ONLINE/OFFLINE, some in one millisecond) through ingest;
 * silences past stale, noticed by a sweep or not; assign, unassign and reassign through the
 * operator store; policy changes (PUT health/policy); maintenance windows created (POST, some
 * starting up to 60 s in the past, some already over) and deleted (DELETE, upcoming, active or
 * ended); reports whose event writes fail (through a fault proxy: the changes stay pending on
 * the row, recorded late by the node's next report, its unassign or the sweep); sweep runs at
 * random moments, or none for a long while. At random instants and at the
 * end, GET health (verdict, since, node counts, policy, maintenance), every health event of GET
 * health/events (all pages, a random page size), GET uptime's `bucket.days` for every day the
 * bucket spans and POST stats' `bucket` for one of them must equal the model at that instant.
 * HEALTH_API_RUNS sets the run count (default 20); HEALTH_API_SEED and HEALTH_API_PATH replay a
 * failure (shrinking is off: each run is a bucket on the engine).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsPk } from '../../functions/data/events.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { SWEEP_GRACE_SECONDS } from '../../functions/sweep/run-sweep.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { createHealthApi, type HealthApi } from '../support/health-api.ts';
import { createTestTable } from '../support/table.ts';

const RUNS = Number(process.env.HEALTH_API_RUNS ?? 20);
/**
 * A window whose start is at or before the checkpoint of the last sweep is a late input: the
 * reads before the next sweep recomputes miss its start (test/health/api-orders.test.ts, "a
 * late window read before the sweep recomputes"), so checks wait for that sweep, unless
 * HEALTH_API_LATE_WINDOWS=1 (then they expose it).
 */
const LATE_WINDOWS = process.env.HEALTH_API_LATE_WINDOWS === '1';
const STALE_S = 60;
const STALE = STALE_S * 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Delta = -1 | 0 | 1;
type Status = 'ONLINE' | 'OFFLINE';
type Gap =
  | { kind: 'none' }
  | { kind: 'ms'; ms: number }
  /** To a node's last report + stale + delta: the silence's own instant and its neighbours. */
  | { kind: 'silence'; node: number; delta: Delta }
  | { kind: 'long'; ms: number }
  | { kind: 'midnight'; delta: Delta };
type WindowStart = { kind: 'offset'; ms: number } | { kind: 'silence'; node: number; delta: Delta };
type Action =
  | { kind: 'report'; node: number; status: Status }
  /** A report whose event writes fail: its changes stay pending on the row (recorded late). */
  | { kind: 'pending'; node: number; status: Status }
  | { kind: 'together'; nodes: number[]; statuses: Status[] }
  | { kind: 'toggle'; node: number }
  | { kind: 'policy'; percent: number }
  | { kind: 'window'; start: WindowStart; length: number }
  | { kind: 'endWindow'; pick: number }
  | { kind: 'sweep' }
  | { kind: 'check'; pageSize: number | undefined; dayPick: number };
interface Step {
  gap: Gap;
  action: Action;
}
interface Raw {
  nodeCount: number;
  createdInDay: number;
  assigned: boolean[];
  steps: Step[];
  finalPageSize: number | undefined;
  finalDayPick: number;
}

const delta = fc.constantFrom<Delta>(-1, 0, 1);
const status = fc.constantFrom<Status>('ONLINE', 'OFFLINE');
const gapArb: fc.Arbitrary<Gap> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('ms' as const),
      ms: fc.oneof(fc.constantFrom(1, 2, 999, 1000), fc.integer({ min: 1, max: 2 * STALE })),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('silence' as const), node: fc.nat(), delta }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('long' as const),
      ms: fc.integer({ min: 2 * STALE, max: 3 * HOUR }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('midnight' as const), delta }) },
);
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({ kind: fc.constant('report' as const), node: fc.nat(), status }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('together' as const),
      nodes: fc.array(fc.nat(), { minLength: 2, maxLength: 3 }),
      statuses: fc.array(status, { minLength: 3, maxLength: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('pending' as const), node: fc.nat(), status }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('toggle' as const), node: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('policy' as const),
      percent: fc.oneof(fc.constantFrom(1, 34, 50, 67, 75, 100), fc.integer({ min: 1, max: 100 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('window' as const),
      start: fc.oneof(
        fc.record({
          kind: fc.constant('offset' as const),
          ms: fc.oneof(
            fc.constantFrom(-60_000, -1, 0, 1),
            fc.integer({ min: -60_000, max: 2 * HOUR }),
          ),
        }),
        fc.record({ kind: fc.constant('silence' as const), node: fc.nat(), delta }),
      ),
      length: fc.oneof(fc.constantFrom(1, 2, STALE), fc.integer({ min: 1, max: 3 * HOUR })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('endWindow' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'sweep' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('check' as const),
      pageSize: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      dayPick: fc.nat(),
    }),
  },
);
const rawArb: fc.Arbitrary<Raw> = fc.record({
  nodeCount: fc.integer({ min: 1, max: 4 }),
  // Anywhere in the day, or shortly before midnight (so the runs cross it).
  createdInDay: fc.oneof(
    fc.integer({ min: 0, max: DAY - 1 }),
    fc.integer({ min: DAY - 10 * STALE, max: DAY - 1 }),
  ),
  assigned: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  steps: fc.array(fc.record({ gap: gapArb, action: actionArb }), { minLength: 1, maxLength: 28 }),
  finalPageSize: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  finalDayPick: fc.nat(),
});

let api: HealthApi;
let proxy: FaultProxy;
const SETTLE_MS = SWEEP_GRACE_SECONDS * 1000 + 1000;
/** Each run starts on a later day than every earlier one ended: the sweep sees them all. */
let nextDay = Date.parse('2027-01-01T00:00:00.000Z');

/** The run: applies each step through the API and the model, comparing at every check. */
async function play(raw: Raw): Promise<void> {
  api.now = nextDay + raw.createdInDay;
  const world = await api.newBucket();
  const trace: string[] = [`${iso(api.now)} created ${world.bucketId}`];
  const log = (line: string) => trace.push(`${iso(api.now)} ${line}`);
  try {
    const nodes: Awaited<ReturnType<typeof world.addNode>>[] = [];
    for (let i = 0; i < raw.nodeCount; i++) {
      const node = await world.addNode();
      nodes.push(node);
      if (raw.assigned[i] === true) {
        await world.assign(node);
        log(`assign ${i}`);
      }
    }
    /** The checkpoint the last sweep stored (its settled instant), the creation before any. */
    let settled = world.createdAt;
    /**
     * Nodes whose changes are pending on their row: the earliest pending instant, and whether a
     * sweep has settled past it since (then its recording is a late input). Until they are
     * recorded (the node's next report, its unassign, the sweep finding its silent row) and,
     * for a late one, a sweep has run after, the reads are not exact (the rows hold a change the
     * timeline does not know yet): checks wait.
     */
    const pending = new Map<number, { at: number; sweptPast: boolean }>();
    let sweepOwed = false;
    const recorded = (i: number) => {
      const p = pending.get(i);
      if (p === undefined) return;
      pending.delete(i);
      if (p.sweptPast) sweepOwed = true;
    };
    const sweep = async () => {
      await api.sweep();
      settled = Math.max(settled, api.now - SETTLE_MS);
      sweepOwed = false;
      for (const [i, p] of pending) {
        const last = lastReportOf(i) as number;
        // The sweep found the row (past stale + grace): it recorded the pending changes and its
        // health step, settling past them, took them in.
        if (last + STALE + SWEEP_GRACE_SECONDS * 1000 <= api.now) pending.delete(i);
        else if (api.now - SETTLE_MS >= p.at) p.sweptPast = true;
      }
    };
    /** What changed at the clock's current millisecond (one change per node and per policy). */
    let touched = new Set<string>();
    const advance = (ms: number) => {
      if (ms > 0) {
        api.now += ms;
        touched = new Set();
      }
    };
    const free = (...keys: string[]) => {
      if (keys.some((k) => touched.has(k))) advance(1);
      for (const k of keys) touched.add(k);
    };
    const lastReportOf = (i: number) =>
      nodes[i % nodes.length]?.current?.reports.at(-1)?.at ??
      nodes[i % nodes.length]?.model.assignments.at(-1)?.reports.at(-1)?.at;
    const ensureAssigned = async (i: number) => {
      const node = nodes[i] as (typeof nodes)[number];
      if (node.current === undefined) {
        await world.assign(node);
        log(`assign ${i}`);
      }
      return node;
    };
    const check = async (pageSize: number | undefined, dayPick: number) => {
      if (pending.size > 0 || sweepOwed) {
        log('check skipped (an input recorded late, not yet recomputed)');
        return;
      }
      const days = world.days();
      const statsDay = days[dayPick % days.length] as string;
      const observed = await world.observe({ statsDay, ...(pageSize && { pageSize }) });
      const expected = world.expected({ statsDay });
      // Windows active from the same instant: the route may show any of them.
      const shown = observed.health.maintenance as { id?: string } | undefined;
      const tied = world.activeWindows(api.now);
      const first = tied[0];
      if (shown?.id !== undefined && first !== undefined) {
        const same = tied.find((w) => w.id === shown.id && w.start === first.start);
        if (same !== undefined) {
          expected.health.maintenance = {
            id: same.id,
            start: iso(same.start),
            end: iso(same.end),
            ...(same.reason !== undefined && { reason: same.reason }),
          };
        }
      }
      log(`check (page ${pageSize ?? 'default'}, stats ${statsDay})`);
      const context = `\n${trace.join('\n')}\n`;
      // The known boundary: at exactly a last report + stale, GET status (and so GET health's
      // counts and verdict) still shows the report's status (section 8's "t - ti <= stale"),
      // while the timeline and the model have the node DISCONNECTED from that instant on
      // (section 13). GET health is compared there only with HEALTH_API_STRICT=1.
      const atBoundary = nodes.some((n) => {
        const last = n.current?.reports.at(-1);
        return last !== undefined && last.at + STALE === api.now;
      });
      if (!atBoundary || process.env.HEALTH_API_STRICT === '1') {
        expect(observed.health, `GET health${context}`).toStrictEqual(expected.health);
      }
      expect(observed.events, `GET health/events${context}`).toStrictEqual(expected.events);
      expect(observed.uptime, `GET uptime bucket.days${context}`).toStrictEqual(expected.uptime);
      expect(observed.stats, `POST stats bucket${context}`).toStrictEqual(expected.stats);
    };

    for (const { gap, action } of raw.steps) {
      switch (gap.kind) {
        case 'none':
          break;
        case 'ms':
        case 'long':
          advance(gap.ms);
          break;
        case 'silence': {
          const last = lastReportOf(gap.node);
          const target = last === undefined ? api.now : last + STALE + gap.delta;
          advance(target > api.now ? target - api.now : 1);
          break;
        }
        case 'midnight': {
          const next = Math.floor(api.now / DAY) * DAY + DAY + gap.delta;
          advance(next > api.now ? next - api.now : next + DAY - api.now);
          break;
        }
      }
      // Inputs at the creation's millisecond are not inputs of the timeline (it starts there):
      // every action comes later.
      if (api.now === world.createdAt) advance(1);
      switch (action.kind) {
        case 'report': {
          const i = action.node % nodes.length;
          free(`node${i}`);
          const node = await ensureAssigned(i);
          await world.report({ node, status: action.status });
          recorded(i);
          log(`report ${i} ${action.status}`);
          break;
        }
        case 'pending': {
          const i = action.node % nodes.length;
          free(`node${i}`);
          const node = await ensureAssigned(i);
          // Its earliest pending change: the previous report's silence when the gap is over
          // stale (the row moved on before any sweep recorded it), else the report's own.
          const previous = node.current?.reports.at(-1)?.at;
          const earliest =
            previous !== undefined && api.now - previous >= STALE ? previous + STALE : api.now;
          proxy.fail({
            kind: 'throttle',
            operation: 'PutItem',
            bodyIncludes: eventsPk(world.bucketId),
            times: Infinity,
          });
          try {
            if (await world.reportWithEventsPending(node, action.status)) {
              if (!pending.has(i)) pending.set(i, { at: earliest, sweptPast: false });
              log(`report ${i} ${action.status} (its changes pending)`);
            } else {
              log(`report ${i} ${action.status} (no change)`);
            }
          } finally {
            proxy.clear();
          }
          break;
        }
        case 'together': {
          const picked = [...new Set(action.nodes.map((n) => n % nodes.length))];
          if (picked.some((i) => touched.has(`node${i}`))) advance(1);
          for (const i of picked) touched.add(`node${i}`);
          const sent: Parameters<typeof world.report> = [];
          for (const [k, i] of picked.entries()) {
            sent.push({ node: await ensureAssigned(i), status: action.statuses[k] as Status });
          }
          await world.report(...sent);
          for (const i of picked) recorded(i);
          log(`together ${picked.map((i, k) => `${i} ${sent[k]?.status}`).join(', ')}`);
          break;
        }
        case 'toggle': {
          const i = action.node % nodes.length;
          free(`node${i}`);
          const node = nodes[i] as (typeof nodes)[number];
          if (node.current === undefined) {
            await world.assign(node);
            log(`assign ${i}`);
          } else {
            await world.unassign(node);
            recorded(i);
            log(`unassign ${i}`);
          }
          break;
        }
        case 'policy':
          free('policy');
          await world.setPolicy(action.percent);
          log(`policy ${action.percent}`);
          break;
        case 'window': {
          let start: number;
          if (action.start.kind === 'offset') {
            start = api.now + action.start.ms;
          } else {
            const last = lastReportOf(action.start.node);
            start = last === undefined ? api.now : last + STALE + action.start.delta;
          }
          // The route refuses a start more than 60 s in the past (its own tests).
          if (start < api.now - 60_000) start = api.now - 60_000;
          const id = await world.addWindow(start, start + action.length);
          const late = start <= settled;
          if (late && !LATE_WINDOWS) sweepOwed = true;
          log(
            `window ${id} [${iso(start)}, ${iso(start + action.length)})${late ? ' (late)' : ''}`,
          );
          break;
        }
        case 'endWindow': {
          const open = world.windows.filter((w) => !w.removed);
          const w = open[action.pick % Math.max(1, open.length)];
          if (w === undefined) break;
          const code = await world.deleteWindow(w.id);
          log(`delete window ${w.id}: ${code}`);
          break;
        }
        case 'sweep':
          await sweep();
          log('sweep');
          break;
        case 'check':
          await check(action.pageSize, action.dayPick);
          break;
      }
    }
    if (pending.size > 0 || sweepOwed) {
      // The end: past every pending row's stale + grace, the sweep records them; and once more.
      let until = api.now;
      for (const i of pending.keys()) {
        until = Math.max(until, (lastReportOf(i) as number) + STALE + SETTLE_MS);
      }
      advance(until - api.now);
      await sweep();
      log('sweep');
      advance(SETTLE_MS + 1);
      await sweep();
      log('sweep');
    }
    await check(raw.finalPageSize, raw.finalDayPick);
  } finally {
    nextDay = (Math.floor(api.now / DAY) + 2) * DAY;
  }
}

describe('the health API against the reference model (sections 8, 13, 15)', () => {
  beforeAll(async () => {
    const table = await createTestTable('health-api-model');
    proxy = await FaultProxy.start(table.endpoint);
    api = createHealthApi(table, {
      staleAfterSeconds: STALE_S,
      ingestClient: createDynamoClient({ endpoint: proxy.endpoint }),
    });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it(
    'GET health, health/events, uptime and stats equal the model at every checked instant',
    async () => {
      await fc.assert(fc.asyncProperty(rawArb, play), {
        numRuns: RUNS,
        endOnFailure: true,
        // A failing run again: its seed and path from the failure's message.
        ...(process.env.HEALTH_API_SEED && { seed: Number(process.env.HEALTH_API_SEED) }),
        ...(process.env.HEALTH_API_PATH && { path: process.env.HEALTH_API_PATH }),
      });
    },
    20 * 60_000,
  );
});
