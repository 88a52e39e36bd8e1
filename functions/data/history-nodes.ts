/**
 * The bucket partition as the history routes read it: META (the owner) and every NODE# row
 * with its day slot (docs/ARCHITECTURE.md, "History"). The first page comes alone, so a refused
 * read costs one page; the rest only once access is granted.
 */
import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { BucketOwner } from '../domain/access.ts';
import type {
  HistoryBucketPage,
  HistoryNodeRow,
  LoadHistoryBucket,
} from '../history/read-history.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, readNumber, readString, S } from './attributes.ts';
import { readSlot } from './bucket-timeline.ts';
import { bucketPk, META_SK, NODE_SK_PREFIX } from './keys.ts';

const PROJECTION = [
  'sk',
  'workspaceId',
  'orgId',
  'ip',
  '#region',
  '#version',
  '#status',
  'latency_ms',
  'lastAt',
  'assignedAt',
  'hDay',
  'hOn',
  'hLs',
  'hLc',
  'cDay',
  'cOn',
  'cLs',
  'cLc',
  'cLat',
  'cAt',
  'cStatus',
  'sDay',
  'sOn',
].join(', ');

/** The bucket partition Query of the history routes. Exported for the benchmark's floor. */
export function historyBucketQuery(tableName: string, bucketId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': S(bucketPk(bucketId)) },
    ProjectionExpression: PROJECTION,
    ExpressionAttributeNames: { '#region': 'region', '#version': 'version', '#status': 'status' },
  };
}

function collect(items: Item[], page: { owner?: BucketOwner; nodes: HistoryNodeRow[] }) {
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
        assignedAt: readNumber(item, 'assignedAt'),
        slot: readSlot(item),
      });
    }
  }
}

export function createHistoryBucketReader(
  client: DynamoDBClient,
  tableName: string,
): LoadHistoryBucket {
  return async function loadHistoryBucket(bucketId: string): Promise<HistoryBucketPage> {
    const input = historyBucketQuery(tableName, bucketId);
    const send = (start: QueryCommandInput['ExclusiveStartKey']) =>
      client
        .send(new QueryCommand({ ...input, ExclusiveStartKey: start }))
        .catch(rethrowAsUnavailable);
    const page: { owner?: BucketOwner; nodes: HistoryNodeRow[] } = { nodes: [] };
    const first = await send(undefined);
    collect(first.Items ?? [], page);
    return {
      owner: page.owner,
      async allNodes() {
        // META sorts before NODE#, so the owner is always on the first page.
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
