// The confirmation's reads (functions/data/alert-confirmation.ts) on the run's engine: the
// node's later and earlier events (newest first, across pages), its row (lastAt, else
// lastUpdated), the bucket's windows at check time, and a health change's own row; and, for a
// health change, the verdict timeline up to at + D as the reads compute it, before the sweep has
// recorded it (functions/delivery/confirmer.ts wires both).
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createChangeConfirmer, MAX_RUN } from '../../functions/data/alert-confirmation.ts';
import { createHealthWriter } from '../../functions/data/bucket-health.ts';
import { createEventWriter, eventPut } from '../../functions/data/events.ts';
import { createHealthMarker } from '../../functions/data/health-marks.ts';
import { createMaintenanceWindowStore } from '../../functions/data/maintenance-windows.ts';
import { createDeliveryConfirmer } from '../../functions/delivery/confirmer.ts';
import type { DeliveryCheck } from '../../functions/domain/alert-policy.ts';
import { initialCheckpoint } from '../../functions/domain/health-timeline.ts';
import type { NodeStatus } from '../../functions/domain/node-status.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { wireSweep } from '../../functions/sweep/wiring.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

let seeder: Seeder;
let confirm: ReturnType<typeof createChangeConfirmer>;
let recordEvents: ReturnType<typeof createEventWriter>;
let windows: ReturnType<typeof createMaintenanceWindowStore>;
let table: TestTable;
let counter = 0;
const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-11-20T10:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('alert-confirm');
  const { client, tableName } = table;
  seeder = new Seeder(client, tableName);
  recordEvents = createEventWriter(client, tableName, { retentionDays: 90 });
  windows = createMaintenanceWindowStore(client, tableName);
  confirm = createChangeConfirmer(client, tableName, {
    staleAfterSeconds: 5,
    loadWindows: windows.loadWindows,
  });
});

const bucket = () => `bucket-c${++counter}`;
const node = (bucketId: string, to: NodeStatus, at: number, holdSeconds = 10) =>
  confirm({ subject: 'node', bucketId, nodeId: 'n1', to, at: iso(at), holdSeconds });
const record = (bucketId: string, list: [NodeStatus, NodeStatus, number][], nodeId = 'n1') =>
  recordEvents(list.map(([from, to, at]) => ({ bucketId, nodeId, from, to, at: iso(at) })));
/** A long list: the event writer's rows, 25 to a BatchWriteItem. */
async function recordMany(bucketId: string, list: [NodeStatus, NodeStatus, number][]) {
  const items = list.map(
    ([from, to, at]) =>
      eventPut(
        table.tableName,
        { bucketId, nodeId: 'n1', from, to, at: iso(at) },
        { retentionDays: 90, writer: 'test', recordedAt: iso(at) },
      ).Item,
  );
  for (let i = 0; i < items.length; i += 25) {
    await table.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [table.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
}

describe('a node change', () => {
  it('walks back over the earlier changes newest first, across pages, to the start of the run', async () => {
    const bucketId = bucket();
    // 152 changes 1 s apart, alternating; an older change 60 s before them.
    const list: [NodeStatus, NodeStatus, number][] = [['DISCONNECTED', 'ONLINE', T0 - 60_000]];
    for (let k = 0; k <= 151; k++) {
      list.push(
        k % 2 === 0 ? ['ONLINE', 'OFFLINE', T0 + k * 1000] : ['OFFLINE', 'ONLINE', T0 + k * 1000],
      );
    }
    await recordMany(bucketId, list);
    await seeder.put({
      pk: `BUCKET#${bucketId}`,
      sk: 'NODE#n1',
      status: 'ONLINE',
      lastAt: T0 + 600_000,
    });
    // The last change (ONLINE) only returns to the state before the run (ONLINE): not delivered.
    expect(await node(bucketId, 'ONLINE', T0 + 151_000)).toBe(false);
    // The one before it (OFFLINE) did not hold.
    expect(await node(bucketId, 'OFFLINE', T0 + 150_000)).toBe(false);
    // With D = 1 s, no run: the last change held and is delivered.
    expect(await node(bucketId, 'ONLINE', T0 + 151_000, 1)).toBe(true);
  });

  it('a run of three back to the start is not delivered; its last step alone would look new', async () => {
    const bucketId = bucket();
    await record(bucketId, [
      ['ONLINE', 'OFFLINE', T0],
      ['OFFLINE', 'DISCONNECTED', T0 + 2_000],
      ['DISCONNECTED', 'ONLINE', T0 + 4_000],
    ]);
    await seeder.put({
      pk: `BUCKET#${bucketId}`,
      sk: 'NODE#n1',
      status: 'ONLINE',
      lastAt: T0 + 600_000,
    });
    expect(await node(bucketId, 'ONLINE', T0 + 4_000)).toBe(false);
  });

  it("another node's events count neither as later nor as earlier changes", async () => {
    const bucketId = bucket();
    await record(bucketId, [['ONLINE', 'OFFLINE', T0]]);
    await record(
      bucketId,
      [
        ['OFFLINE', 'ONLINE', T0 - 2_000],
        ['ONLINE', 'OFFLINE', T0 + 2_000],
      ],
      'n2',
    );
    await seeder.put({
      pk: `BUCKET#${bucketId}`,
      sk: 'NODE#n1',
      status: 'OFFLINE',
      lastAt: T0 + 8_000,
    });
    expect(await node(bucketId, 'OFFLINE', T0)).toBe(true);
  });

  it('reads the last report from lastUpdated when the row has no lastAt', async () => {
    const bucketId = bucket();
    await record(bucketId, [['ONLINE', 'OFFLINE', T0]]);
    const row = (lastUpdated: number) =>
      seeder.put({
        pk: `BUCKET#${bucketId}`,
        sk: 'NODE#n1',
        status: 'OFFLINE',
        lastUpdated: iso(lastUpdated),
      });
    await row(T0 + 8_000);
    expect(await node(bucketId, 'OFFLINE', T0)).toBe(true);
    await row(T0);
    expect(await node(bucketId, 'OFFLINE', T0)).toBe(false);
    // A row never reported to (no status, no instant) cannot tell: not delivered; it reads as
    // no last report, so a change to DISCONNECTED held.
    await seeder.put({ pk: `BUCKET#${bucketId}`, sk: 'NODE#n1', assignedAt: iso(T0) });
    expect(await node(bucketId, 'OFFLINE', T0)).toBe(false);
    await record(bucketId, [['OFFLINE', 'DISCONNECTED', T0 + 20_000]]);
    expect(await node(bucketId, 'DISCONNECTED', T0 + 20_000)).toBe(true);
  });

  it('a node whose row is gone (unassigned): its change to DISCONNECTED held, no other can be told', async () => {
    const bucketId = bucket();
    await record(bucketId, [['ONLINE', 'DISCONNECTED', T0]]);
    expect(await node(bucketId, 'DISCONNECTED', T0)).toBe(true);
    expect(await node(bucketId, 'ONLINE', T0 - 60_000)).toBe(false);
  });

  it('a window created after the fan-out that covers `at` silences the change at its check', async () => {
    const bucketId = bucket();
    await record(bucketId, [['ONLINE', 'OFFLINE', T0]]);
    await seeder.put({
      pk: `BUCKET#${bucketId}`,
      sk: 'NODE#n1',
      status: 'OFFLINE',
      lastAt: T0 + 8_000,
    });
    expect(await node(bucketId, 'OFFLINE', T0)).toBe(true);
    await windows.addWindow(bucketId, { start: T0, end: T0 + 1, reason: undefined }, T0);
    expect(await node(bucketId, 'OFFLINE', T0)).toBe(false);
  });
});

describe('the reads', () => {
  it('walks back over at most MAX_RUN earlier changes: the oldest of them starts the run', async () => {
    const bucketId = bucket();
    // 1,001 flips 1 s apart from ONLINE, then the change checked: back to ONLINE. The whole run
    // starts from ONLINE (not delivered), but the walk stops after MAX_RUN = 1,000 changes,
    // whose oldest left OFFLINE: the change counts as one that held after a flap.
    expect(MAX_RUN).toBe(1000);
    const list: [NodeStatus, NodeStatus, number][] = [];
    for (let k = 0; k <= 1001; k++) {
      list.push(
        k % 2 === 0 ? ['ONLINE', 'OFFLINE', T0 + k * 1000] : ['OFFLINE', 'ONLINE', T0 + k * 1000],
      );
    }
    await recordMany(bucketId, list);
    await seeder.put({
      pk: `BUCKET#${bucketId}`,
      sk: 'NODE#n1',
      status: 'ONLINE',
      lastAt: T0 + 1_001_000 + 60_000,
    });
    expect(await node(bucketId, 'ONLINE', T0 + 1_001_000)).toBe(true);
    // One change less in the run: the walk reaches its start, ONLINE.
    expect(await node(bucketId, 'OFFLINE', T0 + 1_000_000)).toBe(false);
  }, 60_000);

  it('every read of the confirmation is consistent', async () => {
    const { client, tableName } = table;
    const seen: { command: string; consistent: unknown }[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ConsistentRead?: unknown; TableName?: string };
        if (input.TableName === tableName) {
          seen.push({ command: String(context.commandName), consistent: input.ConsistentRead });
        }
        return next(args);
      },
      { step: 'initialize', name: 'confirmationReadTrace' },
    );
    try {
      const bucketId = bucket();
      await record(bucketId, [['ONLINE', 'OFFLINE', T0]]);
      await record(bucketId, [['OFFLINE', 'ONLINE', T0 - 5_000]]);
      await seeder.put({ pk: `BUCKET#${bucketId}`, sk: 'NODE#n1', status: 'OFFLINE', lastAt: T0 });
      seen.length = 0;
      const confirmer = createChangeConfirmer(client, tableName, {
        staleAfterSeconds: 5,
        loadWindows: async () => [],
      });
      await confirmer({
        subject: 'node',
        bucketId,
        nodeId: 'n1',
        to: 'OFFLINE',
        at: iso(T0),
        holdSeconds: 10,
      });
      await confirmer({
        subject: 'bucket',
        bucketId,
        to: 'DEGRADED',
        at: iso(T0),
        holdSeconds: 10,
      });
      expect(seen.map((r) => r.command).sort()).toEqual([
        'GetItemCommand',
        'QueryCommand',
        'QueryCommand',
        'QueryCommand',
        'QueryCommand',
      ]);
      expect(seen.every((r) => r.consistent === true)).toBe(true);
    } finally {
      client.middlewareStack.remove('confirmationReadTrace');
    }
  });
});

describe('a bucket health change', () => {
  const healthRow = (bucketId: string, from: string, to: string, at: number) =>
    seeder.put({
      pk: `HEALTH#${bucketId}`,
      sk: `E#${iso(at)}#${to}`,
      id: `hev_${at}`,
      from,
      to,
      at: iso(at),
      counted: 2,
      online: 1,
    });
  const health = (bucketId: string, to: string, at: number) =>
    confirm({ subject: 'bucket', bucketId, to, at: iso(at), holdSeconds: 10 });

  it('holds while recorded with nothing after it within D; not when gone, followed, or a flap back', async () => {
    const bucketId = bucket();
    // The checkpoint and a closed day sort around the E# range and are no health events.
    // (The D# row even carries a `from` equal to the change's `to`: outside the E# range, it
    // starts no run.)
    await seeder.put({
      pk: `HEALTH#${bucketId}`,
      sk: 'D#2026-11-19',
      from: 'DEGRADED',
      at: iso(T0 - 1),
    });
    await seeder.put({ pk: `HEALTH#${bucketId}`, sk: 'STATE', at: iso(T0 + 1) });
    expect(await health(bucketId, 'DEGRADED', T0)).toBe(false);
    await healthRow(bucketId, 'OPERATIONAL', 'DEGRADED', T0);
    expect(await health(bucketId, 'DEGRADED', T0)).toBe(true);
    // Recorded with another `to` at that instant: not this change.
    expect(await health(bucketId, 'MAJOR_OUTAGE', T0)).toBe(false);
    await healthRow(bucketId, 'DEGRADED', 'OPERATIONAL', T0 + 10_000);
    expect(await health(bucketId, 'DEGRADED', T0)).toBe(false);
    // The DEGRADED lasted D, so the OPERATIONAL after it starts no run: it held.
    expect(await health(bucketId, 'OPERATIONAL', T0 + 10_000)).toBe(true);
    await healthRow(bucketId, 'OPERATIONAL', 'PARTIAL_OUTAGE', T0 + 30_000);
    await healthRow(bucketId, 'PARTIAL_OUTAGE', 'OPERATIONAL', T0 + 35_000);
    expect(await health(bucketId, 'OPERATIONAL', T0 + 35_000)).toBe(false);
  });
});

describe('a bucket health change checked before the sweep has settled at + D', () => {
  const STALE = 5;
  /** A bucket with its checkpoint at T0 (UNKNOWN) and one assigned node, n1. */
  async function newBucket() {
    const bucketId = bucket();
    await seeder.bucket(bucketId, { workspaceId: 'ws-c', orgId: 'org-c' });
    const writer = createHealthWriter(table.client, table.tableName, {
      eventRetentionDays: 90,
      historyRetentionDays: 90,
    });
    const entry = {
      counts: { counted: 0, online: 0 },
      minOnlinePercent: 50,
      verdict: 'UNKNOWN' as const,
    };
    const written = await writer.writeCheckpoint(bucketId, initialCheckpoint(T0, []), entry, {
      expectVer: undefined,
      expectMarkSeq: undefined,
      nextMark: undefined,
    });
    expect(written).toBe(true);
    return bucketId;
  }
  const recordMarked = createEventWriterMarking();
  function createEventWriterMarking() {
    let writer: ReturnType<typeof createEventWriter> | undefined;
    return (...args: Parameters<ReturnType<typeof createEventWriter>>) => {
      writer ??= createEventWriter(table.client, table.tableName, {
        retentionDays: 90,
        markHealth: createHealthMarker(table.client, table.tableName),
      });
      return writer(...args);
    };
  }
  /** A report of n1 as the ingest path leaves it: the row, and the event (marking the bucket). */
  async function report(bucketId: string, from: string, to: NodeStatus, at: number) {
    await seeder.assignment(bucketId, 'n1', {
      status: to,
      lastAt: at,
      lastUpdated: iso(at),
    });
    await recordMarked([
      {
        bucketId,
        nodeId: 'n1',
        from: from as NodeStatus,
        to,
        at: iso(at),
        ...(from === 'DISCONNECTED' && { first: true }),
      },
    ]);
  }
  /** A sweep run at `now`: the health step settles up to now - 11 s. */
  const sweepAt = (now: number) =>
    wireSweep({
      client: table.client,
      tableName: table.tableName,
      staleAfterSeconds: STALE,
      eventRetentionDays: 90,
      historyRetentionDays: 90,
      logger: createLogger('alert-confirmation-test'),
      now: () => now,
    })();
  const confirmAt = (now: number, check: DeliveryCheck) =>
    createDeliveryConfirmer(table.client, table.tableName, {
      staleAfterSeconds: STALE,
      now: () => now,
    })(check);
  const operational = (bucketId: string, holdSeconds: number): DeliveryCheck => ({
    subject: 'bucket',
    bucketId,
    to: 'OPERATIONAL',
    at: iso(T0 + 1_000),
    holdSeconds,
  });

  it('a change the reports undid within D, not yet recorded by the sweep, did not hold', async () => {
    const bucketId = await newBucket();
    await report(bucketId, 'DISCONNECTED', 'ONLINE', T0 + 1_000);
    // The run that records UNKNOWN -> OPERATIONAL at T0 + 1 s settles only up to T0 + 2 s.
    await sweepAt(T0 + 13_000);
    await report(bucketId, 'ONLINE', 'OFFLINE', T0 + 3_000);
    // Checked at at + D = T0 + 6 s (and later, still before the next run): MAJOR_OUTAGE at T0 + 3 s.
    expect(await confirmAt(T0 + 6_000, operational(bucketId, 5))).toBe(false);
    expect(await confirmAt(T0 + 13_500, operational(bucketId, 5))).toBe(false);
    // The same change with D = 1 s held: OFFLINE came 2 s after it.
    expect(await confirmAt(T0 + 13_500, operational(bucketId, 1))).toBe(true);
    // Once the sweep has recorded the timeline, the answer is the same.
    await sweepAt(T0 + 30_000);
    expect(await confirmAt(T0 + 30_000, operational(bucketId, 5))).toBe(false);
  });

  it('a silence within D that no sweep has noticed yet undoes the change too', async () => {
    const bucketId = await newBucket();
    await report(bucketId, 'DISCONNECTED', 'ONLINE', T0 + 1_000);
    await sweepAt(T0 + 13_000);
    // No report after T0 + 1 s: DISCONNECTED at T0 + 6 s (stale 5 s), MAJOR_OUTAGE then.
    expect(await confirmAt(T0 + 11_000, operational(bucketId, 10))).toBe(false);
    // Checked before T (a clock behind): the timeline to T still has the silence.
    expect(await confirmAt(T0 + 3_000, operational(bucketId, 10))).toBe(false);
    // For 4 s it held; the 5th second ends at the silence itself.
    expect(await confirmAt(T0 + 11_000, operational(bucketId, 4))).toBe(true);
    expect(await confirmAt(T0 + 11_000, operational(bucketId, 5))).toBe(false);
  });

  it('a flap back to the recorded verdict, not recorded yet, delivers nothing; the record counts up to the checkpoint', async () => {
    const bucketId = await newBucket();
    // The first report exactly at the instant the run settles (T0 + 2 s): the health event
    // UNKNOWN -> OPERATIONAL is recorded at the checkpoint itself.
    await report(bucketId, 'DISCONNECTED', 'ONLINE', T0 + 2_000);
    await sweepAt(T0 + 13_000);
    const at2 = { ...operational(bucketId, 1), at: iso(T0 + 2_000) };
    expect(await confirmAt(T0 + 30_000, at2)).toBe(true);
    // OPERATIONAL -> MAJOR_OUTAGE -> ... -> OPERATIONAL, 2 s apart, after the checkpoint.
    await report(bucketId, 'ONLINE', 'OFFLINE', T0 + 20_000);
    await report(bucketId, 'OFFLINE', 'ONLINE', T0 + 22_000);
    await report(bucketId, 'ONLINE', 'OFFLINE', T0 + 24_000);
    await report(bucketId, 'OFFLINE', 'ONLINE', T0 + 26_000);
    // Reports go on, changing nothing: no silence before T0 + 37 s.
    await seeder.assignment(bucketId, 'n1', { status: 'ONLINE', lastAt: T0 + 32_000 });
    const back = { ...operational(bucketId, 5), at: iso(T0 + 26_000) };
    const outage = { ...back, to: 'MAJOR_OUTAGE', at: iso(T0 + 24_000) };
    expect(await confirmAt(T0 + 40_000, outage)).toBe(false);
    expect(await confirmAt(T0 + 40_000, back)).toBe(false);
    // No change at T0 + 10 s: nothing to confirm there, whatever follows.
    expect(await confirmAt(T0 + 40_000, { ...back, at: iso(T0 + 10_000), holdSeconds: 1 })).toBe(
      false,
    );
    // With D = 1 s none of the changes is part of a run: each held.
    expect(await confirmAt(T0 + 40_000, { ...back, holdSeconds: 1 })).toBe(true);
    expect(await confirmAt(T0 + 40_000, { ...outage, holdSeconds: 1 })).toBe(true);
  });

  it('a recorded change a late window undoes (the sweep will delete it) is not confirmed', async () => {
    const bucketId = await newBucket();
    await report(bucketId, 'DISCONNECTED', 'ONLINE', T0 + 1_000);
    await sweepAt(T0 + 13_000);
    expect(await confirmAt(T0 + 14_000, operational(bucketId, 1))).toBe(true);
    // A window over the bucket's first minute, created afterwards: MAINTENANCE from its
    // creation, so the UNKNOWN -> OPERATIONAL at T0 + 1 s did not happen.
    await windows.addWindow(bucketId, { start: T0, end: T0 + 60_000, reason: undefined }, T0);
    expect(await confirmAt(T0 + 14_000, operational(bucketId, 1))).toBe(false);
  });

  it('a change the timeline holds is confirmed before the sweep records anything after it', async () => {
    const bucketId = await newBucket();
    await report(bucketId, 'DISCONNECTED', 'ONLINE', T0 + 1_000);
    await sweepAt(T0 + 13_000);
    // A report that changes nothing: the row only.
    await seeder.assignment(bucketId, 'n1', { status: 'ONLINE', lastAt: T0 + 4_000 });
    expect(await confirmAt(T0 + 6_000, operational(bucketId, 5))).toBe(true);
    // A change the timeline does not have (another verdict at that instant) is not confirmed.
    expect(await confirmAt(T0 + 6_000, { ...operational(bucketId, 5), to: 'DEGRADED' })).toBe(
      false,
    );
  });
});
