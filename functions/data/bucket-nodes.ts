import type { DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { NodeRow } from '../domain/node-status.ts';
import type { BucketFirstPage, OpenBucket } from '../domain/ports/bucket-reads.ts';
import type { HealthBucketPage, HealthNodeRow, OpenHealthBucket } from '../domain/ports/health.ts';
import { ATTR as A, type Item, readNumber, readString, S } from './attributes.ts';
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
    ProjectionExpression: [
      A.sk,
      'workspaceId',
      'orgId',
      A.ip,
      '#region',
      '#version',
      '#status',
      A.latencyMs,
      A.lastUpdated,
    ].join(', '),
    ExpressionAttributeNames: { '#region': A.region, '#version': A.version, '#status': A.status },
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
  ip: readString(item, A.ip),
  region: readString(item, A.region),
  version: readString(item, A.version),
  status: readString(item, A.status),
  latencyMs: readNumber(item, A.latencyMs),
  lastUpdated: readString(item, A.lastUpdated),
});

/** The bucket partition Query of the health reads: GET status's fields and `lastAt`. */
export function healthBucketQuery(tableName: string, bucketId: string): QueryCommandInput {
  const query = bucketPartitionQuery(tableName, bucketId);
  return { ...query, ProjectionExpression: `${query.ProjectionExpression}, ${A.lastAt}` };
}

/** The health reads' projection of a NODE# row alone (a GetItem's or a BatchGetItem's). */
export const HEALTH_ROW_PROJECTION = (() => {
  const query = healthBucketQuery('', '');
  return {
    ProjectionExpression: query.ProjectionExpression as string,
    ExpressionAttributeNames: query.ExpressionAttributeNames as Record<string, string>,
  };
})();

/** A NODE# row as the health reads see it. */
export const healthNodeRowOf = (nodeId: string, item: Item): HealthNodeRow => ({
  ...toNodeRow(nodeId, item),
  lastAt: readNumber(item, A.lastAt),
});

/** The bucket as the health reads see it: first page at once, the rest after access. */
export function createHealthBucketReader(
  client: DynamoDBClient,
  tableName: string,
): OpenHealthBucket {
  return (bucketId: string): Promise<HealthBucketPage> =>
    openBucketPartition(client, healthBucketQuery(tableName, bucketId), healthNodeRowOf);
}
