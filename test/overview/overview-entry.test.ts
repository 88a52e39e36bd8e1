/**
 * What an overview entry reads (DESIGN.md section 14; docs/ARCHITECTURE.md "The workspace
 * overview"), through the production wiring with the workspace function's requests recorded by a
 * proxy: a bucket whose changes are all on record is read from its log and the overview index
 * (no Query of its partition, so nothing that grows with its nodes), a bucket with a row whose
 * changes may be unrecorded is read as GET health reads it; and either way the entry is GET
 * health's answer, including at the millisecond a report turns stale (the view still shows it,
 * its change to DISCONNECTED is at that instant), where `since` is the timeline's of 1 ms before.
 */
import { DeleteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsPk } from '../../functions/data/events.ts';
import { bucketPk, HEALTH_STATE_SK, healthPk, META_SK } from '../../functions/data/keys.ts';
import { SWEEP_GRACE_SECONDS } from '../../functions/data/sweep-index.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { type BucketWorld, createHealthApi, type HealthApi } from '../support/health-api.ts';
import { bucketPartitionQueries } from '../support/partition-reads.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

const STALE_S = 60;
const STALE = STALE_S * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let statusProxy: FaultProxy;
let ingestProxy: FaultProxy;
let api: HealthApi;
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable('overview-entry');
  statusProxy = await FaultProxy.start(table.endpoint);
  ingestProxy = await FaultProxy.start(table.endpoint);
  api = createHealthApi(table, {
    staleAfterSeconds: STALE_S,
    statusClient: createDynamoClient({ endpoint: statusProxy.endpoint }),
    ingestClient: createDynamoClient({ endpoint: ingestProxy.endpoint }),
  });
  api.now = Date.parse('2027-06-01T10:00:00.000Z');
});
afterAll(async () => {
  await statusProxy?.close();
  await ingestProxy?.close();
});

/** The overview's entries and GET health of each bucket, at the clock's instant. */
async function readBoth(worlds: BucketWorld[]) {
  const from = statusProxy.seen.length;
  const answer = await api.request(
    'GET',
    'GET /workspace/{workspaceId}/buckets',
    `/workspace/${api.workspaceId}/buckets`,
    { workspaceId: api.workspaceId },
  );
  expect(answer.statusCode).toBe(200);
  const requests = statusProxy.seen.slice(from);
  const entries = answer.json.buckets as Record<string, unknown>[];
  const health = new Map<string, Record<string, unknown>>();
  for (const world of worlds) {
    const h = await api.request(
      'GET',
      'GET /bucket/{bucketId}/health',
      `/bucket/${world.bucketId}/health`,
      { bucketId: world.bucketId },
    );
    expect(h.statusCode).toBe(200);
    health.set(world.bucketId, h.json);
  }
  const entryOf = (world: BucketWorld) => {
    const entry = entries.find((e) => e.bucketId === world.bucketId);
    if (entry === undefined) throw new Error(`no entry for ${world.bucketId}`);
    const { name: _, ...rest } = entry;
    const { policy: __, ...expected } = health.get(world.bucketId) as Record<string, unknown>;
    return { entry: rest, expected };
  };
  /** Queries of the bucket's own partition (GET health's read of every node row). */
  const partitionReads = (world: BucketWorld) => bucketPartitionQueries(requests, world.bucketId);
  const listed = (world: BucketWorld) => entries.some((e) => e.bucketId === world.bucketId);
  return { entryOf, partitionReads, listed };
}

/** A bucket of two nodes, both reporting ONLINE at `t0` (returned); b again 10 s later. */
async function twoNodes(name: string) {
  const world = await api.newBucket(name);
  const a = await world.addNode();
  const b = await world.addNode();
  await world.assign(a);
  await world.assign(b);
  api.now += 1000;
  const t0 = api.now;
  await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'ONLINE' });
  api.now += 10_000;
  await world.report({ node: b, status: 'ONLINE' });
  return { world, a, b, t0 };
}

describe('an overview entry', () => {
  it('reads a bucket whose changes are on record from its log: no node row read but the silent ones', async () => {
    const world = await api.newBucket('recorded');
    const add = async () => {
      const node = await world.addNode();
      await world.assign(node);
      return node;
    };
    const [a, b, c, d] = [await add(), await add(), await add(), await add()];
    await add(); // never reports
    api.now += 1000;
    await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'OFFLINE' });
    await world.report({ node: c, status: 'ONLINE' });
    api.now += STALE / 2;
    // d reports once, then goes silent past stale without a sweep (an unrecorded silence).
    await world.report({ node: d, status: 'ONLINE' });
    api.now += STALE / 2 + 10;
    await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'OFFLINE' });
    api.now += STALE;
    await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'OFFLINE' });
    api.now += 5;
    const { entryOf, partitionReads } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(entry).toStrictEqual(expected);
    // 5 assigned (one never reported), 4 counted: a ONLINE, b OFFLINE, c and d DISCONNECTED.
    expect(expected.nodes).toStrictEqual({
      assigned: 5,
      counted: 4,
      online: 1,
      offline: 1,
      disconnected: 3,
    });
    expect(partitionReads(world)).toBe(0);
  });

  it('reads a bucket with a row whose changes are unrecorded as GET health does, and from its log again once they are recorded', async () => {
    const world = await api.newBucket('pending');
    const a = await world.addNode();
    const b = await world.addNode();
    await world.assign(a);
    await world.assign(b);
    api.now += 1000;
    await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'ONLINE' });
    api.now += 1000;
    ingestProxy.fail({
      kind: 'throttle',
      operation: 'PutItem',
      bodyIncludes: eventsPk(world.bucketId),
      times: Infinity,
    });
    try {
      expect(await world.reportWithEventsPending(b, 'OFFLINE')).toBe(true);
    } finally {
      ingestProxy.clear();
    }
    api.now += 5;
    const pending = await readBoth([world]);
    expect(pending.entryOf(world).entry).toStrictEqual(pending.entryOf(world).expected);
    expect(pending.entryOf(world).expected.nodes).toMatchObject({ online: 1, offline: 1 });
    expect(pending.partitionReads(world)).toBeGreaterThan(0);

    // b's next report records the pending change and clears the row's mark.
    api.now += 1000;
    await world.report({ node: b, status: 'OFFLINE' });
    api.now += 5;
    const recorded = await readBoth([world]);
    expect(recorded.entryOf(world).entry).toStrictEqual(recorded.entryOf(world).expected);
    expect(recorded.partitionReads(world)).toBe(0);
  });

  it('at the millisecond a report turns stale: the view still shows it, and `since` is when the shown verdict began', async () => {
    const world = await api.newBucket('boundary');
    const a = await world.addNode();
    const b = await world.addNode();
    await world.assign(a);
    await world.assign(b);
    api.now += 1000;
    const t0 = api.now;
    await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'ONLINE' });
    api.now += 10_000;
    await world.report({ node: b, status: 'ONLINE' });
    // a's last report is exactly STALE old: GET status still shows it ONLINE.
    api.now = t0 + STALE;
    const { entryOf, partitionReads } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(expected).toMatchObject({
      verdict: 'OPERATIONAL',
      since: iso(t0),
      nodes: { counted: 2, online: 2 },
    });
    expect(entry).toStrictEqual(expected);
    expect(partitionReads(world)).toBe(0);
    // One millisecond later a is DISCONNECTED, from t0 + STALE on.
    api.now += 1;
    const after = await readBoth([world]);
    expect(after.entryOf(world).expected).toMatchObject({
      verdict: 'DEGRADED',
      since: iso(t0 + STALE),
      nodes: { counted: 2, online: 1, disconnected: 1 },
    });
    expect(after.entryOf(world).entry).toStrictEqual(after.entryOf(world).expected);
  });

  it('at the millisecond a report turns stale, just after a sweep: still from the log', async () => {
    const { world, t0 } = await twoNodes('boundary-swept');
    // The sweep's checkpoint is 1 ms before the read: the timeline of 1 ms before is that one.
    api.now = t0 + STALE - 1;
    await api.sweep();
    api.now = t0 + STALE;
    const { entryOf, partitionReads } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(expected).toMatchObject({ verdict: 'OPERATIONAL', since: iso(t0) });
    expect(entry).toStrictEqual(expected);
    expect(partitionReads(world)).toBe(0);
  });

  it('with the checkpoint as of the read instant itself: from the log', async () => {
    const { world } = await twoNodes('swept-now');
    api.now += 5000;
    const readAt = api.now;
    // The sweep settles its grace and a second before its run: its checkpoint is as of readAt.
    api.now = readAt + SWEEP_GRACE_SECONDS * 1000 + 1000;
    await api.sweep();
    api.now = readAt;
    const { entryOf, partitionReads } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(entry).toStrictEqual(expected);
    expect(partitionReads(world)).toBe(0);
  });

  it("a late input of the checkpoint's own day (a window with a past start): from the log, its day recomputed from its start", async () => {
    const { world, t0 } = await twoNodes('late-window');
    // The sweep settles past both reports.
    api.now = t0 + 10_000 + SWEEP_GRACE_SECONDS * 1000 + 2000;
    await api.sweep();
    // A window that started before the checkpoint, in its day: the bucket is marked before it.
    await world.addWindow(t0 + 5000, api.now + 60_000, 'late');
    api.now += 5;
    const { entryOf, partitionReads } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(expected).toMatchObject({ verdict: 'MAINTENANCE', since: iso(t0 + 5000) });
    expect(entry).toStrictEqual(expected);
    expect(partitionReads(world)).toBe(0);
  });

  it('with the checkpoint after the read instant (a sweep whose clock ran ahead): as GET health', async () => {
    const { world, t0 } = await twoNodes('swept-ahead');
    // The sweep records a's silence (at t0 + STALE) and settles past it.
    api.now = t0 + STALE + 5000 + SWEEP_GRACE_SECONDS * 1000 + 1000;
    await api.sweep();
    api.now = t0 + STALE - 5000;
    const { entryOf, partitionReads } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(entry).toStrictEqual(expected);
    expect(partitionReads(world)).toBeGreaterThan(0);
  });

  it('a report turning stale and another changing at the same millisecond: as GET health, since at the latest report', async () => {
    const world = await api.newBucket('boundary-and-change');
    const [a, b, c] = [await world.addNode(), await world.addNode(), await world.addNode()];
    for (const node of [a, b, c]) await world.assign(node);
    api.now += 1000;
    const t0 = api.now;
    await world.report({ node: a, status: 'ONLINE' }, { node: b, status: 'ONLINE' });
    await world.report({ node: c, status: 'ONLINE' });
    api.now += 10_000;
    await world.report({ node: b, status: 'ONLINE' }, { node: c, status: 'ONLINE' });
    // a is exactly stale (shown ONLINE) as b turns OFFLINE: 2 of 3 shown ONLINE, a verdict the
    // timeline has neither at this instant (1 of 3) nor 1 ms before (3 of 3).
    api.now = t0 + STALE;
    await world.report({ node: b, status: 'OFFLINE' });
    const { entryOf } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(expected).toMatchObject({
      verdict: 'DEGRADED',
      since: iso(t0 + STALE),
      nodes: { counted: 3, online: 2, offline: 1 },
    });
    expect(entry).toStrictEqual(expected);
  });

  it('reads a timeline of an older release (no offline count) as GET health does', async () => {
    const { world } = await twoNodes('older-release');
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: healthPk(world.bucketId) }, sk: { S: HEALTH_STATE_SK } },
        UpdateExpression: 'REMOVE #off, #eOff',
        ExpressionAttributeNames: { '#off': 'off', '#eOff': 'eOff' },
      }),
    );
    api.now += 5;
    const { entryOf, partitionReads } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(entry).toStrictEqual(expected);
    expect(partitionReads(world)).toBeGreaterThan(0);
  });

  it('reads a bucket with no health state yet (the bootstrap writes it) as GET health does', async () => {
    const { world } = await twoNodes('no-state');
    await table.client.send(
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: healthPk(world.bucketId) }, sk: { S: HEALTH_STATE_SK } },
      }),
    );
    api.now += 5;
    const { entryOf, partitionReads } = await readBoth([world]);
    const { entry, expected } = entryOf(world);
    expect(entry).toStrictEqual(expected);
    expect(partitionReads(world)).toBeGreaterThan(0);
  });

  it('a bucket deleted after it was listed has no entry', async () => {
    const { world } = await twoNodes('deleted');
    await table.client.send(
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: bucketPk(world.bucketId) }, sk: { S: META_SK } },
      }),
    );
    api.now += 5;
    const answer = await api.request(
      'GET',
      'GET /workspace/{workspaceId}/buckets',
      `/workspace/${api.workspaceId}/buckets`,
      { workspaceId: api.workspaceId },
    );
    expect(answer.statusCode).toBe(200);
    const ids = (answer.json.buckets as { bucketId: string }[]).map((e) => e.bucketId);
    expect(ids).not.toContain(world.bucketId);
  });
});
