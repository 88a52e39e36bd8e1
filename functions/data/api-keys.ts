import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, N, readNumber, readString, S } from './attributes.ts';
import { API_KEY_SLOT_PREFIX, apiKeyPk, apiKeySlotSk, META_SK, workspacePk } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * Workspace API key rows (docs/ARCHITECTURE.md, "API keys"):
 *
 *   pk WORKSPACE#<workspaceId>  sk APIKEY#<slot 00-19>   keyId, description?, createdAt,
 *                                                        expiresAtMs, keyHash
 *   pk APIKEY#<keyHash>         sk META                  keyId, workspaceId, orgId,
 *                                                        expiresAtMs, expiresAt (TTL, s)
 *
 * Twenty fixed slot keys make the limit of twenty race-safe without transactions, as the
 * webhooks' ten do: a create is one PutItem on a free slot with `attribute_not_exists(pk)`,
 * and a twenty-first row has no key to go to. The slot is claimed before the lookup row is
 * written (a crash between leaves a listed key that never worked, which DELETE removes), and
 * a delete removes the lookup row before the slot (a crash between leaves a listed key that
 * no longer works, which DELETE removes again): never a working key that is not listed.
 */
export const MAX_API_KEYS_PER_WORKSPACE = 20;

const SLOT_OF_SK: ReadonlyMap<string | undefined, number> = new Map(
  Array.from({ length: MAX_API_KEYS_PER_WORKSPACE }, (_, slot) => [apiKeySlotSk(slot), slot]),
);

export interface ApiKeySummary {
  keyId: string;
  slot: number;
  description: string | undefined;
  createdAt: string;
  expiresAtMs: number;
  /** The lookup row's key: never shown (the list's view leaves it out). */
  keyHash: string;
}

export interface NewApiKeyRow extends ApiKeySummary {
  orgId: string;
}

export interface WorkspaceApiKeys {
  /** The workspace's META row; undefined when the workspace does not exist. */
  workspace: { orgId: string | undefined } | undefined;
  /** In slot order. */
  keys: ApiKeySummary[];
}

function toSummary(item: Item, slot: number): ApiKeySummary | undefined {
  const keyId = readString(item, 'keyId');
  const createdAt = readString(item, 'createdAt');
  const expiresAtMs = readNumber(item, 'expiresAtMs');
  const keyHash = readString(item, 'keyHash');
  if (
    keyId === undefined ||
    createdAt === undefined ||
    expiresAtMs === undefined ||
    keyHash === undefined
  ) {
    return undefined;
  }
  return {
    keyId,
    slot,
    description: readString(item, 'description'),
    createdAt,
    expiresAtMs,
    keyHash,
  };
}

const conditionFailed = (error: unknown): false => {
  if (error instanceof ConditionalCheckFailedException) return false;
  return rethrowAsUnavailable(error);
};

export function createApiKeyStore(client: DynamoDBClient, tableName: string) {
  return {
    /**
     * META and the key slots of the workspace partition in one Query (`APIKEY#` sorts before
     * `META`, which sorts before the webhooks' `WEBHOOK#`): at most 21 small rows.
     */
    async loadWorkspaceApiKeys(workspaceId: string): Promise<WorkspaceApiKeys> {
      let workspace: WorkspaceApiKeys['workspace'];
      const keys: ApiKeySummary[] = [];
      await queryAll(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :meta',
          ExpressionAttributeValues: {
            ':pk': S(workspacePk(workspaceId)),
            ':first': S(API_KEY_SLOT_PREFIX),
            ':meta': S(META_SK),
          },
          ProjectionExpression: 'sk, orgId, keyId, description, createdAt, expiresAtMs, keyHash',
          ConsistentRead: true,
        },
        (items) => {
          for (const item of items) {
            const sk = readString(item, 'sk');
            if (sk === META_SK) workspace = { orgId: readString(item, 'orgId') };
            const slot = SLOT_OF_SK.get(sk);
            const summary = slot === undefined ? undefined : toSummary(item, slot);
            if (summary !== undefined) keys.push(summary);
          }
        },
      );
      return { workspace, keys };
    },

    /** Claims a slot; false when another writer holds it already. */
    async putApiKeySlot(workspaceId: string, key: ApiKeySummary): Promise<boolean> {
      return client
        .send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: S(workspacePk(workspaceId)),
              sk: S(apiKeySlotSk(key.slot)),
              keyId: S(key.keyId),
              ...(key.description !== undefined && { description: S(key.description) }),
              createdAt: S(key.createdAt),
              expiresAtMs: N(key.expiresAtMs),
              keyHash: S(key.keyHash),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .then(() => true, conditionFailed);
    },

    /** Writes the lookup row that makes the key work (never over another row). */
    async putApiKeyLookup(workspaceId: string, key: NewApiKeyRow): Promise<void> {
      await client
        .send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: S(apiKeyPk(key.keyHash)),
              sk: S(META_SK),
              keyId: S(key.keyId),
              workspaceId: S(workspaceId),
              orgId: S(key.orgId),
              expiresAtMs: N(key.expiresAtMs),
              // DynamoDB's TTL removes the row of an expired key some time after it ended.
              expiresAt: N(Math.ceil(key.expiresAtMs / 1000)),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch(rethrowAsUnavailable);
    },

    /**
     * Revokes the key in `slot` if it is still `keyId`: its lookup row first (the key stops
     * working), then the slot (conditioned on the id, so a slot reused meanwhile stays).
     * False when the slot holds another key or none.
     */
    async deleteApiKey(workspaceId: string, key: ApiKeySummary): Promise<boolean> {
      await client
        .send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { pk: S(apiKeyPk(key.keyHash)), sk: S(META_SK) },
            ConditionExpression: 'attribute_not_exists(pk) OR keyId = :id',
            ExpressionAttributeValues: { ':id': S(key.keyId) },
          }),
        )
        .catch(conditionFailed);
      return client
        .send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { pk: S(workspacePk(workspaceId)), sk: S(apiKeySlotSk(key.slot)) },
            ConditionExpression: 'keyId = :id',
            ExpressionAttributeValues: { ':id': S(key.keyId) },
          }),
        )
        .then(() => true, conditionFailed);
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
