/**
 * An event write that fails after the report's bucket row landed: the node gets a 503 and
 * retries with a new timestamp, whose predecessor (the landed row) already has the new state.
 * The row keeps the transitions it made as pending until the event writer recorded them, so the
 * retry records them: each event exactly once, and the history figures as if nothing failed.
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { createEventWriter } from '../../functions/data/events.ts';
import { ALL_SWEEP_SHARDS, createSweepIndex } from '../../functions/data/sweep-index.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import type { FaultKind, FaultProxy } from '../support/fault-proxy.ts';
import { historyApi } from '../support/history-fixture.ts';
import { bucketWithReader, ingestFixtures, reportBody, signed } from '../support/ingest-fixture.ts';
import type { Seeder } from '../support/seed.ts';
import type { TestTable } from '../support/table.ts';

const it = ingestFixtures('ingest-pending-events');

async function eventsOf(table: TestTable, bucketId: string) {
  const page = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `EVENTS#${bucketId}` } },
      ConsistentRead: true,
    }),
  );
  return (page.Items ?? []).map((item) => `${item.at?.S} ${item.from?.S}->${item.to?.S}`);
}

/** Every PutItem into the partition `pk` fails with `kind` (after the SDK's retries too). */
const failPutsInto = (proxy: FaultProxy, pk: string, kind: FaultKind) =>
  proxy.fail({ kind, operation: 'PutItem', bodyIncludes: pk, times: Infinity });

type Fixtures = { table: TestTable; seed: Seeder; proxy: FaultProxy };

async function setUp({ table, seed, proxy }: Fixtures, clock: () => number) {
  const nodeId = `pending-${randomUUID()}`;
  const privateKey = await seed.node(nodeId);
  const admin = createAdminStore(table.client, table.tableName, { now: clock });
  const good = await bucketWithReader(seed);
  const bad = await bucketWithReader(seed);
  for (const { bucketId } of [good, bad]) await admin.assignNode({ bucketId, nodeId });
  const api = historyApi(createDynamoClient({ endpoint: proxy.endpoint }), table.tableName, {
    now: clock,
  });
  const send = (at: number, status: 'ONLINE' | 'OFFLINE') => {
    const body = reportBody([good, bad].map(({ bucketId }) => ({ bucketId, status })));
    const report = signed(nodeId, privateKey, body, at);
    return api.report(report.body, report.headers);
  };
  return { nodeId, good, bad, api, send };
}

describe('an event write that fails after the bucket row landed', () => {
  it('is recorded by the retry (twice failed too): each event once, history as without the fault', async ({
    table,
    seed,
    read,
    proxy,
  }) => {
    let now = Date.parse('2026-11-30T12:00:00.000Z');
    const { nodeId, good, bad, api, send } = await setUp({ table, seed, proxy }, () => now);

    now += 10_000;
    expect((await send(now, 'ONLINE')).statusCode).toBe(200);

    // The flip: both rows land, the bad bucket's event write fails (after the SDK's retries).
    now += 30_000;
    const flipAt = now;
    failPutsInto(proxy, `EVENTS#${bad.bucketId}`, 'throttle');
    const refused = await send(now, 'OFFLINE');
    expect(refused.statusCode).toBe(503);
    expect(refused.json).toMatchObject({
      success: false,
      accepted: [good.bucketId],
      rejected: [{ bucketId: bad.bucketId, reason: 'history could not be recorded; retry' }],
    });
    // The retry fails the same way: the pending event survives a failed recovery too.
    now += 1_000;
    expect((await send(now, 'OFFLINE')).statusCode).toBe(503);
    proxy.clear();
    expect((await read.bucketRow(bad.bucketId, nodeId))?.status).toBe('OFFLINE');

    now += 1_000;
    const retried = await send(now, 'OFFLINE');
    expect(retried.statusCode).toBe(200);
    expect(retried.json.accepted).toStrictEqual([good.bucketId, bad.bucketId]);
    // A steady report afterwards records nothing more.
    now += 30_000;
    expect((await send(now, 'OFFLINE')).statusCode).toBe(200);

    const expected = [
      `${new Date(flipAt - 30_000).toISOString()} DISCONNECTED->ONLINE`,
      `${new Date(flipAt).toISOString()} ONLINE->OFFLINE`,
    ];
    expect(await eventsOf(table, good.bucketId)).toStrictEqual(expected);
    expect(await eventsOf(table, bad.bucketId)).toStrictEqual(expected);
    // Nothing left pending on either row.
    for (const { bucketId } of [good, bad]) {
      const row = await read.bucketRow(bucketId, nodeId);
      expect(row).toBeDefined();
      expect(row).not.toHaveProperty('pEv');
    }

    // The history figures of the faulted bucket equal those of the other one.
    const day = { day: '2026-11-30' };
    const goodStats = await api.stats(good.bucketId, day, good.token);
    const badStats = await api.stats(bad.bucketId, day, bad.token);
    expect(goodStats.statusCode).toBe(200);
    expect(badStats.json.nodeStats).toStrictEqual(goodStats.json.nodeStats);
    expect((goodStats.json.nodeStats as { online_seconds: number }[])[0]?.online_seconds).toBe(30);
  });

  it('a first report after a silent gap whose event write fails: both events come with the retry', async ({
    table,
    seed,
    proxy,
  }) => {
    let now = Date.parse('2026-11-30T15:00:00.000Z');
    const { good, bad, send } = await setUp({ table, seed, proxy }, () => now);
    now += 1_000;
    const firstAt = now;
    expect((await send(now, 'ONLINE')).statusCode).toBe(200);

    now += 600_000; // silent for 10 minutes (stale 90 s)
    const returnAt = now;
    failPutsInto(proxy, `EVENTS#${bad.bucketId}`, 'unavailable');
    expect((await send(now, 'ONLINE')).statusCode).toBe(503);
    proxy.clear();
    now += 1_000;
    expect((await send(now, 'ONLINE')).statusCode).toBe(200);

    const expected = [
      `${new Date(firstAt).toISOString()} DISCONNECTED->ONLINE`,
      `${new Date(firstAt + 90_000).toISOString()} ONLINE->DISCONNECTED`,
      `${new Date(returnAt).toISOString()} DISCONNECTED->ONLINE`,
    ];
    expect(await eventsOf(table, good.bucketId)).toStrictEqual(expected);
    expect(await eventsOf(table, bad.bucketId)).toStrictEqual(expected);
  });

  it('a HIST# write that fails at a rollover, twice: the retry of the same day writes the ended day', async ({
    table,
    seed,
    read,
    proxy,
  }) => {
    let now = Date.parse('2026-11-29T23:59:30.000Z');
    const { nodeId, bad, send } = await setUp({ table, seed, proxy }, () => now);
    expect((await send(now, 'ONLINE')).statusCode).toBe(200);
    now = Date.parse('2026-11-30T00:00:20.000Z');
    failPutsInto(proxy, `HIST#${bad.bucketId}`, 'throttle');
    expect((await send(now, 'ONLINE')).statusCode).toBe(503);
    now += 1_000;
    expect((await send(now, 'ONLINE')).statusCode).toBe(503);
    proxy.clear();
    now += 1_000;
    expect((await send(now, 'ONLINE')).statusCode).toBe(200);
    const hist = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `HIST#${bad.bucketId}#2026-11-29` }, sk: { S: `NODE#${nodeId}` } },
        ConsistentRead: true,
      }),
    );
    expect(hist.Item?.on?.N).toBe('30000'); // ONLINE from 23:59:30 to midnight
    const row = await read.bucketRow(bad.bucketId, nodeId);
    expect(row).toBeDefined();
    expect(row).not.toHaveProperty('pH');
  });

  // A double fault: the ended day's HIST# write fails, the node is silent until a later day, and
  // that day's bucket-row write lands with its answer lost (whichever of the writer's
  // UpdateItems it is): the first ended day is written all the same, and reads as without it.
  it.for([0, 1])(
    'a HIST# write that fails, then silence, then a rollover whose answer is lost (UpdateItem %i): no day lost',
    async (after, { table, seed, proxy }) => {
      let now = Date.parse('2026-11-26T23:59:30.000Z');
      const { nodeId, good, bad, api, send } = await setUp({ table, seed, proxy }, () => now);
      expect((await send(now, 'ONLINE')).statusCode).toBe(200);
      now = Date.parse('2026-11-27T00:00:20.000Z');
      proxy.fail({
        kind: 'throttle',
        operation: 'PutItem',
        bodyIncludes: `HIST#${bad.bucketId}`,
        times: Infinity,
      });
      expect((await send(now, 'ONLINE')).statusCode).toBe(503);
      proxy.clear();

      // No retry: silent until 11-29, whose first report ends 11-27 and replaces the closed slot.
      now = Date.parse('2026-11-29T10:00:00.000Z');
      proxy.fail({
        kind: 'lost-response',
        operation: 'UpdateItem',
        bodyIncludes: `BUCKET#${bad.bucketId}`,
        times: 1,
        after,
      });
      expect((await send(now, 'ONLINE')).statusCode).toBe(200);
      proxy.clear();

      const hist = await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: { pk: { S: `HIST#${bad.bucketId}#2026-11-26` }, sk: { S: `NODE#${nodeId}` } },
          ConsistentRead: true,
        }),
      );
      expect(hist.Item?.on?.N).toBe('30000'); // ONLINE from 23:59:30 to midnight
      for (const day of ['2026-11-26', '2026-11-27', '2026-11-28']) {
        const goodStats = await api.stats(good.bucketId, { day }, good.token);
        const badStats = await api.stats(bad.bucketId, { day }, bad.token);
        expect(goodStats.statusCode).toBe(200);
        expect(badStats.json.nodeStats, day).toStrictEqual(goodStats.json.nodeStats);
      }
    },
  );

  it('a node that never reports again: the sweep records the pending event with the DISCONNECTED one', async ({
    table,
    seed,
    read,
    proxy,
  }) => {
    let now = Date.parse('2026-11-30T18:00:00.000Z');
    const { nodeId, good, bad, send } = await setUp({ table, seed, proxy }, () => now);
    now += 1_000;
    const firstAt = now;
    expect((await send(now, 'ONLINE')).statusCode).toBe(200);
    now += 30_000;
    const flipAt = now;
    failPutsInto(proxy, `EVENTS#${bad.bucketId}`, 'throttle');
    expect((await send(now, 'OFFLINE')).statusCode).toBe(503);
    proxy.clear();

    // Silent from then on: the sweep, well after stale + grace.
    const outcome = await runSweep({
      index: createSweepIndex(table.client, table.tableName),
      shards: ALL_SWEEP_SHARDS,
      recordEvents: createEventWriter(table.client, table.tableName, { retentionDays: 90 }),
      staleAfterSeconds: 90,
      now: () => flipAt + 600_000,
    });
    expect(outcome.failed).toBe(0);
    const expected = [
      `${new Date(firstAt).toISOString()} DISCONNECTED->ONLINE`,
      `${new Date(flipAt).toISOString()} ONLINE->OFFLINE`,
      `${new Date(flipAt + 90_000).toISOString()} OFFLINE->DISCONNECTED`,
    ];
    expect(await eventsOf(table, good.bucketId)).toStrictEqual(expected);
    expect(await eventsOf(table, bad.bucketId)).toStrictEqual(expected);
    const row = await read.bucketRow(bad.bucketId, nodeId);
    expect(row).toBeDefined();
    expect(row).not.toHaveProperty('pEv');
  });
});
