import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { META_SK, nodePk } from '../../functions/data/keys.ts';
import {
  expectError,
  ingestFixtures,
  NO_RATE_LIMIT,
  nodeOnBuckets,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';

// Defence in depth behind the assignment limit (MAX_BUCKETS_PER_NODE): a node whose META row
// reaches DynamoDB's 400 KB item limit anyway gets a clear 409, not a bare 500 and not a 503
// the reporter would retry for ever.

const it = ingestFixtures('ingest-node-size', NO_RATE_LIMIT);

describe("a node's META row at the item-size limit", () => {
  it('answers 409 naming the limit, and stores nothing', async ({ table, seed, post, read }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    // The state the hints of thousands of buckets would leave: just under 400 KB.
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: nodePk(nodeId) }, sk: { S: META_SK } },
        UpdateExpression: 'SET padding = :p',
        ExpressionAttributeValues: { ':p': { S: 'x'.repeat(400 * 1024 - 260) } },
      }),
    );
    const report = signed(nodeId, privateKey, reportBody([{ bucketId, latency_ms: 5 }]));
    const response = await post(report.body, report.headers);
    expect(expectError(response, 409)).toBe(
      `node ${nodeId}'s stored state is too large to record this report: it serves too many ` +
        'buckets (at most 1000); an operator must unassign some',
    );
    expect((await read.nodeMeta(nodeId))?.lastTimestamp).toBe(undefined);
    expect(await read.bucketRow(bucketId, nodeId)).not.toHaveProperty('status');
  });
});
