import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
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
  const collect = (items: Item[]) => {
    for (const item of items) {
      const sk = readString(item, 'sk');
      if (sk === META_SK) {
        owner = { workspaceId: readString(item, 'workspaceId'), orgId: readString(item, 'orgId') };
      } else if (sk?.startsWith(NODE_SK_PREFIX)) {
        nodes.push(toNode(sk.slice(NODE_SK_PREFIX.length), item));
      }
    }
  };
  const first = await send(undefined);
  collect(first.Items ?? []);
  return {
    owner,
    async allNodes() {
      for (let start = first.LastEvaluatedKey; start !== undefined; ) {
        const next = await send(start);
        collect(next.Items ?? []);
        start = next.LastEvaluatedKey;
      }
      return nodes;
    },
  };
}
