import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { Conflict } from '../domain/errors.ts';
import { MAX_BUCKETS_PER_NODE } from '../domain/node-report.ts';
import { publicKeyFromRaw } from '../domain/node-signature.ts';
import type {
  AcceptedWithHints,
  AcceptReportTimestamp,
  BucketHint,
  ForgetHints,
  GetRegisteredNode,
  RegisteredNode,
  ReportGuardInput,
  ReportGuardOutcome,
} from '../domain/ports/ingest.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import type { TtlCache } from '../shared/ttl-cache.ts';
import { type Item, N, readNumber, readString, S } from './attributes.ts';
import { decodeHint, encodeHint, hintAttribute } from './bucket-timeline.ts';
import { META_SK, nodePk } from './keys.ts';

const nodeKey = (nodeId: string) => ({ pk: S(nodePk(nodeId)), sk: S(META_SK) });

async function getNodeMeta(client: DynamoDBClient, tableName: string, nodeId: string) {
  const result = await client
    .send(new GetItemCommand({ TableName: tableName, Key: nodeKey(nodeId), ConsistentRead: true }))
    .catch(rethrowAsUnavailable);
  return result.Item;
}

function toRegisteredNode(item: Item | undefined): RegisteredNode | undefined {
  if (item === undefined) return undefined;
  // No key reads as the empty key, which publicKeyFromRaw refuses like any corrupt one.
  const stored = readString(item, 'publicKey') ?? '';
  try {
    return { publicKey: publicKeyFromRaw(stored), status: readString(item, 'status') };
  } catch {
    // A missing or corrupt key authenticates nobody.
  }
  return undefined;
}

/**
 * Node public keys, cached per container for a short TTL. The cache only saves the key read:
 * the replay guard's conditional write re-checks the node's status on every report, so a
 * disabled node is refused at once whatever the cache holds.
 */
export function createNodeKeyReader(
  client: DynamoDBClient,
  tableName: string,
  cache: TtlCache<RegisteredNode>,
): GetRegisteredNode {
  return async function getRegisteredNode(nodeId: string): Promise<RegisteredNode | undefined> {
    const cached = cache.get(nodeId);
    if (cached !== undefined) return cached;
    const node = toRegisteredNode(await getNodeMeta(client, tableName, nodeId));
    if (node !== undefined) cache.set(nodeId, node);
    return node;
  };
}

/**
 * The replay guard and per-node rate limit in one conditional write on the node's META row:
 * the node must exist and be ACTIVE, the timestamp must be newer than the last accepted one,
 * and the previous report must be at least minIntervalMs old. A refused write is followed by
 * one consistent read to say why (the failure path only).
 */
/**
 * The replay guard's conditional UpdateItem. `reportId` marks this attempt's write, so a
 * retried write whose first attempt landed is recognised. Exported so the benchmark's floor
 * issues exactly the same request.
 */
export function reportGuardUpdate(
  tableName: string,
  input: ReportGuardInput,
  reportId: string,
): UpdateItemCommandInput {
  const rateLimited = input.minIntervalMs > 0;
  const names: Record<string, string> = {
    '#status': 'status',
    '#region': 'region',
    '#version': 'version',
  };
  // Each reported bucket's hint (docs/ARCHITECTURE.md, "History"); UPDATED_OLD returns the
  // previous ones: the buckets' predecessors (a call without buckets does not read the answer).
  const hintValues: Record<string, AttributeValue> = {};
  let hintSet = '';
  (input.buckets ?? []).forEach((bucket, i) => {
    names[`#h${i}`] = hintAttribute(bucket.bucketId);
    hintValues[`:h${i}`] = S(
      encodeHint({ ts: input.timestamp, at: input.receivedAtMs, status: bucket.status }),
    );
    hintSet += `, #h${i} = :h${i}`;
  });
  return {
    TableName: tableName,
    Key: nodeKey(input.nodeId),
    ConditionExpression:
      'attribute_exists(pk) AND #status = :active' +
      ' AND (attribute_not_exists(lastTimestamp) OR lastTimestamp < :ts)' +
      // With the limit off, receive clocks of different containers must not matter.
      (rateLimited
        ? ' AND (attribute_not_exists(lastAcceptedAt) OR lastAcceptedAt <= :earliestPrevious)'
        : ''),
    UpdateExpression:
      'SET lastTimestamp = :ts, lastAcceptedAt = :now, lastSeen = :lastSeen,' +
      ' lastReportId = :reportId, ip = :ip, #region = :region, #version = :version' +
      hintSet,
    ExpressionAttributeNames: names,
    ReturnValues: 'UPDATED_OLD',
    ExpressionAttributeValues: {
      ...hintValues,
      ':active': S('ACTIVE'),
      ':ts': N(input.timestamp),
      ':reportId': S(reportId),
      ':now': N(input.receivedAtMs),
      ...(rateLimited && { ':earliestPrevious': N(input.receivedAtMs - input.minIntervalMs) }),
      ':lastSeen': S(new Date(input.receivedAtMs).toISOString()),
      ':ip': S(input.ip),
      ':region': S(input.region),
      ':version': S(input.version),
    },
  };
}

/**
 * DynamoDB's answer to a write that would take an item past 400 KB. The assignment limit
 * (MAX_BUCKETS_PER_NODE, enforced by admin/operator-store.ts) keeps the META row far below
 * it; a row that reaches it anyway (e.g. assignments made before the limit existed) must not
 * be a bare 500, nor a 503 that the reporter would retry for ever.
 */
const isItemTooLarge = (error: unknown) =>
  error instanceof Error &&
  error.name === 'ValidationException' &&
  /item size/i.test(error.message) &&
  /exceeded the maximum allowed size/i.test(error.message);

const nodeStateTooLarge = (nodeId: string, cause: unknown) =>
  new Conflict(
    `node ${nodeId}'s stored state is too large to record this report: it serves too many ` +
      `buckets (at most ${MAX_BUCKETS_PER_NODE}); an operator must unassign some`,
    { cause },
  );

export function createReportGuard(
  client: DynamoDBClient,
  tableName: string,
): AcceptReportTimestamp {
  return async function acceptReportTimestamp(
    input: ReportGuardInput,
  ): Promise<ReportGuardOutcome | AcceptedWithHints> {
    const reportId = randomUUID();
    try {
      const result = await client.send(
        new UpdateItemCommand(reportGuardUpdate(tableName, input, reportId)),
      );
      if (input.buckets === undefined) return 'accepted';
      const previous = new Map<string, BucketHint>();
      for (const { bucketId } of input.buckets) {
        const hint = decodeHint(readString(result.Attributes ?? {}, hintAttribute(bucketId)));
        if (hint !== undefined) previous.set(bucketId, hint);
      }
      return { outcome: 'accepted', previous };
    } catch (error) {
      if (isItemTooLarge(error)) throw nodeStateTooLarge(input.nodeId, error);
      if (!(error instanceof ConditionalCheckFailedException)) rethrowAsUnavailable(error);
    }
    const item = await getNodeMeta(client, tableName, input.nodeId);
    if (item === undefined) return 'unknown-node';
    if (readString(item, 'lastReportId') === reportId) return 'accepted';
    if (readString(item, 'status') !== 'ACTIVE') return 'disabled';
    const last = readNumber(item, 'lastTimestamp');
    if (last !== undefined && input.timestamp <= last) return 'replay';
    return 'too-frequent';
  };
}

/** Removes the hints of buckets a node is not assigned to (its META row must exist). */
export function createHintForgetter(client: DynamoDBClient, tableName: string): ForgetHints {
  return async function forgetHints(nodeId, bucketIds) {
    const names: Record<string, string> = {};
    bucketIds.forEach((bucketId, i) => {
      names[`#h${i}`] = hintAttribute(bucketId);
    });
    await client
      .send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: nodeKey(nodeId),
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
          ExpressionAttributeNames: names,
        }),
      )
      .catch(rethrowAsUnavailable);
  };
}
