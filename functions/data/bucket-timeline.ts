/**
 * The bucket's NODE# row as the state timeline's store (docs/ARCHITECTURE.md, "History"): the
 * current report, the day slot and the closed slot, all changed by one conditional UpdateItem
 * per report, so whatever a report adds to the history figures lands exactly once with it.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { Unavailable } from '../domain/errors.ts';
import type { ReportedStatus } from '../domain/node-status.ts';
import type {
  BucketHint,
  BucketRowWrite,
  BucketWriteResult,
  ClearPendingEvents,
  TimelineWritten,
} from '../domain/ports/ingest.ts';
import {
  closedDaysOf,
  type DayRecord,
  dayOf,
  isSteady,
  planReport,
  type ReportPlan,
  type SlotState,
} from '../domain/timeline.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { ATTR as A, type Item, N, readNumber, readString, S } from './attributes.ts';
import { bucketPk, nodeSk } from './keys.ts';
import { decodePendingEvents, encodePendingEvent } from './pending-events.ts';
import { SWEEP_INDEX_SET, sweepIndexValues } from './sweep-index.ts';
import { OVERVIEW_MARK } from './table-definition.ts';

/** The META attribute that holds a bucket's hint. */
export const hintAttribute = (bucketId: string) => `h_${bucketId}`;
export const encodeHint = (hint: BucketHint) =>
  `${hint.ts},${hint.at},${hint.status === 'ONLINE' ? 'O' : 'F'}`;
export function decodeHint(value: string | undefined): BucketHint | undefined {
  // No value reads as 'undefined', which is no hint either.
  const match = /^(\d{1,16}),(\d{1,16}),([OF])$/.exec(String(value));
  if (match === null) return undefined;
  return {
    ts: Number(match[1]),
    at: Number(match[2]),
    status: match[3] === 'O' ? 'ONLINE' : 'OFFLINE',
  };
}

const NONE = -1;
const isStatus = (s: string | undefined): s is ReportedStatus => s === 'ONLINE' || s === 'OFFLINE';

/** The slot a row item holds; undefined before its first report since assignment. */
export function readSlot(item: Item): SlotState | undefined {
  const lastAt = readNumber(item, A.lastAt);
  const status = readString(item, A.status);
  const day = readString(item, A.slotDay);
  const onBase = readNumber(item, A.slotOnlineBase);
  if (lastAt === undefined || !isStatus(status) || day === undefined || onBase === undefined) {
    return undefined;
  }
  const slot: SlotState = {
    lastAt,
    status,
    latencyMs: readNumber(item, A.latencyMs),
    day,
    onBase,
    latSum: readNumber(item, A.slotLatencySum) ?? 0,
    latCount: readNumber(item, A.slotLatencyCount) ?? 0,
  };
  const closedDay = readString(item, A.closedDay);
  const closedOnlineMs = readNumber(item, A.closedOnlineMs);
  if (closedDay !== undefined && closedOnlineMs !== undefined) {
    const lastStatus = readString(item, A.closedLastStatus);
    const lastLatency = readNumber(item, A.closedLastLatencyMs);
    slot.closed = {
      day: closedDay,
      onlineMs: closedOnlineMs,
      latSum: readNumber(item, A.closedLatencySum) ?? 0,
      latCount: readNumber(item, A.closedLatencyCount) ?? 0,
      lastLatencyMs: lastLatency === NONE ? undefined : lastLatency,
      lastAt: readNumber(item, A.closedLastAt),
      lastStatus: isStatus(lastStatus) ? lastStatus : undefined,
    };
  }
  const spillDay = readString(item, A.spillDay);
  const spillOnlineMs = readNumber(item, A.spillOnlineMs);
  if (spillDay !== undefined && spillOnlineMs !== undefined) {
    slot.spill = { day: spillDay, onlineMs: spillOnlineMs, latSum: 0, latCount: 0 };
  }
  return slot;
}

/** What a predecessor-dependent write expects the row to hold. */
interface Expected {
  /** The row's reportedAt; undefined: the row holds no report. */
  ts?: number | undefined;
  /** The predecessor the plan was computed from (its slot must exist). */
  predecessor?: { at: number; status: ReportedStatus } | undefined;
  /**
   * The row was read holding a pending closed slot (`pH`), whose days the writer returns, so a
   * rollover may replace it. Otherwise a rollover requires none: it would replace an ended day
   * whose HIST# row may not exist, and if its answer were lost, the SDK's retry would find only
   * the new closed slot on the row.
   */
  pendingHistory?: boolean;
}

function baseUpdate(tableName: string, write: BucketRowWrite, at: number, staleMs: number) {
  const { bucket } = write;
  const values: Record<string, AttributeValue> = {
    ':ts': N(write.timestamp),
    ':ip': S(write.ip),
    ':region': S(write.region),
    ':version': S(write.version),
    ':status': S(bucket.status),
    ':lastUpdated': S(new Date(at).toISOString()),
    ':at': N(at),
    ':zero': N(0),
    // The sweep's sparse index (functions/data/sweep-index.ts): in it until swept.
    ...sweepIndexValues(bucket.bucketId, write.nodeId, at, staleMs / 1000),
  };
  values[':ov'] = values[':sweepAt'] as AttributeValue;
  const set = [
    `${A.reportedAt} = :ts`,
    `${A.ip} = :ip`,
    '#region = :region',
    '#version = :version',
    '#status = :status',
    `${A.lastUpdated} = :lastUpdated`,
    `${A.lastAt} = :at`,
    `${A.previousReportedAt} = if_not_exists(${A.reportedAt}, :zero)`,
    SWEEP_INDEX_SET,
    // The overview index (functions/data/overview-index.ts): the slot, or a planned write's mark.
    `${A.overviewAt} = :ov`,
  ];
  const remove: string[] = [];
  const add: string[] = [];
  if (bucket.latencyMs === undefined) remove.push(A.latencyMs);
  else {
    set.push(`${A.latencyMs} = :latency`);
    values[':latency'] = N(bucket.latencyMs);
  }
  return {
    input: {
      TableName: tableName,
      Key: { pk: S(bucketPk(bucket.bucketId)), sk: S(nodeSk(write.nodeId)) },
      ExpressionAttributeNames: {
        '#region': A.region,
        '#version': A.version,
        '#status': A.status,
      } as Record<string, string>,
      ExpressionAttributeValues: values,
    },
    set,
    remove,
    add,
    values,
  };
}

function finish(parts: ReturnType<typeof baseUpdate>, condition: string): UpdateItemCommandInput {
  let update = `SET ${parts.set.join(', ')}`;
  if (parts.add.length > 0) update += ` ADD ${parts.add.join(', ')}`;
  if (parts.remove.length > 0) update += ` REMOVE ${parts.remove.join(', ')}`;
  return { ...parts.input, ConditionExpression: condition, UpdateExpression: update };
}

const ASSIGNED =
  `attribute_exists(${A.pk})` +
  ` AND (attribute_not_exists(${A.assignedAt}) OR ${A.assignedAt} <= :at)`;

/**
 * The write of a report that changes no state in the same UTC day: the condition proves it
 * (same status, fresh, same day, older report stored), so it needs no predecessor. Exported so
 * the benchmark's floor issues exactly the same request.
 */
export function steadyUpdate(
  tableName: string,
  write: BucketRowWrite,
  staleMs: number,
): UpdateItemCommandInput {
  const at = write.receivedAtMs;
  const parts = baseUpdate(tableName, write, at, staleMs);
  parts.values[':day'] = S(dayOf(at));
  parts.values[':cutoff'] = N(at - staleMs);
  if (write.bucket.latencyMs !== undefined) {
    parts.values[':one'] = N(1);
    parts.add.push(`${A.slotLatencySum} :latency`, `${A.slotLatencyCount} :one`);
  }
  return finish(
    parts,
    `${ASSIGNED} AND ${A.reportedAt} < :ts AND #status = :status AND ${A.lastAt} >= :cutoff` +
      ` AND ${A.lastAt} <= :at AND ${A.slotDay} = :day` +
      ` AND attribute_not_exists(${A.pendingEvents})` +
      ` AND attribute_not_exists(${A.pendingHistory})`,
  );
}

/** The write of a report whose effect depends on its predecessor (the plan's). */
export function plannedUpdate(
  tableName: string,
  write: BucketRowWrite,
  plan: ReportPlan,
  expected: Expected,
  staleMs: number,
): UpdateItemCommandInput {
  const parts = baseUpdate(tableName, write, plan.at, staleMs);
  const { values, set, add, remove } = parts;
  // Its changes (its own, or a predecessor's still pending) may stay unrecorded until the
  // clearer runs: the overview reads such a bucket's rows.
  values[':ov'] = S(OVERVIEW_MARK.pending);
  const latency = write.bucket.latencyMs;
  let condition = ASSIGNED;
  if (expected.ts === undefined) condition += ` AND attribute_not_exists(${A.reportedAt})`;
  else {
    condition += ` AND ${A.reportedAt} = :pts`;
    values[':pts'] = N(expected.ts);
  }
  if (expected.predecessor !== undefined) {
    condition +=
      ` AND ${A.lastAt} = :pat AND #status = :pstatus` +
      ` AND attribute_exists(${A.slotOnlineBase})`;
    values[':pat'] = N(expected.predecessor.at);
    values[':pstatus'] = S(expected.predecessor.status);
  }
  if (plan.onDelta !== undefined) {
    set.push(`${A.slotOnlineBase} = ${A.slotOnlineBase} + :delta`);
    values[':delta'] = N(plan.onDelta);
    if (latency !== undefined) {
      values[':one'] = N(1);
      add.push(`${A.slotLatencySum} :latency`, `${A.slotLatencyCount} :one`);
    }
  } else {
    set.push(
      `${A.slotDay} = :day`,
      `${A.slotOnlineBase} = :onAbs`,
      `${A.slotLatencySum} = :ls`,
      `${A.slotLatencyCount} = :lc`,
    );
    values[':day'] = S(plan.day);
    values[':onAbs'] = N(plan.onAbs ?? 0);
    values[':ls'] = N(latency ?? 0);
    values[':lc'] = N(latency === undefined ? 0 : 1);
  }
  if (plan.transitions.length > 0) {
    // Pending until recorded: the event writer's success clears them (createPendingEventsClearer).
    set.push(
      `${A.pendingEvents} = list_append(if_not_exists(${A.pendingEvents}, :noEvents), :events)`,
    );
    values[':noEvents'] = { L: [] };
    values[':events'] = {
      L: plan.transitions.map((t) =>
        S(encodePendingEvent({ ...t, ip: write.ip, region: write.region })),
      ),
    };
  }
  const { rollover } = plan;
  if (rollover !== undefined) {
    if (expected.pendingHistory !== true)
      condition += ` AND attribute_not_exists(${A.pendingHistory})`;
    // Evaluated on the item as it was: the ended slot moves to the closed slot.
    set.push(
      `${A.closedDay} = ${A.slotDay}`,
      `${A.closedOnlineMs} = ${A.slotOnlineBase} + :cadd`,
      `${A.closedLatencySum} = ${A.slotLatencySum}`,
      `${A.closedLatencyCount} = ${A.slotLatencyCount}`,
      `${A.closedLastLatencyMs} = if_not_exists(${A.latencyMs}, :none)`,
      `${A.closedLastAt} = ${A.lastAt}`,
      `${A.closedLastStatus} = #status`,
    );
    values[':cadd'] = N(rollover.closedOnAdd);
    values[':none'] = N(NONE);
    // The closed slot is pending until its HIST# rows are written (cleared with the events).
    set.push(`${A.pendingHistory} = :one`);
    values[':one'] = N(1);
    if (rollover.spill === undefined) remove.push(A.spillDay, A.spillOnlineMs);
    else {
      set.push(`${A.spillDay} = :sday`, `${A.spillOnlineMs} = :son`);
      values[':sday'] = S(rollover.spill.day);
      values[':son'] = N(rollover.spill.onlineMs);
    }
  }
  // The row as it was: the predecessor's ip and region, its pending events and ended days.
  return { ...finish(parts, condition), ReturnValues: 'ALL_OLD' };
}

/**
 * Each failed attempt means another report of the same node landed on this row meanwhile; with
 * the per-node rate limit that takes seconds, so this bound is only reached when the limit is
 * off and a node's reports race each other (each one landing makes another attempt succeed).
 */
const MAX_ATTEMPTS = 6;

/**
 * The timeline writer: the report's bucket row, conditional, exactly once. With a correct hint
 * it is one UpdateItem; otherwise the row is read (consistently) and the write recomputed from
 * it, at most MAX_ATTEMPTS times under contention.
 */
export function createTimelineWriter(
  client: DynamoDBClient,
  tableName: string,
  options: { staleAfterMs: number },
) {
  const staleMs = options.staleAfterMs;

  const readRow = async (key: UpdateItemCommandInput['Key']) =>
    (
      await client
        .send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))
        .catch(rethrowAsUnavailable)
    ).Item;

  return async function writeTimeline(write: BucketRowWrite): Promise<BucketWriteResult> {
    const report = { at: write.receivedAtMs, status: write.bucket.status };
    const { hint } = write;
    let plan: ReportPlan | undefined;
    let input: UpdateItemCommandInput;
    if (isSteady(hint, report, staleMs)) {
      input = steadyUpdate(tableName, write, staleMs);
    } else {
      const predecessor = hint === undefined ? undefined : { at: hint.at, status: hint.status };
      plan = planReport(predecessor, report, staleMs);
      input = plannedUpdate(tableName, write, plan, { ts: hint?.ts, predecessor }, staleMs);
    }
    // The ended days a read found pending on the row (their HIST# rows may be missing): returned
    // whatever happens to this write's answer, since a rollover replaces them on the row.
    let carried: DayRecord[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await client.send(new UpdateItemCommand(input));
        if (plan === undefined) return { outcome: 'written', transitions: [], closedDays: [] };
        // The condition requires the row, so its old image is always there.
        return writtenResult(plan, result.Attributes ?? {});
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) rethrowAsUnavailable(error);
      }
      // Refused: read the row to learn why (and what the predecessor really is).
      const row = await readRow(input.Key);
      if (row === undefined) return { outcome: 'not-assigned' };
      const assignedAt = readNumber(row, A.assignedAt);
      // No assignedAt: a row assigned before history existed, long ago.
      if ((assignedAt ?? 0) > write.receivedAtMs) {
        return { outcome: 'not-assigned' };
      }
      const stored = readNumber(row, A.reportedAt);
      if (stored === write.timestamp || readNumber(row, A.previousReportedAt) === write.timestamp) {
        // An SDK retry of a write whose first attempt landed: that write was this one.
        if (plan === undefined) return { outcome: 'written', transitions: [], closedDays: [] };
        // The ended days the row holds as pending (set by this write's rollover, or still by an
        // earlier one's): a rollover's stay pending until the use case has written them.
        const held = row[A.pendingHistory] === undefined ? undefined : readSlot(row);
        return {
          outcome: 'written',
          transitions: plan.transitions,
          closedDays: mergeDays(carried, held === undefined ? [] : heldDays(held)),
          assignedAt,
          // The row's pending events include this write's own (the use case de-duplicates).
          pending: decodePendingEvents(row),
        };
      }
      if ((stored ?? 0) > write.timestamp) return { outcome: 'superseded' };
      if (attempt >= MAX_ATTEMPTS) {
        throw new Unavailable('Concurrent reports for one bucket row; retry', 1);
      }
      const slot = readSlot(row);
      const predecessor = slot === undefined ? undefined : { at: slot.lastAt, status: slot.status };
      const pendingHistory = row[A.pendingHistory] !== undefined;
      if (pendingHistory && slot !== undefined) carried = mergeDays(carried, heldDays(slot));
      plan = planReport(predecessor, report, staleMs);
      // A row from before history holds a report but no slot: its timeline starts at this
      // report, which is not the node's first since its assignment (it counts already).
      if (predecessor === undefined && stored !== undefined) plan = notFirst(plan);
      input = plannedUpdate(
        tableName,
        write,
        plan,
        { ts: stored, predecessor, pendingHistory },
        staleMs,
      );
    }
  };
}

/** The plan without the `first` mark on its transitions. */
function notFirst(plan: ReportPlan): ReportPlan {
  return { ...plan, transitions: plan.transitions.map(({ first: _, ...t }) => t) };
}

/** Ended days from several reads of a row, one per day (a closed day's figures are final). */
function mergeDays(first: DayRecord[], second: DayRecord[]): DayRecord[] {
  if (first.length === 0) return second;
  const byDay = new Map<string, DayRecord>();
  for (const day of [...first, ...second]) byDay.set(day.day, day);
  return [...byDay.values()];
}

/** A row's closed slot and spill, as history rows. */
function heldDays(slot: SlotState): DayRecord[] {
  return [slot.closed, slot.spill].filter((d): d is DayRecord => d !== undefined);
}

function writtenResult(plan: ReportPlan, old: Item): TimelineWritten {
  const before = readSlot(old);
  // A rollover writes the ended day (and what the row kept of the day before); a later write
  // to a row whose closed slot is still pending (its HIST# write failed) writes it again.
  const closedDays =
    before === undefined
      ? []
      : plan.rollover !== undefined
        ? closedDaysOf(before, plan.rollover)
        : old[A.pendingHistory] !== undefined
          ? heldDays(before)
          : [];
  return {
    outcome: 'written',
    transitions: plan.transitions,
    closedDays,
    assignedAt: readNumber(old, A.assignedAt),
    pending: decodePendingEvents(old),
    predecessor: { ip: readString(old, A.ip), region: readString(old, A.region) },
    ...(silenceOnRecord(old) && { silenceRecorded: true }),
  };
}

/** The sweep recorded the change to DISCONNECTED of the row's last report (data/sweep-index.ts). */
const silenceOnRecord = (old: Item): boolean => {
  const recorded = readString(old, A.silenceRecorded);
  return recorded !== undefined && recorded === readString(old, A.lastUpdated);
};

/**
 * Clears a row's pending events once the event writer has recorded them, unless a later report
 * has written the row since (that write returned them and records them itself). Best effort: if
 * it fails, the next write to the row records them again (the event keys are deterministic).
 */
export function createPendingEventsClearer(
  client: DynamoDBClient,
  tableName: string,
): ClearPendingEvents {
  return async function clearPendingEvents({ bucketId, nodeId, timestamp }) {
    await client
      .send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: S(bucketPk(bucketId)), sk: S(nodeSk(nodeId)) },
          // Back to its slot in the overview index (or out of its range, when swept).
          UpdateExpression:
            `REMOVE ${A.pendingEvents}, ${A.pendingHistory}` +
            ` SET ${A.overviewAt} = if_not_exists(${A.sweepAt}, :idle)`,
          ConditionExpression:
            `${A.reportedAt} = :ts AND (attribute_exists(${A.pendingEvents})` +
            ` OR attribute_exists(${A.pendingHistory}) OR ${A.overviewAt} = :pending)`,
          ExpressionAttributeValues: {
            ':ts': N(timestamp),
            ':idle': S(OVERVIEW_MARK.idle),
            ':pending': S(OVERVIEW_MARK.pending),
          },
        }),
      )
      .catch(() => undefined);
  };
}
