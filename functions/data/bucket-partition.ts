import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { BucketOwner } from '../domain/access.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, readString } from './attributes.ts';
import { META_SK, NODE_SK_PREFIX } from './keys.ts';

/** The bucket partition as a bucket route reads it: the owner now, the node rows on request. */
export interface BucketPartition<Row> {
  /** From the META row, which sorts before NODE# and so is on the first page. */
  owner: BucketOwner | undefined;
  /** Reads the remaining pages: call only once access is decided. In sort-key order. */
  allNodes(): Promise<Row[]>;
}

/**
 * The one paging of a `BUCKET#<id>` partition for every bucket route (status, stats, uptime):
 * the first page at once, the others only when `allNodes()` is called, after the access rule,
 * so a refused read costs one page however many nodes the bucket has (DESIGN.md section 7).
 * Each route gives its own Query (projection) and its own reading of a NODE# row.
 */
export async function openBucketPartition<Row>(
  client: DynamoDBClient,
  query: QueryCommandInput,
  toNode: (nodeId: string, item: Item) => Row,
): Promise<BucketPartition<Row>> {
  const send = (start: QueryCommandInput['ExclusiveStartKey']) =>
    client
      .send(new QueryCommand({ ...query, ExclusiveStartKey: start }))
      .catch(rethrowAsUnavailable);
  let owner: BucketOwner | undefined;
  const nodes: Row[] = [];
  /** Takes a page's rows; returns where the next page starts. */
  const collect = (page: QueryCommandOutput) => {
    for (const item of page.Items ?? []) {
      const sk = readString(item, 'sk');
      if (sk === META_SK) {
        owner = { workspaceId: readString(item, 'workspaceId'), orgId: readString(item, 'orgId') };
      } else if (sk?.startsWith(NODE_SK_PREFIX)) {
        nodes.push(toNode(sk.slice(NODE_SK_PREFIX.length), item));
      }
    }
    return page.LastEvaluatedKey;
  };
  const afterFirst = collect(await send(undefined));
  return {
    owner,
    async allNodes() {
      for (let start = afterFirst; start !== undefined; ) start = collect(await send(start));
      return nodes;
    },
  };
}
