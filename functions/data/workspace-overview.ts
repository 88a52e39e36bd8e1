/**
 * The workspace overview's rows (DESIGN.md section 14; docs/ARCHITECTURE.md, "The table"):
 * workspace META rows, and the listing rows the operator store writes with every workspace
 * (`ORGWORKSPACES#<orgId>`) and bucket (`WSBUCKETS#<workspaceId>`), sorted by name then id.
 */
import { type DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type {
  ListedWorkspace,
  ListOrgWorkspaces,
  LoadWorkspace,
  LoadWorkspaceBucketsPage,
  LoadWorkspaces,
  WorkspaceMeta,
} from '../domain/ports/overview.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, readString, S } from './attributes.ts';
import { batchGetAll } from './batch-get.ts';
import { META_SK, orgWorkspacesPk, workspaceBucketsPk, workspacePk } from './keys.ts';
import { queryAll } from './query-all.ts';

const META_PROJECTION = {
  ProjectionExpression: 'pk, orgId, #name',
  ExpressionAttributeNames: { '#name': 'name' },
};

const toMeta = (workspaceId: string, item: Item): WorkspaceMeta => ({
  workspaceId,
  orgId: readString(item, 'orgId'),
  name: readString(item, 'name'),
});

/** One workspace's META row (one GetItem). */
export function createWorkspaceReader(client: DynamoDBClient, tableName: string): LoadWorkspace {
  return async (workspaceId) => {
    const { Item: item } = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: S(workspacePk(workspaceId)), sk: S(META_SK) },
          ...META_PROJECTION,
        }),
      )
      .catch(rethrowAsUnavailable);
    return item === undefined ? undefined : toMeta(workspaceId, item);
  };
}

/** The META rows of several workspaces (functions/data/batch-get.ts). */
export function createWorkspacesReader(client: DynamoDBClient, tableName: string): LoadWorkspaces {
  return async (workspaceIds) => {
    const keys = [...new Set(workspaceIds)].map((id) => ({
      pk: S(workspacePk(id)),
      sk: S(META_SK),
    }));
    const items = await batchGetAll(client, tableName, keys, META_PROJECTION);
    return items.map((item) =>
      toMeta((readString(item, 'pk') ?? '').slice(workspacePk('').length), item),
    );
  };
}

/** Every workspace of an org: one Query of its listing partition (every page). */
export function createOrgWorkspacesReader(
  client: DynamoDBClient,
  tableName: string,
): ListOrgWorkspaces {
  return async (orgId) => {
    const listed: ListedWorkspace[] = [];
    await queryAll(
      client,
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': S(orgWorkspacesPk(orgId)) },
        ProjectionExpression: 'workspaceId, #name',
        ExpressionAttributeNames: { '#name': 'name' },
      },
      (items) => {
        for (const item of items) {
          const workspaceId = readString(item, 'workspaceId');
          const name = readString(item, 'name');
          if (workspaceId !== undefined && name !== undefined) listed.push({ workspaceId, name });
        }
      },
    );
    return listed;
  };
}

/**
 * One page of a workspace's buckets: a Query of its listing partition from after the position,
 * `limit + 1` rows (the one past the page says whether more follow).
 */
export function createWorkspaceBucketsReader(
  client: DynamoDBClient,
  tableName: string,
): LoadWorkspaceBucketsPage {
  return async ({ workspaceId, limit, after }) => {
    const pk = workspaceBucketsPk(workspaceId);
    const { Items: items = [] } = await client
      .send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': S(pk) },
          ProjectionExpression: 'sk, bucketId, #name',
          ExpressionAttributeNames: { '#name': 'name' },
          Limit: limit + 1,
          ...(after !== undefined && { ExclusiveStartKey: { pk: S(pk), sk: S(after) } }),
        }),
      )
      .catch(rethrowAsUnavailable);
    const buckets = items.slice(0, limit).flatMap((item) => {
      const bucketId = readString(item, 'bucketId');
      const name = readString(item, 'name');
      const position = readString(item, 'sk');
      return bucketId === undefined || name === undefined || position === undefined
        ? []
        : [{ bucketId, name, position }];
    });
    return { buckets, more: items.length > limit };
  };
}
