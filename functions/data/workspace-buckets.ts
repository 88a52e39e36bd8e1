/**
 * A workspace's owner and every bucket it lists, for GET /workspace/{workspaceId}/metrics: the
 * workspace's META row (GetItem) and its listing partition (`WSBUCKETS#<workspaceId>`, the rows
 * create-bucket writes, sorted by name then id; functions/data/keys.ts), first page at once and
 * the others only after the access rule, as the bucket partition is read (bucket-partition.ts).
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { LoadWorkspaceBuckets, WorkspaceBuckets } from '../domain/ports/workspace-metrics.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { readString, S } from './attributes.ts';
import { META_SK, workspaceBucketsPk, workspacePk } from './keys.ts';

export function createWorkspaceBucketsReader(
  client: DynamoDBClient,
  tableName: string,
): LoadWorkspaceBuckets {
  return async (workspaceId: string): Promise<WorkspaceBuckets> => {
    const query: QueryCommandInput = {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': S(workspaceBucketsPk(workspaceId)) },
      ProjectionExpression: 'bucketId',
    };
    const send = (start: QueryCommandInput['ExclusiveStartKey']) =>
      client
        .send(new QueryCommand({ ...query, ExclusiveStartKey: start }))
        .catch(rethrowAsUnavailable);
    const bucketIds: string[] = [];
    const collect = (page: QueryCommandOutput) => {
      for (const item of page.Items ?? []) {
        const bucketId = readString(item, 'bucketId');
        if (bucketId !== undefined) bucketIds.push(bucketId);
      }
      return page.LastEvaluatedKey;
    };
    const [meta, first] = await Promise.all([
      client
        .send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: S(workspacePk(workspaceId)), sk: S(META_SK) },
            ProjectionExpression: 'orgId',
          }),
        )
        .catch(rethrowAsUnavailable),
      send(undefined),
    ]);
    const afterFirst = collect(first);
    return {
      owner:
        meta.Item === undefined
          ? undefined
          : { workspaceId, orgId: readString(meta.Item, 'orgId') },
      async allBucketIds() {
        for (let start = afterFirst; start !== undefined; ) start = collect(await send(start));
        return bucketIds;
      },
    };
  };
}
