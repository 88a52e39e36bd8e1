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
import { type Item, readNumber, readString, S } from './attributes.ts';
import { openBucketPartition } from './bucket-partition.ts';
import { readSlot } from './bucket-timeline.ts';
import { bucketPk } from './keys.ts';

const PROJECTION = [
  'sk',
  'workspaceId',
  'orgId',
  'ip',
  '#region',
  '#version',
  '#status',
  'latency_ms',
  'lastAt',
  'assignedAt',
  'hDay',
  'hOn',
  'hLs',
  'hLc',
  'cDay',
  'cOn',
  'cLs',
  'cLc',
  'cLat',
  'cAt',
  'cStatus',
  'sDay',
  'sOn',
].join(', ');

/** The bucket partition Query of the history routes. Exported for the benchmark's floor. */
export function historyBucketQuery(tableName: string, bucketId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': S(bucketPk(bucketId)) },
    ProjectionExpression: PROJECTION,
    ExpressionAttributeNames: { '#region': 'region', '#version': 'version', '#status': 'status' },
  };
}

const toHistoryRow = (nodeId: string, item: Item): HistoryNodeRow => ({
  nodeId,
  ip: readString(item, 'ip'),
  region: readString(item, 'region'),
  version: readString(item, 'version'),
  assignedAt: readNumber(item, 'assignedAt'),
  slot: readSlot(item),
});

export function createHistoryBucketReader(
  client: DynamoDBClient,
  tableName: string,
): LoadHistoryBucket {
  return (bucketId: string): Promise<HistoryBucketPage> =>
    openBucketPartition(client, historyBucketQuery(tableName, bucketId), toHistoryRow);
}
