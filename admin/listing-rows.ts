/**
 * The workspace overview's listing rows (docs/ARCHITECTURE.md, "The table" and "The workspace
 * overview"), as the operator writes them: an org's workspaces (`ORGWORKSPACES#<orgId>`) and a
 * workspace's buckets (`WSBUCKETS#<workspaceId>`), each `<name>\u0001<id>`. create-workspace and
 * create-bucket write one after the META row it lists; `repair-listings` writes those missing.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { type Item, readString, S } from '../functions/data/attributes.ts';
import {
  bucketPk,
  listingSk,
  META_SK,
  orgWorkspacesPk,
  workspaceBucketsPk,
  workspacePk,
} from '../functions/data/keys.ts';
import { isValidId, isValidName } from '../functions/domain/ids.ts';

export interface ListingCounts {
  /** Listing rows this run wrote. */
  written: number;
  /** Listing rows that were there already. */
  present: number;
}

export interface ListingRepair {
  workspaces: ListingCounts;
  buckets: ListingCounts;
  /** META rows that cannot be listed (no valid id, org, workspace or name), and why. */
  skipped: { pk: string; reason: string }[];
}

/** A workspace META row's listing row, in its org's partition. */
const workspaceListing = (orgId: string, name: string, workspaceId: string): Item => ({
  pk: S(orgWorkspacesPk(orgId)),
  sk: S(listingSk(name, workspaceId)),
  workspaceId: S(workspaceId),
  name: S(name),
});

/** A bucket META row's listing row, in its workspace's partition. */
const bucketListing = (workspaceId: string, name: string, bucketId: string): Item => ({
  pk: S(workspaceBucketsPk(workspaceId)),
  sk: S(listingSk(name, bucketId)),
  bucketId: S(bucketId),
  name: S(name),
});

const WORKSPACE_PREFIX = workspacePk('');
const BUCKET_PREFIX = bucketPk('');
/** Listing puts in flight at once while repairing. */
const REPAIR_CONCURRENCY = 16;

/** The listing row a META row needs, or why it cannot have one. */
function listingOf(
  meta: Item,
): { kind: 'workspaces' | 'buckets'; item: Item } | { pk: string; reason: string } {
  const pk = readString(meta, 'pk') ?? '';
  const name = readString(meta, 'name');
  if (pk.startsWith(WORKSPACE_PREFIX)) {
    const workspaceId = pk.slice(WORKSPACE_PREFIX.length);
    const orgId = readString(meta, 'orgId');
    return isValidId(workspaceId) && isValidId(orgId) && isValidName(name)
      ? { kind: 'workspaces', item: workspaceListing(orgId, name, workspaceId) }
      : { pk, reason: 'no valid id, org or name' };
  }
  const bucketId = pk.slice(BUCKET_PREFIX.length);
  const workspaceId = readString(meta, 'workspaceId');
  return isValidId(bucketId) && isValidId(workspaceId) && isValidName(name)
    ? { kind: 'buckets', item: bucketListing(workspaceId, name, bucketId) }
    : { pk, reason: 'no valid workspace or name' };
}

export function createListingRows(
  client: DynamoDBClient,
  tableName: string,
  {
    scanPageItems,
  }: {
    /** The Scan's Limit (items read per page); DynamoDB's 1 MB pages when absent. Tests lower it. */
    scanPageItems?: number;
  } = {},
) {
  /** A plain put: the row is a function of the META row, so writing it again changes nothing. */
  const put = (item: Item) => client.send(new PutItemCommand({ TableName: tableName, Item: item }));

  /** Writes the row unless it is there; true when this call wrote it. */
  const putIfMissing = async (item: Item) => {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  return {
    listWorkspace: (orgId: string, name: string, workspaceId: string) =>
      put(workspaceListing(orgId, name, workspaceId)),
    listBucket: (workspaceId: string, name: string, bucketId: string) =>
      put(bucketListing(workspaceId, name, bucketId)),

    /**
     * Every workspace and bucket META row gets its listing row. An operator's one-off, so a
     * Scan of the whole table (the one Scan in the project; no function has the permission):
     * pages of the base table, projected to what a listing row needs and filtered to the META
     * rows of the `WORKSPACE#` and `BUCKET#` partitions (the filter saves transfer, not reads:
     * a Scan is charged for every item it reads). Eventually consistent reads: a META row
     * written meanwhile is listed by its own create. Each missing row is put conditionally on
     * its absence, so a second run writes nothing and a row already there is never rewritten.
     */
    async repairListings(): Promise<ListingRepair> {
      const result: ListingRepair = {
        workspaces: { written: 0, present: 0 },
        buckets: { written: 0, present: 0 },
        skipped: [],
      };
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            ProjectionExpression: 'pk, orgId, workspaceId, #name',
            FilterExpression: 'sk = :meta AND (begins_with(pk, :ws) OR begins_with(pk, :bucket))',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: {
              ':meta': S(META_SK),
              ':ws': S(WORKSPACE_PREFIX),
              ':bucket': S(BUCKET_PREFIX),
            },
            ...(scanPageItems !== undefined && { Limit: scanPageItems }),
            ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
          }),
        );
        const wanted: { kind: 'workspaces' | 'buckets'; item: Item }[] = [];
        for (const meta of page.Items ?? []) {
          const listing = listingOf(meta);
          if ('item' in listing) wanted.push(listing);
          else result.skipped.push(listing);
        }
        for (let i = 0; i < wanted.length; i += REPAIR_CONCURRENCY) {
          const chunk = wanted.slice(i, i + REPAIR_CONCURRENCY);
          const written = await Promise.all(chunk.map(({ item }) => putIfMissing(item)));
          chunk.forEach(({ kind }, j) => {
            if (written[j]) result[kind].written++;
            else result[kind].present++;
          });
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      result.skipped.sort((a, b) => (a.pk < b.pk ? -1 : 1));
      return result;
    },
  };
}
