import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { eventId, type NodeEvent, type RecordedNodeEvent, withEventId } from '../domain/events.ts';
import type { HealthInput } from '../domain/health.ts';
import type { NodeStatus } from '../domain/node-status.ts';
import type { EventsPage, EventsPageRequest, StoredEvent } from '../domain/ports/events.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, N, readString, S } from './attributes.ts';
import type { MarkHealth } from './health-marks.ts';
import { queryAll } from './query-all.ts';

/**
 * Event rows (docs/ARCHITECTURE.md, "Events and the sweep"): `EVENTS#<bucketId>` /
 * `<at>#<nodeId>#<to>`, one per change, TTL `expiresAt` = at + EVENT_RETENTION_DAYS.
 */
export const EVENTS_PK_PREFIX = 'EVENTS#';
export const eventsPk = (bucketId: string) => `${EVENTS_PK_PREFIX}${bucketId}`;
export const eventSk = (event: Pick<NodeEvent, 'at' | 'nodeId' | 'to'>) =>
  `${event.at}#${event.nodeId}#${event.to}`;
/** The smallest sort key of events at or after `atIso`. */
export const eventSkFloor = (atIso: string) => atIso;
/**
 * A sort key above every event at `atMs` and below every later one: the ISO instant is fixed
 * width and an event's key continues it with `#` (0x23), so `$` (0x24) follows them all. Bounds
 * of the key range "at in (after, to]" are `(afterAll(after), afterAll(to)]`.
 */
export const eventSkAfterAll = (atMs: number) => `${new Date(atMs).toISOString()}$`;

const DAY_SECONDS = 86_400;
const STATES: ReadonlySet<string | undefined> = new Set(['ONLINE', 'OFFLINE', 'DISCONNECTED']);

/** The conditional PutItem that records one event at most once. Exported for the benchmark. */
export function eventPut(
  tableName: string,
  event: NodeEvent,
  options: { retentionDays: number; writer: string; recordedAt: string },
): PutItemCommandInput & { Item: Item } {
  const item: Item = {
    pk: S(eventsPk(event.bucketId)),
    sk: S(eventSk(event)),
    id: S(eventId(event)),
    bucketId: S(event.bucketId),
    nodeId: S(event.nodeId),
    from: S(event.from),
    to: S(event.to),
    at: S(event.at),
    recordedAt: S(options.recordedAt),
    writer: S(options.writer),
    expiresAt: N(Math.floor(Date.parse(event.at) / 1000) + options.retentionDays * DAY_SECONDS),
  };
  if (event.ip !== undefined) item.ip = S(event.ip);
  if (event.region !== undefined) item.region = S(event.region);
  // Internal (health counts the node from here on); GET events never shows it.
  if (event.first === true) item.first = { BOOL: true };
  return {
    TableName: tableName,
    Item: item,
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export interface EventWriterOptions {
  retentionDays: number;
  /**
   * The publish port: called with the events this writer inserted (never those another writer
   * had recorded). Deployed a no-op (the table's stream feeds alerts); locally the in-process
   * queue. It never fails or slows the caller: it is not awaited and its errors go to
   * `onPublishError`.
   */
  onEventsRecorded?: (events: RecordedNodeEvent[]) => void | Promise<void>;
  onPublishError?: (error: unknown) => void;
  /**
   * The health mark (functions/data/health-marks.ts): after the puts of a call landed, each
   * bucket of the events it was given (inserted or found recorded already) is marked with the
   * earliest `at` among them, so the sweep recomputes its verdict timeline from there. A
   * failed mark fails the call like a failed put. Every production writer passes it.
   */
  markHealth?: MarkHealth;
  now?: () => number;
}

/**
 * The event writer: records each event exactly once, whoever else records the same change.
 * All events of a call are written in parallel (one round trip of latency), then, with
 * `markHealth`, their buckets are marked in parallel (one more). Returns the events this call
 * inserted. Transient faults are a ServiceUnavailableError after the SDK's retries.
 */
export function createEventWriter(
  client: DynamoDBClient,
  tableName: string,
  options: EventWriterOptions,
) {
  const now = options.now ?? Date.now;
  const publish = options.onEventsRecorded;
  const { markHealth } = options;
  async function recordOne(event: NodeEvent, recordedAt: string): Promise<boolean> {
    const writer = randomUUID();
    const input = eventPut(tableName, event, {
      retentionDays: options.retentionDays,
      writer,
      recordedAt,
    });
    try {
      await client.send(new PutItemCommand(input));
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) rethrowAsUnavailable(error);
    }
    // Already recorded (failure path only): by another writer, or by this very request when
    // the SDK retried an attempt that had landed. The per-attempt writer tells them apart.
    const existing = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: input.Item.pk as Item[string], sk: input.Item.sk as Item[string] },
          ProjectionExpression: 'writer',
          ConsistentRead: true,
        }),
      )
      .catch(rethrowAsUnavailable);
    return existing.Item !== undefined && readString(existing.Item, 'writer') === writer;
  }

  return async function recordEvents(events: readonly NodeEvent[]): Promise<RecordedNodeEvent[]> {
    const recordedAt = new Date(now()).toISOString();
    const outcomes = await Promise.all(events.map((event) => recordOne(event, recordedAt)));
    const inserted = events.filter((_, index) => outcomes[index]).map(withEventId);
    // Published before the marks: a retry after a failed mark finds these events recorded
    // (not inserted by it), so it would not publish them.
    if (publish !== undefined && inserted.length > 0) {
      Promise.resolve()
        .then(() => publish(inserted))
        .catch((error: unknown) => options.onPublishError?.(error));
    }
    if (markHealth !== undefined) {
      await Promise.all(
        [...earliestByBucket(events)].map(([bucketId, atMs]) => markHealth(bucketId, atMs)),
      );
    }
    return inserted;
  };
}

export type RecordEvents = ReturnType<typeof createEventWriter>;

/** Each bucket of the events and the earliest instant among its events, epoch ms. */
function earliestByBucket(events: readonly NodeEvent[]): Map<string, number> {
  const earliest = new Map<string, number>();
  for (const event of events) {
    const atMs = Date.parse(event.at);
    const seen = earliest.get(event.bucketId);
    if (seen === undefined || atMs < seen) earliest.set(event.bucketId, atMs);
  }
  return earliest;
}

function toStoredEvent(item: Item, bucketId: string): StoredEvent | undefined {
  // The sort key: every row has one, and the projection asks for it.
  const position = readString(item, 'sk') as string;
  const nodeId = readString(item, 'nodeId');
  const from = readString(item, 'from');
  const to = readString(item, 'to');
  const at = readString(item, 'at');
  // A row without a node, an instant or a known state on both sides is no event to show.
  if (nodeId === undefined || at === undefined || !STATES.has(from) || !STATES.has(to)) {
    return undefined;
  }
  return {
    position,
    bucketId,
    nodeId,
    ip: readString(item, 'ip'),
    region: readString(item, 'region'),
    from: from as NodeStatus,
    to: to as NodeStatus,
    at,
    ...(item.first?.BOOL === true && { first: true as const }),
  };
}

export function eventsPageQuery(tableName: string, request: EventsPageRequest): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND sk >= :oldest',
    ExpressionAttributeValues: {
      ':pk': S(eventsPk(request.bucketId)),
      ':oldest': S(eventSkFloor(request.oldestAt)),
    },
    ProjectionExpression: 'sk, nodeId, ip, #region, #from, #to, #at, #first',
    ExpressionAttributeNames: {
      '#region': 'region',
      '#from': 'from',
      '#to': 'to',
      '#at': 'at',
      '#first': 'first',
    },
    ScanIndexForward: false,
  };
}

/** One page of a bucket's events, newest first, within the retention. */
export function createEventsReader(client: DynamoDBClient, tableName: string) {
  return async function loadEventsPage(request: EventsPageRequest): Promise<EventsPage> {
    const input = eventsPageQuery(tableName, request);
    // One more than asked: tells "there are more" without an empty extra page.
    const wanted = request.limit + 1;
    const events: StoredEvent[] = [];
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    if (request.before !== undefined) {
      // A position at or below the cut-off has nothing older within the retention.
      if (request.before <= eventSkFloor(request.oldestAt)) return { events: [], more: false };
      startKey = { pk: S(eventsPk(request.bucketId)), sk: S(request.before) };
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
      // A Query answer always has Items (empty when nothing matched).
      for (const item of page.Items ?? []) {
        const event = toStoredEvent(item, request.bucketId);
        if (event !== undefined) events.push(event);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && events.length < wanted);
    const more = events.length > request.limit;
    return { events: more ? events.slice(0, request.limit) : events, more };
  };
}

const NODE_INPUT_NAMES = { '#from': 'from', '#to': 'to', '#at': 'at', '#first': 'first' };

/** A node event row as a health input (functions/domain/health.ts); undefined if it is none. */
function toNodeInput(item: Item): HealthInput | undefined {
  const nodeId = readString(item, 'nodeId');
  const from = readString(item, 'from');
  const to = readString(item, 'to');
  const at = Date.parse(String(readString(item, 'at')));
  if (nodeId === undefined || !Number.isFinite(at) || !STATES.has(from) || !STATES.has(to)) {
    return undefined;
  }
  return {
    kind: 'node',
    at,
    nodeId,
    from: from as NodeStatus,
    to: to as NodeStatus,
    first: item.first?.BOOL === true,
  };
}

/**
 * The bucket's node events as inputs of its verdict timeline (docs/ARCHITECTURE.md, "Bucket
 * health"): `loadNodeInputs` gives every event with `afterMs < at <= toMs`, in `at` order, all
 * pages followed (consistent when asked: the sweep asks, so an event whose mark it read is in
 * its answer); `firstNodeInputAfter` the instant of the earliest event after `afterMs`
 * (consistent), or undefined.
 */
export function createNodeInputReader(client: DynamoDBClient, tableName: string) {
  async function loadNodeInputs(
    bucketId: string,
    afterMs: number,
    toMs: number,
    consistent: boolean,
  ): Promise<HealthInput[]> {
    if (toMs <= afterMs) return [];
    const inputs: HealthInput[] = [];
    await queryAll(
      client,
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :after AND :to',
        ExpressionAttributeValues: {
          ':pk': S(eventsPk(bucketId)),
          ':after': S(eventSkAfterAll(afterMs)),
          ':to': S(eventSkAfterAll(toMs)),
        },
        ProjectionExpression: 'nodeId, #from, #to, #at, #first',
        ExpressionAttributeNames: NODE_INPUT_NAMES,
        ConsistentRead: consistent,
      },
      (items) => {
        for (const item of items) {
          const input = toNodeInput(item);
          if (input !== undefined) inputs.push(input);
        }
      },
    );
    return inputs;
  }

  async function firstNodeInputAfter(
    bucketId: string,
    afterMs: number,
  ): Promise<number | undefined> {
    const page = await client
      .send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: {
            ':pk': S(eventsPk(bucketId)),
            ':after': S(eventSkAfterAll(afterMs)),
          },
          ProjectionExpression: '#at',
          ExpressionAttributeNames: { '#at': 'at' },
          ConsistentRead: true,
          Limit: 1,
        }),
      )
      .catch(rethrowAsUnavailable);
    const item = page.Items?.[0];
    if (item === undefined) return undefined;
    const at = Date.parse(String(readString(item, 'at')));
    return Number.isFinite(at) ? at : undefined;
  }

  return { loadNodeInputs, firstNodeInputAfter };
}

export type NodeInputReader = ReturnType<typeof createNodeInputReader>;
