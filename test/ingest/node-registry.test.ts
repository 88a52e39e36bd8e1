// The node registry's adapter (functions/data/node-registry.ts) as a node and an operator see
// it: the key read, the replay guard's refusal reasons, and the hints it forgets.
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { META_SK, nodePk } from '../../functions/data/keys.ts';
import { createHintForgetter } from '../../functions/data/node-registry.ts';
import { NODE_NOT_AUTHENTICATED } from '../../functions/ingest/receive-node-report.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import {
  assignedNode,
  buildIngestHandler,
  expectError,
  NO_RATE_LIMIT,
  readBucketRow,
  readNodeMeta,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';
import { laggingReplica } from '../support/lagging-replica.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

let table: TestTable;
let seed: Seeder;

beforeAll(async () => {
  table = await createTestTable('node-registry');
  seed = new Seeder(table.client, table.tableName);
});

const escaped = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

describe("the node's key", () => {
  it('a node registered a moment ago reports at once, while a replica still lags (consistent read)', async () => {
    const bucketId = randomUUID();
    const nodeId = `node-${randomUUID()}`;
    const client = createDynamoClient({ endpoint: table.endpoint });
    const replica = laggingReplica(client, table.tableName);
    await replica.freeze(nodePk(nodeId), META_SK); // the replica has not seen the node yet
    const privateKey = await assignedNode(seed, nodeId, [bucketId]);
    const report = signed(nodeId, privateKey, reportBody([{ bucketId }]));
    const response = await buildIngestHandler(
      client,
      table.tableName,
      NO_RATE_LIMIT,
    )(report.body, report.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual([bucketId]);
  });
});

describe('a node removed while its key is cached', () => {
  it('is refused on the very next report (401), and nothing is stored or recreated', async () => {
    const bucketId = randomUUID();
    const nodeId = `node-${randomUUID()}`;
    const privateKey = await assignedNode(seed, nodeId, [bucketId]);
    const post = buildIngestHandler(table.client, table.tableName, NO_RATE_LIMIT);
    const first = signed(nodeId, privateKey, reportBody([{ bucketId }]), Date.now() - 1000);
    expect((await post(first.body, first.headers)).statusCode).toBe(200);
    await table.client.send(
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: nodePk(nodeId) }, sk: { S: META_SK } },
      }),
    );
    const second = signed(nodeId, privateKey, reportBody([{ bucketId, status: 'OFFLINE' }]));
    const response = await post(second.body, second.headers);
    expect(expectError(response, 401)).toMatch(escaped(NODE_NOT_AUTHENTICATED));
    expect((await readBucketRow(table.client, table.tableName, bucketId, nodeId))?.status).toBe(
      'ONLINE',
    );
    expect(await readNodeMeta(table.client, table.tableName, nodeId)).toBeUndefined();
  });

  it('forgetting its hints does not bring back a META row (the row must exist)', async () => {
    const nodeId = `node-${randomUUID()}`;
    await createHintForgetter(table.client, table.tableName)(nodeId, [randomUUID()]).catch(
      () => undefined,
    );
    expect(await readNodeMeta(table.client, table.tableName, nodeId)).toBeUndefined();
  });
});
