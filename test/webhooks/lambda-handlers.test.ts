// The deployed path's two handlers with their real data adapters on the run's engine and real
// HTTP receivers; SQS and EventBridge are a real local server speaking their JSON protocol
// (test/support/aws-json-server.ts); the stream's records and the delivery's visibility port
// are stood in for.
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookStore, type WebhookStore } from '../../functions/data/webhooks.ts';
import { createDeliveryHandler } from '../../functions/delivery/delivery-handler.ts';
import { postWebhook } from '../../functions/delivery/webhook-client.ts';
import { type DeliveryMessage, deliveryMessage } from '../../functions/domain/alert-message.ts';
import { DELIVERY_ATTEMPTS } from '../../functions/domain/retry-schedule.ts';
import { generateWebhookSecret } from '../../functions/domain/standard-webhooks.ts';
import {
  createEventBridgePublish,
  createSqsEnqueue,
  EVENTBRIDGE,
} from '../../functions/fan-out/aws-adapters.ts';
import { createStreamHandler } from '../../functions/fan-out/stream-handler.ts';
import { createAwsJsonClient } from '../../functions/shared/aws-json-call.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { SQS } from '../../functions/shared/sqs.ts';
import {
  type AwsJsonServer,
  sqsStoredAll,
  startAwsJsonServer,
} from '../support/aws-json-server.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable } from '../support/table.ts';
import { type Receiver, startReceiver } from './support.ts';

const logger = createLogger('alerts-test', { logLevel: 'SILENT' });
let store: WebhookStore;
let seeder: Seeder;
const receivers: Receiver[] = [];
const secret = generateWebhookSecret();
let aws: AwsJsonServer;

beforeAll(async () => {
  aws = await startAwsJsonServer(sqsStoredAll);
  const { client, tableName } = await createTestTable('alerts-lambda');
  store = createWebhookStore(client, tableName);
  seeder = new Seeder(client, tableName);
  await seeder.put({ pk: 'WORKSPACE#ws-1', sk: 'META', orgId: 'org-1' });
  await seeder.bucket('bucket-1', { workspaceId: 'ws-1', orgId: 'org-1' });
  await seeder.bucket('bucket-quiet', { workspaceId: 'ws-quiet', orgId: 'org-1' });
});
afterAll(() => Promise.all([...receivers.map((r) => r.close()), aws.close()]));

const image = (fields: Record<string, string>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { S: v }]));

function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  fields: Record<string, string>,
  sequence: string,
): DynamoDBRecord {
  return {
    eventName,
    dynamodb: { NewImage: image(fields) as never, SequenceNumber: sequence },
  };
}

const eventRow = (id: string, bucketId = 'bucket-1') => ({
  pk: `EVENTS#${bucketId}`,
  sk: `2026-12-01T09:00:00.000Z#node-1#OFFLINE`,
  id,
  bucketId,
  nodeId: 'node-1',
  ip: '198.51.100.21',
  region: 'eu-west-1',
  from: 'ONLINE',
  to: 'OFFLINE',
  at: '2026-12-01T09:00:00.000Z',
});

/** SQS and EventBridge clients whose configured endpoints are the local server. */
function awsClients() {
  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
  };
  return { sqs: createAwsJsonClient(SQS, env), events: createAwsJsonClient(EVENTBRIDGE, env) };
}
const queueUrl = () => `${aws.url}/123456789012/bucket-status-delivery`;
/** The inputs the server received for one operation. */
const received = (operation: string) =>
  aws.calls.filter((call) => call.operation === operation).map((call) => call.input);

describe('fan-out (stream handler)', () => {
  beforeEach(() => {
    aws.calls.length = 0;
    aws.replies.length = 0;
  });

  it('turns event-row INSERTs into one message per webhook and one EventBridge event each', async () => {
    const r = await startReceiver((_q, s) => s.writeHead(204).end());
    receivers.push(r);
    for (const slot of [0, 1]) {
      await store.putWebhook('ws-1', {
        webhookId: `wh_${slot}`,
        slot,
        url: r.url,
        description: undefined,
        createdAt: new Date().toISOString(),
        secret,
      });
    }
    const { sqs, events } = awsClients();
    const handler = createStreamHandler({
      loadBucketWorkspace: (b) => store.loadBucketWorkspace(b),
      listWebhookTargets: (w) => store.listWebhookTargets(w),
      enqueue: createSqsEnqueue(sqs, queueUrl()),
      publish: createEventBridgePublish(events),
      logger,
    });
    const result = await handler({
      Records: [
        streamRecord('INSERT', eventRow('evt_a'), '1'),
        streamRecord('MODIFY', eventRow('evt_modified'), '2'),
        streamRecord('INSERT', { pk: 'BUCKET#bucket-1', sk: 'NODE#n', id: 'x' }, '3'),
        streamRecord('INSERT', eventRow('evt_b'), '4'),
        streamRecord('INSERT', eventRow('evt_quiet', 'bucket-quiet'), '5'),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    const entries = received('SendMessageBatch').flatMap(
      (input) => input.Entries as { MessageBody: string }[],
    );
    const messages = entries.map((e) => JSON.parse(e.MessageBody) as DeliveryMessage);
    expect(messages.map((m) => [m.eventId, m.webhookId]).sort()).toEqual([
      ['evt_a', 'wh_0'],
      ['evt_a', 'wh_1'],
      ['evt_b', 'wh_0'],
      ['evt_b', 'wh_1'],
    ]);
    expect(entries.every((e) => !e.MessageBody.includes(secret.slice(6)))).toBe(true);
    expect(received('SendMessageBatch')[0]?.QueueUrl).toBe(queueUrl());
    const put = received('PutEvents').flatMap(
      (input) => input.Entries as Record<string, unknown>[],
    );
    // Every event goes to EventBridge, also one whose workspace has no webhooks.
    expect(put.map((e) => JSON.parse(e.Detail as string).bucketId).sort()).toEqual([
      'bucket-1',
      'bucket-1',
      'bucket-quiet',
    ]);
    for (const entry of put.filter((e) => (e.Detail as string).includes('"ws-1"'))) {
      expect(entry.Source).toBe('bucket-status');
      expect(entry.DetailType).toBe('Node Status Changed');
      expect(entry.EventBusName).toBeUndefined();
      expect(JSON.parse(entry.Detail as string)).toEqual({
        workspaceId: 'ws-1',
        bucketId: 'bucket-1',
        host: 'node-1',
        ip: '198.51.100.21',
        region: 'eu-west-1',
        from: 'ONLINE',
        to: 'OFFLINE',
        at: '2026-12-01T09:00:00.000Z',
      });
    }
  });

  it('health event rows go to the webhooks that take them, delayed by their minDuration; EventBridge gets Bucket Health Changed', async () => {
    await seeder.put({ pk: 'WORKSPACE#ws-policy', sk: 'META', orgId: 'org-1' });
    await seeder.bucket('bucket-policy', { workspaceId: 'ws-policy', orgId: 'org-1' });
    const hooks = [
      { events: ['node.status_changed'] as const, minDurationSeconds: 0 },
      { events: ['bucket.health_changed'] as const, minDurationSeconds: 60 },
      { events: ['bucket.health_changed', 'node.status_changed'] as const, minDurationSeconds: 0 },
    ];
    for (const [slot, policy] of hooks.entries()) {
      await store.putWebhook('ws-policy', {
        webhookId: `wh_p${slot}`,
        slot,
        url: 'https://hooks.example.com/',
        description: undefined,
        createdAt: new Date().toISOString(),
        secret,
        events: [...policy.events],
        minDurationSeconds: policy.minDurationSeconds,
      });
    }
    const at = '2026-12-01T09:00:00.000Z';
    const now = Date.parse(at) + 15_000;
    const { sqs, events } = awsClients();
    const handler = createStreamHandler({
      loadBucketWorkspace: (b) => store.loadBucketWorkspace(b),
      listWebhookTargets: (w) => store.listWebhookTargets(w),
      enqueue: createSqsEnqueue(sqs, queueUrl(), () => now),
      publish: createEventBridgePublish(events),
      now: () => now,
      logger,
    });
    const healthImage = {
      pk: { S: 'HEALTH#bucket-policy' },
      sk: { S: `E#${at}#DEGRADED` },
      id: { S: 'hev_a' },
      from: { S: 'OPERATIONAL' },
      to: { S: 'DEGRADED' },
      at: { S: at },
      counted: { N: '3' },
      online: { N: '2' },
    };
    const result = await handler({
      Records: [
        { eventName: 'INSERT', dynamodb: { NewImage: healthImage as never, SequenceNumber: '1' } },
        // The checkpoint, a closed day, an input: no health events.
        streamRecord('INSERT', { pk: 'HEALTH#bucket-policy', sk: 'STATE', id: 'x' }, '2'),
        streamRecord('INSERT', { pk: 'HEALTH#bucket-policy', sk: 'D#2026-12-01', id: 'x' }, '3'),
        streamRecord('INSERT', eventRow('evt_p', 'bucket-policy'), '4'),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    const entries = received('SendMessageBatch').flatMap(
      (input) => input.Entries as { MessageBody: string; DelaySeconds?: number }[],
    );
    const sent = entries
      .map((e) => ({ m: JSON.parse(e.MessageBody) as DeliveryMessage, delay: e.DelaySeconds }))
      .map(({ m, delay }) => [m.eventId, m.webhookId, delay, m.check?.holdSeconds])
      .sort();
    // wh_p1 waits until at + 60 s: 45 s after now; the others go at once, without a check.
    expect(sent).toEqual([
      ['evt_p', 'wh_p0', undefined, undefined],
      ['evt_p', 'wh_p2', undefined, undefined],
      ['hev_a', 'wh_p1', 45, 60],
      ['hev_a', 'wh_p2', undefined, undefined],
    ]);
    const health = entries
      .map((e) => JSON.parse(e.MessageBody) as DeliveryMessage)
      .find((m) => m.webhookId === 'wh_p1');
    expect(health?.check).toEqual({
      subject: 'bucket',
      bucketId: 'bucket-policy',
      to: 'DEGRADED',
      at,
      holdSeconds: 60,
    });
    expect(JSON.parse(health?.body as string)).toEqual({
      type: 'bucket.health_changed',
      timestamp: new Date(now).toISOString(),
      data: {
        workspaceId: 'ws-policy',
        bucketId: 'bucket-policy',
        from: 'OPERATIONAL',
        to: 'DEGRADED',
        at,
        nodes: { counted: 3, online: 2 },
      },
    });
    const put = received('PutEvents').flatMap((input) => input.Entries as Record<string, string>[]);
    expect(put.map((e) => [e.DetailType, JSON.parse(e.Detail as string).bucketId]).sort()).toEqual([
      ['Bucket Health Changed', 'bucket-policy'],
      ['Node Status Changed', 'bucket-policy'],
    ]);
  });

  it('a failed fan-out reports the batch from its first record, for Lambda to retry', async () => {
    // SQS keeps none of the batch's messages (the entries' SenderFault is false: retryable).
    const refused = { Id: '0', SenderFault: false, Code: 'InternalError', Message: 'try again' };
    aws.replies.push({ status: 200, body: { Failed: [refused] } });
    aws.replies.push({ status: 200, body: { Failed: [refused] } });
    const handler = createStreamHandler({
      loadBucketWorkspace: (b) => store.loadBucketWorkspace(b),
      listWebhookTargets: (w) => store.listWebhookTargets(w),
      enqueue: createSqsEnqueue(awsClients().sqs, queueUrl()),
      logger,
    });
    const result = await handler({
      Records: [
        streamRecord('INSERT', eventRow('evt_c'), '10'),
        streamRecord('INSERT', eventRow('evt_d'), '11'),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '10' }] });
  });
});

describe('delivery (SQS handler)', () => {
  const visibility: [string, number][] = [];
  let handler: ReturnType<typeof createDeliveryHandler>;
  let failing: Receiver;
  let healthy: Receiver;

  beforeAll(async () => {
    failing = await startReceiver((_q, s) => s.writeHead(500).end());
    healthy = await startReceiver((_q, s) => s.writeHead(202).end());
    receivers.push(failing, healthy);
    for (const [slot, url] of [
      [5, failing.url],
      [6, healthy.url],
    ] as const) {
      await store.putWebhook('ws-1', {
        webhookId: `wh_d${slot}`,
        slot,
        url,
        description: undefined,
        createdAt: new Date().toISOString(),
        secret,
      });
    }
    handler = createDeliveryHandler({
      loadWebhookForDelivery: (w, s, id) => store.loadWebhookForDelivery(w, s, id),
      post: postWebhook,
      policy: { allowLoopback: true },
      changeVisibility: async (receipt, seconds) => {
        visibility.push([receipt, seconds]);
      },
      logger,
      random: () => 0.5,
    });
  });

  const sqsRecord = (id: string, body: string, receiveCount: number): SQSRecord =>
    ({
      messageId: id,
      receiptHandle: `receipt-${id}`,
      body,
      attributes: { ApproximateReceiveCount: String(receiveCount) },
    }) as unknown as SQSRecord;

  const message = (slot: number, webhookId: string) =>
    JSON.stringify(
      deliveryMessage({ eventId: 'evt_q', workspaceId: 'ws-1', webhookId, slot, body: '{"a":1}' }),
    );

  it('a success is acknowledged; a failure is postponed by the backoff and reported', async () => {
    visibility.length = 0;
    const result = await handler({
      Records: [
        sqsRecord('ok', message(6, 'wh_d6'), 1),
        sqsRecord('fail-1', message(5, 'wh_d5'), 1),
        sqsRecord('fail-3', message(5, 'wh_d5'), 3),
        sqsRecord('gone', message(7, 'wh_deleted'), 2),
      ],
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'fail-1',
      'fail-3',
    ]);
    expect(Object.fromEntries(visibility)).toEqual({
      'receipt-fail-1': 60,
      'receipt-fail-3': 540,
    });
    const delivered = healthy.requests.at(-1) as Receiver['requests'][number];
    expect(
      new Webhook(secret).verify(delivered.body, delivered.headers as Record<string, string>),
    ).toEqual({ a: 1 });
  });

  it('after the last attempt the message is released at once to the dead-letter queue', async () => {
    visibility.length = 0;
    const result = await handler({
      Records: [sqsRecord('last', message(5, 'wh_d5'), DELIVERY_ATTEMPTS)],
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'last' }]);
    expect(visibility).toEqual([['receipt-last', 0]]);
  });

  it('a waiting message whose change did not hold ends without a delivery; one that held is delivered', async () => {
    visibility.length = 0;
    const before = healthy.requests.length;
    const checks: unknown[] = [];
    const confirming = createDeliveryHandler({
      loadWebhookForDelivery: (w, s, id) => store.loadWebhookForDelivery(w, s, id),
      post: postWebhook,
      policy: { allowLoopback: true },
      confirm: async (check) => {
        checks.push(check);
        return check.to === 'ONLINE';
      },
      changeVisibility: async (receipt, seconds) => {
        visibility.push([receipt, seconds]);
      },
      logger,
    });
    const waiting = (to: string) =>
      JSON.stringify(
        deliveryMessage({
          eventId: `evt_${to}`,
          workspaceId: 'ws-1',
          webhookId: 'wh_d6',
          slot: 6,
          body: '{"a":2}',
          check: {
            subject: 'node',
            bucketId: 'bucket-1',
            nodeId: 'node-1',
            to,
            at: '2026-12-01T09:00:00.000Z',
            holdSeconds: 30,
          },
        }),
      );
    const result = await confirming({
      Records: [
        sqsRecord('undone', waiting('OFFLINE'), 1),
        sqsRecord('held', waiting('ONLINE'), 1),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(visibility).toEqual([]);
    expect(checks).toHaveLength(2);
    expect(healthy.requests.length).toBe(before + 1);
    // Without a way to confirm, a waiting message is never delivered unchecked.
    const unchecked = await handler({ Records: [sqsRecord('unchecked', waiting('ONLINE'), 1)] });
    expect(unchecked.batchItemFailures).toEqual([{ itemIdentifier: 'unchecked' }]);
    expect(healthy.requests.length).toBe(before + 1);
  });

  it('an unreadable message goes to the dead-letter queue without a delivery', async () => {
    visibility.length = 0;
    const before = failing.requests.length + healthy.requests.length;
    const result = await handler({ Records: [sqsRecord('junk', '{"v":2}', 1)] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'junk' }]);
    // A check that is not one makes the message unreadable too.
    const badCheck = JSON.stringify({
      ...deliveryMessage({
        eventId: 'e',
        workspaceId: 'ws-1',
        webhookId: 'wh_d6',
        slot: 6,
        body: '{}',
      }),
      check: { subject: 'node', bucketId: 'b', to: 'ONLINE', at: 'x', holdSeconds: 5 },
    });
    const refused = await handler({ Records: [sqsRecord('bad-check', badCheck, 1)] });
    expect(refused.batchItemFailures).toEqual([{ itemIdentifier: 'bad-check' }]);
    expect(visibility).toEqual([]);
    expect(failing.requests.length + healthy.requests.length).toBe(before);
  });
});
