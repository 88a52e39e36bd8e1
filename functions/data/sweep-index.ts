import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { SWEEP_INDEX } from '../../infra/table-definition.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, readString, S } from './attributes.ts';
import { bucketPk, NODE_SK_PREFIX, nodeSk } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * The sweep's sparse index (docs/ARCHITECTURE.md, "Events and the sweep"). Every bucket-row
 * write sets `sweepShard`; the sweep removes it once it has recorded the row's change to
 * DISCONNECTED. A few fixed shards keep any one index partition far below DynamoDB's
 * per-partition write limit at fleet scale, while a run costs one Query per shard.
 */
export const SWEEP_SHARDS = 8;
export const SWEEP_INDEX_NAME = SWEEP_INDEX.name;

/** A stable shard for a bucket row: FNV-1a over bucket and node id. */
export function sweepShardOf(bucketId: string, nodeId: string): string {
  let hash = 0x811c9dc5;
  const text = `${bucketId}\n${nodeId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return String(hash % SWEEP_SHARDS);
}

export const ALL_SWEEP_SHARDS: readonly string[] = Array.from({ length: SWEEP_SHARDS }, (_, i) =>
  String(i),
);

/** A row the index says is silent: its last report and what the event needs. */
export interface SilentRow {
  bucketId: string;
  nodeId: string;
  lastUpdated: string;
  status: string | undefined;
  ip: string | undefined;
  region: string | undefined;
}

const BUCKET_PK_PREFIX = bucketPk('');

function toSilentRow(item: Item): SilentRow | undefined {
  const pk = readString(item, 'pk');
  const sk = readString(item, 'sk');
  const lastUpdated = readString(item, 'lastUpdated');
  if (!pk?.startsWith(BUCKET_PK_PREFIX) || !sk?.startsWith(NODE_SK_PREFIX)) return undefined;
  if (lastUpdated === undefined) return undefined;
  return {
    bucketId: pk.slice(BUCKET_PK_PREFIX.length),
    nodeId: sk.slice(NODE_SK_PREFIX.length),
    lastUpdated,
    status: readString(item, 'status'),
    ip: readString(item, 'ip'),
    region: readString(item, 'region'),
  };
}

/** One shard's rows whose last report is older than `before` (ISO), oldest first. */
export function silentRowsQuery(
  tableName: string,
  shard: string,
  before: string,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: SWEEP_INDEX_NAME,
    KeyConditionExpression: 'sweepShard = :shard AND lastUpdated < :before',
    ExpressionAttributeValues: { ':shard': S(shard), ':before': S(before) },
  };
}

export function createSweepIndex(client: DynamoDBClient, tableName: string) {
  const key = (bucketId: string, nodeId: string) => ({
    pk: S(bucketPk(bucketId)),
    sk: S(nodeSk(nodeId)),
  });
  return {
    /** Every page of one shard's silent rows (the GSI is eventually consistent). */
    async findSilentRows(shard: string, before: string): Promise<SilentRow[]> {
      const rows: SilentRow[] = [];
      await queryAll(client, silentRowsQuery(tableName, shard, before), (items) => {
        for (const item of items) {
          const row = toSilentRow(item);
          if (row !== undefined) rows.push(row);
        }
      });
      return rows;
    },

    /** The row as it is now (consistent read); undefined when unassigned meanwhile. */
    async readRow(
      bucketId: string,
      nodeId: string,
    ): Promise<(SilentRow & { indexed: boolean }) | undefined> {
      const { Item: item } = await client
        .send(
          new GetItemCommand({
            TableName: tableName,
            Key: key(bucketId, nodeId),
            ConsistentRead: true,
            ProjectionExpression: 'pk, sk, lastUpdated, #status, ip, #region, sweepShard',
            ExpressionAttributeNames: { '#status': 'status', '#region': 'region' },
          }),
        )
        .catch(rethrowAsUnavailable);
      const row = item === undefined ? undefined : toSilentRow(item);
      return row === undefined
        ? undefined
        : { ...row, indexed: readString(item as Item, 'sweepShard') !== undefined };
    },

    /**
     * Takes the row out of the index, unless a report changed it since `seenLastUpdated`
     * (that report's write set the index entry anew, and it stays).
     */
    async clearRow(
      bucketId: string,
      nodeId: string,
      seenLastUpdated: string,
    ): Promise<'cleared' | 'changed'> {
      const input: UpdateItemCommandInput = {
        TableName: tableName,
        Key: key(bucketId, nodeId),
        ConditionExpression: 'lastUpdated = :seen',
        UpdateExpression: 'REMOVE sweepShard',
        ExpressionAttributeValues: { ':seen': S(seenLastUpdated) },
      };
      try {
        await client.send(new UpdateItemCommand(input));
        return 'cleared';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'changed';
        return rethrowAsUnavailable(error);
      }
    },
  };
}

export type SweepIndex = ReturnType<typeof createSweepIndex>;
