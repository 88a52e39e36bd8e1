// The event writer over the real engine: exactly once, deterministic keys, retries recognised,
// the publish port told only of what this writer inserted.
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createEventsReader,
  createEventWriter,
  eventSk,
  eventsPk,
} from '../../functions/data/events.ts';
import { eventId, type NodeEvent, withEventId } from '../../functions/domain/events.ts';
import { eventOfRecord } from '../../functions/fan-out/stream-handler.ts';
import { errorResponse } from '../../functions/http/response.ts';

import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { loseFirstResponses } from '../support/lost-response.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { countRequests, eventRows } from './support.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('events');
});

const event = (bucketId: string, overrides: Partial<NodeEvent> = {}): NodeEvent => ({
  bucketId,
  nodeId: 'node-a',
  ip: '203.0.113.7',
  region: 'us-east-1',
  from: 'DISCONNECTED',
  to: 'ONLINE',
  at: '2026-12-01T08:00:00.000Z',
  ...overrides,
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The request fails `operation` once, through the fault proxy, with one attempt per call. */
async function withOutage<T>(operation: string, run: (client: DynamoDBClient) => Promise<T>) {
  return withFaultProxy(table.endpoint, async (proxy) => {
    proxy.fail({ kind: 'internal', operation, times: 1 });
    const client = createDynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
    const refused = await run(client).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(proxy.count(operation, true)).toBe(1);
    return errorResponse(refused).statusCode;
  });
}

/** The first PutItem of each key is applied, then its response is lost: the SDK retries it. */
const loseFirstPutResponse = (client: DynamoDBClient) =>
  loseFirstResponses(
    client,
    'PutItemCommand',
    (input) => (input as { Item?: { sk?: { S?: string } } }).Item?.sk?.S ?? '',
  );

describe('recordEvents', () => {
  it('stores each event once with its deterministic key, id, TTL and attributes', async () => {
    const bucketId = randomUUID();
    const published: NodeEvent[][] = [];
    const record = createEventWriter(table.client, table.tableName, {
      retentionDays: 7,
      onEventsRecorded: (events) => void published.push(events),
    });
    const flip = event(bucketId, { from: 'ONLINE', to: 'OFFLINE', at: '2026-12-01T08:05:00.000Z' });
    expect(await record([event(bucketId), flip])).toStrictEqual(
      [event(bucketId), flip].map(withEventId),
    );
    // Again, and from a second writer: nothing new, nothing published.
    expect(await record([event(bucketId), flip])).toStrictEqual([]);
    const other = createEventWriter(table.client, table.tableName, {
      retentionDays: 7,
      onEventsRecorded: (events) => void published.push(events),
    });
    expect(await other([flip])).toStrictEqual([]);
    await settle();
    expect(published).toStrictEqual([[event(bucketId), flip].map(withEventId)]);
    const rows = await eventRows(table.client, table.tableName, bucketId);
    expect(rows).toStrictEqual([
      {
        sk: '2026-12-01T08:00:00.000Z#node-a#ONLINE',
        id: eventId(event(bucketId)),
        nodeId: 'node-a',
        from: 'DISCONNECTED',
        to: 'ONLINE',
        at: '2026-12-01T08:00:00.000Z',
        ip: '203.0.113.7',
        region: 'us-east-1',
        expiresAt: Date.parse('2026-12-01T08:00:00.000Z') / 1000 + 7 * 86_400,
      },
      {
        sk: '2026-12-01T08:05:00.000Z#node-a#OFFLINE',
        id: eventId(flip),
        nodeId: 'node-a',
        from: 'ONLINE',
        to: 'OFFLINE',
        at: '2026-12-01T08:05:00.000Z',
        ip: '203.0.113.7',
        region: 'us-east-1',
        expiresAt: Date.parse('2026-12-01T08:05:00.000Z') / 1000 + 7 * 86_400,
      },
    ]);
  });

  it("its rows are what the table's stream hands to alerts, stamped with the writer's clock", async () => {
    const bucketId = randomUUID();
    const recordedAt = Date.parse('2026-12-01T08:00:02.345Z');
    const record = createEventWriter(table.client, table.tableName, {
      retentionDays: 90,
      now: () => recordedAt,
    });
    const [recorded] = await record([event(bucketId)]);
    const { Item: row } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: eventsPk(bucketId) }, sk: { S: eventSk(event(bucketId)) } },
      }),
    );
    expect(eventOfRecord({ eventName: 'INSERT', dynamodb: { NewImage: row as never } })).toEqual(
      recorded,
    );
    expect(row?.recordedAt).toStrictEqual({ S: '2026-12-01T08:00:02.345Z' });
  });

  it('50 concurrent writers of the same change: one insert, one publish', async () => {
    const bucketId = randomUUID();
    const published: NodeEvent[] = [];
    const writers = Array.from({ length: 50 }, () =>
      createEventWriter(createDynamoClient({ endpoint: table.endpoint }), table.tableName, {
        retentionDays: 90,
        onEventsRecorded: (events) => void published.push(...events),
      }),
    );
    const results = await Promise.all(writers.map((record) => record([event(bucketId)])));
    await settle();
    expect(results.flat()).toHaveLength(1);
    expect(published).toHaveLength(1);
    expect(await eventRows(table.client, table.tableName, bucketId)).toHaveLength(1);
  });

  it('recognises its own write when the SDK retried an attempt that had landed', async () => {
    const bucketId = randomUUID();
    const client = createDynamoClient({ endpoint: table.endpoint });
    const lost = loseFirstPutResponse(client);
    const published: NodeEvent[] = [];
    const record = createEventWriter(client, table.tableName, {
      retentionDays: 90,
      onEventsRecorded: (events) => void published.push(...events),
    });
    expect(await record([event(bucketId)])).toStrictEqual([withEventId(event(bucketId))]);
    await settle();
    expect(lost.size).toBe(1);
    expect(published).toStrictEqual([withEventId(event(bucketId))]);
  });

  it('a failing publish port neither fails nor slows the writer, and is reported', async () => {
    const bucketId = randomUUID();
    const errors: unknown[] = [];
    let release: () => void = () => undefined;
    const record = createEventWriter(table.client, table.tableName, {
      retentionDays: 90,
      onEventsRecorded: () =>
        new Promise<void>((_, reject) => {
          release = () => reject(new Error('queue full'));
        }),
      onPublishError: (error) => errors.push(error),
    });
    // Returns while the port is still pending.
    expect(await record([event(bucketId)])).toHaveLength(1);
    await settle();
    release();
    await settle();
    expect(errors).toStrictEqual([new Error('queue full')]);
  });

  it('an event without ip and region is stored and read back without them', async () => {
    const bucketId = randomUUID();
    const bare = event(bucketId, { ip: undefined, region: undefined });
    const full = event(bucketId, { from: 'ONLINE', to: 'OFFLINE', at: '2026-12-01T08:01:00.000Z' });
    const record = createEventWriter(table.client, table.tableName, { retentionDays: 90 });
    expect(await record([bare, full])).toStrictEqual([bare, full].map(withEventId));
    const [row] = await eventRows(table.client, table.tableName, bucketId);
    expect(row).not.toHaveProperty('ip');
    expect(row).not.toHaveProperty('region');
    const page = await createEventsReader(
      table.client,
      table.tableName,
    )({
      bucketId,
      limit: 5,
      oldestAt: '2026-11-01T00:00:00.000Z',
    });
    expect(page).toStrictEqual({
      events: [
        {
          position: '2026-12-01T08:01:00.000Z#node-a#OFFLINE',
          bucketId,
          nodeId: 'node-a',
          ip: '203.0.113.7',
          region: 'us-east-1',
          from: 'ONLINE',
          to: 'OFFLINE',
          at: '2026-12-01T08:01:00.000Z',
        },
        {
          position: '2026-12-01T08:00:00.000Z#node-a#ONLINE',
          bucketId,
          nodeId: 'node-a',
          ip: undefined,
          region: undefined,
          from: 'DISCONNECTED',
          to: 'ONLINE',
          at: '2026-12-01T08:00:00.000Z',
        },
      ],
      more: false,
    });
  });

  it('wired like the deployed sweep (no publish port, an error hook): no publish error', async () => {
    const errors: unknown[] = [];
    const record = createEventWriter(table.client, table.tableName, {
      retentionDays: 90,
      onPublishError: (error) => errors.push(error),
    });
    expect(await record([event(randomUUID())])).toHaveLength(1);
    await settle();
    expect(errors).toStrictEqual([]);
  });

  it('a failing publish port without an error hook is dropped quietly', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const record = createEventWriter(table.client, table.tableName, {
        retentionDays: 90,
        onEventsRecorded: () => Promise.reject(new Error('queue full')),
      });
      expect(await record([event(randomUUID())])).toHaveLength(1);
      await settle();
      await settle();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toStrictEqual([]);
  });

  it('a row gone before the writer checks who wrote it was not inserted by this call', async () => {
    const bucketId = randomUUID();
    await createEventWriter(table.client, table.tableName, { retentionDays: 90 })([
      event(bucketId),
    ]);
    // The row expires (TTL) between this writer's refused put and its check.
    const client = createDynamoClient({ endpoint: table.endpoint });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand') {
          const { Key } = args.input as { Key: Record<string, { S: string }> };
          await table.client.send(new DeleteItemCommand({ TableName: table.tableName, Key }));
        }
        return next(args);
      },
      { step: 'initialize', name: 'expireBeforeCheck' },
    );
    const published: NodeEvent[] = [];
    const record = createEventWriter(client, table.tableName, {
      retentionDays: 90,
      onEventsRecorded: (events) => void published.push(...events),
    });
    expect(await record([event(bucketId)])).toStrictEqual([]);
    await settle();
    expect(published).toStrictEqual([]);
  });

  it('an outage while checking a duplicate is a 503, not "recorded" nor "not recorded"', async () => {
    const bucketId = randomUUID();
    await createEventWriter(table.client, table.tableName, { retentionDays: 90 })([
      event(bucketId),
    ]);
    const status = await withOutage('GetItem', (client) =>
      createEventWriter(client, table.tableName, { retentionDays: 90 })([event(bucketId)]),
    );
    expect(status).toBe(503);
  });

  it('a DynamoDB outage is a 503 after retries, never a silent loss', async () => {
    await withFaultProxy(table.endpoint, async (proxy) => {
      proxy.fail({ kind: 'internal', operation: 'PutItem', times: Number.POSITIVE_INFINITY });
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      const record = createEventWriter(client, table.tableName, { retentionDays: 90 });
      const refused = await record([event(randomUUID())]).catch((error: unknown) => error);
      expect(errorResponse(refused).statusCode).toBe(503);
      expect(proxy.count('PutItem', true)).toBe(3);
    });
  });
});

describe('loadEventsPage', () => {
  it('pages newest first within the retention, with "more" only when there are more', async () => {
    const bucketId = randomUUID();
    const record = createEventWriter(table.client, table.tableName, { retentionDays: 90 });
    const ats = Array.from({ length: 7 }, (_, i) => `2026-11-2${i}T00:00:00.000Z`);
    await record(ats.map((at) => event(bucketId, { at })));
    // And one of another bucket, which never shows.
    await record([event(randomUUID(), { at: '2026-11-25T00:00:00.000Z' })]);
    const load = createEventsReader(table.client, table.tableName);
    const oldestAt = '2026-11-21T00:00:00.000Z'; // the first event is past the retention
    const first = await load({ bucketId, limit: 3, oldestAt });
    expect(first.events.map((e) => e.at)).toStrictEqual([ats[6], ats[5], ats[4]]);
    expect(first.more).toBe(true);
    const second = await load({ bucketId, limit: 3, oldestAt, before: first.events[2]?.position });
    expect(second.events.map((e) => e.at)).toStrictEqual([ats[3], ats[2], ats[1]]);
    expect(second.more).toBe(false);
    const beyond = await load({ bucketId, limit: 3, oldestAt, before: second.events[2]?.position });
    expect(beyond).toStrictEqual({ events: [], more: false });
    const exact = await load({ bucketId, limit: 6, oldestAt });
    expect(exact.events).toHaveLength(6);
    expect(exact.more).toBe(false);
  });

  it('skips rows that are no event, reading on until the page is full', async () => {
    const bucketId = randomUUID();
    const seed = new Seeder(table.client, table.tableName);
    const at = (minute: number) => `2026-12-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
    const row = (minute: number, fields: Record<string, string | undefined>) =>
      seed.put({
        pk: `EVENTS#${bucketId}`,
        sk: `${at(minute)}#node-x#OFFLINE`,
        nodeId: 'node-x',
        from: 'ONLINE',
        to: 'OFFLINE',
        at: at(minute),
        ...fields,
      });
    const record = createEventWriter(table.client, table.tableName, { retentionDays: 90 });
    const good = [1, 3, 5, 7, 9, 11].map((minute) => event(bucketId, { at: at(minute) }));
    await record(good);
    // Half-written or foreign rows between them, each missing or spoiling one field.
    await row(2, { nodeId: undefined });
    await row(4, { at: undefined });
    await row(6, { from: undefined });
    await row(8, { to: undefined });
    await row(10, { from: 'ASLEEP' });
    await row(12, { to: 'GONE' });
    const load = createEventsReader(table.client, table.tableName);
    const oldestAt = at(0);
    const first = await load({ bucketId, limit: 2, oldestAt });
    expect(first.events.map((e) => e.at)).toStrictEqual([at(11), at(9)]);
    expect(first.more).toBe(true);
    const second = await load({ bucketId, limit: 3, oldestAt, before: first.events[1]?.position });
    expect(second.events.map((e) => e.at)).toStrictEqual([at(7), at(5), at(3)]);
    expect(second.more).toBe(true);
    const last = await load({ bucketId, limit: 3, oldestAt, before: second.events[2]?.position });
    expect(last.events.map((e) => e.at)).toStrictEqual([at(1)]);
    expect(last.more).toBe(false);
  });

  it('a cursor past the retention cut-off answers empty without reading the table', async () => {
    const bucketId = randomUUID();
    const client = createDynamoClient({ endpoint: table.endpoint });
    await createEventWriter(client, table.tableName, { retentionDays: 90 })([
      event(bucketId, { at: '2026-11-01T00:00:00.000Z' }),
      event(bucketId, { at: '2026-11-20T00:00:00.000Z' }),
    ]);
    const requests = countRequests(client);
    const load = createEventsReader(client, table.tableName);
    const oldestAt = '2026-11-10T00:00:00.000Z';
    // A page read before the cut-off moved past its last event.
    const stale = await load({
      bucketId,
      limit: 5,
      oldestAt,
      before: '2026-11-01T00:00:00.000Z#node-a#ONLINE',
    });
    expect(stale).toStrictEqual({ events: [], more: false });
    expect(requests.total()).toBe(0);
  });

  it('an outage is a 503, not an empty page', async () => {
    const status = await withOutage('Query', (client) =>
      createEventsReader(
        client,
        table.tableName,
      )({
        bucketId: randomUUID(),
        limit: 5,
        oldestAt: '2026-11-01T00:00:00.000Z',
      }),
    );
    expect(status).toBe(503);
  });
});
