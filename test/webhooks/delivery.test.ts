// Delivery over real HTTP (DESIGN.md section 10), through the local queue that npm start uses
// and the same SSRF-checked client as the delivery Lambda: signed deliveries a Standard
// Webhooks receiver accepts; 500, hang, reset and 3xx receivers retried, then dead-lettered,
// never followed; at-least-once with a stable webhook-id; a deleted webhook gets nothing more.
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookStore, type WebhookStore } from '../../functions/data/webhooks.ts';
import { postWebhook } from '../../functions/delivery/webhook-client.ts';
import type { RecordedEvent } from '../../functions/domain/alert-message.ts';
import { DELIVERY_ATTEMPTS } from '../../functions/domain/retry-schedule.ts';
import { generateWebhookSecret } from '../../functions/domain/standard-webhooks.ts';
import { createLocalAlertQueue, type LocalAlertQueue } from '../../local/alert-queue.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable } from '../support/table.ts';
import { type Receiver, startReceiver } from './support.ts';

const ATTEMPT_TIMEOUT_MS = 400;
let store: WebhookStore;
let seeder: Seeder;
let queue: LocalAlertQueue;
const lines: string[] = [];
const receivers: Receiver[] = [];
let counter = 0;

beforeAll(async () => {
  const { client, tableName } = await createTestTable('delivery');
  store = createWebhookStore(client, tableName);
  seeder = new Seeder(client, tableName);
  queue = createLocalAlertQueue({
    fanOut: {
      loadBucketWorkspace: (b) => store.loadBucketWorkspace(b),
      listWebhookTargets: (w) => store.listWebhookTargets(w),
    },
    attempt: {
      loadWebhookForDelivery: (w, s, id) => store.loadWebhookForDelivery(w, s, id),
      // The contract's 5 s deadline, shortened so a hanging receiver costs the suite little.
      post: (input) => postWebhook({ ...input, timeoutMs: ATTEMPT_TIMEOUT_MS }),
      policy: { allowLoopback: true },
    },
    retryBaseSeconds: 0.01,
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await queue.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(respond: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

/** A bucket in its own workspace with one webhook per URL; returns ids and secrets. */
async function workspaceWith(urls: string[]) {
  counter++;
  const workspaceId = `ws-${counter}`;
  const bucketId = `bucket-${counter}`;
  await seeder.put({ pk: `WORKSPACE#${workspaceId}`, sk: 'META', orgId: 'org-1', name: 'w' });
  await seeder.bucket(bucketId, { workspaceId, orgId: 'org-1' });
  const hooks = [];
  for (const [slot, url] of urls.entries()) {
    const hook = {
      webhookId: `wh_${counter}_${slot}`,
      slot,
      url,
      description: undefined,
      createdAt: new Date().toISOString(),
      secret: generateWebhookSecret(),
    };
    expect(await store.putWebhook(workspaceId, hook)).toBe(true);
    hooks.push(hook);
  }
  return { workspaceId, bucketId, hooks };
}

const eventFor = (bucketId: string, id = `evt_${bucketId}`): RecordedEvent => ({
  id,
  bucketId,
  nodeId: 'node-1',
  ip: '198.51.100.21',
  region: 'us-east-1',
  from: 'ONLINE',
  to: 'DISCONNECTED',
  at: '2026-12-01T09:00:00.000Z',
});

async function deliver(events: RecordedEvent[]) {
  const deadBefore = queue.deadLetters.length;
  queue.onEventsRecorded(events);
  await queue.idle();
  return queue.deadLetters.slice(deadBefore);
}

describe('a healthy receiver', () => {
  it('gets one delivery per event x webhook that the standardwebhooks package verifies', async () => {
    const a = await receiver((_q, s) => s.writeHead(204).end());
    const b = await receiver((_q, s) => s.writeHead(200).end('ok'));
    const { workspaceId, bucketId, hooks } = await workspaceWith([a.url, b.url]);
    const dead = await deliver([eventFor(bucketId)]);
    expect(dead).toEqual([]);
    for (const [index, r] of [a, b].entries()) {
      expect(r.requests).toHaveLength(1);
      const request = r.requests[0] as Receiver['requests'][number];
      const payload = new Webhook(hooks[index]?.secret as string).verify(
        request.body,
        request.headers as Record<string, string>,
      );
      expect(payload).toMatchObject({
        type: 'node.status_changed',
        data: {
          workspaceId,
          bucketId,
          host: 'node-1',
          ip: '198.51.100.21',
          region: 'us-east-1',
          from: 'ONLINE',
          to: 'DISCONNECTED',
          at: '2026-12-01T09:00:00.000Z',
        },
      });
      expect(request.headers['content-type']).toBe('application/json');
      // The other webhook's secret does not verify this one's delivery.
      expect(() =>
        new Webhook(hooks[1 - index]?.secret as string).verify(
          request.body,
          request.headers as Record<string, string>,
        ),
      ).toThrow();
    }
    expect(a.requests[0]?.headers['webhook-id']).not.toBe(b.requests[0]?.headers['webhook-id']);
  });

  it('a tampered delivery is rejected by a standardwebhooks receiver', async () => {
    const a = await receiver((_q, s) => s.writeHead(204).end());
    const { bucketId, hooks } = await workspaceWith([a.url]);
    await deliver([eventFor(bucketId)]);
    const request = a.requests[0] as Receiver['requests'][number];
    const tampered = request.body.replace('DISCONNECTED', 'ONLINE');
    expect(tampered).not.toBe(request.body);
    expect(() =>
      new Webhook(hooks[0]?.secret as string).verify(
        tampered,
        request.headers as Record<string, string>,
      ),
    ).toThrow();
  });

  it('at least once: a duplicate fan-out carries the same webhook-id and body', async () => {
    const a = await receiver((_q, s) => s.writeHead(204).end());
    const { bucketId } = await workspaceWith([a.url]);
    const event = eventFor(bucketId);
    await deliver([event]);
    await deliver([event]);
    expect(a.requests).toHaveLength(2);
    expect(a.requests[0]?.headers['webhook-id']).toBe(a.requests[1]?.headers['webhook-id']);
    const other = eventFor(bucketId, 'evt_other');
    await deliver([other]);
    expect(a.requests[2]?.headers['webhook-id']).not.toBe(a.requests[0]?.headers['webhook-id']);
  });

  it('a bucket without webhooks, or without a workspace, delivers nothing', async () => {
    const { bucketId } = await workspaceWith([]);
    expect(await deliver([eventFor(bucketId), eventFor('no-such-bucket')])).toEqual([]);
  });
});

describe('failing receivers are retried, then dead-lettered, never followed', () => {
  it('500: every attempt, same webhook-id and body, fresh timestamps, then the DLQ', async () => {
    const r = await receiver((_q, s) => s.writeHead(500).end('nope'));
    const { bucketId, hooks } = await workspaceWith([r.url]);
    const dead = await deliver([eventFor(bucketId)]);
    expect(r.requests).toHaveLength(DELIVERY_ATTEMPTS);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id'])).size).toBe(1);
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    for (const q of r.requests) {
      expect(() =>
        new Webhook(hooks[0]?.secret as string).verify(q.body, q.headers as Record<string, string>),
      ).not.toThrow();
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ attempts: DELIVERY_ATTEMPTS, last: { status: 500 } });
    expect(lines.filter((l) => l.includes(dead[0]?.message.messageId as string))).toHaveLength(
      DELIVERY_ATTEMPTS,
    );
    expect(lines.some((l) => l.includes('-> dead-lettered'))).toBe(true);
  });

  it('a receiver that hangs times out on every attempt', async () => {
    const r = await receiver(() => undefined);
    const { bucketId } = await workspaceWith([r.url]);
    const dead = await deliver([eventFor(bucketId)]);
    expect(r.requests).toHaveLength(DELIVERY_ATTEMPTS);
    expect(dead[0]?.last).toMatchObject({ outcome: 'failed', reason: /no response within/ });
  });

  it('a receiver that resets the connection', async () => {
    const r = await receiver((q) => q.socket.destroy());
    const { bucketId } = await workspaceWith([r.url]);
    const dead = await deliver([eventFor(bucketId)]);
    expect(r.requests).toHaveLength(DELIVERY_ATTEMPTS);
    expect(dead[0]?.last).toMatchObject({ outcome: 'failed', reason: 'ECONNRESET' });
  });

  it('3xx to the metadata address or to another receiver is not followed', async () => {
    const target = await receiver((_q, s) => s.writeHead(204).end());
    const toMetadata = await receiver((_q, s) =>
      s.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/' }).end(),
    );
    const toTarget = await receiver((_q, s) => s.writeHead(307, { location: target.url }).end());
    const { bucketId } = await workspaceWith([toMetadata.url, toTarget.url]);
    const dead = await deliver([eventFor(bucketId)]);
    expect(toMetadata.requests).toHaveLength(DELIVERY_ATTEMPTS);
    expect(toTarget.requests).toHaveLength(DELIVERY_ATTEMPTS);
    expect(target.requests).toHaveLength(0);
    expect(dead.map((d) => d.last)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: 302, reason: expect.stringMatching(/not followed/) }),
        expect.objectContaining({ status: 307 }),
      ]),
    );
  });

  it('a receiver that recovers ends the retries with a delivery', async () => {
    const r = await receiver((_q, s, index) => s.writeHead(index < 2 ? 503 : 204).end());
    const { bucketId } = await workspaceWith([r.url]);
    expect(await deliver([eventFor(bucketId)])).toEqual([]);
    expect(r.requests).toHaveLength(3);
  });
});

describe('bounds', () => {
  it('reads at most 64 KiB of a response: an endless 200 body still ends as delivered', async () => {
    let written = 0;
    const r = await receiver((_q, s) => {
      s.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!s.destroyed && s.write(chunk)) written += chunk.length;
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    });
    const { bucketId } = await workspaceWith([r.url]);
    expect(await deliver([eventFor(bucketId)])).toEqual([]);
    expect(r.requests).toHaveLength(1);
    expect(written).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatch(/^\[webhook\] delivered 200/);
  });
});

describe('success is the 2xx status line within the deadline (DESIGN.md section 12)', () => {
  it('a 200 whose body is still unfinished at the deadline is delivered, once', async () => {
    // The receiver sends the status line at once and holds the rest of its body far past the
    // attempt's deadline (here shortened to ATTEMPT_TIMEOUT_MS): it only ends when the test's
    // receivers close.
    const r = await receiver((_q, s) => {
      s.writeHead(200, { 'content-type': 'text/plain' });
      s.write('working on it');
    });
    const { bucketId } = await workspaceWith([r.url]);
    expect(await deliver([eventFor(bucketId)])).toEqual([]);
    expect(r.requests).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^\[webhook\] delivered 200/);
  });

  it('a 500 whose body never ends is still a failure, and a 204 without a body a success', async () => {
    const failing = await receiver((_q, s) => {
      s.writeHead(500);
      s.write('x');
    });
    const ok = await receiver((_q, s) => s.writeHead(204).end());
    const { bucketId } = await workspaceWith([failing.url, ok.url]);
    const dead = await deliver([eventFor(bucketId)]);
    expect(failing.requests).toHaveLength(DELIVERY_ATTEMPTS);
    expect(ok.requests).toHaveLength(1);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.last).toMatchObject({ outcome: 'failed', status: 500 });
  });

  it('postWebhook answers at the status line, without waiting for the body', async () => {
    let release: (() => void) | undefined;
    const r = await receiver((_q, s) => {
      s.writeHead(202);
      s.write('accepted');
      release = () => s.end('done');
    });
    // A deadline far beyond the test's own timeout: only the status line can end this attempt.
    const result = await postWebhook({
      url: r.url,
      body: '{}',
      headers: {},
      policy: { allowLoopback: true },
      timeoutMs: 3_600_000,
    });
    expect(result).toEqual({ outcome: 'delivered', status: 202 });
    release?.();
  });
});

describe('a deleted webhook gets nothing more', () => {
  it('deleting between two attempts stops the retries, and later events skip it', async () => {
    let ids: { workspaceId: string; slot: number; webhookId: string } | undefined;
    const r = await receiver((_q, s) => {
      const target = ids as NonNullable<typeof ids>;
      void store.deleteWebhook(target.workspaceId, target.slot, target.webhookId).then(() => {
        s.writeHead(500).end();
      });
    });
    const { workspaceId, bucketId, hooks } = await workspaceWith([r.url]);
    ids = { workspaceId, slot: 0, webhookId: hooks[0]?.webhookId as string };
    expect(await deliver([eventFor(bucketId)])).toEqual([]);
    expect(r.requests).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/webhook-gone/);
    await deliver([eventFor(bucketId, 'evt_after_delete')]);
    expect(r.requests).toHaveLength(1);
  });

  it('a slot reused by a new webhook is not delivered to for the old one', async () => {
    const oldReceiver = await receiver((_q, s) => s.writeHead(500).end());
    const newReceiver = await receiver((_q, s) => s.writeHead(204).end());
    const { workspaceId, hooks } = await workspaceWith([oldReceiver.url]);
    const old = hooks[0] as NonNullable<(typeof hooks)[number]>;
    expect(await store.deleteWebhook(workspaceId, 0, old.webhookId)).toBe(true);
    await store.putWebhook(workspaceId, { ...old, webhookId: 'wh_new', url: newReceiver.url });
    expect(await store.loadWebhookForDelivery(workspaceId, 0, old.webhookId)).toBeUndefined();
    expect((await store.loadWebhookForDelivery(workspaceId, 0, 'wh_new'))?.url).toBe(
      newReceiver.url,
    );
  });
});
