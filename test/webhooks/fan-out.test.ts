// The fan-out's choice on the run's engine (functions/fan-out/fan-out.ts): one message per
// event x webhook that takes its type, each a message the delivery accepts (a waiting one with
// its check), and per batch each bucket's workspace, windows and each workspace's webhooks
// read once.
import { beforeAll, expect, it } from 'vitest';
import { createMaintenanceWindowStore } from '../../functions/data/maintenance-windows.ts';
import { createWebhookStore, type WebhookStore } from '../../functions/data/webhooks.ts';
import {
  type DeliveryMessage,
  parseDeliveryMessage,
  type RecordedEvent,
  type RecordedHealthEvent,
} from '../../functions/domain/alert-message.ts';
import { generateWebhookSecret } from '../../functions/domain/standard-webhooks.ts';
import { fanOutEvents } from '../../functions/fan-out/fan-out.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable } from '../support/table.ts';

let store: WebhookStore;
let seeder: Seeder;
let windows: ReturnType<typeof createMaintenanceWindowStore>;
const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  const { client, tableName } = await createTestTable('fan-out');
  store = createWebhookStore(client, tableName);
  seeder = new Seeder(client, tableName);
  windows = createMaintenanceWindowStore(client, tableName);
});

it('one accepted message per event x webhook of its type; each read once per batch', async () => {
  await seeder.put({ pk: 'WORKSPACE#ws-f', sk: 'META', orgId: 'org-1', name: 'w' });
  await seeder.bucket('bucket-f', { workspaceId: 'ws-f', orgId: 'org-1' });
  const hooks = [
    { minDurationSeconds: 0 },
    { minDurationSeconds: 30, events: ['node.status_changed' as const] },
  ];
  for (const [slot, spec] of hooks.entries()) {
    const stored = await store.putWebhook('ws-f', {
      webhookId: `wh_f${slot}`,
      slot,
      url: `https://example.com/${slot}`,
      description: undefined,
      createdAt: iso(T0),
      secret: generateWebhookSecret(),
      ...spec,
    });
    expect(stored).toBe(true);
  }
  const calls = { workspace: 0, targets: 0, windows: 0 };
  const node = (id: string, at: number): RecordedEvent => ({
    id,
    bucketId: 'bucket-f',
    nodeId: 'n1',
    from: 'ONLINE',
    to: 'OFFLINE',
    at: iso(at),
  });
  const health: RecordedHealthEvent = {
    kind: 'health',
    id: 'hev_f',
    bucketId: 'bucket-f',
    from: 'OPERATIONAL',
    to: 'DEGRADED',
    at: iso(T0),
    counted: 2,
    online: 1,
  };
  const enqueued: DeliveryMessage[] = [];
  const { messages } = await fanOutEvents([node('ev_1', T0), node('ev_2', T0 + 1_000), health], {
    loadBucketWorkspace: (b) => {
      calls.workspace++;
      return store.loadBucketWorkspace(b);
    },
    listWebhookTargets: (w) => {
      calls.targets++;
      return store.listWebhookTargets(w);
    },
    loadWindows: (b) => {
      calls.windows++;
      return windows.loadWindows(b);
    },
    enqueue: async (batch) => {
      enqueued.push(...batch);
    },
    now: () => T0,
  });
  expect(calls).toEqual({ workspace: 1, targets: 1, windows: 1 });
  // Two node events to both webhooks, the health event to the first only.
  expect(messages).toHaveLength(5);
  expect(enqueued).toEqual(messages);
  for (const message of messages) {
    expect(parseDeliveryMessage(JSON.stringify(message))).toEqual(message);
  }
  const waiting = messages.filter((m) => m.webhookId === 'wh_f1');
  expect(waiting.map((m) => m.check)).toEqual([
    {
      subject: 'node',
      bucketId: 'bucket-f',
      nodeId: 'n1',
      to: 'OFFLINE',
      at: iso(T0),
      holdSeconds: 30,
    },
    {
      subject: 'node',
      bucketId: 'bucket-f',
      nodeId: 'n1',
      to: 'OFFLINE',
      at: iso(T0 + 1_000),
      holdSeconds: 30,
    },
  ]);
  expect(messages.filter((m) => m.webhookId === 'wh_f0').every((m) => m.check === undefined)).toBe(
    true,
  );
});
