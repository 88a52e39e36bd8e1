/**
 * The timeline writer (functions/data/bucket-timeline.ts) on a real engine, without the handler
 * around it: what one report's conditional write leaves on the bucket row (checked against the
 * domain's plain reference, applyPlan / closedDaysOf), what it tells the use case (transitions,
 * ended days, pending events, the predecessor), and what it costs in requests. A hint that
 * matches the row costs one UpdateItem; a hint that does not is never trusted: the row is read
 * and the write recomputed from what it really holds, a bounded number of times.
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject } from 'vitest';
import {
  createPendingEventsClearer,
  createTimelineWriter,
  decodeHint,
  encodeHint,
  readSlot,
} from '../../functions/data/bucket-timeline.ts';
import { bucketPk, nodeSk } from '../../functions/data/keys.ts';
import { Unavailable } from '../../functions/domain/errors.ts';
import type { ReportedStatus } from '../../functions/domain/node-status.ts';
import type {
  BucketHint,
  BucketRowWrite,
  BucketWriteResult,
} from '../../functions/domain/ports/ingest.ts';
import {
  applyPlan,
  closedDaysOf,
  type DayRecord,
  planReport,
  type SlotState,
} from '../../functions/domain/timeline.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { laggingReplica } from '../support/lagging-replica.ts';
import { type TableFixtures, type TestTable, tableFixtures } from '../support/table.ts';

const STALE = 90_000;
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

const it = tableFixtures('bucket-timeline');

/** A client whose requests are counted by command (SDK middleware; every request is real). */
function countingClient(
  beforeRequest?: (command: string, input: Record<string, unknown>) => Promise<void>,
  endpoint = inject('dynamoEndpoint'),
) {
  const client = createDynamoClient({ endpoint });
  const requests: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName).replace(/Command$/, '');
      requests.push(command);
      await beforeRequest?.(command, args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { client, requests };
}

async function readRow(table: TestTable, bucketId: string, nodeId: string) {
  const { Item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: bucketPk(bucketId) }, sk: { S: nodeSk(nodeId) } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

interface Report {
  ts: number;
  at: number;
  status: ReportedStatus;
  latencyMs?: number;
  ip?: string;
  region?: string;
  hint?: BucketHint | undefined;
}

/** A node assigned to a fresh bucket (the assignment row as the admin store writes it). */
async function assignment(
  { table, seed }: Pick<TableFixtures, 'table' | 'seed'>,
  assignedAt: number,
  extra: Record<string, string | number> = {},
) {
  const bucketId = randomUUID();
  const nodeId = `timeline-${randomUUID()}`;
  await seed.assignment(bucketId, nodeId, { assignedAt, ...extra });
  const writeOf = (r: Report): BucketRowWrite => ({
    nodeId,
    bucket: { bucketId, status: r.status, latencyMs: r.latencyMs },
    ip: r.ip ?? '203.0.113.7',
    region: r.region ?? 'us-east-1',
    version: '1.2.3',
    timestamp: r.ts,
    receivedAtMs: r.at,
    hint: r.hint,
  });
  return {
    bucketId,
    nodeId,
    writeOf,
    row: () => readRow(table, bucketId, nodeId),
    /** Clears the row's pending events and days, as ingest does once it recorded them. */
    clearPending: (timestamp: number) =>
      createPendingEventsClearer(table.client, table.tableName)({ bucketId, nodeId, timestamp }),
    slot: async () => {
      const item = await readRow(table, bucketId, nodeId);
      return item === undefined ? undefined : readSlot(item);
    },
  };
}

/** The hint the replay guard keeps of a report: its timestamp, receive time and status. */
const hintOf = (r: Report): BucketHint => ({ ts: r.ts, at: r.at, status: r.status });

/** A writer whose next UpdateItem of the bucket lands but loses its answer (`lose()`). */
function lossyWriter(
  { table, proxy }: Pick<TableFixtures, 'table' | 'proxy'>,
  bucketId: string,
  staleMs = STALE,
) {
  const { client, requests } = countingClient(undefined, proxy.endpoint);
  return {
    requests,
    write: createTimelineWriter(client, table.tableName, { staleAfterMs: staleMs }),
    /** Loses the answer of the bucket row's next UpdateItem, or of the one after `after` more. */
    lose: (after = 0) => {
      requests.length = 0;
      proxy.clear();
      proxy.fail({
        kind: 'lost-response',
        operation: 'UpdateItem',
        bodyIncludes: `BUCKET#${bucketId}`,
        times: 1,
        after,
      });
    },
  };
}

const written = (result: BucketWriteResult) => {
  expect(result.outcome).toBe('written');
  return result as Extract<BucketWriteResult, { outcome: 'written' }>;
};

describe('a sequence of reports with the guard’s hints: one UpdateItem each, the row as the reference', () => {
  async function play(
    { table, seed }: Pick<TableFixtures, 'table' | 'seed'>,
    staleMs: number,
    reports: Omit<Report, 'ts' | 'hint'>[],
  ) {
    const assignedAt = (reports[0] as Report).at - 60_000;
    const node = await assignment({ table, seed }, assignedAt);
    const { client, requests } = countingClient();
    const write = createTimelineWriter(client, table.tableName, { staleAfterMs: staleMs });
    const clear = createPendingEventsClearer(table.client, table.tableName);
    let expected: SlotState | undefined;
    let previous: Report | undefined;
    let ts = 1_000;
    for (const [i, base] of reports.entries()) {
      ts += 7;
      const report: Report = {
        ...base,
        ts,
        ip: `10.0.0.${i}`,
        region: `region-${i}`,
        hint: previous && hintOf(previous),
      };
      requests.length = 0;
      const result = written(await write(node.writeOf(report)));
      expect(requests).toStrictEqual(['UpdateItem']);

      const predecessor = expected && { at: expected.lastAt, status: expected.status };
      const plan = planReport(predecessor, report, staleMs);
      expect(result.transitions).toStrictEqual(plan.transitions);
      expect(result.closedDays).toStrictEqual(
        expected !== undefined && plan.rollover !== undefined
          ? closedDaysOf(expected, plan.rollover)
          : [],
      );
      if (result.transitions.length > 0 || result.closedDays.length > 0) {
        // A write that told the use case something returns the predecessor and the assignment.
        expect(result).toMatchObject({
          assignedAt,
          pending: [],
          ...(previous && { predecessor: { ip: previous.ip, region: previous.region } }),
        });
        // The first: the assignment row held no report, so no ip or region.
        if (previous === undefined) {
          expect(result.predecessor).toStrictEqual({ ip: undefined, region: undefined });
        }
        await clear({ bucketId: node.bucketId, nodeId: node.nodeId, timestamp: report.ts });
      }
      expected = applyPlan(expected, plan, report);
      expect(await node.slot()).toEqual(expected);
      previous = report;
    }
    const row = await node.row();
    expect(row?.reportedAt?.N).toBe(String(previous?.ts));
    expect(row?.ip?.S).toBe(previous?.ip);
    return node;
  }

  it('flips, a silent gap and a midnight: the day slot, the ended day and the latency sums', async ({
    table,
    seed,
  }) => {
    const t = at('2026-11-30T23:50:00.000Z');
    await play({ table, seed }, STALE, [
      { at: t, status: 'ONLINE', latencyMs: 10 },
      // Steady (same status, fresh, same day), with and without latency.
      { at: t + 30_000, status: 'ONLINE', latencyMs: 20 },
      // Received 5 s before its predecessor (another container's clock): placed at its instant.
      { at: t + 25_000, status: 'ONLINE', latencyMs: 1 },
      { at: t + 60_000, status: 'ONLINE' },
      { at: t + 90_000, status: 'OFFLINE', latencyMs: 5 },
      // Silent just over the window, then back.
      { at: t + 180_001, status: 'OFFLINE' },
      { at: at('2026-11-30T23:59:30.000Z'), status: 'ONLINE', latencyMs: 7 },
      // The first report of the next day: its run started yesterday (30 s carried over).
      { at: at('2026-12-01T00:00:30.000Z'), status: 'ONLINE', latencyMs: 9 },
      { at: at('2026-12-01T00:01:00.000Z'), status: 'ONLINE', latencyMs: 11 },
      { at: at('2026-12-01T00:01:30.000Z'), status: 'OFFLINE' },
    ]);
  });

  it('a node silent for days with a long stale window: the spill day, then a rollover without one', async ({
    table,
    seed,
  }) => {
    await play({ table, seed }, HOUR, [
      { at: at('2026-11-30T23:30:00.000Z'), status: 'ONLINE', latencyMs: 3 },
      // Two days later: the ONLINE run reached half an hour into 12-01, a day with no report.
      { at: at('2026-12-02T10:00:00.000Z'), status: 'ONLINE', latencyMs: 4 },
      { at: at('2026-12-02T10:30:00.000Z'), status: 'ONLINE' },
      // Again days later, but this run ended before its midnight: no spill this time.
      { at: at('2026-12-04T10:00:00.000Z'), status: 'OFFLINE' },
      { at: at('2026-12-04T10:10:00.000Z'), status: 'OFFLINE', latencyMs: 6 },
    ]);
  });

  it('the stored figures of a spill and a closed day, as the history routes read them', async ({
    table,
    seed,
  }) => {
    const node = await play({ table, seed }, HOUR, [
      { at: at('2026-11-30T23:30:00.000Z'), status: 'ONLINE', latencyMs: 3 },
      { at: at('2026-11-30T23:40:00.000Z'), status: 'OFFLINE' },
      { at: at('2026-12-02T10:00:00.000Z'), status: 'ONLINE', latencyMs: 4 },
    ]);
    const slot = await node.slot();
    // The ended day: 10 min ONLINE, one latency (3), its last report OFFLINE without latency.
    expect(slot?.closed).toStrictEqual({
      day: '2026-11-30',
      onlineMs: 600_000,
      latSum: 3,
      latCount: 1,
      lastLatencyMs: undefined,
      lastAt: at('2026-11-30T23:40:00.000Z'),
      lastStatus: 'OFFLINE',
    });
    expect(slot?.spill).toBeUndefined();
  });
});

describe('a hint that does not match the row', () => {
  const t = at('2026-11-30T12:00:00.000Z');

  /** Writes `reports` in order with correct hints (the row's truth), then `last` as given. */
  async function writtenAfter(
    { table, seed }: Pick<TableFixtures, 'table' | 'seed'>,
    reports: Report[],
    last: Report,
    staleMs = STALE,
  ) {
    const node = await assignment({ table, seed }, t - HOUR);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: staleMs });
    const clear = createPendingEventsClearer(table.client, table.tableName);
    let previous: Report | undefined;
    for (const report of reports) {
      written(await write(node.writeOf({ ...report, hint: previous && hintOf(previous) })));
      // Recorded: nothing pending on the row, so only the hint can make a write refused.
      await clear({ bucketId: node.bucketId, nodeId: node.nodeId, timestamp: report.ts });
      previous = report;
    }
    const before = await node.slot();
    const { client, requests } = countingClient();
    const result = await createTimelineWriter(client, table.tableName, {
      staleAfterMs: staleMs,
    })(node.writeOf(last));
    return { node, before, result, requests };
  }

  /** What the write must do: what the row really held, not what the hint said. */
  async function expectFromRow(
    { node, before, result, requests }: Awaited<ReturnType<typeof writtenAfter>>,
    last: Report,
    staleMs = STALE,
  ) {
    const plan = planReport(before && { at: before.lastAt, status: before.status }, last, staleMs);
    const landed = written(result);
    expect(landed.transitions).toStrictEqual(plan.transitions);
    expect(landed.closedDays).toStrictEqual(
      before !== undefined && plan.rollover !== undefined
        ? closedDaysOf(before, plan.rollover)
        : [],
    );
    expect(await node.slot()).toEqual(applyPlan(before, plan, last));
    expect((await node.row())?.reportedAt?.N).toBe(String(last.ts));
    // Refused, read, recomputed, landed.
    expect(requests).toStrictEqual(['UpdateItem', 'GetItem', 'UpdateItem']);
    return landed;
  }

  const on = (ts: number, atMs: number, latencyMs?: number): Report => ({
    ts,
    at: atMs,
    status: 'ONLINE',
    ...(latencyMs !== undefined && { latencyMs }),
  });
  const off = (ts: number, atMs: number): Report => ({ ts, at: atMs, status: 'OFFLINE' });

  it('no hint, but the row holds a report: not a first report (no change from DISCONNECTED)', async ({
    table,
    seed,
  }) => {
    const last = on(20, t + 30_000, 8);
    const run = await writtenAfter({ table, seed }, [on(10, t, 4)], last);
    const landed = await expectFromRow(run, last);
    expect(landed.transitions).toStrictEqual([]);
  });

  it('the hint says steady, the row holds another status: the flip is made', async ({
    table,
    seed,
  }) => {
    const last = { ...on(30, t + 20_000), hint: hintOf(on(10, t)) };
    const run = await writtenAfter({ table, seed }, [on(10, t), off(20, t + 10_000)], last);
    const landed = await expectFromRow(run, last);
    expect(landed.transitions).toStrictEqual([{ from: 'OFFLINE', to: 'ONLINE', at: t + 20_000 }]);
    expect(landed.predecessor).toStrictEqual({ ip: '203.0.113.7', region: 'us-east-1' });
  });

  it('the hint says fresh, the row’s last report is stale: the gap is a DISCONNECTED spell', async ({
    table,
    seed,
  }) => {
    const last = {
      ...on(20, t + 100_000),
      hint: { ts: 10, at: t + 50_000, status: 'ONLINE' as const },
    };
    const run = await writtenAfter({ table, seed }, [on(10, t)], last);
    const landed = await expectFromRow(run, last);
    expect(landed.transitions).toStrictEqual([
      { from: 'ONLINE', to: 'DISCONNECTED', at: t + STALE },
      { from: 'DISCONNECTED', to: 'ONLINE', at: t + 100_000 },
    ]);
  });

  it('the row’s last report was received later (another container’s clock): the timeline does not go back', async ({
    table,
    seed,
  }) => {
    const last = { ...on(20, t), hint: { ts: 10, at: t - 10_000, status: 'ONLINE' as const } };
    const run = await writtenAfter({ table, seed }, [on(10, t + 5_000)], last);
    await expectFromRow(run, last);
    expect((await run.node.row())?.lastAt?.N).toBe(String(t + 5_000));
  });

  it('the hint is of today, the row’s report of yesterday: the day ends and is returned', async ({
    table,
    seed,
  }) => {
    const last = {
      ...on(20, at('2026-12-01T00:00:20.000Z')),
      hint: { ts: 10, at: at('2026-12-01T00:00:10.000Z'), status: 'ONLINE' as const },
    };
    const run = await writtenAfter(
      { table, seed },
      [on(10, at('2026-11-30T23:59:50.000Z'), 5)],
      last,
    );
    const landed = await expectFromRow(run, last);
    expect(landed.closedDays.map((d) => [d.day, d.onlineMs])).toStrictEqual([
      ['2026-11-30', 10_000],
    ]);
  });

  it('the hint has the right timestamp but another status or instant: the row decides', async ({
    table,
    seed,
  }) => {
    const hints: BucketHint[] = [
      { ts: 10, at: t + 20_000, status: 'OFFLINE' },
      { ts: 10, at: t - 100_000, status: 'ONLINE' },
    ];
    for (const hint of hints) {
      const last = { ...on(20, t + 40_000), hint };
      const run = await writtenAfter({ table, seed }, [on(10, t)], last);
      const landed = await expectFromRow(run, last);
      expect(landed.transitions).toStrictEqual([]);
    }
  });

  it('the refused write reads the row consistently: a lagging replica does not make it lose again', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, t - HOUR);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const first = on(10, t);
    written(await write(node.writeOf(first)));
    const { client, requests } = countingClient();
    // The replica still serves the row as it was after the first report.
    await laggingReplica(client, table.tableName).freeze(
      bucketPk(node.bucketId),
      nodeSk(node.nodeId),
    );
    requests.length = 0;
    const second = off(20, t + 10_000);
    written(await write(node.writeOf({ ...second, hint: hintOf(first) })));
    const last = { ...on(30, t + 20_000), hint: hintOf(first) };
    const landed = written(
      await createTimelineWriter(client, table.tableName, { staleAfterMs: STALE })(
        node.writeOf(last),
      ),
    );
    expect(landed.transitions).toStrictEqual([{ from: 'OFFLINE', to: 'ONLINE', at: t + 20_000 }]);
    expect(requests).toStrictEqual(['UpdateItem', 'GetItem', 'UpdateItem']);
  });

  it('a steady report needs no exact predecessor: a hint of a report that never landed costs one write', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, t - HOUR);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const first = on(10, t, 3);
    written(await write(node.writeOf(first)));
    await node.clearPending(10);
    const before = await node.slot();
    // The guard kept the hint of report 20, whose bucket write failed: the row holds report 10.
    const last = {
      ...on(30, t + 40_000, 5),
      hint: { ts: 20, at: t + 20_000, status: 'ONLINE' as const },
    };
    const { client, requests } = countingClient();
    const result = await createTimelineWriter(client, table.tableName, { staleAfterMs: STALE })(
      node.writeOf(last),
    );
    expect(result).toStrictEqual({ outcome: 'written', transitions: [], closedDays: [] });
    expect(requests).toStrictEqual(['UpdateItem']);
    const plan = planReport({ at: t, status: 'ONLINE' }, last, STALE);
    expect(await node.slot()).toEqual(applyPlan(before, plan, last));
  });

  it('a hint of a report that never landed (its bucket write failed): the stored one is the predecessor', async ({
    table,
    seed,
  }) => {
    const last = {
      ...on(30, t + 40_000),
      hint: { ts: 20, at: t + 20_000, status: 'OFFLINE' as const },
    };
    const run = await writtenAfter({ table, seed }, [on(10, t)], last);
    const landed = await expectFromRow(run, last);
    expect(landed.transitions).toStrictEqual([]);
  });
});

describe('a row holding what an earlier write could not finish', () => {
  const t = at('2026-11-30T12:00:00.000Z');

  it('pending events: a steady report with a correct hint returns them; after clearing, none', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, t - HOUR);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const first: Report = { ts: 10, at: t, status: 'ONLINE', ip: '10.1.1.1', region: 'eu-west-1' };
    written(await write(node.writeOf(first)));
    // Its events were never recorded (no clear): the next, steady, report carries them.
    const second: Report = { ts: 20, at: t + 30_000, status: 'ONLINE', hint: hintOf(first) };
    const carried = written(await write(node.writeOf(second)));
    expect(carried.transitions).toStrictEqual([]);
    expect(carried.pending).toStrictEqual([
      {
        from: 'DISCONNECTED',
        to: 'ONLINE',
        at: t,
        ip: '10.1.1.1',
        region: 'eu-west-1',
        first: true,
      },
    ]);
    // The pending event was the first report's; the clearer of that report's timestamp must
    // not clear what a later write has returned since (that write records it itself).
    const clear = createPendingEventsClearer(table.client, table.tableName);
    await clear({ bucketId: node.bucketId, nodeId: node.nodeId, timestamp: 10 });
    expect((await node.row())?.pEv?.L).toHaveLength(1);
    await clear({ bucketId: node.bucketId, nodeId: node.nodeId, timestamp: 20 });
    expect(await node.row()).not.toHaveProperty('pEv');

    const third: Report = { ts: 30, at: t + 60_000, status: 'ONLINE', hint: hintOf(second) };
    const { client, requests } = countingClient();
    const plain = await createTimelineWriter(client, table.tableName, { staleAfterMs: STALE })(
      node.writeOf(third),
    );
    expect(plain).toStrictEqual({ outcome: 'written', transitions: [], closedDays: [] });
    expect(requests).toStrictEqual(['UpdateItem']);
  });

  it('a pending ended day: every later write of the day returns it again until it is cleared', async ({
    table,
    seed,
    proxy,
  }) => {
    const node = await assignment({ table, seed }, at('2026-11-29T22:00:00.000Z'));
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: HOUR });
    const reports: Report[] = [
      { ts: 10, at: at('2026-11-29T23:30:00.000Z'), status: 'ONLINE', latencyMs: 2 },
      // Two days later: the ended day and the spill into 11-30.
      { ts: 20, at: at('2026-12-01T08:00:00.000Z'), status: 'ONLINE' },
      { ts: 30, at: at('2026-12-01T08:00:30.000Z'), status: 'ONLINE' },
      { ts: 40, at: at('2026-12-01T08:01:00.000Z'), status: 'OFFLINE' },
    ];
    const ended: DayRecord[] = [
      {
        day: '2026-11-29',
        onlineMs: 1_800_000,
        latSum: 2,
        latCount: 1,
        lastLatencyMs: 2,
        lastAt: at('2026-11-29T23:30:00.000Z'),
        lastStatus: 'ONLINE',
      },
      { day: '2026-11-30', onlineMs: 1_800_000, latSum: 0, latCount: 0 },
    ];
    written(await write(node.writeOf(reports[0] as Report)));
    const rollover = written(
      await write(node.writeOf({ ...(reports[1] as Report), hint: hintOf(reports[0] as Report) })),
    );
    expect(rollover.closedDays).toStrictEqual(ended);
    // The HIST# write failed (no clear): the steady report and the flip return the days again.
    const steady = written(
      await write(node.writeOf({ ...(reports[2] as Report), hint: hintOf(reports[1] as Report) })),
    );
    expect(steady.closedDays).toStrictEqual(ended);
    // The flip's answer is lost and the SDK retries it: the retry returns them too.
    const lossy = lossyWriter({ table, proxy }, node.bucketId, HOUR);
    lossy.lose();
    const flip = written(
      await lossy.write(
        node.writeOf({ ...(reports[3] as Report), hint: hintOf(reports[2] as Report) }),
      ),
    );
    expect(lossy.requests).toStrictEqual(['UpdateItem', 'GetItem']);
    expect(flip.closedDays).toStrictEqual(ended);
    expect(flip.transitions).toStrictEqual([
      { from: 'ONLINE', to: 'OFFLINE', at: at('2026-12-01T08:01:00.000Z') },
    ]);
    await node.clearPending(40);
    const row = await node.row();
    expect(row).not.toHaveProperty('pH');
    expect(row).not.toHaveProperty('pEv');
    const after = written(
      await write(
        node.writeOf({
          ts: 50,
          at: at('2026-12-01T08:01:30.000Z'),
          status: 'OFFLINE',
          hint: hintOf(reports[3] as Report),
        }),
      ),
    );
    expect(after.closedDays).toStrictEqual([]);
    // Nor from the retry of a write that lost its answer: the closed slot is no longer pending.
    lossy.lose();
    const back = written(
      await lossy.write(
        node.writeOf({
          ts: 60,
          at: at('2026-12-01T08:02:00.000Z'),
          status: 'ONLINE',
          hint: { ts: 50, at: at('2026-12-01T08:01:30.000Z'), status: 'OFFLINE' },
        }),
      ),
    );
    expect(lossy.requests).toStrictEqual(['UpdateItem', 'GetItem']);
    expect(back.closedDays).toStrictEqual([]);
    expect(back.transitions).toStrictEqual([
      { from: 'OFFLINE', to: 'ONLINE', at: at('2026-12-01T08:02:00.000Z') },
    ]);
    proxy.clear();
  });

  it('a rollover that changed nothing, whose HIST# write failed: the steady retry returns the day', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, at('2026-11-30T20:00:00.000Z'));
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const clear = createPendingEventsClearer(table.client, table.tableName);
    const first: Report = { ts: 10, at: at('2026-11-30T23:59:30.000Z'), status: 'ONLINE' };
    written(await write(node.writeOf(first)));
    await clear({ bucketId: node.bucketId, nodeId: node.nodeId, timestamp: 10 });
    // ONLINE across midnight: no transition, only the ended day (its HIST# write then fails).
    const second: Report = {
      ts: 20,
      at: at('2026-12-01T00:00:20.000Z'),
      status: 'ONLINE',
      hint: hintOf(first),
    };
    const rollover = written(await write(node.writeOf(second)));
    expect(rollover.transitions).toStrictEqual([]);
    expect(rollover.closedDays.map((d) => [d.day, d.onlineMs])).toStrictEqual([
      ['2026-11-30', 30_000],
    ]);
    expect(await node.row()).not.toHaveProperty('pEv');
    // The node's retry: steady by its hint, but the row's ended day is still pending.
    const retry: Report = {
      ts: 30,
      at: at('2026-12-01T00:00:21.000Z'),
      status: 'ONLINE',
      hint: hintOf(second),
    };
    expect(written(await write(node.writeOf(retry))).closedDays).toStrictEqual(rollover.closedDays);
  });

  it('the clearer of a row that is gone, or holds nothing pending, fails nothing', async ({
    table,
    seed,
  }) => {
    const clear = createPendingEventsClearer(table.client, table.tableName);
    const gone = randomUUID();
    await expect(
      clear({ bucketId: gone, nodeId: 'nobody', timestamp: 1 }),
    ).resolves.toBeUndefined();
    expect(await readRow(table, gone, 'nobody')).toBeUndefined();
    const node = await assignment({ table, seed }, t - HOUR, { reportedAt: 5, status: 'ONLINE' });
    await expect(
      clear({ bucketId: node.bucketId, nodeId: node.nodeId, timestamp: 5 }),
    ).resolves.toBeUndefined();
    expect(await node.row()).toMatchObject({ reportedAt: { N: '5' }, status: { S: 'ONLINE' } });
  });
});

describe('an SDK retry of a write whose first attempt landed (its answer lost)', () => {
  const t = at('2026-11-30T23:59:30.000Z');

  it('is reported written with the same transitions and ended days, the row as without the fault', async ({
    table,
    seed,
    proxy,
  }) => {
    const node = await assignment({ table, seed }, t - HOUR);
    const lossy = lossyWriter({ table, proxy }, node.bucketId);
    const first: Report = { ts: 10, at: t, status: 'ONLINE', latencyMs: 4 };
    lossy.lose();
    const firstResult = written(await lossy.write(node.writeOf(first)));
    expect(lossy.requests).toStrictEqual(['UpdateItem', 'GetItem']);
    expect(proxy.count('UpdateItem', true)).toBe(1);
    const plan = planReport(undefined, first, STALE);
    expect(firstResult.transitions).toStrictEqual(plan.transitions);
    expect(firstResult.closedDays).toStrictEqual([]);
    // The row's pending events include the write's own (the use case de-duplicates).
    expect(firstResult.pending).toMatchObject(plan.transitions);
    const slot = applyPlan(undefined, plan, first);
    expect(await node.slot()).toEqual(slot);

    const second: Report = {
      ts: 20,
      at: at('2026-12-01T00:00:10.000Z'),
      status: 'OFFLINE',
      hint: hintOf(first),
    };
    lossy.lose();
    const retried = written(await lossy.write(node.writeOf(second)));
    expect(lossy.requests).toStrictEqual(['UpdateItem', 'GetItem']);
    const secondPlan = planReport({ at: t, status: 'ONLINE' }, second, STALE);
    expect(retried.transitions).toStrictEqual(secondPlan.transitions);
    // The day that ended (30 s ONLINE up to midnight), as the write without the fault returns it.
    expect(retried.closedDays).toStrictEqual(
      closedDaysOf(slot, secondPlan.rollover as NonNullable<typeof secondPlan.rollover>),
    );
    expect(retried.closedDays.map((d) => [d.day, d.onlineMs])).toStrictEqual([
      ['2026-11-30', 30_000],
    ]);
    expect(retried.assignedAt).toBe(t - HOUR);
    const afterRollover = applyPlan(slot, secondPlan, second);
    expect(await node.slot()).toEqual(afterRollover);

    // Its HIST# write is still to come (pending): the next write returns the ended day again.
    const third: Report = {
      ts: 30,
      at: at('2026-12-01T00:00:20.000Z'),
      status: 'ONLINE',
      hint: hintOf(second),
    };
    const next = written(await lossy.write(node.writeOf(third)));
    expect(next.closedDays).toStrictEqual(retried.closedDays);
    proxy.clear();
  });

  // A double fault: an ended day's HIST# write failed (the row keeps it pending), the node is
  // silent until a later day, and that day's rollover lands with its answer lost. Whichever of
  // the writer's UpdateItems loses its answer, both ended days are returned, as without it.
  it.for([0, 1, 2])(
    'a rollover over a still pending ended day, the answer of UpdateItem %i lost: both days returned',
    async (after, { table, seed, proxy }) => {
      const node = await assignment({ table, seed }, t - HOUR);
      const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
      const first: Report = { ts: 10, at: t, status: 'ONLINE', latencyMs: 4 };
      written(await write(node.writeOf(first)));
      await node.clearPending(10);
      // 11-30 ends with the first report of 12-01; its HIST# write fails: it stays pending.
      const second: Report = {
        ts: 20,
        at: at('2026-12-01T00:00:10.000Z'),
        status: 'ONLINE',
        latencyMs: 6,
        hint: hintOf(first),
      };
      const ended = written(await write(node.writeOf(second)));
      expect(ended.closedDays.map((d) => d.day)).toStrictEqual(['2026-11-30']);
      const held = (await node.slot()) as SlotState;
      expect((await node.row())?.pH).toBeDefined();

      // Silent until 12-03: its first report ends 12-01 and replaces the closed slot.
      const third: Report = {
        ts: 30,
        at: at('2026-12-03T10:00:00.000Z'),
        status: 'OFFLINE',
        hint: hintOf(second),
      };
      const plan = planReport({ at: second.at, status: 'ONLINE' }, third, STALE);
      const withoutFault = closedDaysOf(held, plan.rollover as NonNullable<typeof plan.rollover>);
      expect(withoutFault.map((d) => d.day)).toStrictEqual(['2026-11-30', '2026-12-01']);
      const lossy = lossyWriter({ table, proxy }, node.bucketId);
      lossy.lose(after);
      const result = written(await lossy.write(node.writeOf(third)));
      const byDay = (days: DayRecord[]) =>
        [...new Map(days.map((d) => [d.day, d])).values()].sort((a, b) =>
          a.day.localeCompare(b.day),
        );
      expect(byDay(result.closedDays)).toStrictEqual(byDay(withoutFault));
      expect(result.transitions).toStrictEqual(plan.transitions);
      expect(await node.slot()).toEqual(applyPlan(held, plan, third));
      proxy.clear();
    },
  );

  it('a steady write: written, with nothing to record', async ({ table, seed, proxy }) => {
    const node = await assignment({ table, seed }, t - HOUR);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const first: Report = { ts: 10, at: t - 60_000, status: 'ONLINE' };
    written(await write(node.writeOf(first)));
    await node.clearPending(10);
    const second: Report = { ts: 20, at: t, status: 'ONLINE', hint: hintOf(first) };
    const lossy = lossyWriter({ table, proxy }, node.bucketId);
    lossy.lose();
    expect(await lossy.write(node.writeOf(second))).toStrictEqual({
      outcome: 'written',
      transitions: [],
      closedDays: [],
    });
    expect(lossy.requests).toStrictEqual(['UpdateItem', 'GetItem']);
    expect((await node.row())?.reportedAt?.N).toBe('20');
    proxy.clear();
  });

  // The same request again, after a newer report landed in between (what the SDK's retry meets
  // when the node's next report is faster than the retry).
  it('a retry that arrives after a newer report landed is still written, not superseded', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, t - HOUR);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const first: Report = { ts: 10, at: t - 60_000, status: 'ONLINE' };
    const second: Report = { ts: 20, at: t - 30_000, status: 'OFFLINE', hint: hintOf(first) };
    const third: Report = { ts: 30, at: t, status: 'OFFLINE', hint: hintOf(second) };
    written(await write(node.writeOf(first)));
    const landed = written(await write(node.writeOf(second)));
    written(await write(node.writeOf(third)));
    const retried = written(await write(node.writeOf(second)));
    expect(retried.transitions).toStrictEqual(landed.transitions);
    expect(retried.closedDays).toStrictEqual([]);
    // One report older than that: superseded.
    expect(await write(node.writeOf({ ...first, hint: undefined }))).toStrictEqual({
      outcome: 'superseded',
    });
  });
});

describe('refusals', () => {
  const t = at('2026-11-30T12:00:00.000Z');

  it('a newer report on the row: superseded, the row unchanged (steady hint or none)', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, t - HOUR);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const newer: Report = { ts: 200, at: t, status: 'ONLINE' };
    written(await write(node.writeOf(newer)));
    const row = await node.row();
    const older: Report = { ts: 150, at: t + 10_000, status: 'ONLINE' };
    expect(await write(node.writeOf({ ...older, hint: hintOf(newer) }))).toStrictEqual({
      outcome: 'superseded',
    });
    expect(await write(node.writeOf(older))).toStrictEqual({ outcome: 'superseded' });
    expect(await node.row()).toStrictEqual(row);
  });

  it('no row (never assigned, or unassigned): not-assigned, and no row is created', async ({
    table,
  }) => {
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const bucketId = randomUUID();
    const nodeId = `timeline-${randomUUID()}`;
    const report: BucketRowWrite = {
      nodeId,
      bucket: { bucketId, status: 'ONLINE', latencyMs: 3 },
      ip: '203.0.113.7',
      region: 'us-east-1',
      version: '1.2.3',
      timestamp: 10,
      receivedAtMs: t,
    };
    expect(await write(report)).toStrictEqual({ outcome: 'not-assigned' });
    expect(await write({ ...report, hint: { ts: 5, at: t - 1000, status: 'ONLINE' } })).toEqual({
      outcome: 'not-assigned',
    });
    expect(await readRow(table, bucketId, nodeId)).toBeUndefined();
  });

  it('a report received before the assignment is not-assigned; one in its millisecond counts', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, t + 1);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    expect(await write(node.writeOf({ ts: 10, at: t, status: 'ONLINE' }))).toStrictEqual({
      outcome: 'not-assigned',
    });
    expect(
      await write(
        node.writeOf({
          ts: 11,
          at: t,
          status: 'ONLINE',
          hint: { ts: 9, at: t - 5, status: 'ONLINE' },
        }),
      ),
    ).toStrictEqual({ outcome: 'not-assigned' });
    expect(await node.row()).not.toHaveProperty('reportedAt');

    const first: Report = { ts: 12, at: t + 1, status: 'ONLINE' };
    written(await write(node.writeOf(first)));
    // A second report in the same millisecond, without a hint: read, recomputed, written.
    const second = written(await write(node.writeOf({ ts: 13, at: t + 1, status: 'OFFLINE' })));
    expect(second.transitions).toStrictEqual([{ from: 'ONLINE', to: 'OFFLINE', at: t + 1 }]);
  });

  it('a row from before history (a report, no day slot): its timeline starts at the report', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, t - HOUR, {
      reportedAt: 5,
      status: 'OFFLINE',
      ip: '10.9.9.9',
      region: 'ap-south-1',
    });
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    const report: Report = { ts: 10, at: t, status: 'ONLINE', latencyMs: 6 };
    const landed = written(await write(node.writeOf(report)));
    const plan = planReport(undefined, report, STALE);
    // Not `first`: the node reported before (it counts toward health already).
    expect(landed.transitions).toStrictEqual([{ from: 'DISCONNECTED', to: 'ONLINE', at: t }]);
    expect(landed.closedDays).toStrictEqual([]);
    expect(landed.predecessor).toStrictEqual({ ip: '10.9.9.9', region: 'ap-south-1' });
    expect(await node.slot()).toEqual(applyPlan(undefined, plan, report));
  });
});

describe('reports of one node racing for its row (rate limit off)', () => {
  const t = at('2026-11-30T12:00:00.000Z');

  /** `landing` older reports of the node land just before each of this write's attempts. */
  async function race({ table, seed }: Pick<TableFixtures, 'table' | 'seed'>, landing: number) {
    const node = await assignment({ table, seed }, t - HOUR);
    const rival = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    let landed = 0;
    const ours: Report = { ts: 100, at: t + 60_000, status: 'ONLINE' };
    const { client, requests } = countingClient(async (command, input) => {
      const values = input.ExpressionAttributeValues as Record<string, { N?: string }> | undefined;
      if (command !== 'UpdateItem' || values?.[':ts']?.N !== '100' || landed >= landing) return;
      landed++;
      const status = landed % 2 === 0 ? 'ONLINE' : 'OFFLINE';
      written(
        await rival(
          node.writeOf({ ts: landed, at: t + landed * 1000, status, ip: `10.2.0.${landed}` }),
        ),
      );
    });
    const write = createTimelineWriter(client, table.tableName, { staleAfterMs: STALE });
    const outcome = await write(node.writeOf(ours)).catch((error: unknown) => error);
    return { node, ours, outcome, attempts: requests.filter((r) => r === 'UpdateItem').length };
  }

  it('lands once the others have, recomputed from the last of them', async ({ table, seed }) => {
    const { node, outcome, attempts } = await race({ table, seed }, 2);
    expect(attempts).toBe(3);
    const landed = outcome as BucketWriteResult;
    // The last rival (ts 2) was ONLINE at t + 2 s: nothing changes.
    expect(landed).toMatchObject({
      outcome: 'written',
      transitions: [],
      predecessor: { ip: '10.2.0.2' },
    });
    expect((await node.row())?.reportedAt?.N).toBe('100');
  });

  it('a newer report that lands between the read and the write, at the same instant: ours is superseded', async ({
    table,
    seed,
  }) => {
    const node = await assignment({ table, seed }, t - HOUR);
    const write = createTimelineWriter(table.client, table.tableName, { staleAfterMs: STALE });
    written(await write(node.writeOf({ ts: 10, at: t, status: 'ONLINE' })));
    let updates = 0;
    const { client } = countingClient(async (command) => {
      if (command !== 'UpdateItem' || ++updates !== 2) return;
      // Received in the first report's millisecond by another container (its clock behind):
      // the row's instant and status stay as our write expects, only the report is newer.
      written(
        await write(
          node.writeOf({
            ts: 30,
            at: t,
            status: 'ONLINE',
            hint: { ts: 10, at: t, status: 'ONLINE' },
          }),
        ),
      );
    });
    const ours = await createTimelineWriter(client, table.tableName, { staleAfterMs: STALE })(
      node.writeOf({ ts: 20, at: t + 10_000, status: 'ONLINE' }),
    );
    expect(ours).toStrictEqual({ outcome: 'superseded' });
    expect((await node.row())?.reportedAt?.N).toBe('30');
  });

  it('gives up after a bounded number of attempts with a retryable Unavailable', async ({
    table,
    seed,
  }) => {
    const { node, outcome, attempts } = await race({ table, seed }, 100);
    expect(outcome).toBeInstanceOf(Unavailable);
    expect((outcome as Unavailable).retryAfterSeconds).toBe(1);
    // MAX_ATTEMPTS: each attempt lost to a report that landed meanwhile.
    expect(attempts).toBe(6);
    expect((await node.row())?.reportedAt?.N).toBe('6');
  });
});

describe('the hint as the node META row stores it', () => {
  it('round-trips both statuses', () => {
    for (const status of ['ONLINE', 'OFFLINE'] as const) {
      const hint = { ts: 1_796_130_000_123, at: 1_796_130_000_456, status };
      expect(decodeHint(encodeHint(hint))).toStrictEqual(hint);
    }
  });

  it('a missing or malformed value is no hint (the writer then reads the row)', () => {
    for (const value of [
      undefined,
      '',
      '1,2',
      '1,2,X',
      '1,2,ON',
      'x1,2,O',
      '1,2,O ',
      '1,,O',
      ',2,F',
      '1,a,F',
      '1.5,2,O',
      '12345678901234567,2,O',
      '1,12345678901234567,F',
    ]) {
      expect(decodeHint(value)).toBeUndefined();
    }
    expect(decodeHint('1234567890123456,1,F')).toStrictEqual({
      ts: 1_234_567_890_123_456,
      at: 1,
      status: 'OFFLINE',
    });
  });
});

describe('readSlot (the history routes’ reader of the row)', () => {
  const full = {
    lastAt: { N: '1000' },
    status: { S: 'ONLINE' },
    latency_ms: { N: '7' },
    hDay: { S: '2026-11-30' },
    hOn: { N: '-500' },
    hLs: { N: '14' },
    hLc: { N: '2' },
  };

  it('no slot before the first report, or when a part of it is missing or not a status', () => {
    expect(readSlot({})).toBeUndefined();
    for (const name of ['lastAt', 'status', 'hDay', 'hOn'] as const) {
      const { [name]: _gone, ...rest } = full;
      expect(readSlot(rest)).toBeUndefined();
    }
    expect(readSlot({ ...full, status: { S: 'DISCONNECTED' } })).toBeUndefined();
    expect(readSlot({ ...full, status: { S: 'OFFLINE' } })?.status).toBe('OFFLINE');
  });

  it('a slot without latency sums counts none; a closed slot without latency or status has none', () => {
    const { hLs: _s, hLc: _c, latency_ms: _l, ...bare } = full;
    expect(
      readSlot({ ...bare, cDay: { S: '2026-11-29' }, cOn: { N: '10' }, cLat: { N: '-1' } }),
    ).toStrictEqual({
      lastAt: 1000,
      status: 'ONLINE',
      latencyMs: undefined,
      day: '2026-11-30',
      onBase: -500,
      latSum: 0,
      latCount: 0,
      closed: {
        day: '2026-11-29',
        onlineMs: 10,
        latSum: 0,
        latCount: 0,
        lastLatencyMs: undefined,
        lastAt: undefined,
        lastStatus: undefined,
      },
    });
    const closed = readSlot({
      ...full,
      cDay: { S: '2026-11-29' },
      cOn: { N: '10' },
      cLat: { N: '0' },
      cStatus: { S: 'OFFLINE' },
      cAt: { N: '900' },
      cLs: { N: '3' },
      cLc: { N: '1' },
    })?.closed;
    expect(closed).toStrictEqual({
      day: '2026-11-29',
      onlineMs: 10,
      latSum: 3,
      latCount: 1,
      lastLatencyMs: 0,
      lastAt: 900,
      lastStatus: 'OFFLINE',
    });
    // A closed slot's last status that is not a reported one is none.
    expect(
      readSlot({ ...full, cDay: { S: '2026-11-29' }, cOn: { N: '10' }, cStatus: { S: 'X' } })
        ?.closed?.lastStatus,
    ).toBeUndefined();
    // Half a closed slot or half a spill is none.
    expect(readSlot({ ...full, cDay: { S: '2026-11-29' } })).not.toHaveProperty('closed');
    expect(readSlot({ ...full, cOn: { N: '10' } })).not.toHaveProperty('closed');
    expect(readSlot({ ...full, sDay: { S: '2026-11-29' } })).not.toHaveProperty('spill');
    expect(readSlot({ ...full, sOn: { N: '10' } })).not.toHaveProperty('spill');
    expect(readSlot({ ...full, sDay: { S: '2026-11-29' }, sOn: { N: '10' } })?.spill).toStrictEqual(
      { day: '2026-11-29', onlineMs: 10, latSum: 0, latCount: 0 },
    );
  });
});
