/**
 * The bucket's health policy (DESIGN.md section 13: `minOnlinePercent`), in its health
 * partition, two rows per change:
 *
 *   pk HEALTH#<bucketId>  sk I#<at ISO>#P   the policy input of the verdict timeline: pct (N),
 *                                           TTL expiresAt = at + HISTORY_RETENTION_DAYS
 *   pk HEALTH#<bucketId>  sk POLICY         the current policy: pct (N), at (N, epoch ms)
 *
 * The I# rows are the timeline's (they share the `I#` range with the uncount inputs, so the
 * newest policy cannot be read from that range with a Limit); the POLICY row answers "the
 * policy now" in one GetItem. Both writes are conditional so that two changes in any order,
 * even in the same millisecond, leave the same rows: the later `at` wins, and at equal `at`
 * the higher percent. The bucket is marked for the sweep at `at` after both landed.
 *
 * A change to the percent in force writes nothing. The changes of one UTC day are counted
 * before they are written, at most MAX_POLICY_CHANGES_PER_DAY (one conditional UpdateItem, so
 * concurrent changes never pass it):
 *
 *   pk HEALTH#<bucketId>  sk C#POLICY#<YYYY-MM-DD>   n (N), TTL expiresAt = the day's end + 1 day
 *
 * so a day of the timeline, which the sweep may compute again whole, holds at most that many
 * policy inputs.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { HealthInput } from '../domain/health.ts';
import { MIN_ONLINE_PERCENT } from '../domain/health.ts';
import { MAX_POLICY_CHANGES_PER_DAY, tooManyPolicyChanges } from '../domain/maintenance.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, N, readNumber, readString, S } from './attributes.ts';
import { createHealthMarker, type MarkHealth } from './health-marks.ts';
import { healthPk } from './keys.ts';

export const HEALTH_INPUT_PREFIX = 'I#';
export const POLICY_INPUT_SUFFIX = '#P';
export const POLICY_SK = 'POLICY';
/** The counter of the policy changes of the UTC day of `atMs`: `C#POLICY#<YYYY-MM-DD>`. */
export const policyChangesSk = (atMs: number) =>
  `C#POLICY#${new Date(atMs).toISOString().slice(0, 10)}`;
/** The policy input's sort key: `I#<at ISO>#P`. */
export const policyInputSk = (atMs: number) =>
  `${HEALTH_INPUT_PREFIX}${new Date(atMs).toISOString()}${POLICY_INPUT_SUFFIX}`;

/** The stored attribute names of the policy rows. */
export const POLICY_ATTR = {
  pct: 'pct',
  /** POLICY row: the instant of the change, epoch ms. */
  at: 'at',
  /** I# row: the TTL, epoch seconds. */
  expiresAt: 'expiresAt',
} as const;
const P = POLICY_ATTR;

const DAY_SECONDS = 86_400;

/** The policy at an instant: its percent and, when one was ever set, since when (epoch ms). */
export interface HealthPolicy {
  minOnlinePercent: number;
  at: number | undefined;
}

const isPercent = (value: number | undefined): value is number =>
  value !== undefined &&
  Number.isInteger(value) &&
  value >= MIN_ONLINE_PERCENT.min &&
  value <= MIN_ONLINE_PERCENT.max;

/**
 * An `I#<at ISO>#P` row as the timeline's input; undefined for any other row (an uncount input)
 * or a malformed one.
 */
export function policyInputOf(item: Item): Extract<HealthInput, { kind: 'policy' }> | undefined {
  const sk = readString(item, 'sk');
  if (
    sk === undefined ||
    !sk.startsWith(HEALTH_INPUT_PREFIX) ||
    !sk.endsWith(POLICY_INPUT_SUFFIX)
  ) {
    return undefined;
  }
  const at = Date.parse(sk.slice(HEALTH_INPUT_PREFIX.length, -POLICY_INPUT_SUFFIX.length));
  const pct = readNumber(item, P.pct);
  if (Number.isNaN(at) || !isPercent(pct)) return undefined;
  return { kind: 'policy', at, minOnlinePercent: pct };
}

export function createHealthPolicyStore(
  client: DynamoDBClient,
  tableName: string,
  options: { historyRetentionDays: number; markHealth?: MarkHealth },
) {
  const markHealth = options.markHealth ?? createHealthMarker(client, tableName);

  /** A put that loses its condition to a later (or equal and higher) policy is no failure. */
  async function putUnlessSuperseded(input: PutItemCommandInput): Promise<void> {
    try {
      await client.send(new PutItemCommand(input));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) rethrowAsUnavailable(error);
    }
  }

  /** Counts a change on the UTC day of `atMs`; 409 past MAX_POLICY_CHANGES_PER_DAY. */
  async function countChange(bucketId: string, atMs: number): Promise<void> {
    const dayEnd = (Math.floor(atMs / 1000 / DAY_SECONDS) + 1) * DAY_SECONDS;
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: S(healthPk(bucketId)), sk: S(policyChangesSk(atMs)) },
          UpdateExpression: 'ADD #n :one SET #exp = :exp',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
          ExpressionAttributeNames: { '#n': 'n', '#exp': P.expiresAt },
          ExpressionAttributeValues: {
            ':one': N(1),
            ':max': N(MAX_POLICY_CHANGES_PER_DAY),
            ':exp': N(dayEnd + DAY_SECONDS),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw tooManyPolicyChanges(atMs);
      rethrowAsUnavailable(error);
    }
  }

  /** The policy now: the POLICY row (one GetItem), else the default 50. */
  async function currentPolicy(bucketId: string): Promise<HealthPolicy> {
    const { Item: item } = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: S(healthPk(bucketId)), sk: S(POLICY_SK) },
          ConsistentRead: true,
        }),
      )
      .catch(rethrowAsUnavailable);
    const pct = item === undefined ? undefined : readNumber(item, P.pct);
    if (!isPercent(pct)) return { minOnlinePercent: MIN_ONLINE_PERCENT.fallback, at: undefined };
    return { minOnlinePercent: pct, at: readNumber(item as Item, P.at) };
  }

  return {
    currentPolicy,

    /**
     * Records the policy `minOnlinePercent` (validated) from `atMs` on: nothing when it is the
     * percent in force (false); else the day's count (409 past the limit), the input row, the
     * current row, then the mark (true).
     */
    async setPolicy(bucketId: string, minOnlinePercent: number, atMs: number): Promise<boolean> {
      if ((await currentPolicy(bucketId)).minOnlinePercent === minOnlinePercent) return false;
      await countChange(bucketId, atMs);
      const pk = S(healthPk(bucketId));
      const names = { '#pct': P.pct };
      await putUnlessSuperseded({
        TableName: tableName,
        Item: {
          pk,
          sk: S(policyInputSk(atMs)),
          [P.pct]: N(minOnlinePercent),
          [P.expiresAt]: N(Math.floor(atMs / 1000) + options.historyRetentionDays * DAY_SECONDS),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #pct <= :pct',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':pct': N(minOnlinePercent) },
      });
      await putUnlessSuperseded({
        TableName: tableName,
        Item: { pk, sk: S(POLICY_SK), [P.pct]: N(minOnlinePercent), [P.at]: N(atMs) },
        ConditionExpression:
          'attribute_not_exists(pk) OR #at < :at OR (#at = :at AND #pct <= :pct)',
        ExpressionAttributeNames: { ...names, '#at': P.at },
        ExpressionAttributeValues: { ':pct': N(minOnlinePercent), ':at': N(atMs) },
      });
      await markHealth(bucketId, atMs);
      return true;
    },
  };
}

export type HealthPolicyStore = ReturnType<typeof createHealthPolicyStore>;
