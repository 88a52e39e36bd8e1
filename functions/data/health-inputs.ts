import {
  type DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { type HealthInput, MIN_ONLINE_PERCENT } from '../domain/health.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, N, readNumber, readString, S } from './attributes.ts';
import { HEALTH_INPUT_SK_PREFIX, healthPk, healthUncountSk } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * A bucket's health inputs other than node events (docs/ARCHITECTURE.md, "Bucket health"), one
 * row each in its `HEALTH#<bucketId>` partition, sort key `I#<at ISO>#…` so key order is time
 * order:
 * - `I#<at>#U#<nodeId>`: a counted node was unassigned at `at` (kind `U`, nodeId, at (N ms));
 * - `I#<at>#P`: the bucket's minOnlinePercent from `at` on (pct, N).
 * Both expire HISTORY_RETENTION_DAYS after `at` (expiresAt, epoch s). Each is written once
 * with a deterministic key (a repeated write puts the same item), then its bucket is marked
 * (data/health-marks.ts).
 */

const DAY_SECONDS = 86_400;
const ISO_LENGTH = 24;
const UNCOUNT = 'U';

/**
 * A sort key above every input at `atMs` and below every later one: the ISO instant is fixed
 * width and an input's key continues it with `#` (0x23), so `$` (0x24) follows them all.
 */
const inputSkAfterAll = (atMs: number) =>
  `${HEALTH_INPUT_SK_PREFIX}${new Date(atMs).toISOString()}$`;

/** The uncount row: a deterministic PutItem. Exported for tests. */
export function uncountPut(
  tableName: string,
  input: { bucketId: string; nodeId: string; atMs: number },
  options: { retentionDays: number },
): PutItemCommandInput {
  return {
    TableName: tableName,
    Item: {
      pk: S(healthPk(input.bucketId)),
      sk: S(healthUncountSk(input.atMs, input.nodeId)),
      kind: S(UNCOUNT),
      nodeId: S(input.nodeId),
      at: N(input.atMs),
      expiresAt: N(Math.floor(input.atMs / 1000) + options.retentionDays * DAY_SECONDS),
    },
  };
}

/** An input row as a health input; undefined for a row that is none (never made up). */
export function toOtherInput(item: Item): HealthInput | undefined {
  const sk = readString(item, 'sk') ?? '';
  if (!sk.startsWith(HEALTH_INPUT_SK_PREFIX)) return undefined;
  const iso = sk.slice(HEALTH_INPUT_SK_PREFIX.length, HEALTH_INPUT_SK_PREFIX.length + ISO_LENGTH);
  const at = Date.parse(iso);
  if (!Number.isFinite(at) || new Date(at).toISOString() !== iso) return undefined;
  const rest = sk.slice(HEALTH_INPUT_SK_PREFIX.length + ISO_LENGTH);
  if (rest === '#P') {
    const pct = readNumber(item, 'pct');
    if (
      pct === undefined ||
      !Number.isInteger(pct) ||
      pct < MIN_ONLINE_PERCENT.min ||
      pct > MIN_ONLINE_PERCENT.max
    ) {
      return undefined;
    }
    return { kind: 'policy', at, minOnlinePercent: pct };
  }
  const nodeId = readString(item, 'nodeId');
  if (rest.startsWith('#U#') && nodeId !== undefined && rest === `#U#${nodeId}`) {
    return { kind: 'uncount', at, nodeId };
  }
  return undefined;
}

export function createHealthInputs(
  client: DynamoDBClient,
  tableName: string,
  options: { retentionDays: number },
) {
  /** Records that a counted node was unassigned at `atMs` (mark the bucket after it). */
  async function putUncount(bucketId: string, nodeId: string, atMs: number): Promise<void> {
    await client
      .send(new PutItemCommand(uncountPut(tableName, { bucketId, nodeId, atMs }, options)))
      .catch(rethrowAsUnavailable);
  }

  /**
   * The uncount and policy inputs with `afterMs < at <= toMs`, in `at` order, all pages followed
   * (consistent when asked: the sweep asks).
   */
  async function loadOtherInputs(
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
          ':pk': S(healthPk(bucketId)),
          ':after': S(inputSkAfterAll(afterMs)),
          ':to': S(inputSkAfterAll(toMs)),
        },
        ProjectionExpression: 'sk, nodeId, pct',
        ConsistentRead: consistent,
      },
      (items) => {
        for (const item of items) {
          const input = toOtherInput(item);
          if (input !== undefined) inputs.push(input);
        }
      },
    );
    return inputs;
  }

  /** The instant of the earliest uncount or policy input after `afterMs` (consistent), if any. */
  async function firstOtherInputAfter(
    bucketId: string,
    afterMs: number,
  ): Promise<number | undefined> {
    const page = await client
      .send(
        new QueryCommand({
          TableName: tableName,
          // The I# rows only (every input key continues `I#` with a digit), no other kind.
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :after AND :end',
          ExpressionAttributeValues: {
            ':pk': S(healthPk(bucketId)),
            ':after': S(inputSkAfterAll(afterMs)),
            ':end': S(`${HEALTH_INPUT_SK_PREFIX}\u007f`),
          },
          ProjectionExpression: 'sk, nodeId, pct',
          ConsistentRead: true,
          Limit: 1,
        }),
      )
      .catch(rethrowAsUnavailable);
    const item = page.Items?.[0];
    return item === undefined ? undefined : toOtherInput(item)?.at;
  }

  return { putUncount, loadOtherInputs, firstOtherInputAfter };
}

export type HealthInputs = ReturnType<typeof createHealthInputs>;
