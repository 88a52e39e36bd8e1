import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { BucketReadGrant } from '../domain/ports/bucket-reads.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { MAX_SHARES_PER_BUCKET } from '../wire/shares.ts';
import { type Item, readString, S } from './attributes.ts';
import { META_SK, SHARE_SLOT_SK_PREFIX, shareSlotSk, sharesPk, shareTokenPk } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * Share rows (docs/ARCHITECTURE.md, "Shares"):
 *
 *   pk SHARES#<bucketId>   sk SLOT#<0-9>  shareId, label?, showIps, createdAt, tokenHash
 *   pk SHARE#<tokenHash>   sk META        bucketId, shareId, showIps
 *
 * Ten fixed slot keys in a partition of their own (out of the status Query's range) make the
 * limit of ten race-safe without transactions, as the webhook slots do: a create is one PutItem
 * on a free slot with `attribute_not_exists(pk)`, and an eleventh share has no key to go to.
 * The lookup row, keyed by the token's hash, is what a public read finds its bucket with: one
 * GetItem. It is written after its slot (a lookup row never exists without a slot that lists
 * it, so every working token can be listed and revoked) and deleted before it (a revoked token
 * stops working before its slot is freed).
 */

export { MAX_SHARES_PER_BUCKET };

export interface ShareSummary {
  shareId: string;
  slot: number;
  label: string | undefined;
  showIps: boolean;
  createdAt: string;
  tokenHash: string;
}

/** What a token opens: its bucket and what the share shows. */
export interface ShareLookup extends BucketReadGrant {
  bucketId: string;
  shareId: string;
}

const SLOT_OF_SK: ReadonlyMap<string | undefined, number> = new Map(
  Array.from({ length: MAX_SHARES_PER_BUCKET }, (_, slot) => [shareSlotSk(slot), slot]),
);

function toSummary(item: Item, slot: number): ShareSummary | undefined {
  const shareId = readString(item, 'shareId');
  const createdAt = readString(item, 'createdAt');
  const tokenHash = readString(item, 'tokenHash');
  if (shareId === undefined || createdAt === undefined || tokenHash === undefined) return undefined;
  return {
    shareId,
    slot,
    label: readString(item, 'label'),
    showIps: item.showIps?.BOOL === true,
    createdAt,
    tokenHash,
  };
}

const conditionFailed = (error: unknown): false => {
  if (error instanceof ConditionalCheckFailedException) return false;
  return rethrowAsUnavailable(error);
};

export function createShareStore(client: DynamoDBClient, tableName: string) {
  return {
    /** The bucket's shares in slot order (one consistent Query of at most ten rows). */
    async listShares(bucketId: string): Promise<ShareSummary[]> {
      const shares: ShareSummary[] = [];
      await queryAll(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :slot)',
          ExpressionAttributeValues: {
            ':pk': S(sharesPk(bucketId)),
            ':slot': S(SHARE_SLOT_SK_PREFIX),
          },
          ConsistentRead: true,
        },
        (items) => {
          for (const item of items) {
            const slot = SLOT_OF_SK.get(readString(item, 'sk'));
            const summary = slot === undefined ? undefined : toSummary(item, slot);
            if (summary !== undefined) shares.push(summary);
          }
        },
      );
      return shares.sort((a, b) => a.slot - b.slot);
    },

    /**
     * Claims `share.slot`, then writes the token's lookup row; false when another writer holds
     * the slot. When the lookup write fails, the slot is released again (best effort) and the
     * error thrown: a slot without a lookup row opens nothing and can still be revoked.
     */
    async putShare(bucketId: string, share: ShareSummary): Promise<boolean> {
      const slotKey = { pk: S(sharesPk(bucketId)), sk: S(shareSlotSk(share.slot)) };
      const claimed = await client
        .send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...slotKey,
              shareId: S(share.shareId),
              ...(share.label !== undefined && { label: S(share.label) }),
              showIps: { BOOL: share.showIps },
              createdAt: S(share.createdAt),
              tokenHash: S(share.tokenHash),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .then(() => true, conditionFailed);
      if (!claimed) return false;
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: S(shareTokenPk(share.tokenHash)),
              sk: S(META_SK),
              bucketId: S(bucketId),
              shareId: S(share.shareId),
              showIps: { BOOL: share.showIps },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        await client
          .send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: slotKey,
              ConditionExpression: 'shareId = :id',
              ExpressionAttributeValues: { ':id': S(share.shareId) },
            }),
          )
          .catch(() => undefined);
        return rethrowAsUnavailable(error);
      }
      return true;
    },

    /**
     * Revokes a share: its lookup row first (the token stops working), then its slot, if the
     * slot still holds `share.shareId`. False when another request freed the slot first.
     */
    async deleteShare(bucketId: string, share: ShareSummary): Promise<boolean> {
      await client
        .send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { pk: S(shareTokenPk(share.tokenHash)), sk: S(META_SK) },
          }),
        )
        .catch(rethrowAsUnavailable);
      return client
        .send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { pk: S(sharesPk(bucketId)), sk: S(shareSlotSk(share.slot)) },
            ConditionExpression: 'shareId = :id',
            ExpressionAttributeValues: { ':id': S(share.shareId) },
          }),
        )
        .then(() => true, conditionFailed);
    },

    /**
     * The share a token's hash opens; undefined when none (unknown or revoked). Consistent, so
     * a revoked token is refused from the next request on.
     */
    async findShare(tokenHash: string): Promise<ShareLookup | undefined> {
      const { Item: item } = await client
        .send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: S(shareTokenPk(tokenHash)), sk: S(META_SK) },
            ConsistentRead: true,
          }),
        )
        .catch(rethrowAsUnavailable);
      if (item === undefined) return undefined;
      const bucketId = readString(item, 'bucketId');
      const shareId = readString(item, 'shareId');
      if (bucketId === undefined || shareId === undefined) return undefined;
      return { bucketId, shareId, showIps: item.showIps?.BOOL === true };
    },
  };
}

export type ShareStore = ReturnType<typeof createShareStore>;
