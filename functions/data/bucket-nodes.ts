import type { DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { NodeRow } from '../domain/node-status.ts';
import type { BucketFirstPage, OpenBucket } from '../domain/ports/bucket-reads.ts';
import { type Item, readNumber, readString, S } from './attributes.ts';
import { openBucketPartition } from './bucket-partition.ts';
import { bucketPk } from './keys.ts';

/**
 * The bucket partition Query: META and the NODE# rows, page by page. Only the attributes the
 * response needs are projected, which keeps pages small to parse.
 */
export function bucketPartitionQuery(tableName: string, bucketId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': S(bucketPk(bucketId)) },
    ProjectionExpression:
      'sk, workspaceId, orgId, ip, #region, #version, #status, latency_ms, lastUpdated',
    ExpressionAttributeNames: { '#region': 'region', '#version': 'version', '#status': 'status' },
  };
}

/**
 * The bucket's first page at once (META sorts before NODE#, so the owner is on it); the other
 * pages only when the use case asks, after access is decided: a refused read costs one page
 * however many nodes the bucket has (DESIGN.md section 7).
 */
export function createBucketNodesReader(client: DynamoDBClient, tableName: string): OpenBucket {
  return async function openBucket(bucketId: string): Promise<BucketFirstPage | undefined> {
    const { owner, allNodes } = await openBucketPartition(
      client,
      bucketPartitionQuery(tableName, bucketId),
      toNodeRow,
    );
    return owner === undefined ? undefined : { owner, allNodes };
  };
}

const toNodeRow = (nodeId: string, item: Item): NodeRow => ({
  nodeId,
  ip: readString(item, 'ip'),
  region: readString(item, 'region'),
  version: readString(item, 'version'),
  status: readString(item, 'status'),
  latencyMs: readNumber(item, 'latency_ms'),
  lastUpdated: readString(item, 'lastUpdated'),
});
