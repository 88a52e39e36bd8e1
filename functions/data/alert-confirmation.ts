import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  checkInstant,
  type DeliveryCheck,
  type EarlierChange,
  healthChangeHolds,
  nodeChangeHolds,
  returnsToStart,
  silencedByMaintenance,
} from '../domain/alert-policy.ts';
import type { MaintenanceWindow } from '../domain/health.ts';
import type { HealthChange } from '../domain/health-timeline.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { ATTR, type Item, readNumber, readString, S } from './attributes.ts';
import { eventsPk } from './events.ts';
import { bucketPk, HEALTH_EVENT_SK_PREFIX, healthPk, nodeSk } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * The delivery's confirmation (DESIGN.md section 16; the rule is
 * functions/domain/alert-policy.ts): one check per attempt of a message that waited for
 * `at + holdSeconds`, over consistent reads issued in parallel (one round trip):
 *
 * - a node change: the node's events in the bucket with an instant in (at, at + D] (one Query
 *   of that key range of EVENTS#<bucketId>, filtered to the node), the node's bucket row (the
 *   last report: GetItem), and the bucket's maintenance windows (a window created after the
 *   fan-out that covers `at` silences the change too);
 * - a bucket health change: the bucket's verdict timeline in [at, at + D]: the health events
 *   on record there (one Query of that key range of HEALTH#<bucketId>) up to where the timeline
 *   is known, and after it the changes a health read computes (`healthTimeline`: the sweep
 *   records a change up to a minute and more late, so at at + D the record may end before it).
 *   The change itself must be in the timeline (the sweep deletes a health event a late input's
 *   recomputation did not produce), and no other change may follow it within D.
 *
 * With them, the subject's changes before `at`, newest first, as far back as a run of changes
 * less than D apart goes (pages read until the first gap of D; at most MAX_RUN changes): a
 * change that only returns to the state before such a run is not delivered either.
 */
export const MAX_RUN = 1000;
export interface ConfirmationOptions {
  staleAfterSeconds: number;
  loadWindows: (bucketId: string) => Promise<MaintenanceWindow[]>;
  /**
   * The bucket's verdict timeline computed up to an instant as the health reads do
   * (functions/reads/health-timeline-read.ts#computeHealthTimeline): its changes after `from`;
   * undefined for a bucket without a checkpoint. Without this port only the record counts.
   */
  healthTimeline?: (
    bucketId: string,
    untilMs: number,
  ) => Promise<{ from: number; changes: readonly HealthChange[] } | undefined>;
  now?: () => number;
}

/** A change of a timeline: its instant, and the state it entered or left. */
interface TimelineChange {
  atMs: number;
  to?: string | undefined;
  from?: string;
}

/**
 * The bucket's timeline, newest first: the record up to `from` and the computed changes after
 * it, as GET health/events merges them (the record alone without a computed timeline).
 */
function mergeComputed(
  recorded: readonly TimelineChange[],
  computed: { from: number; changes: readonly HealthChange[] } | undefined,
): TimelineChange[] {
  if (computed === undefined) return [...recorded];
  return [
    ...recorded.filter((c) => c.atMs <= computed.from),
    ...computed.changes
      .filter((c) => c.at > computed.from)
      .map((c) => ({ atMs: c.at, to: c.to, from: c.from })),
  ].sort((a, b) => b.atMs - a.atMs);
}

/** Sort keys are `<ISO>#...`: every key with an instant in [from, until] lies in this range. */
const instantRange = (prefix: string, fromMs: number, untilMs: number) => ({
  from: `${prefix}${new Date(fromMs).toISOString()}`,
  // '~' sorts after '#' and after every character of an id.
  to: `${prefix}${new Date(untilMs).toISOString()}~`,
});

export function createChangeConfirmer(
  client: DynamoDBClient,
  tableName: string,
  options: ConfirmationOptions,
) {
  async function instantsIn(
    pk: string,
    prefix: string,
    atMs: number,
    untilMs: number,
    nodeId?: string,
  ) {
    const range = instantRange(prefix, atMs, untilMs);
    const changes: { atMs: number; to: string | undefined }[] = [];
    await queryAll(
      client,
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': S(pk),
          ':from': S(range.from),
          ':to': S(range.to),
          ...(nodeId !== undefined && { ':node': S(nodeId) }),
        },
        ...(nodeId !== undefined && { FilterExpression: 'nodeId = :node' }),
        ExpressionAttributeNames: { '#at': 'at', '#to': 'to' },
        ProjectionExpression: '#at, #to',
        ConsistentRead: true,
      },
      (items: Item[]) => {
        for (const item of items) {
          const at = Date.parse(readString(item, 'at') ?? '');
          if (!Number.isNaN(at)) changes.push({ atMs: at, to: readString(item, 'to') });
        }
      },
    );
    return changes;
  }

  async function earlierChanges(
    pk: string,
    prefix: string,
    atMs: number,
    holdSeconds: number,
    nodeId?: string,
  ): Promise<EarlierChange[]> {
    const changes: EarlierChange[] = [];
    let next = atMs;
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await client
        .send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': S(pk),
              ':from': S(`${prefix}0`),
              ':to': S(`${prefix}${new Date(atMs - 1).toISOString()}~`),
              ...(nodeId !== undefined && { ':node': S(nodeId) }),
            },
            ...(nodeId !== undefined && { FilterExpression: 'nodeId = :node' }),
            ExpressionAttributeNames: { '#at': 'at', '#from': 'from' },
            ProjectionExpression: '#at, #from',
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: 100,
            ExclusiveStartKey: startKey,
          }),
        )
        .catch(rethrowAsUnavailable);
      for (const item of page.Items ?? []) {
        const at = Date.parse(readString(item, 'at') ?? '');
        const from = readString(item, 'from');
        if (Number.isNaN(at) || from === undefined) continue;
        // The first gap of D ends the run: nothing older matters.
        if (next - at >= holdSeconds * 1000) return changes;
        changes.push({ atMs: at, from });
        next = at;
        if (changes.length >= MAX_RUN) return changes;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return changes;
  }

  async function nodeRow(bucketId: string, nodeId: string) {
    const { Item: item } = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: S(bucketPk(bucketId)), sk: S(nodeSk(nodeId)) },
          ProjectionExpression: `#status, ${ATTR.lastAt}, lastUpdated`,
          ExpressionAttributeNames: { '#status': 'status' },
          ConsistentRead: true,
        }),
      )
      .catch(rethrowAsUnavailable);
    if (item === undefined) return undefined;
    const status = readString(item, 'status');
    // The timeline's instant of the last report (as the sweep reads it): lastAt, else lastUpdated.
    const lastAtMs =
      readNumber(item, ATTR.lastAt) ?? Date.parse(readString(item, 'lastUpdated') ?? '');
    // A row assigned but never reported to: no last report.
    if (status === undefined || Number.isNaN(lastAtMs)) return undefined;
    return { status, lastAtMs };
  }

  return async function confirm(check: DeliveryCheck): Promise<boolean> {
    const atMs = Date.parse(check.at);
    const untilMs = checkInstant(check);
    const { holdSeconds, to } = check;
    if (check.subject === 'bucket') {
      const pk = healthPk(check.bucketId);
      const nowMs = (options.now ?? Date.now)();
      const [range, recordedBefore, computed] = await Promise.all([
        instantsIn(pk, HEALTH_EVENT_SK_PREFIX, atMs, untilMs),
        earlierChanges(pk, HEALTH_EVENT_SK_PREFIX, atMs, holdSeconds),
        options.healthTimeline?.(check.bucketId, Math.max(nowMs, untilMs)),
      ]);
      // Changes outside [at, T] (computed ones reach to now) are left out by the rules below.
      const timeline = mergeComputed(range, computed);
      // The sweep's recomputation of a late input deletes a health event that did not happen:
      // one no longer in the timeline is not delivered.
      const held = timeline.some((c) => c.atMs === atMs && c.to === to);
      const earlier = mergeComputed(recordedBefore, computed).map((c) => ({
        atMs: c.atMs,
        from: c.from as string,
      }));
      return (
        held &&
        healthChangeHolds({ atMs, holdSeconds, laterEventsMs: timeline.map((c) => c.atMs) }) &&
        !returnsToStart({ to, atMs, holdSeconds, earlier })
      );
    }
    const pk = eventsPk(check.bucketId);
    const [later, earlier, row, windows] = await Promise.all([
      instantsIn(pk, '', atMs, untilMs, check.nodeId).then((range) => range.map((c) => c.atMs)),
      earlierChanges(pk, '', atMs, holdSeconds, check.nodeId),
      nodeRow(check.bucketId, check.nodeId),
      options.loadWindows(check.bucketId),
    ]);
    if (silencedByMaintenance(windows, atMs)) return false;
    return (
      nodeChangeHolds({
        to,
        atMs,
        holdSeconds,
        staleAfterSeconds: options.staleAfterSeconds,
        laterEventsMs: later,
        row,
      }) &&
      // Changes inside a window were not delivered: they start no run the receiver knows of.
      !returnsToStart({
        to,
        atMs,
        holdSeconds,
        earlier: earlier.filter((change) => !silencedByMaintenance(windows, change.atMs)),
      })
    );
  };
}

export type ConfirmChange = ReturnType<typeof createChangeConfirmer>;
