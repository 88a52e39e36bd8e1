import type { DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { BucketOwner } from '../domain/access.ts';
import type { NodeRow } from '../domain/node-status.ts';
import type { BucketWithNodes, LoadBucketWithNodes } from '../status/read-bucket-status.ts';
import { readNumber, readString, S } from './attributes.ts';
import { bucketPk, META_SK, NODE_SK_PREFIX } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * The bucket partition Query: META and every NODE# row, following pages to the end. Only
 * the attributes the response needs are projected, which keeps pages small to parse.
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

export function createBucketNodesReader(
  client: DynamoDBClient,
  tableName: string,
): LoadBucketWithNodes {
  return async function loadBucketWithNodes(
    bucketId: string,
  ): Promise<BucketWithNodes | undefined> {
    let owner: BucketOwner | undefined;
    const nodes: NodeRow[] = [];
    await queryAll(client, bucketPartitionQuery(tableName, bucketId), (items) => {
      for (const item of items) {
        const sk = readString(item, 'sk');
        if (sk === META_SK) {
          owner = {
            workspaceId: readString(item, 'workspaceId'),
            orgId: readString(item, 'orgId'),
          };
        } else if (sk?.startsWith(NODE_SK_PREFIX)) {
          nodes.push({
            nodeId: sk.slice(NODE_SK_PREFIX.length),
            ip: readString(item, 'ip'),
            region: readString(item, 'region'),
            version: readString(item, 'version'),
            status: readString(item, 'status'),
            latencyMs: readNumber(item, 'latency_ms'),
            lastUpdated: readString(item, 'lastUpdated'),
          });
        }
      }
    });
    return owner === undefined ? undefined : { owner, nodes };
  };
}
