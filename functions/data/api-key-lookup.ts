import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ResolveApiKey, StoredApiKey } from '../domain/ports/api-keys.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { readNumber, readString, S } from './attributes.ts';
import { apiKeyPk, META_SK } from './keys.ts';

/**
 * The API key lookup (docs/ARCHITECTURE.md, "API keys"): one consistent GetItem of
 * `APIKEY#<hash>` / `META` per request, no cache, so a deleted key is refused from the next
 * request on. A row missing an attribute is no key.
 */
export function createApiKeyResolver(client: DynamoDBClient, tableName: string): ResolveApiKey {
  return async function resolveApiKey(keyHash: string): Promise<StoredApiKey | undefined> {
    const { Item: item } = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: S(apiKeyPk(keyHash)), sk: S(META_SK) },
          ProjectionExpression: 'keyId, workspaceId, orgId, expiresAtMs',
          ConsistentRead: true,
        }),
      )
      .catch(rethrowAsUnavailable);
    if (item === undefined) return undefined;
    const keyId = readString(item, 'keyId');
    const workspaceId = readString(item, 'workspaceId');
    const orgId = readString(item, 'orgId');
    const expiresAtMs = readNumber(item, 'expiresAtMs');
    if (
      keyId === undefined ||
      workspaceId === undefined ||
      orgId === undefined ||
      expiresAtMs === undefined
    ) {
      return undefined;
    }
    return { keyId, workspaceId, orgId, expiresAtMs };
  };
}
