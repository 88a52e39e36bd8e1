// The webhook store (functions/data/webhooks.ts) over the real engine: the ten slot rows of a
// workspace partition, what a listing and a delivery read back (never a half-written or stray
// row), the slot and id conditions that make create and delete race-safe, and outages that are
// a 503, never "slot taken" or "not found".
import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import {
  createWebhookStore,
  type WebhookStore,
  type WebhookWithSecret,
} from '../../functions/data/webhooks.ts';
import { errorResponse } from '../../functions/http/response.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type TableFixtures, tableFixtures } from '../support/table.ts';

let store: WebhookStore;

const it = tableFixtures('webhook-store');

it.beforeAll(async ({ table }) => {
  store = createWebhookStore(table.client, table.tableName);
});

const hook = (slot: number, overrides: Partial<WebhookWithSecret> = {}): WebhookWithSecret => ({
  webhookId: `wh_${slot}_${randomUUID().slice(0, 8)}`,
  slot,
  url: `https://hooks.example.com/${slot}`,
  description: `slot ${slot}`,
  createdAt: `2026-12-01T08:0${slot}:00.000Z`,
  secret: `whsec_${Buffer.from(`secret ${slot}`).toString('base64')}`,
  events:
    slot % 2 === 0 ? ['node.status_changed', 'bucket.health_changed'] : ['bucket.health_changed'],
  minDurationSeconds: slot * 10,
  ...overrides,
});
const { secret: _secret, ...summaryKeys } = hook(0);
type Summary = Required<typeof summaryKeys>;
const summary = ({ secret: _, ...rest }: WebhookWithSecret): Summary => rest as Summary;

/** A workspace with its META row; returns its id. */
async function workspace({ seed }: Pick<TableFixtures, 'seed'>, orgId = 'org-1') {
  const workspaceId = `ws-${randomUUID()}`;
  await seed.workspace(workspaceId, { orgId });
  return workspaceId;
}

describe('loadWorkspaceWebhooks', () => {
  it('reads META and the webhooks in slot order, without their secrets', async ({ seed }) => {
    const workspaceId = await workspace({ seed }, 'org-7');
    const hooks = [hook(7), hook(0, { description: undefined }), hook(3)];
    for (const h of hooks) expect(await store.putWebhook(workspaceId, h)).toBe(true);
    expect(await store.loadWorkspaceWebhooks(workspaceId)).toStrictEqual({
      workspace: { orgId: 'org-7' },
      webhooks: [hooks[1], hooks[2], hooks[0]].map((h) => summary(h as WebhookWithSecret)),
    });
    expect(await store.listWebhookTargets(workspaceId)).toStrictEqual(
      [hooks[1], hooks[2], hooks[0]].map((h) => summary(h as WebhookWithSecret)),
    );
  });

  it('a workspace without a META row is undefined, one without webhooks has none', async ({
    seed,
  }) => {
    expect(await store.loadWorkspaceWebhooks(`ws-${randomUUID()}`)).toStrictEqual({
      workspace: undefined,
      webhooks: [],
    });
    const workspaceId = await workspace({ seed });
    expect(await store.loadWorkspaceWebhooks(workspaceId)).toStrictEqual({
      workspace: { orgId: 'org-1' },
      webhooks: [],
    });
  });

  it('lists neither rows missing a field nor rows outside the ten slot keys', async ({ seed }) => {
    const workspaceId = await workspace({ seed });
    const kept = hook(2);
    expect(await store.putWebhook(workspaceId, kept)).toBe(true);
    const row = (sk: string, fields: Record<string, string | undefined> = {}) =>
      seed.put({
        pk: `WORKSPACE#${workspaceId}`,
        sk,
        webhookId: `wh_${sk}`,
        url: 'https://hooks.example.com/stray',
        createdAt: '2026-12-01T09:00:00.000Z',
        secret: 'whsec_c3RyYXk=',
        ...fields,
      });
    // A whole row written under the documented key layout is listed.
    await row('WEBHOOK#3');
    // Half-written rows in real slots.
    await row('WEBHOOK#4', { webhookId: undefined });
    await row('WEBHOOK#5', { url: undefined });
    await row('WEBHOOK#6', { createdAt: undefined });
    // Rows under keys that are no slot of a workspace of at most ten.
    for (const sk of [
      'WEBHOOK#10',
      'WEBHOOK#-1',
      'WEBHOOK#x',
      'WEBHOOK#',
      'WEBHOOK#01',
      'HOOK#3',
    ]) {
      await row(sk);
    }
    expect((await store.loadWorkspaceWebhooks(workspaceId)).webhooks).toStrictEqual([
      summary(kept),
      {
        webhookId: 'wh_WEBHOOK#3',
        slot: 3,
        url: 'https://hooks.example.com/stray',
        description: undefined,
        createdAt: '2026-12-01T09:00:00.000Z',
        // A row without the alert policy's fields (written before they existed): the defaults.
        events: ['node.status_changed', 'bucket.health_changed'],
        minDurationSeconds: 0,
      },
    ]);
  });

  it('unreadable policy fields read as the defaults; known event types keep their order', async ({
    seed,
    table,
  }) => {
    const workspaceId = await workspace({ seed });
    const row = (sk: string, events: string[], minDuration: number) =>
      table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: {
            pk: { S: `WORKSPACE#${workspaceId}` },
            sk: { S: sk },
            webhookId: { S: `wh_${sk.slice(8)}` },
            url: { S: 'https://hooks.example.com/odd' },
            createdAt: { S: '2026-12-01T09:00:00.000Z' },
            secret: { S: 'whsec_c3RyYXk=' },
            events: { L: events.map((S) => ({ S })) },
            minDuration: { N: String(minDuration) },
          },
        }),
      );
    await row('WEBHOOK#0', [], 901);
    await row('WEBHOOK#1', ['other'], -1);
    await row('WEBHOOK#2', ['bucket.health_changed', 'node.status_changed'], 900);
    await row('WEBHOOK#3', ['bucket.health_changed', 'other'], 1.5);
    const policies = (await store.loadWorkspaceWebhooks(workspaceId)).webhooks.map((w) => [
      w.events,
      w.minDurationSeconds,
    ]);
    const both = ['node.status_changed', 'bucket.health_changed'];
    expect(policies).toStrictEqual([
      [both, 0],
      [both, 0],
      [both, 900],
      [['bucket.health_changed'], 0],
    ]);
  });
});

describe('updateWebhook', () => {
  it('changes only the given fields of the slot that still holds the id, and answers the row', async ({
    seed,
  }) => {
    const workspaceId = await workspace({ seed });
    const h = hook(5);
    expect(await store.putWebhook(workspaceId, h)).toBe(true);
    const changed = await store.updateWebhook(workspaceId, 5, h.webhookId, {
      events: ['node.status_changed'],
      minDurationSeconds: 60,
    });
    expect(changed).toStrictEqual({
      ...summary(h),
      events: ['node.status_changed'],
      minDurationSeconds: 60,
    });
    const renamed = await store.updateWebhook(workspaceId, 5, h.webhookId, {
      url: 'https://moved.example.com/',
      description: undefined,
    });
    expect(renamed).toStrictEqual({
      ...(changed as Summary),
      url: 'https://moved.example.com/',
      description: undefined,
    });
    // The secret stays; another id or an empty slot changes nothing.
    expect((await store.loadWebhookForDelivery(workspaceId, 5, h.webhookId))?.secret).toBe(
      h.secret,
    );
    expect(
      await store.updateWebhook(workspaceId, 5, 'wh_other', { minDurationSeconds: 1 }),
    ).toBeUndefined();
    expect(
      await store.updateWebhook(workspaceId, 6, h.webhookId, { minDurationSeconds: 1 }),
    ).toBeUndefined();
    expect(await store.updateWebhook(workspaceId, 5, h.webhookId, {})).toStrictEqual(renamed);
  });
});

describe('putWebhook', () => {
  it('claims a free slot once: a second creator of the same slot gets false', async ({ seed }) => {
    const workspaceId = await workspace({ seed });
    const first = hook(4);
    expect(await store.putWebhook(workspaceId, first)).toBe(true);
    expect(await store.putWebhook(workspaceId, hook(4, { url: 'https://late.example.com/' }))).toBe(
      false,
    );
    expect(await store.loadWebhookForDelivery(workspaceId, 4, first.webhookId)).toStrictEqual(
      first,
    );
  });
});

describe('deleteWebhook', () => {
  it('deletes the slot only while it holds that webhook id', async ({ seed }) => {
    const workspaceId = await workspace({ seed });
    const old = hook(1);
    expect(await store.putWebhook(workspaceId, old)).toBe(true);
    expect(await store.deleteWebhook(workspaceId, 1, 'wh_someone_else')).toBe(false);
    expect(await store.deleteWebhook(workspaceId, 2, old.webhookId)).toBe(false);
    expect((await store.loadWorkspaceWebhooks(workspaceId)).webhooks).toStrictEqual([summary(old)]);
    expect(await store.deleteWebhook(workspaceId, 1, old.webhookId)).toBe(true);
    expect((await store.loadWorkspaceWebhooks(workspaceId)).webhooks).toStrictEqual([]);
    // A stale delete of the old id never removes the slot's next webhook.
    const next = hook(1);
    expect(await store.putWebhook(workspaceId, next)).toBe(true);
    expect(await store.deleteWebhook(workspaceId, 1, old.webhookId)).toBe(false);
    expect(await store.loadWebhookForDelivery(workspaceId, 1, next.webhookId)).toStrictEqual(next);
  });
});

describe('loadWebhookForDelivery', () => {
  it('returns the webhook with its secret, only for the id the slot holds', async ({ seed }) => {
    const workspaceId = await workspace({ seed });
    const h = hook(9, { description: undefined });
    expect(await store.putWebhook(workspaceId, h)).toBe(true);
    expect(await store.loadWebhookForDelivery(workspaceId, 9, h.webhookId)).toStrictEqual(h);
    expect(await store.loadWebhookForDelivery(workspaceId, 9, 'wh_other')).toBeUndefined();
    expect(await store.loadWebhookForDelivery(workspaceId, 8, h.webhookId)).toBeUndefined();
    expect(await store.loadWebhookForDelivery(`ws-${randomUUID()}`, 9, h.webhookId)).toBe(
      undefined,
    );
  });

  it('a row without a secret or without a URL is not delivered to', async ({ seed }) => {
    const workspaceId = await workspace({ seed });
    const base = { pk: `WORKSPACE#${workspaceId}`, createdAt: '2026-12-01T09:00:00.000Z' };
    await seed.put({
      ...base,
      sk: 'WEBHOOK#0',
      webhookId: 'wh_a',
      url: 'https://hooks.example.com/',
    });
    await seed.put({ ...base, sk: 'WEBHOOK#1', webhookId: 'wh_b', secret: 'whsec_c3RyYXk=' });
    expect(await store.loadWebhookForDelivery(workspaceId, 0, 'wh_a')).toBeUndefined();
    expect(await store.loadWebhookForDelivery(workspaceId, 1, 'wh_b')).toBeUndefined();
  });
});

describe('loadBucketWorkspace', () => {
  it("is the bucket META row's workspace; undefined for an unknown bucket", async ({ seed }) => {
    const bucketId = `bucket-${randomUUID()}`;
    await seed.bucket(bucketId, { workspaceId: 'ws-of-bucket', orgId: 'org-1' });
    expect(await store.loadBucketWorkspace(bucketId)).toBe('ws-of-bucket');
    expect(await store.loadBucketWorkspace(`bucket-${randomUUID()}`)).toBeUndefined();
  });
});

describe('an outage is a 503, never a taken slot or an unknown webhook', () => {
  it.for([
    ['putWebhook', 'PutItem', (s: WebhookStore, w: string) => s.putWebhook(w, hook(0))],
    ['deleteWebhook', 'DeleteItem', (s: WebhookStore, w: string) => s.deleteWebhook(w, 0, 'wh')],
    [
      'loadWebhookForDelivery',
      'GetItem',
      (s: WebhookStore, w: string) => s.loadWebhookForDelivery(w, 0, 'wh'),
    ],
    ['loadBucketWorkspace', 'GetItem', (s: WebhookStore, w: string) => s.loadBucketWorkspace(w)],
    ['loadWorkspaceWebhooks', 'Query', (s: WebhookStore, w: string) => s.loadWorkspaceWebhooks(w)],
  ] as const)('%s', async ([_, operation, run], { table, seed, proxy }) => {
    const workspaceId = await workspace({ seed });
    proxy.clear();
    proxy.fail({ kind: 'internal', operation, times: 1 });
    // The store behind the fault proxy, one attempt per call (no retry backoff to wait out).
    const faulty = createWebhookStore(
      createDynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 }),
      table.tableName,
    );
    const refused = await run(faulty, workspaceId).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(errorResponse(refused).statusCode).toBe(503);
    expect(proxy.count(operation, true)).toBe(1);
  });
});
