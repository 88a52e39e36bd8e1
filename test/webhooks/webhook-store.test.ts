// The webhook store (functions/data/webhooks.ts) over the real engine: the ten slot rows of a
// workspace partition, what a listing and a delivery read back (never a half-written or stray
// row), the slot and id conditions that make create and delete race-safe, and outages that are
// a 503, never "slot taken" or "not found".
import { randomUUID } from 'node:crypto';
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
  ...overrides,
});
const { secret: _secret, ...summaryKeys } = hook(0);
type Summary = typeof summaryKeys;
const summary = ({ secret: _, ...rest }: WebhookWithSecret): Summary => rest;

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
      },
    ]);
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
