// Reading a bucket's partition (functions/data/bucket-partition.ts, bucket-nodes.ts and
// history-nodes.ts) on the engine: the owner, the node rows and nothing else.
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBucketNodesReader } from '../../functions/data/bucket-nodes.ts';
import { readSlot } from '../../functions/data/bucket-timeline.ts';
import { createHistoryBucketReader } from '../../functions/data/history-nodes.ts';
import { bucketPk, nodeSk } from '../../functions/data/keys.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

let table: TestTable;
let seed: Seeder;

beforeAll(async () => {
  table = await createTestTable('bucket-partition');
  seed = new Seeder(table.client, table.tableName);
});

describe('a bucket partition', () => {
  it('of a missing bucket reads as no bucket', async () => {
    expect(await createBucketNodesReader(table.client, table.tableName)(randomUUID())).toBe(
      undefined,
    );
  });

  it('lists its node rows only, whatever other rows it holds', async () => {
    const bucketId = randomUUID();
    await seed.bucket(bucketId, { workspaceId: 'ws-1', orgId: 'org-1' });
    await seed.assignment(bucketId, 'n1', {
      status: 'ONLINE',
      lastUpdated: '2026-12-01T09:00:00.000Z',
    });
    // A row of another kind (by hand, or a future writer) sorting after the node rows.
    await seed.put({ pk: bucketPk(bucketId), sk: 'SETTINGS', ip: '192.0.2.1' });
    const page = await createBucketNodesReader(table.client, table.tableName)(bucketId);
    expect(page?.owner).toStrictEqual({ workspaceId: 'ws-1', orgId: 'org-1' });
    expect((await page?.allNodes())?.map((row) => row.nodeId)).toStrictEqual(['n1']);
    const history = await createHistoryBucketReader(table.client, table.tableName)(bucketId);
    expect((await history.allNodes()).map((row) => row.nodeId)).toStrictEqual(['n1']);
  });

  it('as the history routes read it, holds everything of the day slot the row stores', async () => {
    const bucketId = randomUUID();
    await seed.bucket(bucketId, { workspaceId: 'ws-1', orgId: 'org-1' });
    const t = Date.parse('2026-12-01T09:00:00.000Z');
    // Every attribute of the slot: the current day, a closed day and a spill.
    await seed.assignment(bucketId, 'n1', {
      ip: '198.51.100.4',
      region: 'eu-west-1',
      version: '1.2.3',
      status: 'OFFLINE',
      latency_ms: 12,
      lastAt: t,
      assignedAt: t - 86_400_000 * 3,
      hDay: '2026-12-01',
      hOn: 1_000,
      hLs: 30,
      hLc: 2,
      cDay: '2026-11-30',
      cOn: 2_000,
      cLs: 40,
      cLc: 3,
      cLat: 15,
      cAt: t - 40_000_000,
      cStatus: 'ONLINE',
      sDay: '2026-11-29',
      sOn: 500,
    });
    const { Item: stored } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: bucketPk(bucketId) }, sk: { S: nodeSk('n1') } },
        ConsistentRead: true,
      }),
    );
    const page = await createHistoryBucketReader(table.client, table.tableName)(bucketId);
    expect(page.owner).toStrictEqual({ workspaceId: 'ws-1', orgId: 'org-1' });
    const slot = readSlot(stored ?? {});
    expect(slot?.closed).toBeDefined();
    expect(slot?.spill).toBeDefined();
    expect(await page.allNodes()).toStrictEqual([
      {
        nodeId: 'n1',
        ip: '198.51.100.4',
        region: 'eu-west-1',
        version: '1.2.3',
        assignedAt: t - 86_400_000 * 3,
        slot,
      },
    ]);
  });
});
