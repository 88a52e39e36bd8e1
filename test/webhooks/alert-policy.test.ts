// The alert policy of webhooks (DESIGN.md sections 15 and 16) end to end through the local
// queue that npm start uses, on the run's engine and real HTTP receivers: events chosen by
// type, minDurationSeconds confirmed once against the recorded timeline (a flap within D
// delivers nothing, a change that holds is delivered once with its original `at`, a superseded
// change delivers only what held), D = 0 unchanged, node events inside a maintenance window
// silenced. The fan-out's clock is injectable: a change far in the past is checked at once, so
// no test waits on a timer but the one that exercises it (and that one asserts no time).
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeConfirmer } from '../../functions/data/alert-confirmation.ts';
import { createEventWriter } from '../../functions/data/events.ts';
import { createMaintenanceWindowStore } from '../../functions/data/maintenance-windows.ts';
import { createWebhookStore, type WebhookStore } from '../../functions/data/webhooks.ts';
import { postWebhook } from '../../functions/delivery/webhook-client.ts';
import type { RecordedHealthEvent } from '../../functions/domain/alert-message.ts';
import type { WebhookEventType } from '../../functions/domain/alert-policy.ts';
import type { NodeEvent } from '../../functions/domain/events.ts';
import type { NodeStatus } from '../../functions/domain/node-status.ts';
import {
  generateWebhookSecret,
  webhookMessageId,
} from '../../functions/domain/standard-webhooks.ts';
import { createLocalAlertQueue, type LocalAlertQueue } from '../../local/alert-queue.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable } from '../support/table.ts';
import { type Receiver, startReceiver } from './support.ts';

const STALE_SECONDS = 5;
let store: WebhookStore;
let seeder: Seeder;
let queue: LocalAlertQueue;
let recordEvents: ReturnType<typeof createEventWriter>;
let windows: ReturnType<typeof createMaintenanceWindowStore>;
/** The fan-out's clock; undefined: the real one. */
let clock: number | undefined;
const lines: string[] = [];
const receivers: Receiver[] = [];
let counter = 0;

beforeAll(async () => {
  const { client, tableName } = await createTestTable('alert-policy');
  store = createWebhookStore(client, tableName);
  seeder = new Seeder(client, tableName);
  recordEvents = createEventWriter(client, tableName, { retentionDays: 90 });
  windows = createMaintenanceWindowStore(client, tableName);
  queue = createLocalAlertQueue({
    fanOut: {
      loadBucketWorkspace: (b) => store.loadBucketWorkspace(b),
      listWebhookTargets: (w) => store.listWebhookTargets(w),
      loadWindows: windows.loadWindows,
      now: () => clock ?? Date.now(),
    },
    attempt: {
      loadWebhookForDelivery: (w, s, id) => store.loadWebhookForDelivery(w, s, id),
      post: postWebhook,
      policy: { allowLoopback: true },
      confirm: createChangeConfirmer(client, tableName, {
        staleAfterSeconds: STALE_SECONDS,
        loadWindows: windows.loadWindows,
      }),
    },
    retryBaseSeconds: 0.01,
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await queue.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

interface HookSpec {
  events?: WebhookEventType[];
  minDurationSeconds?: number;
}

/** A bucket in its own workspace, one webhook (and receiver) per spec. */
async function setup(specs: HookSpec[]) {
  counter++;
  const workspaceId = `ws-${counter}`;
  const bucketId = `bucket-${counter}`;
  await seeder.put({ pk: `WORKSPACE#${workspaceId}`, sk: 'META', orgId: 'org-1', name: 'w' });
  await seeder.bucket(bucketId, { workspaceId, orgId: 'org-1' });
  const hooks = [];
  for (const [slot, spec] of specs.entries()) {
    const receiver = await startReceiver((_q, s) => s.writeHead(204).end());
    receivers.push(receiver);
    const hook = {
      webhookId: `wh_${counter}_${slot}`,
      slot,
      url: receiver.url,
      description: undefined,
      createdAt: new Date().toISOString(),
      secret: generateWebhookSecret(),
      ...spec,
    };
    expect(await store.putWebhook(workspaceId, hook)).toBe(true);
    hooks.push({ ...hook, receiver });
  }
  return { workspaceId, bucketId, hooks };
}

/** The node's bucket row as the last accepted report left it. */
const nodeRow = (bucketId: string, nodeId: string, status: NodeStatus, lastAtMs: number) =>
  seeder.put({
    pk: `BUCKET#${bucketId}`,
    sk: `NODE#${nodeId}`,
    status,
    lastAt: lastAtMs,
    lastUpdated: new Date(lastAtMs).toISOString(),
  });

const iso = (ms: number) => new Date(ms).toISOString();

/** Records the changes as the event writer does, then hands them to the queue; waits for it. */
async function changes(bucketId: string, nodeId: string, list: [NodeStatus, NodeStatus, number][]) {
  const events: NodeEvent[] = list.map(([from, to, at]) => ({
    bucketId,
    nodeId,
    from,
    to,
    at: iso(at),
  }));
  const recorded = await recordEvents(events);
  expect(recorded).toHaveLength(events.length);
  queue.onEventsRecorded(recorded);
  await queue.idle();
  return recorded;
}

/**
 * What a receiver got: the verified bodies, by type (node events first) and instant (a batch's
 * deliveries run in parallel, so their arrival order is not theirs).
 */
const received = (hook: { receiver: Receiver; secret: string }) =>
  hook.receiver.requests
    .map(
      (r) =>
        new Webhook(hook.secret).verify(r.body, r.headers as Record<string, string>) as {
          type: string;
          data: Record<string, unknown>;
        },
    )
    .sort(
      (a, b) => b.type.localeCompare(a.type) || String(a.data.at).localeCompare(String(b.data.at)),
    );

/** A moment an hour ago: every check of these tests is about the past. */
const past = () => Date.now() - 3_600_000;

describe('minDurationSeconds on node events', () => {
  it('a flap shorter than D delivers nothing; the webhook with D = 0 gets both changes at once', async () => {
    const { bucketId, hooks } = await setup([
      { minDurationSeconds: 10 },
      { minDurationSeconds: 0 },
    ]);
    const [waits, now] = hooks as [(typeof hooks)[0], (typeof hooks)[0]];
    const t0 = past();
    clock = t0 + 60_000;
    // ONLINE -> OFFLINE, back to ONLINE 2 s later; reports go on (the last one at t0 + 10 s).
    await nodeRow(bucketId, 'node-1', 'ONLINE', t0 + 10_000);
    const recorded = await changes(bucketId, 'node-1', [
      ['ONLINE', 'OFFLINE', t0],
      ['OFFLINE', 'ONLINE', t0 + 2_000],
    ]);
    expect(received(waits)).toEqual([]);
    expect(received(now).map((b) => [b.data.from, b.data.to, b.data.at])).toEqual([
      ['ONLINE', 'OFFLINE', iso(t0)],
      ['OFFLINE', 'ONLINE', iso(t0 + 2_000)],
    ]);
    // D = 0 is exactly as before: the same webhook-id per event and webhook.
    expect(now.receiver.requests.map((r) => r.headers['webhook-id']).sort()).toEqual(
      recorded.map((e) => webhookMessageId(e.id, now.webhookId)).sort(),
    );
    const ids = recorded.map((e) => webhookMessageId(e.id, waits.webhookId));
    expect(
      lines.filter((l) => l.startsWith('[webhook] not-held') && ids.some((id) => l.includes(id))),
    ).toHaveLength(2);
  });

  it('a change that holds is delivered once, with its original `at` and the usual webhook-id', async () => {
    const { bucketId, hooks } = await setup([{ minDurationSeconds: 10 }]);
    const hook = hooks[0] as (typeof hooks)[0];
    const t0 = past();
    clock = t0 + 60_000;
    // OFFLINE from t0, reported again at t0 + 8 s: still OFFLINE (not stale) at t0 + 10 s.
    await nodeRow(bucketId, 'node-1', 'OFFLINE', t0 + 8_000);
    const [event] = await changes(bucketId, 'node-1', [['ONLINE', 'OFFLINE', t0]]);
    const bodies = received(hook);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      type: 'node.status_changed',
      data: { bucketId, host: 'node-1', from: 'ONLINE', to: 'OFFLINE', at: iso(t0) },
    });
    expect(hook.receiver.requests[0]?.headers['webhook-id']).toBe(
      webhookMessageId(event?.id as string, hook.webhookId),
    );
  });

  it('a change whose node went silent within D is not delivered (the silence is not recorded yet)', async () => {
    const { bucketId, hooks } = await setup([{ minDurationSeconds: 10 }]);
    const t0 = past();
    clock = t0 + 60_000;
    // The OFFLINE report at t0 was the last: DISCONNECTED at t0 + stale (5 s), before t0 + 10 s.
    await nodeRow(bucketId, 'node-1', 'OFFLINE', t0);
    await changes(bucketId, 'node-1', [['ONLINE', 'OFFLINE', t0]]);
    expect(received(hooks[0] as (typeof hooks)[0])).toEqual([]);
  });

  it('a superseded change (ONLINE -> OFFLINE -> DISCONNECTED inside D) delivers only what held', async () => {
    const { bucketId, hooks } = await setup([{ minDurationSeconds: 10 }]);
    const t0 = past();
    clock = t0 + 60_000;
    await nodeRow(bucketId, 'node-1', 'OFFLINE', t0);
    await changes(bucketId, 'node-1', [
      ['ONLINE', 'OFFLINE', t0],
      ['OFFLINE', 'DISCONNECTED', t0 + STALE_SECONDS * 1000],
    ]);
    expect(
      received(hooks[0] as (typeof hooks)[0]).map((b) => [b.data.from, b.data.to, b.data.at]),
    ).toEqual([['OFFLINE', 'DISCONNECTED', iso(t0 + STALE_SECONDS * 1000)]]);
  });

  it('a change recorded late (the sweep) is checked at once; another node of the bucket does not count', async () => {
    const { bucketId, hooks } = await setup([{ minDurationSeconds: 10 }]);
    const t0 = past();
    clock = t0 + 60_000;
    await nodeRow(bucketId, 'node-1', 'ONLINE', t0 - STALE_SECONDS * 1000);
    await nodeRow(bucketId, 'node-2', 'ONLINE', t0 + 1_000);
    await changes(bucketId, 'node-2', [['ONLINE', 'OFFLINE', t0 + 1_000]]);
    // node-2's report was not node-1's: node-1's DISCONNECTED held.
    await changes(bucketId, 'node-1', [['ONLINE', 'DISCONNECTED', t0]]);
    expect(received(hooks[0] as (typeof hooks)[0]).map((b) => [b.data.host, b.data.to])).toEqual([
      ['node-1', 'DISCONNECTED'],
    ]);
  });

  it('on the real clock the delivery waits for at + D on a timer, then is checked once', async () => {
    const { bucketId, hooks } = await setup([{ minDurationSeconds: 1 }]);
    const hook = hooks[0] as (typeof hooks)[0];
    clock = undefined;
    const t0 = Date.now();
    await nodeRow(bucketId, 'node-1', 'ONLINE', t0);
    await changes(bucketId, 'node-1', [['DISCONNECTED', 'ONLINE', t0]]);
    // idle() waited for the timer: delivered once, not before at + D.
    const bodies = received(hook);
    expect(bodies.map((b) => b.data.at)).toEqual([iso(t0)]);
    const sent = Number(hook.receiver.requests[0]?.headers['webhook-timestamp']);
    expect(sent * 1000 + 999).toBeGreaterThanOrEqual(t0 + 1_000);
  });
  it('a change that holds is sent when the clock reaches at + D, signed then, carrying its original `at` (simulated clock)', async () => {
    const { bucketId, hooks } = await setup([{ minDurationSeconds: 30 }]);
    const hook = hooks[0] as (typeof hooks)[0];
    const t0 = past();
    let now = t0;
    const timers = new Set<{ due: number; run: () => void }>();
    const simulated = createLocalAlertQueue({
      fanOut: {
        loadBucketWorkspace: (b) => store.loadBucketWorkspace(b),
        listWebhookTargets: (w) => store.listWebhookTargets(w),
        loadWindows: windows.loadWindows,
        now: () => now,
      },
      attempt: {
        loadWebhookForDelivery: (w, s, id) => store.loadWebhookForDelivery(w, s, id),
        post: postWebhook,
        policy: { allowLoopback: true },
        confirm: createChangeConfirmer(seeder.client, seeder.tableName, {
          staleAfterSeconds: STALE_SECONDS,
          loadWindows: windows.loadWindows,
        }),
        now: () => now,
      },
      retryBaseSeconds: 1,
      log: (line) => lines.push(line),
      timers: {
        setTimeout: (run, ms) => {
          const timer = { due: now + ms, run };
          timers.add(timer);
          return timer;
        },
        clearTimeout: (timer) => timers.delete(timer as { due: number; run: () => void }),
      },
    });
    // OFFLINE at t0, reported again 28 s later: still OFFLINE (not stale) at t0 + 30 s.
    await nodeRow(bucketId, 'node-1', 'OFFLINE', t0 + 28_000);
    const [event] = await recordEvents([
      { bucketId, nodeId: 'node-1', from: 'ONLINE', to: 'OFFLINE', at: iso(t0) },
    ]);
    // Fanned out 250 ms after `at`.
    now = t0 + 250;
    simulated.onEventsRecorded([event as NonNullable<typeof event>]);
    await simulated.settled();
    // It waits: nothing sent, one timer, due at at + D (its wait rounded up to whole seconds).
    expect(hook.receiver.requests).toEqual([]);
    const [timer] = [...timers];
    expect(timers.size).toBe(1);
    expect(timer?.due).toBe(t0 + 30_250);
    now = timer?.due as number;
    timers.clear();
    timer?.run();
    await simulated.idle();
    // (The simulated clock is an hour behind: the body is read as it is, not verified here.)
    const bodies = hook.receiver.requests.map(
      (r) => JSON.parse(r.body) as { data: { to: string; at: string } },
    );
    expect(bodies.map((b) => [b.data.to, b.data.at])).toEqual([['OFFLINE', iso(t0)]]);
    // Signed when the clock reached the check: within a second of at + D.
    const sent = Number(hook.receiver.requests[0]?.headers['webhook-timestamp']) * 1000;
    expect(sent).toBeGreaterThanOrEqual(t0 + 30_000 - 1_000);
    expect(sent).toBeLessThanOrEqual(t0 + 31_000);
    await simulated.stop();
  });
});

describe('event types', () => {
  const healthRow = (bucketId: string, from: string, to: string, at: number, id: string) =>
    seeder.put({
      pk: `HEALTH#${bucketId}`,
      sk: `E#${iso(at)}#${to}`,
      id,
      from,
      to,
      at: iso(at),
      counted: 2,
      online: to === 'OPERATIONAL' ? 2 : to === 'DEGRADED' ? 1 : 0,
    });
  const healthEvent = (
    bucketId: string,
    from: string,
    to: string,
    at: number,
    id: string,
  ): RecordedHealthEvent => ({
    kind: 'health',
    id,
    bucketId,
    from,
    to,
    at: iso(at),
    counted: 2,
    online: to === 'OPERATIONAL' ? 2 : to === 'DEGRADED' ? 1 : 0,
  });

  it('a webhook for bucket health only gets no node event; one for node events gets no health event', async () => {
    const { workspaceId, bucketId, hooks } = await setup([
      { events: ['bucket.health_changed'] },
      { events: ['node.status_changed'] },
      {},
    ]);
    const [health, nodes, both] = hooks as [
      (typeof hooks)[0],
      (typeof hooks)[0],
      (typeof hooks)[0],
    ];
    const t0 = past();
    clock = t0 + 60_000;
    await nodeRow(bucketId, 'node-1', 'OFFLINE', t0);
    await changes(bucketId, 'node-1', [['ONLINE', 'OFFLINE', t0]]);
    await healthRow(bucketId, 'OPERATIONAL', 'DEGRADED', t0, 'hev_1');
    queue.onEventsRecorded([healthEvent(bucketId, 'OPERATIONAL', 'DEGRADED', t0, 'hev_1')]);
    await queue.idle();
    expect(received(health)).toEqual([
      {
        type: 'bucket.health_changed',
        timestamp: iso(clock),
        data: {
          workspaceId,
          bucketId,
          from: 'OPERATIONAL',
          to: 'DEGRADED',
          at: iso(t0),
          nodes: { counted: 2, online: 1 },
        },
      },
    ]);
    expect(health.receiver.requests[0]?.headers['webhook-id']).toBe(
      webhookMessageId('hev_1', health.webhookId),
    );
    expect(received(nodes).map((b) => b.type)).toEqual(['node.status_changed']);
    expect(received(both).map((b) => b.type)).toEqual([
      'node.status_changed',
      'bucket.health_changed',
    ]);
  });

  it('health changes with D: a flap within D delivers nothing, a change that holds is delivered once', async () => {
    const { bucketId, hooks } = await setup([
      { events: ['bucket.health_changed'], minDurationSeconds: 10 },
    ]);
    const hook = hooks[0] as (typeof hooks)[0];
    const t0 = past();
    clock = t0 + 600_000;
    const list: [string, string, number][] = [
      ['OPERATIONAL', 'MAJOR_OUTAGE', t0],
      ['MAJOR_OUTAGE', 'OPERATIONAL', t0 + 3_000],
      ['OPERATIONAL', 'DEGRADED', t0 + 60_000],
      ['DEGRADED', 'MAINTENANCE', t0 + 120_000],
      ['MAINTENANCE', 'DEGRADED', t0 + 125_000],
      ['DEGRADED', 'PARTIAL_OUTAGE', t0 + 128_000],
    ];
    for (const [i, [from, to, at]] of list.entries())
      await healthRow(bucketId, from, to, at, `hev_${i}`);
    queue.onEventsRecorded(
      list.map(([from, to, at], i) => healthEvent(bucketId, from, to, at, `hev_${i}`)),
    );
    await queue.idle();
    // A health event the sweep's recomputation deleted again (its row is gone) did not happen.
    queue.onEventsRecorded([
      healthEvent(bucketId, 'PARTIAL_OUTAGE', 'UNKNOWN', t0 + 300_000, 'hev_gone'),
    ]);
    await queue.idle();
    // The outage undone in 3 s: nothing. DEGRADED held. The MAINTENANCE of 5 s was superseded
    // by a run ending in PARTIAL_OUTAGE, which held: that is delivered.
    expect(received(hook).map((b) => [b.data.to, b.data.at])).toEqual([
      ['DEGRADED', iso(t0 + 60_000)],
      ['PARTIAL_OUTAGE', iso(t0 + 128_000)],
    ]);
  });
});

describe('maintenance windows', () => {
  it('node events inside an active window are not delivered; the health events into and out of MAINTENANCE are', async () => {
    const { bucketId, hooks } = await setup([{}, { minDurationSeconds: 10 }]);
    const [now, waits] = hooks as [(typeof hooks)[0], (typeof hooks)[0]];
    const t0 = past();
    clock = t0 + 600_000;
    await windows.addWindow(bucketId, { start: t0, end: t0 + 60_000, reason: 'upgrade' }, t0);
    await nodeRow(bucketId, 'node-1', 'ONLINE', t0 + 120_000);
    await changes(bucketId, 'node-1', [
      ['ONLINE', 'OFFLINE', t0 + 1_000],
      ['OFFLINE', 'ONLINE', t0 + 59_999],
      ['ONLINE', 'OFFLINE', t0 + 60_000],
      ['OFFLINE', 'ONLINE', t0 + 100_000],
    ]);
    // [start, end): the change at end is outside the window.
    expect(received(now).map((b) => [b.data.to, b.data.at])).toEqual([
      ['OFFLINE', iso(t0 + 60_000)],
      ['ONLINE', iso(t0 + 100_000)],
    ]);
    // With D: the OFFLINE at the window's end held 40 s; the ONLINE after it holds.
    expect(received(waits).map((b) => [b.data.to, b.data.at])).toEqual([
      ['OFFLINE', iso(t0 + 60_000)],
      ['ONLINE', iso(t0 + 100_000)],
    ]);
    const health: RecordedHealthEvent[] = [
      {
        kind: 'health',
        id: 'hev_in',
        bucketId,
        from: 'OPERATIONAL',
        to: 'MAINTENANCE',
        at: iso(t0),
        counted: 1,
        online: 1,
      },
      {
        kind: 'health',
        id: 'hev_out',
        bucketId,
        from: 'MAINTENANCE',
        to: 'OPERATIONAL',
        at: iso(t0 + 60_000),
        counted: 1,
        online: 1,
      },
    ];
    queue.onEventsRecorded(health);
    await queue.idle();
    expect(
      received(now)
        .filter((b) => b.type === 'bucket.health_changed')
        .map((b) => [b.type, b.data.to]),
    ).toEqual([
      ['bucket.health_changed', 'MAINTENANCE'],
      ['bucket.health_changed', 'OPERATIONAL'],
    ]);
  });
});
