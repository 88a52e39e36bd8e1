/**
 * The hard orders of issue 21 through the API (DESIGN.md sections 8, 13 and 15), on the run's
 * engine with the production wiring and one simulated clock: a silent node noticed after a later
 * report of another node; the same node change delivered twice; two nodes of one bucket changing
 * in the same millisecond; a window that starts while a node is DISCONNECTED; a window deleted
 * while active. At each instant that matters, GET health, every health event, uptime's and
 * stats' bucket figures equal the reference model (test/support/health-model.ts), and the
 * health events are spelled out by hand as well.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEventWriter, eventsPk } from '../../functions/data/events.ts';
import { createHealthMarker } from '../../functions/data/health-marks.ts';
import { healthEventId } from '../../functions/domain/events.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { type BucketWorld, createHealthApi, type HealthApi } from '../support/health-api.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

const STALE_S = 60;
const STALE = STALE_S * 1000;
const MINUTE = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

let table: TestTable;
let api: HealthApi;
/** Each test on a day of its own (the sweep runs over the whole table). */
let nextDay = Date.parse('2027-03-01T00:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('health-api-orders');
  api = createHealthApi(table, { staleAfterSeconds: STALE_S });
});

/** A bucket created at 10:00 of a fresh day, with `count` nodes assigned then. */
async function bucketWith(count: number) {
  const t0 = nextDay + 10 * 60 * MINUTE;
  nextDay += 3 * DAY;
  api.now = t0;
  const world = await api.newBucket();
  const nodes = [];
  for (let i = 0; i < count; i++) {
    const node = await world.addNode();
    await world.assign(node);
    nodes.push(node);
  }
  api.now = t0 + 1;
  return { world, nodes, t0 };
}

/** GET health, health/events (pages of 1 and whole), uptime and stats equal the model now. */
async function expectModel(world: BucketWorld) {
  const statsDay = world.days().at(-1) as string;
  const expected = world.expected({ statsDay });
  for (const pageSize of [1, undefined]) {
    const observed = await world.observe({ statsDay, ...(pageSize && { pageSize }) });
    expect(observed, `at ${iso(api.now)}`).toStrictEqual(expected);
  }
}

/** The health events, oldest first, as [from, to, at, counted, online]. */
async function changes(world: BucketWorld) {
  const events = await world.allHealthEvents();
  for (const e of events) {
    expect(e.id).toBe(healthEventId(world.bucketId, e.at as string, e.to as string));
  }
  return events
    .map((e) => {
      const { counted, online } = e.nodes as { counted: number; online: number };
      return [e.from, e.to, e.at, counted, online];
    })
    .reverse();
}

describe('hard orders through the API, against the reference model', () => {
  it('a silent node noticed by the sweep after a later report of another node', async () => {
    const { world, nodes, t0 } = await bucketWith(2);
    const [a, b] = nodes as [BucketWorld['nodes'][number], BucketWorld['nodes'][number]];
    api.now = t0 + 1000;
    await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'ONLINE' });
    // b keeps reporting; a is silent from t0 + 1 s (its silence at t0 + 1 s + stale).
    for (const s of [20, 40, 60]) {
      api.now = t0 + 1000 + s * 1000;
      await world.report({ node: b, status: 'ONLINE' });
    }
    const silence = t0 + 1000 + STALE;
    // b's change to OFFLINE 30 s after a's silence is recorded (and marks the bucket) first.
    api.now = silence + 30_000;
    await world.report({ node: b, status: 'OFFLINE' });
    await expectModel(world);
    // The sweep records a's silence now, at its own instant, behind b's change.
    api.now = silence + 45_000;
    const run = await api.sweep();
    expect(run.recorded).toBeGreaterThanOrEqual(1);
    await expectModel(world);
    api.now = silence + 5 * MINUTE;
    await api.sweep();
    await expectModel(world);
    expect(await changes(world)).toStrictEqual([
      ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1000), 2, 2],
      ['OPERATIONAL', 'DEGRADED', iso(silence), 2, 1],
      ['DEGRADED', 'MAJOR_OUTAGE', iso(silence + 30_000), 2, 0],
    ]);
  });

  it('the same node change delivered twice (a retry, the stream) is one health event, before and after the sweep settled it', async () => {
    const { world, nodes, t0 } = await bucketWith(2);
    const [a, b] = nodes as [BucketWorld['nodes'][number], BucketWorld['nodes'][number]];
    api.now = t0 + 1000;
    await world.report({ node: a, status: 'ONLINE' });
    api.now = t0 + 2000;
    await world.report({ node: b, status: 'ONLINE' });
    api.now = t0 + 30_000;
    await world.report({ node: a, status: 'OFFLINE' });
    const writer = createEventWriter(table.client, table.tableName, {
      retentionDays: 90,
      markHealth: createHealthMarker(table.client, table.tableName),
      now: () => api.now,
    });
    const again = {
      bucketId: world.bucketId,
      nodeId: a.nodeId,
      ip: '203.0.113.7',
      region: 'us-east-1',
      from: 'ONLINE',
      to: 'OFFLINE',
      at: iso(t0 + 30_000),
    } as const;
    // Delivered again before the sweep...
    api.now = t0 + 35_000;
    await writer([again]);
    await expectModel(world);
    // ...and again after the sweep settled past it (a late input: its day is recomputed).
    api.now = t0 + 2 * MINUTE;
    await api.sweep();
    await writer([again]);
    await expectModel(world);
    api.now = t0 + 4 * MINUTE;
    await api.sweep();
    await expectModel(world);
    // a's silence (t0 + 30 s + stale) and b's (t0 + 2 s + stale): DEGRADED, then MAJOR_OUTAGE.
    expect(await changes(world)).toStrictEqual([
      ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1000), 1, 1],
      ['OPERATIONAL', 'DEGRADED', iso(t0 + 30_000), 2, 1],
      ['DEGRADED', 'MAJOR_OUTAGE', iso(t0 + 2000 + STALE), 2, 0],
    ]);
  });

  it('two nodes of one bucket changing in the same millisecond make one health event (reports and silences)', async () => {
    const { world, nodes, t0 } = await bucketWith(3);
    const [a, b, c] = nodes as [
      BucketWorld['nodes'][number],
      BucketWorld['nodes'][number],
      BucketWorld['nodes'][number],
    ];
    api.now = t0 + 1000;
    await world.report(
      { node: a, status: 'ONLINE' },
      { node: b, status: 'ONLINE' },
      { node: c, status: 'ONLINE' },
    );
    // a and b say OFFLINE in one millisecond, sent at once: 3 -> 1 online (q = 2) directly.
    api.now = t0 + 20_000;
    await world.report({ node: a, status: 'OFFLINE' }, { node: b, status: 'OFFLINE' });
    await expectModel(world);
    api.now = t0 + 30_000;
    await world.report({ node: c, status: 'ONLINE' });
    // a and b fall silent in one millisecond too (OFFLINE -> DISCONNECTED: no verdict change),
    // then c alone: PARTIAL_OUTAGE -> MAJOR_OUTAGE at c's silence.
    api.now = t0 + 20_000 + STALE + 1;
    await expectModel(world);
    api.now = t0 + 20_000 + STALE + 15_000;
    await api.sweep();
    await expectModel(world);
    api.now = t0 + 30_000 + STALE + 30_000;
    await api.sweep();
    await expectModel(world);
    expect(await changes(world)).toStrictEqual([
      ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1000), 3, 3],
      ['OPERATIONAL', 'PARTIAL_OUTAGE', iso(t0 + 20_000), 3, 1],
      ['PARTIAL_OUTAGE', 'MAJOR_OUTAGE', iso(t0 + 30_000 + STALE), 3, 0],
    ]);
  });

  it('a window that starts while a node is DISCONNECTED, with and without a sweep noticing it', async () => {
    for (const swept of [false, true]) {
      const { world, nodes, t0 } = await bucketWith(1);
      const [a] = nodes as [BucketWorld['nodes'][number]];
      api.now = t0 + 1000;
      await world.report({ node: a, status: 'ONLINE' });
      const silence = t0 + 1000 + STALE;
      api.now = silence + MINUTE;
      const start = silence + 5 * MINUTE;
      const end = start + 10 * MINUTE;
      await world.addWindow(start, end, 'disk swap');
      for (const t of [start - 1, start, start + MINUTE, end - 1, end, end + MINUTE]) {
        api.now = t;
        if (swept) await api.sweep();
        await expectModel(world);
      }
      expect(await changes(world)).toStrictEqual([
        ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1000), 1, 1],
        ['OPERATIONAL', 'MAJOR_OUTAGE', iso(silence), 1, 0],
        ['MAJOR_OUTAGE', 'MAINTENANCE', iso(start), 1, 0],
        ['MAINTENANCE', 'MAJOR_OUTAGE', iso(end), 1, 0],
      ]);
    }
  });

  it('a window deleted while active ends at the delete instant, and MAINTENANCE with it', async () => {
    const { world, nodes, t0 } = await bucketWith(1);
    const [a] = nodes as [BucketWorld['nodes'][number]];
    api.now = t0 + 1000;
    await world.report({ node: a, status: 'ONLINE' });
    const start = t0 + 10_000;
    const id = await world.addWindow(start, start + 60 * MINUTE);
    for (let s = 20; s <= 120; s += 20) {
      api.now = t0 + 1000 + s * 1000;
      await world.report({ node: a, status: 'ONLINE' });
    }
    api.now = t0 + 2 * MINUTE + 30_000;
    await api.sweep(); // settles into the window
    const deletedAt = api.now + 123;
    api.now = deletedAt;
    expect(await world.deleteWindow(id)).toBe(204);
    await expectModel(world);
    expect((await world.observe()).health).not.toHaveProperty('maintenance');
    api.now = deletedAt + MINUTE;
    await api.sweep();
    await expectModel(world);
    // Ended now: a second delete is a 409.
    expect(await world.deleteWindow(id)).toBe(409);
    expect(await changes(world)).toStrictEqual([
      ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1000), 1, 1],
      ['OPERATIONAL', 'MAINTENANCE', iso(start), 1, 1],
      ['MAINTENANCE', 'OPERATIONAL', iso(deletedAt), 1, 1],
      // a's last report (t0 + 121 s) goes stale.
      ['OPERATIONAL', 'MAJOR_OUTAGE', iso(t0 + 121_000 + STALE), 1, 0],
    ]);
    const today = (await world.observe()).uptime.at(-1) as Record<string, unknown>;
    expect(today.maintenance_seconds).toBe((deletedAt - start) / 1000);
  });

  it('a window created with its start before the settled instant (a late input) is where it started once the sweep recomputed', async () => {
    const { world, nodes, t0 } = await bucketWith(1);
    const [a] = nodes as [BucketWorld['nodes'][number]];
    api.now = t0 + 1000;
    await world.report({ node: a, status: 'ONLINE' });
    api.now = t0 + 40_000;
    await world.report({ node: a, status: 'ONLINE' });
    api.now = t0 + 60_000;
    await api.sweep(); // settles t0 + 49 s
    const start = t0 + 45_000; // 45 s ago, before the checkpoint
    api.now = t0 + 90_000;
    await world.addWindow(start, start + 10 * MINUTE);
    api.now = t0 + 120_000;
    await api.sweep();
    await expectModel(world);
    expect(await changes(world)).toStrictEqual([
      ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1000), 1, 1],
      ['OPERATIONAL', 'MAINTENANCE', iso(start), 1, 1],
    ]);
  });

  it("a report's change recorded late (its event write failed; the node's next report records it) is at its instant once the sweep recomputed", async () => {
    const proxy = await FaultProxy.start(table.endpoint);
    try {
      const viaProxy = createHealthApi(
        { ...table, client: createDynamoClient({ endpoint: proxy.endpoint }) },
        { staleAfterSeconds: STALE_S },
      );
      const t0 = nextDay + 10 * 60 * MINUTE;
      nextDay += 3 * DAY;
      viaProxy.now = t0;
      const world = await viaProxy.newBucket();
      const a = await world.addNode();
      const b = await world.addNode();
      await world.assign(a);
      await world.assign(b);
      viaProxy.now = t0 + 1000;
      await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'ONLINE' });
      viaProxy.now = t0 + 10_000;
      proxy.fail({
        kind: 'throttle',
        operation: 'PutItem',
        bodyIncludes: eventsPk(world.bucketId),
        times: Infinity,
      });
      expect(await world.reportWithEventsPending(a, 'OFFLINE')).toBe(true);
      proxy.clear();
      viaProxy.now = t0 + 30_000;
      await world.report({ node: b, status: 'ONLINE' });
      // The sweep settles t0 + 49 s without a's change (pending on its row).
      viaProxy.now = t0 + 60_000;
      await viaProxy.sweep();
      // a's next report records the pending change (t0 + 10 s, before the checkpoint) and its own.
      viaProxy.now = t0 + 70_000;
      await world.report({ node: a, status: 'ONLINE' });
      viaProxy.now = t0 + 80_000;
      await world.report({ node: b, status: 'ONLINE' });
      viaProxy.now = t0 + 2 * MINUTE;
      await viaProxy.sweep();
      const statsDay = world.days().at(-1) as string;
      expect(await world.observe({ statsDay, pageSize: 1 })).toStrictEqual(
        world.expected({ statsDay }),
      );
      expect(await changes(world)).toStrictEqual([
        ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1000), 2, 2],
        ['OPERATIONAL', 'DEGRADED', iso(t0 + 10_000), 2, 1],
        ['DEGRADED', 'OPERATIONAL', iso(t0 + 70_000), 2, 2],
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('a window created just after the bucket, starting before its creation', async () => {
    const { world, nodes, t0 } = await bucketWith(1);
    const [a] = nodes as [BucketWorld['nodes'][number]];
    api.now = t0 + 20_000;
    await world.addWindow(t0 - 30_000, t0 + 5 * MINUTE);
    api.now = t0 + 30_000;
    await world.report({ node: a, status: 'ONLINE' });
    api.now = t0 + MINUTE;
    await api.sweep();
    api.now = t0 + 6 * MINUTE;
    await api.sweep();
    await expectModel(world);
  });

  it('a late window read before the sweep recomputes: the reads compute its day again from its start', async () => {
    // A window created with a start up to 60 s in the past lands before the stored checkpoint;
    // until the sweep's next run recomputes the day, the reads do the same from the day's entry.
    const { world, nodes, t0 } = await bucketWith(1);
    const [a] = nodes as [BucketWorld['nodes'][number]];
    api.now = t0 + 1000;
    await world.report({ node: a, status: 'ONLINE' });
    api.now = t0 + 40_000;
    await world.report({ node: a, status: 'ONLINE' });
    api.now = t0 + 60_000;
    await api.sweep(); // settles t0 + 49 s
    api.now = t0 + 90_000;
    await world.addWindow(t0 + 45_000, t0 + 45_000 + 10 * MINUTE);
    await expectModel(world);
  });

  it("a late input read before the sweep recomputes, with the day's earlier inputs older than the read's tail bound", async () => {
    // The reads' first round trip reads the inputs of the last 5 minutes; recomputing the day
    // from its start needs those before that bound too (a second read), whatever the mark says.
    const { world, nodes, t0 } = await bucketWith(1);
    const [a] = nodes as [BucketWorld['nodes'][number]];
    api.now = t0 + 1000;
    await world.report({ node: a, status: 'ONLINE' });
    api.now = t0 + 50_000;
    await world.report({ node: a, status: 'OFFLINE' }); // silent from t0 + 110 s
    api.now = t0 + 10 * MINUTE;
    await api.sweep(); // settles t0 + 9 min 49 s
    api.now = t0 + 10 * MINUTE + 30_000;
    await world.addWindow(t0 + 10 * MINUTE - 20_000, t0 + 20 * MINUTE);
    await expectModel(world);
    expect(await changes(world)).toStrictEqual([
      ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1000), 1, 1],
      ['OPERATIONAL', 'MAJOR_OUTAGE', iso(t0 + 50_000), 1, 0],
      ['MAJOR_OUTAGE', 'MAINTENANCE', iso(t0 + 10 * MINUTE - 20_000), 1, 0],
    ]);
  });

  it('a report after a silence the sweep recorded on an earlier day leaves a late window of today readable at once', async () => {
    // The report finds its predecessor's change to DISCONNECTED recorded (and marked) by the
    // sweep: it records nothing again, so no mark on the earlier day hides today's late window.
    const t0 = nextDay + 23 * 60 * MINUTE + 50 * MINUTE; // 23:50
    nextDay += 3 * DAY;
    api.now = t0;
    const world = await api.newBucket();
    const a = await world.addNode();
    await world.assign(a);
    api.now = t0 + 1;
    await world.report({ node: a, status: 'ONLINE' }); // silent from 23:51
    const midnight = t0 + 10 * MINUTE;
    api.now = midnight + 5 * MINUTE;
    await api.sweep(); // records the silence; settles 00:04:49
    api.now = midnight + 5 * MINUTE + 10_000;
    await world.addWindow(midnight + 270_000, midnight + 270_001); // late (before 00:04:49), today
    api.now = midnight + 6 * MINUTE;
    await world.report({ node: a, status: 'OFFLINE' });
    await expectModel(world);
    expect(await changes(world)).toStrictEqual([
      ['UNKNOWN', 'OPERATIONAL', iso(t0 + 1), 1, 1],
      ['OPERATIONAL', 'MAJOR_OUTAGE', iso(t0 + 1 + STALE), 1, 0],
      ['MAJOR_OUTAGE', 'MAINTENANCE', iso(midnight + 270_000), 1, 0],
      ['MAINTENANCE', 'MAJOR_OUTAGE', iso(midnight + 270_001), 1, 0],
    ]);
  });

  it('GET health at exactly a last report + stale: the node as GET status shows it, the change listed at that instant', async () => {
    // Section 2 shows a report's status while now - lastUpdated <= stale (inclusive); sections 9
    // and 13 put the change to DISCONNECTED at last + stale. At that one millisecond GET health
    // counts the node as GET status shows it, and its verdict and `since` are the timeline's of
    // 1 ms before; GET health/events already lists the change. 1 ms later both agree again.
    const { world, nodes, t0 } = await bucketWith(1);
    const [a] = nodes as [BucketWorld['nodes'][number]];
    api.now = t0 + 1000;
    await world.report({ node: a, status: 'ONLINE' });
    api.now = t0 + 1000 + STALE;
    const exact = await world.observe();
    expect(exact.health).toMatchObject({
      verdict: 'OPERATIONAL',
      since: new Date(t0 + 1000).toISOString(),
      nodes: { counted: 1, online: 1 },
    });
    expect(exact.events.map((e) => [e['to'], e['at']])).toContainEqual([
      'MAJOR_OUTAGE',
      new Date(t0 + 1000 + STALE).toISOString(),
    ]);
    api.now = t0 + 1001 + STALE;
    await expectModel(world);
  });
});
