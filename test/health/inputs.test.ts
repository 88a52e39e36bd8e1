// Every writer of a health input records it and marks the bucket (docs/ARCHITECTURE.md,
// "Bucket health"), over the real engine: the `first` flag of a node's first report since its
// assignment, the marks after ingest's, the sweep's and unassign-node's events (and the uncount
// row), a failed mark as a 503 whose retry marks, the readers' key ranges, and the STATE row
// create-bucket writes.
import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { AdminError, createAdminStore } from '../../admin/operator-store.ts';
import { createHealthReader } from '../../functions/data/bucket-health.ts';
import { createEventWriter, createNodeInputReader, eventsPk } from '../../functions/data/events.ts';
import { createHealthInputs } from '../../functions/data/health-inputs.ts';
import { createHealthMarker, healthMarkOf } from '../../functions/data/health-marks.ts';
import {
  bucketPk,
  HEALTH_STATE_SK,
  healthPk,
  healthPolicySk,
  healthUncountSk,
  META_SK,
  nodeSk,
} from '../../functions/data/keys.ts';
import type { NodeEvent } from '../../functions/domain/events.ts';
import type { ReportedStatus } from '../../functions/domain/node-status.ts';
import { errorResponse } from '../../functions/http/response.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { wireSweep } from '../../functions/sweep/wiring.ts';
import { iso, STALE_S } from '../events/support.ts';
import { buildIngestHandler, reportBody, signed } from '../support/ingest-fixture.ts';
import { partitionRows, type TableFixtures, tableFixtures } from '../support/table.ts';

const it = tableFixtures('health-inputs');

const T0 = Date.parse('2026-12-01T06:00:00.000Z');
const at = (seconds: number) => T0 + seconds * 1000;
const HISTORY_DAYS = 400;

async function getItem(client: DynamoDBClient, tableName: string, pk: string, sk: string) {
  return (
    await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ConsistentRead: true,
      }),
    )
  ).Item;
}

/** The bucket's mark: STATE's sweepAt and markSeq (undefined when there is none). */
async function markOf({ table }: Pick<TableFixtures, 'table'>, bucketId: string) {
  const state = await getItem(table.client, table.tableName, healthPk(bucketId), HEALTH_STATE_SK);
  return { sweepAt: state?.sweepAt?.S, markSeq: Number(state?.markSeq?.N ?? 0) };
}

/** Removes the bucket's mark, as the health step does once it has computed up to it. */
async function clearMark({ table }: Pick<TableFixtures, 'table'>, bucketId: string) {
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: healthPk(bucketId) }, sk: { S: HEALTH_STATE_SK } },
      UpdateExpression: 'REMOVE sweepShard, sweepAt',
    }),
  );
}

/** The bucket's event rows as stored, oldest first: the change and its `first` attribute. */
async function storedEvents({ table }: Pick<TableFixtures, 'table'>, bucketId: string) {
  return (await partitionRows(table.client, table.tableName, eventsPk(bucketId))).map((row) => ({
    nodeId: row.nodeId?.S,
    from: row.from?.S,
    to: row.to?.S,
    at: row.at?.S,
    first: row.first,
  }));
}

/** A bucket, a node assigned to it (by the operator store, at `assignAt`), on one clock. */
async function setUp(
  { table, seed }: Pick<TableFixtures, 'table' | 'seed'>,
  client = table.client,
) {
  const clock = { now: at(-10) };
  const bucketId = randomUUID();
  const nodeId = `node-${randomUUID().slice(0, 8)}`;
  const key = await seed.node(nodeId);
  await seed.bucket(bucketId, { workspaceId: 'ws-h', orgId: 'org-h' });
  const operator = createAdminStore(table.client, table.tableName, {
    now: () => clock.now,
    staleAfterSeconds: STALE_S,
    historyRetentionDays: HISTORY_DAYS,
  });
  await operator.assignNode({ bucketId, nodeId });
  const post = buildIngestHandler(client, table.tableName, {
    now: () => clock.now,
    minReportIntervalMs: 0,
  });
  const report = async (ms: number, status: ReportedStatus) => {
    clock.now = ms;
    const request = signed(nodeId, key, reportBody([{ bucketId, status }]), ms);
    return post(request.body, request.headers);
  };
  return { bucketId, nodeId, clock, operator, report };
}

describe('the first flag: a node event that is its first report since its assignment', () => {
  it('is stored on the first report and on the first after a reassignment only; the readers give it as an input', async ({
    table,
    seed,
  }) => {
    const { bucketId, nodeId, clock, operator, report } = await setUp({ table, seed });
    expect((await report(at(0), 'ONLINE')).statusCode).toBe(200); // first
    expect((await report(at(30), 'OFFLINE')).statusCode).toBe(200); // a flip
    expect((await report(at(200), 'ONLINE')).statusCode).toBe(200); // a gap: DISCONNECTED at 120, back
    clock.now = at(220);
    await operator.unassignNode({ bucketId, nodeId });
    clock.now = at(300);
    await operator.assignNode({ bucketId, nodeId });
    expect((await report(at(310), 'OFFLINE')).statusCode).toBe(200); // first of the new assignment

    const FIRST = { BOOL: true };
    expect(await storedEvents({ table }, bucketId)).toStrictEqual([
      { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)), first: FIRST },
      { nodeId, from: 'ONLINE', to: 'OFFLINE', at: iso(at(30)), first: undefined },
      { nodeId, from: 'OFFLINE', to: 'DISCONNECTED', at: iso(at(120)), first: undefined },
      { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(200)), first: undefined },
      { nodeId, from: 'ONLINE', to: 'DISCONNECTED', at: iso(at(220)), first: undefined },
      { nodeId, from: 'DISCONNECTED', to: 'OFFLINE', at: iso(at(310)), first: FIRST },
    ]);

    const inputs = createNodeInputReader(table.client, table.tableName);
    const node = (s: number, from: string, to: string, first = false) => ({
      kind: 'node',
      at: at(s),
      nodeId,
      from,
      to,
      first,
    });
    expect(await inputs.loadNodeInputs(bucketId, at(0) - 1, at(310), true)).toStrictEqual([
      node(0, 'DISCONNECTED', 'ONLINE', true),
      node(30, 'ONLINE', 'OFFLINE'),
      node(120, 'OFFLINE', 'DISCONNECTED'),
      node(200, 'DISCONNECTED', 'ONLINE'),
      node(220, 'ONLINE', 'DISCONNECTED'),
      node(310, 'DISCONNECTED', 'OFFLINE', true),
    ]);
    // The unassignment's uncount input, at its instant.
    const other = createHealthInputs(table.client, table.tableName, {
      retentionDays: HISTORY_DAYS,
    });
    expect(await other.loadOtherInputs(bucketId, at(0), at(310), true)).toStrictEqual([
      { kind: 'uncount', at: at(220), nodeId },
    ]);
    // Every writer marked the bucket; the mark is the earliest input.
    // Reports at 0, 30, 200 (one call for its two events), 310; the unassign's event and uncount.
    expect(await markOf({ table }, bucketId)).toStrictEqual({
      sweepAt: healthMarkOf(at(0)),
      markSeq: 6,
    });
  });

  it('a first report whose event write failed: its pending event keeps the flag, and its retry stores it', async ({
    table,
    seed,
    proxy,
  }) => {
    const client = createDynamoClient({ endpoint: proxy.endpoint });
    const { bucketId, nodeId, report } = await setUp({ table, seed }, client);
    proxy.fail({
      kind: 'throttle',
      operation: 'PutItem',
      bodyIncludes: eventsPk(bucketId),
      times: Infinity,
    });
    const refused = await report(at(0), 'ONLINE');
    proxy.clear();
    expect(refused.statusCode).toBe(503);
    const row = await getItem(table.client, table.tableName, bucketPk(bucketId), nodeSk(nodeId));
    expect(row?.pEv?.L?.map((entry) => entry.S)).toStrictEqual([
      `DISCONNECTED|ONLINE|${at(0)}|203.0.113.7|us-east-1|1`,
    ]);
    expect(await storedEvents({ table }, bucketId)).toStrictEqual([]);
    expect((await report(at(30), 'ONLINE')).statusCode).toBe(200);
    expect(await storedEvents({ table }, bucketId)).toStrictEqual([
      { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)), first: { BOOL: true } },
    ]);
    expect(await markOf({ table }, bucketId)).toMatchObject({ sweepAt: healthMarkOf(at(0)) });
  });
  it('a pending first event recorded by the sweep or by unassign-node keeps the flag', async ({
    table,
    seed,
    proxy,
  }) => {
    const client = createDynamoClient({ endpoint: proxy.endpoint });
    const swept = await setUp({ table, seed }, client);
    const unassigned = await setUp({ table, seed }, client);
    for (const { bucketId } of [swept, unassigned]) {
      proxy.fail({
        kind: 'throttle',
        operation: 'PutItem',
        bodyIncludes: eventsPk(bucketId),
        times: Infinity,
      });
    }
    expect((await swept.report(at(0), 'ONLINE')).statusCode).toBe(503);
    expect((await unassigned.report(at(0), 'ONLINE')).statusCode).toBe(503);
    proxy.clear();
    const sweep = wireSweep({
      client: table.client,
      tableName: table.tableName,
      staleAfterSeconds: STALE_S,
      eventRetentionDays: 90,
      historyRetentionDays: 90,
      logger: createLogger('health-inputs-test'),
      now: () => at(STALE_S + 11),
    });
    await sweep();
    unassigned.clock.now = at(STALE_S + 5);
    await unassigned.operator.unassignNode({
      bucketId: unassigned.bucketId,
      nodeId: unassigned.nodeId,
    });
    for (const { bucketId, nodeId } of [swept, unassigned]) {
      expect(await storedEvents({ table }, bucketId)).toStrictEqual([
        { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)), first: { BOOL: true } },
        { nodeId, from: 'ONLINE', to: 'DISCONNECTED', at: iso(at(STALE_S)), first: undefined },
      ]);
    }
    // The sweep's health step took the marks up to its settled instant, at(STALE_S): these
    // buckets (seeded without a health STATE) start their timeline there, the node counted
    // and DISCONNECTED from that very instant.
    const state = await createHealthReader(table.client, table.tableName).loadHealthState(
      swept.bucketId,
      true,
    );
    expect(state?.checkpoint).toMatchObject({
      asOf: at(STALE_S),
      counts: { counted: 1, online: 0 },
      verdict: 'MAJOR_OUTAGE',
    });
    expect((await markOf({ table }, swept.bucketId)).sweepAt).toBeUndefined();
    // unassign-node, after the step: its uncount input marks the bucket at its instant.
    expect((await markOf({ table }, unassigned.bucketId)).sweepAt).toBe(
      healthMarkOf(at(STALE_S + 5)),
    );
  });
});

describe('marks: every writer of node events marks the bucket after its puts', () => {
  it('the sweep marks at its change to DISCONNECTED', async ({ table, seed }) => {
    const { bucketId, report } = await setUp({ table, seed });
    expect((await report(at(0), 'ONLINE')).statusCode).toBe(200);
    await clearMark({ table }, bucketId); // the health step has computed past it
    const before = await markOf({ table }, bucketId);
    expect(before.sweepAt).toBeUndefined();
    const sweep = wireSweep({
      client: table.client,
      tableName: table.tableName,
      staleAfterSeconds: STALE_S,
      eventRetentionDays: 90,
      historyRetentionDays: 90,
      logger: createLogger('health-inputs-test'),
      // The first instant the node step records the silence; the health step's settled
      // instant is then 999 ms before it, so the mark stays for the next run.
      now: () => at(STALE_S + 10) + 1,
    });
    expect((await sweep()).recorded).toBe(1);
    expect(await markOf({ table }, bucketId)).toStrictEqual({
      sweepAt: healthMarkOf(at(STALE_S)),
      markSeq: before.markSeq + 1,
    });
  });

  it('a writer given events another writer recorded marks all the same (earliest at per bucket)', async ({
    table,
  }) => {
    const [b1, b2] = [randomUUID(), randomUUID()];
    const event = (bucketId: string, s: number, to: NodeEvent['to']): NodeEvent => ({
      bucketId,
      nodeId: 'node-x',
      from: to === 'ONLINE' ? 'OFFLINE' : 'ONLINE',
      to,
      at: iso(at(s)),
    });
    const events = [event(b1, 40, 'ONLINE'), event(b1, 20, 'OFFLINE'), event(b2, 50, 'OFFLINE')];
    // Recorded by a writer that does not mark (as by an earlier attempt whose mark failed).
    await createEventWriter(table.client, table.tableName, { retentionDays: 90 })(events);
    const record = createEventWriter(table.client, table.tableName, {
      retentionDays: 90,
      markHealth: createHealthMarker(table.client, table.tableName),
    });
    expect(await record(events)).toStrictEqual([]);
    expect(await markOf({ table }, b1)).toStrictEqual({
      sweepAt: healthMarkOf(at(20)),
      markSeq: 1,
    });
    expect(await markOf({ table }, b2)).toStrictEqual({
      sweepAt: healthMarkOf(at(50)),
      markSeq: 1,
    });
    // Nothing given, nothing marked.
    expect(await record([])).toStrictEqual([]);
    expect((await markOf({ table }, b1)).markSeq).toBe(1);
  });

  it('a failed mark fails the call (503) after the inserted events were published', async ({
    table,
    proxy,
  }) => {
    const client = createDynamoClient({ endpoint: proxy.endpoint });
    const bucketId = randomUUID();
    const published: string[] = [];
    const record = createEventWriter(client, table.tableName, {
      retentionDays: 90,
      markHealth: createHealthMarker(client, table.tableName),
      onEventsRecorded: (events) => void published.push(...events.map((e) => e.at)),
    });
    proxy.fail({
      kind: 'throttle',
      operation: 'UpdateItem',
      bodyIncludes: healthPk(bucketId),
      times: Infinity,
    });
    const event: NodeEvent = {
      bucketId,
      nodeId: 'node-p',
      from: 'DISCONNECTED',
      to: 'ONLINE',
      at: iso(at(5)),
      first: true,
    };
    const failed = await record([event]).then(
      () => undefined,
      (error: unknown) => error,
    );
    proxy.clear();
    expect(errorResponse(failed).statusCode).toBe(503);
    await new Promise((resolve) => setImmediate(resolve));
    // A retry finds the event recorded (not inserted by it): it was published by this call.
    expect(published).toStrictEqual([iso(at(5))]);
    expect(await record([event])).toStrictEqual([]);
    expect(published).toStrictEqual([iso(at(5))]);
    expect(await markOf({ table }, bucketId)).toStrictEqual({
      sweepAt: healthMarkOf(at(5)),
      markSeq: 1,
    });
  });

  it('unassign-node: its change to DISCONNECTED, then the uncount row, then the mark at the unassign instant', async ({
    table,
    seed,
  }) => {
    const { bucketId, nodeId, clock, operator, report } = await setUp({ table, seed });
    expect((await report(at(0), 'OFFLINE')).statusCode).toBe(200);
    await clearMark({ table }, bucketId);
    const before = await markOf({ table }, bucketId);
    clock.now = at(45);
    await operator.unassignNode({ bucketId, nodeId });
    const uncount = await getItem(
      table.client,
      table.tableName,
      healthPk(bucketId),
      healthUncountSk(at(45), nodeId),
    );
    expect(uncount).toStrictEqual({
      pk: { S: healthPk(bucketId) },
      sk: { S: `I#${iso(at(45))}#U#${nodeId}` },
      kind: { S: 'U' },
      nodeId: { S: nodeId },
      at: { N: String(at(45)) },
      expiresAt: { N: String(at(45) / 1000 + HISTORY_DAYS * 86_400) },
    });
    // Two marks: the event writer's (the change to DISCONNECTED) and the uncount's.
    expect(await markOf({ table }, bucketId)).toStrictEqual({
      sweepAt: healthMarkOf(at(45)),
      markSeq: before.markSeq + 2,
    });
  });

  it('unassign-node of a counted node already swept: no event, the uncount and its mark', async ({
    table,
    seed,
  }) => {
    const { bucketId, nodeId, clock, operator, report } = await setUp({ table, seed });
    expect((await report(at(0), 'ONLINE')).statusCode).toBe(200);
    const sweep = wireSweep({
      client: table.client,
      tableName: table.tableName,
      staleAfterSeconds: STALE_S,
      eventRetentionDays: 90,
      historyRetentionDays: 90,
      logger: createLogger('health-inputs-test'),
      // The first instant the node step records the silence; the health step's settled
      // instant is then 999 ms before it, so the mark stays for the next run.
      now: () => at(STALE_S + 10) + 1,
    });
    expect((await sweep()).recorded).toBe(1);
    await clearMark({ table }, bucketId);
    const before = await markOf({ table }, bucketId);
    clock.now = at(500);
    await operator.unassignNode({ bucketId, nodeId });
    expect(await storedEvents({ table }, bucketId)).toHaveLength(2);
    const other = createHealthInputs(table.client, table.tableName, {
      retentionDays: HISTORY_DAYS,
    });
    expect(await other.loadOtherInputs(bucketId, at(0), at(500), true)).toStrictEqual([
      { kind: 'uncount', at: at(500), nodeId },
    ]);
    expect(await markOf({ table }, bucketId)).toStrictEqual({
      sweepAt: healthMarkOf(at(500)),
      markSeq: before.markSeq + 1,
    });
  });

  it('unassign-node of a node that never reported: no event, no uncount, no mark', async ({
    table,
    seed,
  }) => {
    const { bucketId, nodeId, operator } = await setUp({ table, seed });
    await operator.unassignNode({ bucketId, nodeId });
    expect(await partitionRows(table.client, table.tableName, healthPk(bucketId))).toStrictEqual(
      [],
    );
    expect(await storedEvents({ table }, bucketId)).toStrictEqual([]);
  });

  it('a mark that fails is a 503 naming the bucket, the events stay pending, and the retry marks', async ({
    table,
    seed,
    proxy,
  }) => {
    const client = createDynamoClient({ endpoint: proxy.endpoint });
    const { bucketId, nodeId, report } = await setUp({ table, seed }, client);
    proxy.fail({
      kind: 'throttle',
      operation: 'UpdateItem',
      bodyIncludes: healthPk(bucketId),
      times: Infinity,
    });
    const refused = await report(at(0), 'ONLINE');
    proxy.clear();
    expect(refused.statusCode).toBe(503);
    expect(refused.json).toMatchObject({
      success: false,
      accepted: [],
      rejected: [{ bucketId, reason: 'history could not be recorded; retry' }],
    });
    // The event landed; the mark did not; the row keeps the event as pending.
    expect(await storedEvents({ table }, bucketId)).toHaveLength(1);
    expect(await markOf({ table }, bucketId)).toStrictEqual({ sweepAt: undefined, markSeq: 0 });
    const row = await getItem(table.client, table.tableName, bucketPk(bucketId), nodeSk(nodeId));
    expect(row?.pEv?.L).toHaveLength(1);

    // The retry (the next report, no change of its own) records the pending event again (found
    // recorded) and marks the bucket at its instant; the row then forgets it.
    expect((await report(at(30), 'ONLINE')).statusCode).toBe(200);
    expect(await markOf({ table }, bucketId)).toStrictEqual({
      sweepAt: healthMarkOf(at(0)),
      markSeq: 1,
    });
    const after = await getItem(table.client, table.tableName, bucketPk(bucketId), nodeSk(nodeId));
    expect(after?.pEv).toBeUndefined();
  });
});

describe('the readers: inputs with after < at <= to', () => {
  it('node events and the other inputs exactly at the bounds; other rows of the partition never', async ({
    table,
  }) => {
    const bucketId = randomUUID();
    const after = at(100);
    const to = at(200);
    const nodeEvent = (nodeId: string, ms: number): NodeEvent => ({
      bucketId,
      nodeId,
      from: 'DISCONNECTED',
      to: 'ONLINE',
      at: iso(ms),
      first: true,
    });
    await createEventWriter(table.client, table.tableName, { retentionDays: 90 })([
      nodeEvent('a', after - 1),
      nodeEvent('a', after),
      nodeEvent('b', after),
      nodeEvent('a', after + 1),
      nodeEvent('a', to),
      nodeEvent('b', to),
      nodeEvent('a', to + 1),
    ]);
    const nodes = createNodeInputReader(table.client, table.tableName);
    const input = (nodeId: string, ms: number) => ({
      kind: 'node',
      at: ms,
      nodeId,
      from: 'DISCONNECTED',
      to: 'ONLINE',
      first: true,
    });
    for (const consistent of [true, false]) {
      expect(await nodes.loadNodeInputs(bucketId, after, to, consistent)).toStrictEqual([
        input('a', after + 1),
        input('a', to),
        input('b', to),
      ]);
    }
    expect(await nodes.loadNodeInputs(bucketId, to, to, true)).toStrictEqual([]);
    expect(await nodes.loadNodeInputs(bucketId, to - 1, to, true)).toStrictEqual([
      input('a', to),
      input('b', to),
    ]);
    expect(await nodes.firstNodeInputAfter(bucketId, after - 2)).toBe(after - 1);
    expect(await nodes.firstNodeInputAfter(bucketId, after)).toBe(after + 1);
    expect(await nodes.firstNodeInputAfter(bucketId, to)).toBe(to + 1);
    expect(await nodes.firstNodeInputAfter(bucketId, to + 1)).toBeUndefined();

    const other = createHealthInputs(table.client, table.tableName, {
      retentionDays: HISTORY_DAYS,
    });
    const pk = healthPk(bucketId);
    const put = (sk: string, attributes: Record<string, AttributeValue> = {}) =>
      table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: { pk: { S: pk }, sk: { S: sk }, ...attributes },
        }),
      );
    const policy = (ms: number, pct: number) =>
      put(healthPolicySk(ms), { pct: { N: String(pct) } });
    for (const ms of [after - 1, after, after + 1, to, to + 1]) {
      await other.putUncount(bucketId, 'n1', ms);
      await policy(ms, 60);
    }
    await other.putUncount(bucketId, 'n2', to);
    // Other kinds of the partition, on both sides of the I# rows.
    await put(HEALTH_STATE_SK, { asOf: { N: String(to) } });
    await put(`E#${iso(after + 1)}#DEGRADED`);
    await put(`D#${iso(after).slice(0, 10)}`);
    await put('W#00');
    await put(`X#mw_x`);
    const uncount = (nodeId: string, ms: number) => ({ kind: 'uncount', at: ms, nodeId });
    const pct = (ms: number) => ({ kind: 'policy', at: ms, minOnlinePercent: 60 });
    for (const consistent of [true, false]) {
      expect(await other.loadOtherInputs(bucketId, after, to, consistent)).toStrictEqual([
        pct(after + 1),
        uncount('n1', after + 1),
        pct(to),
        uncount('n1', to),
        uncount('n2', to),
      ]);
    }
    expect(await other.loadOtherInputs(bucketId, to, to, true)).toStrictEqual([]);
    expect(await other.firstOtherInputAfter(bucketId, after)).toBe(after + 1);
    expect(await other.firstOtherInputAfter(bucketId, to)).toBe(to + 1);
    expect(await other.firstOtherInputAfter(bucketId, to + 1)).toBeUndefined();
  });

  it('rows that are no input are skipped, never made up', async ({ table }) => {
    const bucketId = randomUUID();
    const pk = healthPk(bucketId);
    const put = (sk: string, attributes: Record<string, AttributeValue> = {}) =>
      table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: { pk: { S: pk }, sk: { S: sk }, ...attributes },
        }),
      );
    await put(healthPolicySk(at(1)), { pct: { N: '0' } });
    await put(healthPolicySk(at(2)), { pct: { N: '101' } });
    await put(healthPolicySk(at(3)), { pct: { N: '50.5' } });
    await put(healthPolicySk(at(4)));
    await put(healthUncountSk(at(5), 'n1'), { nodeId: { S: 'n2' } });
    await put(healthUncountSk(at(6), 'n1'));
    await put(`I#2026-13-01T00:00:00.000Z#P`, { pct: { N: '50' } });
    await put(healthPolicySk(at(7)), { pct: { N: '100' } });
    const other = createHealthInputs(table.client, table.tableName, {
      retentionDays: HISTORY_DAYS,
    });
    expect(await other.loadOtherInputs(bucketId, at(0), at(10), true)).toStrictEqual([
      { kind: 'policy', at: at(7), minOnlinePercent: 100 },
    ]);
  });
});

describe('create-bucket', () => {
  it('writes the initial health STATE once, and META its createdAt', async ({ table }) => {
    let clock = Date.parse('2026-12-03T10:20:30.456Z');
    const operator = createAdminStore(table.client, table.tableName, { now: () => clock });
    const workspaceId = `ws-${randomUUID().slice(0, 8)}`;
    const bucketId = randomUUID();
    await operator.createWorkspace({ workspaceId, orgId: 'org-c' });
    await operator.createBucket({ bucketId, workspaceId, name: 'b' });
    const created = clock;
    const n = (value: number) => ({ N: String(value) });
    const expected = {
      pk: { S: healthPk(bucketId) },
      sk: { S: HEALTH_STATE_SK },
      asOf: n(created),
      createdAt: n(created),
      day: { S: '2026-12-03' },
      counted: n(0),
      online: n(0),
      // The counted nodes OFFLINE: kept from a bucket's creation (the workspace overview's).
      off: n(0),
      pct: n(50),
      verdict: { S: 'UNKNOWN' },
      dOp: n(0),
      dDeg: n(0),
      dPart: n(0),
      dMaj: n(0),
      dMaint: n(0),
      dUnk: n(0),
      dObs: n(0),
      ver: n(0),
      eCounted: n(0),
      eOnline: n(0),
      eOff: n(0),
      ePct: n(50),
      eVerdict: { S: 'UNKNOWN' },
    };
    const state = () => getItem(table.client, table.tableName, healthPk(bucketId), HEALTH_STATE_SK);
    expect(await state()).toStrictEqual(expected);
    expect(
      (await getItem(table.client, table.tableName, bucketPk(bucketId), META_SK))?.createdAt,
    ).toStrictEqual({ S: '2026-12-03T10:20:30.456Z' });

    // Again, later: refused (the bucket exists), and its STATE is left as it is.
    clock += 60_000;
    await expect(operator.createBucket({ bucketId, workspaceId, name: 'b' })).rejects.toThrow(
      AdminError,
    );
    expect(await state()).toStrictEqual(expected);
  });

  it('never over a STATE that holds a checkpoint; a mark already there stays', async ({
    table,
  }) => {
    const clock = Date.parse('2026-12-03T10:20:30.456Z');
    const operator = createAdminStore(table.client, table.tableName, { now: () => clock });
    const workspaceId = `ws-${randomUUID().slice(0, 8)}`;
    await operator.createWorkspace({ workspaceId, orgId: 'org-c' });
    const mark = createHealthMarker(table.client, table.tableName);

    const marked = randomUUID();
    await mark(marked, clock - 5);
    await operator.createBucket({ bucketId: marked, workspaceId, name: 'm' });
    const markedState = await getItem(
      table.client,
      table.tableName,
      healthPk(marked),
      HEALTH_STATE_SK,
    );
    expect(markedState).toMatchObject({
      asOf: { N: String(clock) },
      sweepAt: { S: healthMarkOf(clock - 5) },
      markSeq: { N: '1' },
    });

    const checkpointed = randomUUID();
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: healthPk(checkpointed) },
          sk: { S: HEALTH_STATE_SK },
          asOf: { N: '7' },
          ver: { N: '3' },
        },
      }),
    );
    await operator.createBucket({ bucketId: checkpointed, workspaceId, name: 'c' });
    expect(
      await getItem(table.client, table.tableName, healthPk(checkpointed), HEALTH_STATE_SK),
    ).toStrictEqual({
      pk: { S: healthPk(checkpointed) },
      sk: { S: HEALTH_STATE_SK },
      asOf: { N: '7' },
      ver: { N: '3' },
    });
  });
});
