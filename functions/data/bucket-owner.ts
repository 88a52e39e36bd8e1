import { type DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { BucketOwner } from '../domain/access.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { readString, S } from './attributes.ts';
import { bucketPk, META_SK } from './keys.ts';

/**
 * The bucket's owner from its META row alone (one GetItem, whatever the bucket's size): for the
 * bucket routes that do not show nodes (events), so a refused read costs one small read.
 */
export function createBucketOwnerReader(client: DynamoDBClient, tableName: string) {
  return async function loadBucketOwner(bucketId: string): Promise<BucketOwner | undefined> {
    const { Item: item } = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: S(bucketPk(bucketId)), sk: S(META_SK) },
          ProjectionExpression: 'workspaceId, orgId',
        }),
      )
      .catch(rethrowAsUnavailable);
    if (item === undefined) return undefined;
    return { workspaceId: readString(item, 'workspaceId'), orgId: readString(item, 'orgId') };
  };
}

/**
 * The same read as one Query of the META key, for a function whose grant is Query only (the
 * status function): the same one small read.
 */
export function createBucketOwnerQueryReader(client: DynamoDBClient, tableName: string) {
  return async function loadBucketOwner(bucketId: string): Promise<BucketOwner | undefined> {
    const { Items: [item] = [] } = await client
      .send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk = :sk',
          ExpressionAttributeValues: { ':pk': S(bucketPk(bucketId)), ':sk': S(META_SK) },
          ProjectionExpression: 'workspaceId, orgId',
        }),
      )
      .catch(rethrowAsUnavailable);
    if (item === undefined) return undefined;
    return { workspaceId: readString(item, 'workspaceId'), orgId: readString(item, 'orgId') };
  };
}
