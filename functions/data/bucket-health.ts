/**
 * The bucket's health partition `HEALTH#<bucketId>` (docs/ARCHITECTURE.md, "Bucket health"): the
 * STATE row (the checkpoint of the verdict timeline, its day's entry state, its version and the
 * mark), the health events (`E#<at ISO>#<to>`) and the closed days (`D#<day>`). This module is
 * their codec, their readers and the writers the sweep's health step uses.
 */
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { Unavailable } from '../domain/errors.ts';
import { healthEventId } from '../domain/events.ts';
import { type HealthCounts, VERDICTS, type Verdict } from '../domain/health.ts';
import { healthEventFloor, healthEventPosition } from '../domain/health-read.ts';
import type {
  DayDurations,
  HealthChange,
  HealthCheckpoint,
  HealthPoint,
} from '../domain/health-timeline.ts';
import type {
  CheckpointWriteCondition,
  HealthChangeKey,
  HealthEventsPage,
  HealthEventsPageRequest,
  StoredClosedDay,
  StoredHealthChange,
  StoredHealthState,
} from '../domain/ports/health.ts';
import { DAY_MS, dayStartMs } from '../domain/timeline.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { ATTR, type Item, N, readNumber, readString, S } from './attributes.ts';
import { healthMarkOf } from './health-marks.ts';
import { HEALTH_MARK_PREFIX, HEALTH_STATE_SK, healthPk } from './keys.ts';
import { queryAll } from './query-all.ts';
import { sweepShardOf } from './sweep-index.ts';

/** The stored attribute names of the health partition's rows. */
export const HEALTH_ATTR = {
  asOf: 'asOf',
  createdAt: 'createdAt',
  day: 'day',
  counted: 'counted',
  online: 'online',
  offline: 'off',
  pct: 'pct',
  verdict: 'verdict',
  since: 'since',
  // The day's durations (ms): STATE (the day so far) and D# (the closed day).
  operationalMs: 'dOp',
  degradedMs: 'dDeg',
  partialOutageMs: 'dPart',
  majorOutageMs: 'dMaj',
  maintenanceMs: 'dMaint',
  unknownMs: 'dUnk',
  observedMs: 'dObs',
  // STATE's entry state: the state at the last instant before its day.
  entryCounted: 'eCounted',
  entryOnline: 'eOnline',
  entryOffline: 'eOff',
  entryPct: 'ePct',
  entryVerdict: 'eVerdict',
  entrySince: 'eSince',
  ver: 'ver',
  markSeq: ATTR.healthMarkSeq,
  sweepShard: ATTR.sweepShard,
  sweepAt: ATTR.sweepAt,
  // E# rows.
  id: 'id',
  from: 'from',
  to: 'to',
  at: 'at',
  /** The TTL, epoch seconds (E#, D#). */
  expiresAt: 'expiresAt',
} as const;
const H = HEALTH_ATTR;

export const CLOSED_DAY_SK_PREFIX = 'D#';
export const healthEventSk = (change: HealthChangeKey) => healthEventPosition(change);
/** The smallest sort key of health events at or after `atIso`. */
export const healthEventSkFloor = healthEventFloor;
/** Above every health event's sort key ('$' follows '#'). */
const HEALTH_EVENT_SK_CEILING = 'E$';
export const closedDaySk = (day: string) => `${CLOSED_DAY_SK_PREFIX}${day}`;

const DAY_SECONDS = 86_400;
const VERDICT_SET: ReadonlySet<string | undefined> = new Set(VERDICTS);

const DURATION_FIELDS = [
  ['operationalMs', H.operationalMs],
  ['degradedMs', H.degradedMs],
  ['partialOutageMs', H.partialOutageMs],
  ['majorOutageMs', H.majorOutageMs],
  ['maintenanceMs', H.maintenanceMs],
  ['unknownMs', H.unknownMs],
  ['observedMs', H.observedMs],
] as const satisfies readonly (readonly [keyof DayDurations, string])[];

// ---- codec ----

const durationsItem = (d: DayDurations): Item => {
  const item: Item = {};
  for (const [field, name] of DURATION_FIELDS) item[name] = N(d[field]);
  return item;
};

function readDurations(item: Item): DayDurations | undefined {
  const d = {} as DayDurations;
  for (const [field, name] of DURATION_FIELDS) {
    const value = readNumber(item, name);
    if (value === undefined) return undefined;
    d[field] = value;
  }
  return d;
}

const readVerdict = (item: Item, name: string): Verdict | undefined => {
  const value = readString(item, name);
  return VERDICT_SET.has(value) ? (value as Verdict) : undefined;
};

/** The attribute names of a point's fields: the plain ones (D#, STATE) or STATE's entry ones. */
const POINT_NAMES = {
  plain: {
    counted: H.counted,
    online: H.online,
    offline: H.offline,
    pct: H.pct,
    verdict: H.verdict,
    since: H.since,
  },
  entry: {
    counted: H.entryCounted,
    online: H.entryOnline,
    offline: H.entryOffline,
    pct: H.entryPct,
    verdict: H.entryVerdict,
    since: H.entrySince,
  },
} as const;
type PointNames = (typeof POINT_NAMES)[keyof typeof POINT_NAMES];

function pointItem(point: HealthPoint, names: PointNames): Item {
  const item: Item = {
    [names.counted]: N(point.counts.counted),
    [names.online]: N(point.counts.online),
    [names.pct]: N(point.minOnlinePercent),
    [names.verdict]: S(point.verdict),
  };
  if (point.since !== undefined) item[names.since] = N(point.since);
  if (point.offline !== undefined) item[names.offline] = N(point.offline);
  return item;
}

function readPoint(item: Item, names: PointNames): HealthPoint | undefined {
  const counted = readNumber(item, names.counted);
  const online = readNumber(item, names.online);
  const pct = readNumber(item, names.pct);
  const verdict = readVerdict(item, names.verdict);
  if (counted === undefined || online === undefined || pct === undefined || !verdict) {
    return undefined;
  }
  const point: HealthPoint = { counts: { counted, online }, minOnlinePercent: pct, verdict };
  const since = readNumber(item, names.since);
  if (since !== undefined) point.since = since;
  const offline = readNumber(item, names.offline);
  if (offline !== undefined) point.offline = offline;
  return point;
}

/** The checkpoint's attributes on STATE (without the entry state, the version or the mark). */
export const checkpointItem = (checkpoint: HealthCheckpoint): Item => ({
  [H.asOf]: N(checkpoint.asOf),
  [H.createdAt]: N(checkpoint.createdAt),
  [H.day]: S(checkpoint.day),
  ...pointItem(checkpoint, POINT_NAMES.plain),
  ...durationsItem(checkpoint.dayDurations),
});

/** STATE's entry state (the state at the last instant before the checkpoint's day). */
export const entryItem = (entry: HealthPoint): Item => pointItem(entry, POINT_NAMES.entry);

export function readCheckpoint(item: Item): HealthCheckpoint | undefined {
  const asOf = readNumber(item, H.asOf);
  const createdAt = readNumber(item, H.createdAt);
  const day = readString(item, H.day);
  const point = readPoint(item, POINT_NAMES.plain);
  const dayDurations = readDurations(item);
  if (
    asOf === undefined ||
    createdAt === undefined ||
    day === undefined ||
    point === undefined ||
    dayDurations === undefined
  ) {
    return undefined;
  }
  return { ...point, asOf, createdAt, day, dayDurations };
}

/** A STATE row as the ports see it. */
export function readHealthState(item: Item): StoredHealthState {
  const mark = readString(item, H.sweepAt);
  const markAt =
    mark?.startsWith(HEALTH_MARK_PREFIX) === true
      ? Date.parse(mark.slice(HEALTH_MARK_PREFIX.length))
      : Number.NaN;
  return {
    checkpoint: readCheckpoint(item),
    entry: readPoint(item, POINT_NAMES.entry),
    ver: readNumber(item, H.ver),
    markSeq: readNumber(item, H.markSeq),
    markAt: Number.isFinite(markAt) ? markAt : undefined,
  };
}

/** The `E#` row of one health event (TTL: its instant + the event retention). */
export function healthEventItem(
  bucketId: string,
  change: HealthChange,
  eventRetentionDays: number,
): Item {
  const atIso = new Date(change.at).toISOString();
  return {
    pk: S(healthPk(bucketId)),
    sk: S(healthEventSk(change)),
    [H.id]: S(healthEventId(bucketId, atIso, change.to)),
    [H.from]: S(change.from),
    [H.to]: S(change.to),
    [H.at]: S(atIso),
    [H.counted]: N(change.counts.counted),
    [H.online]: N(change.counts.online),
    [H.expiresAt]: N(Math.floor(change.at / 1000) + eventRetentionDays * DAY_SECONDS),
  };
}

export function readHealthEvent(item: Item, bucketId: string): StoredHealthChange | undefined {
  const position = readString(item, 'sk');
  const from = readVerdict(item, H.from);
  const to = readVerdict(item, H.to);
  const atIso = readString(item, H.at);
  const at = atIso === undefined ? Number.NaN : Date.parse(atIso);
  const counted = readNumber(item, H.counted);
  const online = readNumber(item, H.online);
  if (
    position === undefined ||
    atIso === undefined ||
    !from ||
    !to ||
    !Number.isFinite(at) ||
    counted === undefined ||
    online === undefined
  ) {
    return undefined;
  }
  const counts: HealthCounts = { counted, online };
  return {
    id: readString(item, H.id) ?? healthEventId(bucketId, atIso, to),
    position,
    from,
    to,
    at,
    counts,
  };
}

/** The `D#` row of one closed day (TTL: the day's end + the history retention). */
export function closedDayItem(
  bucketId: string,
  day: StoredClosedDay,
  historyRetentionDays: number,
): Item {
  return {
    pk: S(healthPk(bucketId)),
    sk: S(closedDaySk(day.day)),
    ...durationsItem(day.durations),
    ...pointItem(day.entry, POINT_NAMES.plain),
    [H.expiresAt]: N(
      Math.floor((dayStartMs(day.day) + DAY_MS) / 1000) + historyRetentionDays * DAY_SECONDS,
    ),
  };
}

export function readClosedDay(item: Item): StoredClosedDay | undefined {
  const sk = readString(item, 'sk');
  const durations = readDurations(item);
  const entry = readPoint(item, POINT_NAMES.plain);
  if (sk?.startsWith(CLOSED_DAY_SK_PREFIX) !== true || !durations || !entry) return undefined;
  return { day: sk.slice(CLOSED_DAY_SK_PREFIX.length), durations, entry };
}

// ---- readers ----

/** The Query of a page of health events (newest first, within the retention). */
export function healthEventsPageQuery(
  tableName: string,
  request: Pick<HealthEventsPageRequest, 'bucketId' | 'oldestAt'>,
): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :oldest AND :ceiling',
    ExpressionAttributeValues: {
      ':pk': S(healthPk(request.bucketId)),
      ':oldest': S(healthEventSkFloor(request.oldestAt)),
      ':ceiling': S(HEALTH_EVENT_SK_CEILING),
    },
    ScanIndexForward: false,
  };
}

export function createHealthReader(client: DynamoDBClient, tableName: string) {
  /** The STATE row; undefined when there is none. */
  async function loadHealthState(
    bucketId: string,
    consistent: boolean,
  ): Promise<StoredHealthState | undefined> {
    const answer = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: S(healthPk(bucketId)), sk: S(HEALTH_STATE_SK) },
          ConsistentRead: consistent,
        }),
      )
      .catch(rethrowAsUnavailable);
    return answer.Item === undefined ? undefined : readHealthState(answer.Item);
  }

  /** One page of the recorded health events, newest first (the cursor rules of data/events.ts). */
  async function loadHealthEventsPage(request: HealthEventsPageRequest): Promise<HealthEventsPage> {
    const input = healthEventsPageQuery(tableName, request);
    const wanted = request.limit + 1;
    const events: StoredHealthChange[] = [];
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    if (request.before !== undefined) {
      // A position at or below the cut-off has nothing older within the retention.
      if (request.before <= healthEventSkFloor(request.oldestAt)) {
        return { events: [], more: false };
      }
      // A position above every event: start from the newest.
      if (request.before < HEALTH_EVENT_SK_CEILING) {
        startKey = { pk: S(healthPk(request.bucketId)), sk: S(request.before) };
      }
    }
    do {
      const page = await client
        .send(
          new QueryCommand({
            ...input,
            Limit: wanted - events.length,
            ExclusiveStartKey: startKey,
          }),
        )
        .catch(rethrowAsUnavailable);
      for (const item of page.Items ?? []) {
        const event = readHealthEvent(item, request.bucketId);
        if (event !== undefined) events.push(event);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && events.length < wanted);
    const more = events.length > request.limit;
    return { events: more ? events.slice(0, request.limit) : events, more };
  }

  /**
   * The recorded health events with fromMs <= at <= toMs, in time order (the sweep's recompute
   * replaces those its result does not hold).
   */
  async function loadHealthChangesBetween(
    bucketId: string,
    fromMs: number,
    toMs: number,
    consistent: boolean,
  ): Promise<StoredHealthChange[]> {
    const events: StoredHealthChange[] = [];
    await queryAll(
      client,
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': S(healthPk(bucketId)),
          ':lo': S(healthEventSkFloor(new Date(fromMs).toISOString())),
          // '$' follows '#': every event at toMs, whatever its verdict.
          ':hi': S(`${healthEventSkFloor(new Date(toMs).toISOString())}$`),
        },
        ConsistentRead: consistent,
      },
      (items) => {
        for (const item of items) {
          const event = readHealthEvent(item, bucketId);
          if (event !== undefined) events.push(event);
        }
      },
    );
    return events;
  }

  /** The closed days in [fromDay, toDay] on record, ascending: one Query of the D# range. */
  async function loadClosedDays(
    bucketId: string,
    fromDay: string,
    toDay: string,
  ): Promise<StoredClosedDay[]> {
    const days: StoredClosedDay[] = [];
    if (fromDay > toDay) return days;
    await queryAll(
      client,
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ExpressionAttributeValues: {
          ':pk': S(healthPk(bucketId)),
          ':lo': S(closedDaySk(fromDay)),
          ':hi': S(closedDaySk(toDay)),
        },
      },
      (items) => {
        for (const item of items) {
          const day = readClosedDay(item);
          if (day !== undefined) days.push(day);
        }
      },
    );
    return days;
  }

  return { loadHealthState, loadHealthEventsPage, loadHealthChangesBetween, loadClosedDays };
}

// ---- writers (the sweep's health step) ----

const BATCH_SIZE = 25;

export interface HealthWriterOptions {
  eventRetentionDays: number;
  historyRetentionDays: number;
}

export function createHealthWriter(
  client: DynamoDBClient,
  tableName: string,
  options: HealthWriterOptions,
) {
  const put = (Item: Item) =>
    client.send(new PutItemCommand({ TableName: tableName, Item })).catch(rethrowAsUnavailable);

  /** Records health events: deterministic rows, plain puts, all in parallel. */
  async function putHealthChanges(
    bucketId: string,
    changes: readonly HealthChange[],
  ): Promise<void> {
    await Promise.all(
      changes.map((change) => put(healthEventItem(bucketId, change, options.eventRetentionDays))),
    );
  }

  /** Deletes health events a recompute no longer produces (batches of 25, unprocessed retried). */
  async function deleteHealthChanges(
    bucketId: string,
    keys: readonly HealthChangeKey[],
  ): Promise<void> {
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      batches.push(
        keys.slice(i, i + BATCH_SIZE).map((key) => ({
          DeleteRequest: { Key: { pk: S(healthPk(bucketId)), sk: S(healthEventSk(key)) } },
        })),
      );
    }
    await Promise.all(
      batches.map(async (batch) => {
        let requests: WriteRequest[] | undefined = batch;
        for (let attempt = 0; requests !== undefined && requests.length > 0; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
          if (attempt > 5) throw new Unavailable('The service is busy; retry shortly', 1);
          const answer: BatchWriteItemCommandOutput = await client
            .send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }))
            .catch(rethrowAsUnavailable);
          requests = answer.UnprocessedItems?.[tableName];
        }
      }),
    );
  }

  /** Records closed days (with their entry state): deterministic rows, plain puts. */
  async function putClosedDays(bucketId: string, days: readonly StoredClosedDay[]): Promise<void> {
    await Promise.all(
      days.map((day) => put(closedDayItem(bucketId, day, options.historyRetentionDays))),
    );
  }

  /**
   * Writes the checkpoint, its day's entry state and the next mark (or removes the mark) on
   * condition that the version and the mark count are those read: false when another write
   * came first (the caller reads again).
   */
  async function writeCheckpoint(
    bucketId: string,
    checkpoint: HealthCheckpoint,
    entry: HealthPoint,
    condition: CheckpointWriteCondition,
  ): Promise<boolean> {
    const values: Item = { ...checkpointItem(checkpoint), ...entryItem(entry) };
    const names: Record<string, string> = {};
    const valuesByPlaceholder: Item = {};
    const sets: string[] = [];
    const removes: string[] = [];
    let i = 0;
    for (const [name, value] of Object.entries(values)) {
      names[`#a${i}`] = name;
      valuesByPlaceholder[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
      i++;
    }
    if (checkpoint.since === undefined) removes.push('#since');
    if (entry.since === undefined) removes.push('#eSince');
    if (checkpoint.since === undefined) names['#since'] = H.since;
    if (entry.since === undefined) names['#eSince'] = H.entrySince;
    names['#ver'] = H.ver;
    names['#seq'] = H.markSeq;
    names['#shard'] = H.sweepShard;
    names['#mark'] = H.sweepAt;
    sets.push('#ver = :nextVer');
    valuesByPlaceholder[':nextVer'] = N((condition.expectVer ?? 0) + 1);
    if (condition.nextMark === undefined) {
      removes.push('#shard', '#mark');
    } else {
      sets.push('#shard = :shard', '#mark = :mark');
      valuesByPlaceholder[':shard'] = S(sweepShardOf(bucketId, ''));
      valuesByPlaceholder[':mark'] = S(healthMarkOf(condition.nextMark));
    }
    const conditions: string[] = [];
    if (condition.expectVer === undefined) conditions.push('attribute_not_exists(#ver)');
    else {
      conditions.push('#ver = :ver');
      valuesByPlaceholder[':ver'] = N(condition.expectVer);
    }
    if (condition.expectMarkSeq === undefined) conditions.push('attribute_not_exists(#seq)');
    else {
      conditions.push('#seq = :seq');
      valuesByPlaceholder[':seq'] = N(condition.expectMarkSeq);
    }
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: S(healthPk(bucketId)), sk: S(HEALTH_STATE_SK) },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: valuesByPlaceholder,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      return rethrowAsUnavailable(error);
    }
  }

  return { putHealthChanges, deleteHealthChanges, putClosedDays, writeCheckpoint };
}

export type HealthReader = ReturnType<typeof createHealthReader>;
export type HealthWriter = ReturnType<typeof createHealthWriter>;
