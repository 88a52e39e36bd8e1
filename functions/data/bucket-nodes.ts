import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { BucketOwner } from '../domain/access.ts';
import type { NodeRow } from '../domain/node-status.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import type { BucketFirstPage, OpenBucket } from '../status/read-bucket-status.ts';
import { type Item, readNumber, readString, S } from './attributes.ts';
import { bucketPk, META_SK, NODE_SK_PREFIX } from './keys.ts';

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
    const query = bucketPartitionQuery(tableName, bucketId);
    const send = (start: QueryCommandInput['ExclusiveStartKey']) =>
      client
        .send(new QueryCommand({ ...query, ExclusiveStartKey: start }))
        .catch(rethrowAsUnavailable);
    const page: { owner?: BucketOwner; nodes: NodeRow[] } = { nodes: [] };
    const first = await send(undefined);
    collect(first.Items ?? [], page);
    const { owner } = page;
    if (owner === undefined) return undefined;
    return {
      owner,
      async allNodes() {
        for (let start = first.LastEvaluatedKey; start !== undefined; ) {
          const next = await send(start);
          collect(next.Items ?? [], page);
          start = next.LastEvaluatedKey;
        }
        return page.nodes;
      },
    };
  };
}

function collect(items: Item[], page: { owner?: BucketOwner; nodes: NodeRow[] }) {
  for (const item of items) {
    const sk = readString(item, 'sk');
    if (sk === META_SK) {
      page.owner = {
        workspaceId: readString(item, 'workspaceId'),
        orgId: readString(item, 'orgId'),
      };
    } else if (sk?.startsWith(NODE_SK_PREFIX)) {
      page.nodes.push({
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
}
