/**
 * The bucket partition as the history routes read it: META (the owner) and every NODE# row
 * with its day slot (docs/ARCHITECTURE.md, "History"). The first page comes alone, so a refused
 * read costs one page; the rest only once access is granted.
 */
import type { DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type {
  HistoryBucketPage,
  HistoryNodeRow,
  LoadHistoryBucket,
} from '../domain/ports/history.ts';
import { ATTR as A, type Item, readNumber, readString, S } from './attributes.ts';
import { openBucketPartition } from './bucket-partition.ts';
import { readSlot } from './bucket-timeline.ts';
import { bucketPk } from './keys.ts';

const PROJECTION = [
  A.sk,
  'workspaceId',
  'orgId',
  A.ip,
  '#region',
  '#version',
  '#status',
  A.latencyMs,
  A.lastAt,
  A.assignedAt,
  A.slotDay,
  A.slotOnlineBase,
  A.slotLatencySum,
  A.slotLatencyCount,
  A.closedDay,
  A.closedOnlineMs,
  A.closedLatencySum,
  A.closedLatencyCount,
  A.closedLastLatencyMs,
  A.closedLastAt,
  A.closedLastStatus,
  A.spillDay,
  A.spillOnlineMs,
].join(', ');

/** The bucket partition Query of the history routes. Exported for the benchmark's floor. */
export function historyBucketQuery(tableName: string, bucketId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': S(bucketPk(bucketId)) },
    ProjectionExpression: PROJECTION,
    ExpressionAttributeNames: { '#region': A.region, '#version': A.version, '#status': A.status },
  };
}

const toHistoryRow = (nodeId: string, item: Item): HistoryNodeRow => ({
  nodeId,
  ip: readString(item, A.ip),
  region: readString(item, A.region),
  version: readString(item, A.version),
  assignedAt: readNumber(item, A.assignedAt),
  slot: readSlot(item),
});

export function createHistoryBucketReader(
  client: DynamoDBClient,
  tableName: string,
): LoadHistoryBucket {
  return (bucketId: string): Promise<HistoryBucketPage> =>
    openBucketPartition(client, historyBucketQuery(tableName, bucketId), toHistoryRow);
}
