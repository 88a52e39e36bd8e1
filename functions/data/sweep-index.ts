import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  type QueryCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { PendingEvent } from '../domain/ports/ingest.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { ATTR as A, type Item, readNumber, readString, S } from './attributes.ts';
import { bucketPk, NODE_SK_PREFIX, nodeSk } from './keys.ts';
import { decodePendingEvents } from './pending-events.ts';
import { queryAll } from './query-all.ts';
import { SWEEP_INDEX } from './table-definition.ts';

/**
 * The sweep's sparse index (docs/ARCHITECTURE.md, "Events and the sweep"). Every bucket-row
 * write sets `sweepShard` and `sweepAt` (the start of the time slot of its receive time); the
 * sweep removes both once it has recorded the row's change to DISCONNECTED. A few fixed shards
 * keep any one index partition far below DynamoDB's per-partition write limit at fleet scale,
 * while a run costs one Query per shard.
 */
export const SWEEP_SHARDS = 8;
export const SWEEP_INDEX_NAME = SWEEP_INDEX.name;

/**
 * Bounds the time from a report's receive time to its last write landing: the ingest
 * function's timeout. The sweep takes a row only when its change to DISCONNECTED is older than
 * this, so no report received before that change can still be on its way (no phantom event).
 */
export const SWEEP_GRACE_SECONDS = 10;

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

/**
 * The width of a time slot: 60 % of stale + grace (60 s for the default 90 s). A node that
 * reports more often than every (stale + grace - slot) never shows in the sweep's Query, and
 * every report in the same slot as its predecessor leaves the index untouched.
 */
export const sweepSlotMs = (staleAfterSeconds: number): number =>
  Math.max(1, Math.floor((staleAfterSeconds + SWEEP_GRACE_SECONDS) * 0.6)) * 1000;

/** The start of the slot of `receivedAtMs`, ISO: the row's `sweepAt`. */
export function sweepAtOf(receivedAtMs: number, staleAfterSeconds: number): string {
  const slot = sweepSlotMs(staleAfterSeconds);
  return new Date(Math.floor(receivedAtMs / slot) * slot).toISOString();
}

/**
 * What a bucket-row write adds to its UpdateItem (`SET sweepShard = :sweepShard, sweepAt =
 * :sweepAt`): the ingest's bucket-write module uses this, so the layout lives here only.
 */
export const sweepIndexValues = (
  bucketId: string,
  nodeId: string,
  receivedAtMs: number,
  staleAfterSeconds: number,
) => ({
  ':sweepShard': S(sweepShardOf(bucketId, nodeId)),
  ':sweepAt': S(sweepAtOf(receivedAtMs, staleAfterSeconds)),
});
export const SWEEP_INDEX_SET = `${A.sweepShard} = :sweepShard, ${A.sweepAt} = :sweepAt`;

/** A row the index names: its keys only (the index is keys-only and eventually consistent). */
export interface IndexedRow {
  bucketId: string;
  nodeId: string;
}

/** The row as it is now, as far as the sweep needs it. */
export interface SweptRow extends IndexedRow {
  lastUpdated: string;
  /** The timeline's instant of the last report (history's `lastAt`, epoch ms), when stored. */
  lastAt: number | undefined;
  status: string | undefined;
  ip: string | undefined;
  region: string | undefined;
  /** Still in the index (not swept meanwhile). */
  indexed: boolean;
  /** Transitions a report's failed event write left pending on the row (data/pending-events.ts). */
  pending: PendingEvent[];
}

const BUCKET_PK_PREFIX = bucketPk('');

function keysOf(item: Item): IndexedRow | undefined {
  const pk = readString(item, A.pk);
  const sk = readString(item, A.sk);
  if (!pk?.startsWith(BUCKET_PK_PREFIX) || !sk?.startsWith(NODE_SK_PREFIX)) return undefined;
  return { bucketId: pk.slice(BUCKET_PK_PREFIX.length), nodeId: sk.slice(NODE_SK_PREFIX.length) };
}

/** One shard's rows whose last report's slot started at or before `cutoff` (ISO). */
export function silentRowsQuery(
  tableName: string,
  shard: string,
  cutoff: string,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: SWEEP_INDEX_NAME,
    KeyConditionExpression: `${A.sweepShard} = :shard AND ${A.sweepAt} <= :cutoff`,
    ExpressionAttributeValues: { ':shard': S(shard), ':cutoff': S(cutoff) },
  };
}

export function createSweepIndex(client: DynamoDBClient, tableName: string) {
  const key = (bucketId: string, nodeId: string) => ({
    pk: S(bucketPk(bucketId)),
    sk: S(nodeSk(nodeId)),
  });
  return {
    /** Every page of one shard's candidates (silent, or about to be). */
    async findSilentRows(shard: string, cutoff: string): Promise<IndexedRow[]> {
      const rows: IndexedRow[] = [];
      await queryAll(client, silentRowsQuery(tableName, shard, cutoff), (items) => {
        for (const item of items) {
          const row = keysOf(item);
          if (row !== undefined) rows.push(row);
        }
      });
      return rows;
    },

    /** The row as it is now (consistent read); undefined when unassigned or never reported. */
    async readRow(bucketId: string, nodeId: string): Promise<SweptRow | undefined> {
      const { Item: item } = await client
        .send(
          new GetItemCommand({
            TableName: tableName,
            Key: key(bucketId, nodeId),
            ConsistentRead: true,
            ProjectionExpression: [
              A.lastUpdated,
              A.lastAt,
              '#status',
              A.ip,
              '#region',
              A.sweepShard,
              A.pendingEvents,
            ].join(', '),
            ExpressionAttributeNames: { '#status': A.status, '#region': A.region },
          }),
        )
        .catch(rethrowAsUnavailable);
      if (item === undefined) return undefined;
      const lastUpdated = readString(item, A.lastUpdated);
      if (lastUpdated === undefined) return undefined;
      return {
        bucketId,
        nodeId,
        lastUpdated,
        lastAt: readNumber(item, A.lastAt),
        status: readString(item, A.status),
        ip: readString(item, A.ip),
        region: readString(item, A.region),
        indexed: readString(item, A.sweepShard) !== undefined,
        pending: decodePendingEvents(item),
      };
    },

    /**
     * Takes the row out of the index, unless a report changed it since `seenLastUpdated`
     * (that report's write set the index entry anew, and it stays). Also drops the row's pending
     * events, which the sweep recorded before (a report since would have appended to them), and
     * notes that the report's change to DISCONNECTED is on record (`silenceRecorded`), so the
     * node's next report does not record and mark it again.
     */
    async clearRow(
      bucketId: string,
      nodeId: string,
      seenLastUpdated: string,
    ): Promise<'cleared' | 'changed'> {
      const input: UpdateItemCommandInput = {
        TableName: tableName,
        Key: key(bucketId, nodeId),
        ConditionExpression: `${A.lastUpdated} = :seen`,
        UpdateExpression: `REMOVE ${A.sweepShard}, ${A.sweepAt}, ${A.pendingEvents}, ${A.overviewAt} SET ${A.silenceRecorded} = :seen`,
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
