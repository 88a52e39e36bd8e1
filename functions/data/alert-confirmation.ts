import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  checkInstant,
  type DeliveryCheck,
  healthChangeHolds,
  nodeChangeHolds,
  silencedByMaintenance,
} from '../domain/alert-policy.ts';
import type { MaintenanceWindow } from '../domain/health.ts';
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
 * - a bucket health change: the bucket's health events in (at, at + D] (one Query of that key
 *   range of HEALTH#<bucketId>).
 */
export interface ConfirmationOptions {
  staleAfterSeconds: number;
  loadWindows: (bucketId: string) => Promise<MaintenanceWindow[]>;
}

/** Sort keys are `<ISO>#...`: every key with an instant in (after, until] lies in this range. */
const instantRange = (prefix: string, afterMs: number, untilMs: number) => ({
  from: `${prefix}${new Date(afterMs + 1).toISOString()}`,
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
    const instants: number[] = [];
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
        ExpressionAttributeNames: { '#at': 'at' },
        ProjectionExpression: '#at',
        ConsistentRead: true,
      },
      (items: Item[]) => {
        for (const item of items) {
          const at = Date.parse(readString(item, 'at') ?? '');
          if (!Number.isNaN(at)) instants.push(at);
        }
      },
    );
    return instants;
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
    if (check.subject === 'bucket') {
      const later = await instantsIn(
        healthPk(check.bucketId),
        HEALTH_EVENT_SK_PREFIX,
        atMs,
        untilMs,
      );
      return healthChangeHolds({ atMs, holdSeconds: check.holdSeconds, laterEventsMs: later });
    }
    const [later, row, windows] = await Promise.all([
      instantsIn(eventsPk(check.bucketId), '', atMs, untilMs, check.nodeId),
      nodeRow(check.bucketId, check.nodeId),
      options.loadWindows(check.bucketId),
    ]);
    if (silencedByMaintenance(windows, atMs)) return false;
    return nodeChangeHolds({
      to: check.to,
      atMs,
      holdSeconds: check.holdSeconds,
      staleAfterSeconds: options.staleAfterSeconds,
      laterEventsMs: later,
      row,
    });
  };
}

export type ConfirmChange = ReturnType<typeof createChangeConfirmer>;
