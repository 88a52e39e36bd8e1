// Transition sequences end to end: signed reports through the production ingest wiring and
// runs of the sweep, on one clock, over the real engine. The recorded events must be exactly
// the changes of history's state timeline (functions/domain/timeline.ts), with exact from, to
// and at: flips, silence, recovery, the first report after assignment, reassignment.
import { randomUUID } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { createEventWriter } from '../../functions/data/events.ts';
import { ALL_SWEEP_SHARDS, createSweepIndex } from '../../functions/data/sweep-index.ts';
import { eventId } from '../../functions/domain/events.ts';
import type { NodeStatus, ReportedStatus } from '../../functions/domain/node-status.ts';
import {
  disconnectedAt,
  stateAt,
  type TimelineReport,
  transitionsOf,
} from '../../functions/domain/timeline.ts';
import { runSweep } from '../../functions/sweep/run-sweep.ts';
import {
  buildIngestHandler,
  type PostReport,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { eventRows, iso, STALE_MS, STALE_S } from './support.ts';

let table: TestTable;
let seed: Seeder;
let post: PostReport;
const T0 = Date.parse('2026-12-01T06:00:00.000Z');
let clock = T0;
const at = (seconds: number) => T0 + seconds * 1000;

beforeAll(async () => {
  table = await createTestTable('transitions');
  seed = new Seeder(table.client, table.tableName);
  post = buildIngestHandler(table.client, table.tableName, {
    now: () => clock,
    minReportIntervalMs: 0,
  });
});

const sweepAt = (ms: number) => {
  clock = ms;
  return runSweep({
    index: createSweepIndex(table.client, table.tableName),
    shards: ALL_SWEEP_SHARDS,
    recordEvents: createEventWriter(table.client, table.tableName, { retentionDays: 90 }),
    staleAfterSeconds: STALE_S,
    now: () => ms,
  });
};

async function report(
  nodeId: string,
  key: string,
  bucketId: string,
  ms: number,
  status: ReportedStatus,
) {
  clock = ms;
  const response = await post(
    ...(Object.values(signed(nodeId, key, reportBody([{ bucketId, status }]), ms)) as [
      string,
      Record<string, string>,
    ]),
  );
  expect(response.json, JSON.stringify(response.json)).toMatchObject({ accepted: [bucketId] });
}

const recorded = async (bucketId: string) =>
  (await eventRows(table.client, table.tableName, bucketId)).map(({ nodeId, from, to, at }) => ({
    nodeId,
    from,
    to,
    at,
  }));

/** The timeline's changes for a sequence of accepted reports, and its silence up to `untilMs`. */
function timelineChanges(reports: TimelineReport[], untilMs: number) {
  const changes: { from: NodeStatus; to: NodeStatus; at: number }[] = [];
  let previous: TimelineReport | undefined;
  for (const r of reports) {
    changes.push(...transitionsOf(previous, r, STALE_MS));
    previous = r;
  }
  if (previous !== undefined && disconnectedAt(previous, STALE_MS) < untilMs) {
    changes.push({
      from: previous.status,
      to: 'DISCONNECTED',
      at: disconnectedAt(previous, STALE_MS),
    });
  }
  return changes;
}

describe('one node, one bucket, on one clock', () => {
  it('flips, silence, recovery and a gap with no sweep in between: exactly the timeline', async () => {
    const bucketId = randomUUID();
    const nodeId = `node-${randomUUID().slice(0, 8)}`;
    const key = await seed.node(nodeId);
    await seed.assignment(bucketId, nodeId, { assignedAt: at(-10) });
    const reports: TimelineReport[] = [];
    const send = async (seconds: number, status: ReportedStatus) => {
      await report(nodeId, key, bucketId, at(seconds), status);
      reports.push({ at: at(seconds), status });
    };

    await send(0, 'ONLINE'); // the first report after assignment
    await send(30, 'ONLINE'); // no change
    await send(60, 'OFFLINE'); // a flip
    await send(90, 'ONLINE'); // and back
    expect((await sweepAt(at(190))).recorded).toBe(0); // 90 + 90 + 10 s grace: not yet
    expect((await sweepAt(at(191))).recorded).toBe(1); // silent since 90: DISCONNECTED at 180
    expect((await sweepAt(at(251))).recorded).toBe(0); // recorded once
    await send(300, 'ONLINE'); // recovery (its own DISCONNECTED at 180 is the same event)
    await send(500, 'OFFLINE'); // a gap of 200 s that no sweep saw: both changes by the report
    expect((await sweepAt(at(501))).recorded).toBe(0); // the row is fresh
    expect((await sweepAt(at(700))).recorded).toBe(1); // silent since 500: DISCONNECTED at 590

    const expected = [
      { from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)) },
      { from: 'ONLINE', to: 'OFFLINE', at: iso(at(60)) },
      { from: 'OFFLINE', to: 'ONLINE', at: iso(at(90)) },
      { from: 'ONLINE', to: 'DISCONNECTED', at: iso(at(180)) },
      { from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(300)) },
      { from: 'ONLINE', to: 'DISCONNECTED', at: iso(at(390)) },
      { from: 'DISCONNECTED', to: 'OFFLINE', at: iso(at(500)) },
      { from: 'OFFLINE', to: 'DISCONNECTED', at: iso(at(590)) },
    ].map((e) => ({ nodeId, ...e }));
    expect(await recorded(bucketId)).toStrictEqual(expected);

    // The same list from history's timeline module over the accepted reports.
    const fromTimeline = timelineChanges(reports, at(700)).map((c) => ({
      nodeId,
      from: c.from,
      to: c.to,
      at: iso(c.at),
    }));
    expect(fromTimeline).toStrictEqual(expected);

    // And the state between events is the timeline's state at every instant (off the edges).
    for (let t = at(0) + 500; t < at(700); t += 5_000) {
      const last = reports.filter((r) => r.at <= t).at(-1);
      const byEvents = expected.filter((e) => Date.parse(e.at) <= t).at(-1)?.to ?? 'DISCONNECTED';
      expect(byEvents, iso(t)).toBe(stateAt(last, t, STALE_MS));
    }
  });

  it('unassigning closes the chain at the unassign instant; reassignment starts a new timeline', async () => {
    const bucketId = randomUUID();
    const nodeId = `node-${randomUUID().slice(0, 8)}`;
    const key = await seed.node(nodeId);
    await seed.bucket(bucketId, { workspaceId: 'ws-r', orgId: 'org-r' });
    const published: string[] = [];
    const operator = createAdminStore(table.client, table.tableName, {
      now: () => clock,
      staleAfterSeconds: STALE_S,
      onEventsRecorded: (events) => {
        for (const e of events) published.push(`${e.id} ${e.from}->${e.to} ${e.at}`);
      },
    });
    clock = at(-5);
    await operator.assignNode({ bucketId, nodeId });
    await report(nodeId, key, bucketId, at(0), 'ONLINE');
    clock = at(20);
    await operator.unassignNode({ bucketId, nodeId });
    // While unassigned, nothing is swept for this bucket: the row (and its index entry) is gone.
    expect((await sweepAt(at(200))).recorded).toBe(0);
    clock = at(300);
    await operator.assignNode({ bucketId, nodeId });
    await report(nodeId, key, bucketId, at(310), 'ONLINE');
    const events = [
      { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)) },
      { nodeId, from: 'ONLINE', to: 'DISCONNECTED', at: iso(at(20)) },
      { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(310)) },
    ];
    expect(await recorded(bucketId)).toStrictEqual(events);
    // The unassign's event went through the event writer's publish port, with its id.
    expect(published).toStrictEqual([
      `${eventId({ bucketId, nodeId, at: iso(at(20)), to: 'DISCONNECTED' })} ONLINE->DISCONNECTED ${iso(at(20))}`,
    ]);
  });

  it('two nodes of one bucket, each on its own timeline', async () => {
    const bucketId = randomUUID();
    const [a, b] = [`node-a-${randomUUID().slice(0, 6)}`, `node-b-${randomUUID().slice(0, 6)}`];
    const keyA = await seed.node(a);
    const keyB = await seed.node(b);
    await seed.assignment(bucketId, a, { assignedAt: at(-10) });
    await seed.assignment(bucketId, b, { assignedAt: at(-10) });
    await report(a, keyA, bucketId, at(0), 'ONLINE');
    await report(b, keyB, bucketId, at(1), 'ONLINE');
    await report(a, keyA, bucketId, at(60), 'ONLINE');
    await report(b, keyB, bucketId, at(61), 'OFFLINE');
    await report(a, keyA, bucketId, at(120), 'ONLINE'); // b goes silent after 61
    expect((await sweepAt(at(162))).recorded).toBe(1); // b: 61 + 90 + 10 < 162; a is fresh
    expect(await recorded(bucketId)).toStrictEqual([
      { nodeId: a, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)) },
      { nodeId: b, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(1)) },
      { nodeId: b, from: 'ONLINE', to: 'OFFLINE', at: iso(at(61)) },
      { nodeId: b, from: 'OFFLINE', to: 'DISCONNECTED', at: iso(at(151)) },
    ]);
  });
});

describe('unassigning a node records its change to DISCONNECTED (DESIGN.md section 12)', () => {
  const operator = () =>
    createAdminStore(table.client, table.tableName, {
      now: () => clock,
      staleAfterSeconds: STALE_S,
    });

  async function assigned() {
    const bucketId = randomUUID();
    const nodeId = `node-${randomUUID().slice(0, 8)}`;
    const key = await seed.node(nodeId);
    await seed.bucket(bucketId, { workspaceId: 'ws-u', orgId: 'org-u' });
    clock = at(-5);
    await operator().assignNode({ bucketId, nodeId });
    return { bucketId, nodeId, key };
  }

  it('OFFLINE at the unassign instant closes too, with the last report ip and region', async () => {
    const { bucketId, nodeId, key } = await assigned();
    await report(nodeId, key, bucketId, at(0), 'OFFLINE');
    clock = at(STALE_S); // exactly stale: the report still holds
    await operator().unassignNode({ bucketId, nodeId });
    const rows = await eventRows(table.client, table.tableName, bucketId);
    expect(rows.map(({ from, to, at }) => ({ from, to, at }))).toStrictEqual([
      { from: 'DISCONNECTED', to: 'OFFLINE', at: iso(at(0)) },
      { from: 'OFFLINE', to: 'DISCONNECTED', at: iso(at(STALE_S)) },
    ]);
    expect(rows[1]).toMatchObject({ ip: rows[0]?.ip, region: rows[0]?.region });
    expect(rows[1]?.ip).toBeDefined();
  });

  it('stale but not yet swept: the change the sweep would record, at last report + stale', async () => {
    const { bucketId, nodeId, key } = await assigned();
    await report(nodeId, key, bucketId, at(0), 'ONLINE');
    clock = at(STALE_S + 5); // past stale, within the sweep's grace: not swept yet
    await operator().unassignNode({ bucketId, nodeId });
    expect(await recorded(bucketId)).toStrictEqual([
      { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)) },
      { nodeId, from: 'ONLINE', to: 'DISCONNECTED', at: iso(at(STALE_S)) },
    ]);
  });

  it('already swept: nothing more (the sweep recorded the change)', async () => {
    const { bucketId, nodeId, key } = await assigned();
    await report(nodeId, key, bucketId, at(0), 'ONLINE');
    expect((await sweepAt(at(STALE_S + 11))).recorded).toBe(1);
    clock = at(1000);
    await operator().unassignNode({ bucketId, nodeId });
    expect(await recorded(bucketId)).toStrictEqual([
      { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)) },
      { nodeId, from: 'ONLINE', to: 'DISCONNECTED', at: iso(at(STALE_S)) },
    ]);
  });

  it('never reported since the assignment: already DISCONNECTED, nothing recorded', async () => {
    const { bucketId, nodeId } = await assigned();
    clock = at(10);
    await operator().unassignNode({ bucketId, nodeId });
    expect(await recorded(bucketId)).toStrictEqual([]);
  });

  it("the row's pending events (a failed event write) are recorded before the row goes", async () => {
    const { bucketId, nodeId, key } = await assigned();
    await report(nodeId, key, bucketId, at(0), 'ONLINE');
    // A report at 30 made ONLINE -> OFFLINE, but its event write failed: the change is
    // pending on the row (functions/data/pending-events.ts).
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `BUCKET#${bucketId}` }, sk: { S: `NODE#${nodeId}` } },
        UpdateExpression: 'SET #status = :off, lastAt = :at, pEv = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':off': { S: 'OFFLINE' },
          ':at': { N: String(at(30)) },
          ':pending': { L: [{ S: `ONLINE|OFFLINE|${at(30)}|203.0.113.7|us-east-1` }] },
        },
      }),
    );
    clock = at(40);
    await operator().unassignNode({ bucketId, nodeId });
    expect(await recorded(bucketId)).toStrictEqual([
      { nodeId, from: 'DISCONNECTED', to: 'ONLINE', at: iso(at(0)) },
      { nodeId, from: 'ONLINE', to: 'OFFLINE', at: iso(at(30)) },
      { nodeId, from: 'OFFLINE', to: 'DISCONNECTED', at: iso(at(40)) },
    ]);
  });
});
