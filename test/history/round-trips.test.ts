/**
 * What history costs a report, in round trips of latency (warm key cache): a report that
 * changes no state keeps the first release's 2; the first report of a UTC day takes 4 (history
 * rows after the bucket write that proved the predecessor, then the bucket row forgets them as
 * pending, best effort); a state change 5 or 6 (its events, then its bucket's health mark, one
 * write or two when an earlier mark stays, then the same forgetting). A failed
 * history write is a 503 naming the bucket, like a failed bucket write.
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { commandName, roundTripsOf, type Timed, traceCalls } from '../support/call-trace.ts';
import { historyApi } from '../support/history-fixture.ts';
import { reportBody, signed } from '../support/ingest-fixture.ts';
import { type TableFixtures, tableFixtures } from '../support/table.ts';

const it = tableFixtures('history-round-trips');

/** Each call's command and the kind of its key ("UpdateItem NODE"), with its round trips. */
const tracing = (client: DynamoDBClient) =>
  traceCalls(client, (command, input) => {
    const key = (input.Key ?? input.Item) as Record<string, { S?: string }> | undefined;
    const pk = key?.pk?.S ?? '?';
    return { label: `${commandName(command)} ${pk.split('#')[0]}`, pk };
  });

/**
 * The deepest bucket chain: the calls before the fan-out (the node's) and one bucket's, whose
 * depth other buckets' chains, running beside it at their own speed, cannot inflate.
 */
const deepestChain = (calls: readonly (Timed & { pk: string })[], bucketIds: readonly string[]) =>
  Math.max(
    ...bucketIds.map((bucketId) =>
      roundTripsOf(calls.filter((c) => c.pk.startsWith('NODE#') || c.pk.includes(`#${bucketId}`))),
    ),
  );

async function node(
  { table, seed }: Pick<TableFixtures, 'table' | 'seed'>,
  buckets: number,
  at: number,
) {
  const bucketIds = Array.from({ length: buckets }, () => randomUUID());
  const nodeId = `rt-${randomUUID()}`;
  const privateKey = await seed.node(nodeId);
  const admin = createAdminStore(table.client, table.tableName, { now: () => at });
  for (const bucketId of bucketIds) {
    await seed.bucket(bucketId, { workspaceId: 'w', orgId: 'o' });
    await admin.assignNode({ bucketId, nodeId });
  }
  return { bucketIds, nodeId, privateKey };
}

describe('round trips of a report with history on (warm key cache, 10 buckets)', () => {
  it('no state change: 2; a flip: 6 (events, then the health marks, then clearing them as pending); the first report of a day: 4 (history rows, then clearing them as pending)', async ({
    table,
    seed,
  }) => {
    let clock = Date.parse('2026-11-30T23:58:00.000Z');
    const { bucketIds, nodeId, privateKey } = await node({ table, seed }, 10, clock);
    const client = createDynamoClient({ endpoint: table.endpoint });
    const api = historyApi(client, table.tableName, { now: () => clock });
    const { calls, roundTrips } = tracing(client);
    const send = async (status: 'ONLINE' | 'OFFLINE') => {
      calls.length = 0;
      const body = reportBody(bucketIds.map((bucketId) => ({ bucketId, status, latency_ms: 5 })));
      const report = signed(nodeId, privateKey, body, clock);
      const response = await api.report(report.body, report.headers);
      expect(response.json.accepted).toStrictEqual(bucketIds);
      return {
        trips: roundTrips(),
        chain: deepestChain(calls, bucketIds),
        labels: calls.map((c) => c.label),
      };
    };

    await send('ONLINE'); // first since assignment: cold key, events
    clock += 30_000;
    const steady = await send('ONLINE');
    expect(steady).toStrictEqual({
      trips: 2,
      chain: 2,
      labels: ['UpdateItem NODE', ...bucketIds.map(() => 'UpdateItem BUCKET')],
    });

    clock += 30_000;
    const flip = await send('OFFLINE');
    // The events, then each bucket's health mark (rounds 4 and 5: the first report's mark is
    // earlier and stays, so the mark's conditional write is refused and the call only counts),
    // then (round trip 6) the rows forget them as pending (docs/ARCHITECTURE.md). Each bucket
    // goes through its own events and mark (the trace counts more when they run at different
    // speeds: a call starting after another bucket's deeper one ended looks deeper).
    expect(flip.chain).toBe(6);
    expect(flip.trips).toBeGreaterThanOrEqual(6);
    expect(flip.labels.slice(1 + 10).sort()).toStrictEqual(
      [
        ...bucketIds.map(() => 'PutItem EVENTS'),
        ...bucketIds.flatMap(() => ['UpdateItem HEALTH', 'UpdateItem HEALTH']),
        ...bucketIds.map(() => 'UpdateItem BUCKET'),
      ].sort(),
    );

    clock = Date.parse('2026-12-01T00:00:10.000Z');
    const newDay = await send('OFFLINE');
    expect(newDay.trips).toBe(4);
    expect(newDay.chain).toBe(4);
    expect(newDay.labels.slice(1 + 10).sort()).toStrictEqual(
      [...bucketIds.map(() => 'PutItem HIST'), ...bucketIds.map(() => 'UpdateItem BUCKET')].sort(),
    );
  });
});

describe('a history write that fails', () => {
  it('is a 503 naming the bucket (accepted/rejected), and the next report writes the day', async ({
    table,
    seed,
    proxy,
  }) => {
    let clock = Date.parse('2026-11-30T23:59:30.000Z');
    const { bucketIds, nodeId, privateKey } = await node({ table, seed }, 2, clock);
    const client = createDynamoClient({ endpoint: proxy.endpoint });
    const api = historyApi(client, table.tableName, { now: () => clock });
    const [good, bad] = bucketIds as [string, string];
    const body = reportBody(bucketIds.map((bucketId) => ({ bucketId })));
    const first = signed(nodeId, privateKey, body, clock);
    expect((await api.report(first.body, first.headers)).statusCode).toBe(200);

    clock = Date.parse('2026-12-01T00:00:20.000Z');
    proxy.fail({
      kind: 'throttle',
      operation: 'PutItem',
      bodyIncludes: `HIST#${bad}`,
      times: Infinity,
    });
    const second = signed(nodeId, privateKey, body, clock);
    const refused = await api.report(second.body, second.headers);
    proxy.clear();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json).toMatchObject({
      success: false,
      accepted: [good],
      rejected: [{ bucketId: bad, reason: 'history could not be recorded; retry' }],
    });

    // The ended day stays on the bucket row until it is written: the next new day writes it.
    clock = Date.parse('2026-12-02T00:00:05.000Z');
    const third = signed(nodeId, privateKey, body, clock);
    expect((await api.report(third.body, third.headers)).statusCode).toBe(200);
    const row = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `HIST#${bad}#2026-11-30` }, sk: { S: `NODE#${nodeId}` } },
        ConsistentRead: true,
      }),
    );
    // ONLINE from 23:59:30 to midnight.
    expect(row.Item?.on?.N).toBe('30000');
  });
});

describe('the hints on the node META row', () => {
  it('keeps one per assigned bucket and none for a bucket the node is not assigned to', async ({
    table,
    seed,
  }) => {
    const clock = Date.parse('2026-11-30T12:00:00.000Z');
    const { bucketIds, nodeId, privateKey } = await node({ table, seed }, 1, clock);
    const api = historyApi(table.client, table.tableName, { now: () => clock });
    const stranger = randomUUID();
    const body = reportBody([{ bucketId: bucketIds[0] as string }, { bucketId: stranger }]);
    const report = signed(nodeId, privateKey, body, clock);
    const response = await api.report(report.body, report.headers);
    expect(response.json).toMatchObject({
      accepted: bucketIds,
      rejected: [{ bucketId: stranger, reason: 'not assigned' }],
    });
    const meta = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `NODE#${nodeId}` }, sk: { S: 'META' } },
        ConsistentRead: true,
      }),
    );
    const hints = Object.keys(meta.Item ?? {}).filter((name) => name.startsWith('h_'));
    expect(hints).toStrictEqual([`h_${bucketIds[0]}`]);
  });
});
