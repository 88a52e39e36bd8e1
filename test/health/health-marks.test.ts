import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createHealthMarker,
  createMarkedBucketsFinder,
  healthMarkOf,
} from '../../functions/data/health-marks.ts';
import { HEALTH_STATE_SK, healthPk } from '../../functions/data/keys.ts';
import { createSweepIndex, sweepShardOf } from '../../functions/data/sweep-index.ts';
import { Unavailable } from '../../functions/domain/errors.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

const T = Date.parse('2026-12-06T10:00:00.000Z');

describe('health marks (dynalite)', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable('health-marks');
  });

  const state = async (bucketId: string) =>
    (
      await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: { pk: { S: healthPk(bucketId) }, sk: { S: HEALTH_STATE_SK } },
          ConsistentRead: true,
        }),
      )
    ).Item;

  it('a mark only moves earlier, and every call counts', async () => {
    const mark = createHealthMarker(table.client, table.tableName);
    const bucketId = randomUUID();
    await mark(bucketId, T + 5_000);
    expect((await state(bucketId))?.sweepAt?.S).toBe(healthMarkOf(T + 5_000));
    await mark(bucketId, T + 9_000); // later: the earlier mark covers it
    expect((await state(bucketId))?.sweepAt?.S).toBe(healthMarkOf(T + 5_000));
    await mark(bucketId, T + 1_000); // earlier: it moves
    const item = await state(bucketId);
    expect(item?.sweepAt?.S).toBe(healthMarkOf(T + 1_000));
    expect(item?.markSeq?.N).toBe('3');
    expect(item?.sweepShard?.S).toBe(sweepShardOf(bucketId, ''));
  });

  it('a mark cleared by a sweep between its two writes is set again (no input is left unmarked)', async () => {
    const bucketId = randomUUID();
    await createHealthMarker(table.client, table.tableName)(bucketId, T - 10_000);
    // A client on which, right before the mark's counting write, a sweep writes its
    // checkpoint and clears the mark (it had read the inputs before this one landed).
    const racing = createDynamoClient({ endpoint: table.endpoint });
    let updates = 0;
    racing.middlewareStack.add(
      (next) => async (args) => {
        const input = (args.input ?? {}) as { UpdateExpression?: string };
        if (input.UpdateExpression?.startsWith('ADD') && updates++ === 0) {
          await table.client.send(
            new UpdateItemCommand({
              TableName: table.tableName,
              Key: { pk: { S: healthPk(bucketId) }, sk: { S: HEALTH_STATE_SK } },
              UpdateExpression: 'REMOVE sweepAt, sweepShard',
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    await createHealthMarker(racing, table.tableName)(bucketId, T);
    expect((await state(bucketId))?.sweepAt?.S).toBe(healthMarkOf(T));
    expect(updates).toBe(1);
  });

  it('the finder returns marked buckets up to an instant, never a node row', async () => {
    const mark = createHealthMarker(table.client, table.tableName);
    const find = createMarkedBucketsFinder(table.client, table.tableName);
    const early = randomUUID();
    const late = randomUUID();
    await mark(early, T - 60_000);
    await mark(late, T + 60_000);
    // A node row in the sweep index, with a slot long past: the node step's, not the health step's.
    const seed = new Seeder(table.client, table.tableName);
    const nodeBucket = randomUUID();
    await seed.put({
      pk: `BUCKET#${nodeBucket}`,
      sk: 'NODE#n',
      sweepShard: '0',
      sweepAt: new Date(T - 3_600_000).toISOString(),
    });
    const found = await find(T);
    expect(found).toContain(early);
    expect(found).not.toContain(late);
    expect(found).not.toContain(nodeBucket);
    expect(await find(T + 60_000)).toContain(late);
    // And the node step's Query never returns a health mark.
    const index = createSweepIndex(table.client, table.tableName);
    const rows = (
      await Promise.all(
        ['0', '1', '2', '3', '4', '5', '6', '7'].map((s) =>
          index.findSilentRows(s, new Date(T + 3_600_000).toISOString()),
        ),
      )
    ).flat();
    expect(rows.map((r) => r.bucketId)).toContain(nodeBucket);
    expect(rows.map((r) => r.bucketId)).not.toContain(early);
  });
  it('gives up after 8 rounds of failed conditions (503), and passes on any other error', async () => {
    const bucketId = randomUUID();
    const losing = createDynamoClient({ endpoint: table.endpoint });
    let sends = 0;
    losing.middlewareStack.add(
      () => async () => {
        sends++;
        throw new ConditionalCheckFailedException({ message: 'lost', $metadata: {} });
      },
      { step: 'initialize' },
    );
    const error = await createHealthMarker(losing, table.tableName)(bucketId, T).catch((e) => e);
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Error).message).toBe('The service is busy; retry shortly');
    expect(sends).toBe(16);
    const broken = createDynamoClient({ endpoint: table.endpoint });
    let brokenSends = 0;
    broken.middlewareStack.add(
      () => async () => {
        brokenSends++;
        throw new Error('no such table');
      },
      { step: 'initialize' },
    );
    await expect(createHealthMarker(broken, table.tableName)(bucketId, T)).rejects.toThrow(
      'no such table',
    );
    expect(brokenSends).toBe(1);
  });
});
