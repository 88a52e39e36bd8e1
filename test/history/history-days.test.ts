// The history rows' adapter (functions/data/history-days.ts) on the engine: what an ended day
// stores, and what the uptime and stats routes read back.
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import {
  createHistoryDayReader,
  createHistoryDayWriter,
  historyPk,
} from '../../functions/data/history-days.ts';
import { nodeSk } from '../../functions/data/keys.ts';
import { type TestTable, tableFixtures } from '../support/table.ts';

const it = tableFixtures('history-days');

const RETENTION_DAYS = 400;
const NOW = Date.parse('2026-12-01T09:00:00.000Z');
/** The end of 2026-11-29 plus the retention, epoch seconds. */
const EXPIRES_29 = Date.parse('2026-11-30T00:00:00.000Z') / 1000 + RETENTION_DAYS * 86_400;

async function storedRow(table: TestTable, bucketId: string, day: string, nodeId: string) {
  const { Item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: historyPk(bucketId, day) }, sk: { S: nodeSk(nodeId) } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('ended days, written and read back', () => {
  it('keep every figure, the assignment and a TTL of the end of the day plus the retention', async ({
    table,
  }) => {
    const bucketId = randomUUID();
    const write = createHistoryDayWriter(table.client, table.tableName, {
      retentionDays: RETENTION_DAYS,
    });
    const full = {
      day: '2026-11-29',
      onlineMs: 3_600_000,
      latSum: 420,
      latCount: 7,
      lastLatencyMs: 55,
      lastAt: Date.parse('2026-11-29T23:59:30.000Z'),
      lastStatus: 'OFFLINE' as const,
    };
    const bare = { day: '2026-11-30', onlineMs: 0, latSum: 0, latCount: 0 };
    await write({ bucketId, nodeId: 'n1', assignedAt: 1_700_000_000_000, days: [full, bare] });
    await write({ bucketId, nodeId: 'n2', assignedAt: undefined, days: [bare] });

    expect((await storedRow(table, bucketId, '2026-11-29', 'n1'))?.expiresAt).toStrictEqual({
      N: String(EXPIRES_29),
    });
    // Absent figures are absent attributes, not placeholders.
    expect(
      Object.keys((await storedRow(table, bucketId, '2026-11-30', 'n2')) ?? {}).sort(),
    ).toStrictEqual(['day', 'expiresAt', 'lc', 'ls', 'on', 'pk', 'sk']);

    const read = await createHistoryDayReader(table.client, table.tableName)(
      bucketId,
      ['2026-11-29', '2026-11-30', '2026-11-28'],
      NOW,
    );
    const asObject = (map: typeof read) =>
      Object.fromEntries([...map].map(([node, days]) => [node, Object.fromEntries(days)]));
    expect(asObject(read)).toStrictEqual({
      n1: {
        '2026-11-29': { ...full, assignedAt: 1_700_000_000_000 },
        '2026-11-30': {
          ...bare,
          lastLatencyMs: undefined,
          lastAt: undefined,
          lastStatus: undefined,
          assignedAt: 1_700_000_000_000,
        },
      },
      n2: {
        '2026-11-30': {
          ...bare,
          lastLatencyMs: undefined,
          lastAt: undefined,
          lastStatus: undefined,
          assignedAt: undefined,
        },
      },
    });
  });

  it('a row whose TTL has passed is left out (TTL deletes late), from its TTL instant on', async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    const row = (nodeId: string, expiresAt: number) => ({
      pk: historyPk(bucketId, '2026-11-29'),
      sk: nodeSk(nodeId),
      day: '2026-11-29',
      on: 1_000,
      ls: 0,
      lc: 0,
      expiresAt,
    });
    // Written under a shorter retention than the one read with.
    await seed.putMany([
      row('expired', NOW / 1000 - 1),
      row('at-ttl', NOW / 1000),
      row('kept', NOW / 1000 + 1),
    ]);
    const read = await createHistoryDayReader(table.client, table.tableName)(
      bucketId,
      ['2026-11-29'],
      NOW,
    );
    expect([...read.keys()]).toStrictEqual(['kept']);
  });

  it('a row that is no day record of a node reads as nothing; an unknown status as none', async ({
    table,
    seed,
  }) => {
    const bucketId = randomUUID();
    const pk = historyPk(bucketId, '2026-11-29');
    await seed.putMany([
      { pk, sk: 'META', on: 1_000 },
      { pk, sk: nodeSk('no-figures'), day: '2026-11-29' },
      { pk, sk: nodeSk('odd-status'), day: '2026-11-29', on: 1_000, st: 'DISCONNECTED' },
      { pk, sk: nodeSk('online'), day: '2026-11-29', on: 1_000, st: 'ONLINE' },
    ]);
    const read = await createHistoryDayReader(table.client, table.tableName)(
      bucketId,
      ['2026-11-29'],
      NOW,
    );
    expect([...read.keys()].sort()).toStrictEqual(['odd-status', 'online']);
    expect(read.get('odd-status')?.get('2026-11-29')).toMatchObject({
      onlineMs: 1_000,
      latSum: 0,
      latCount: 0,
      lastStatus: undefined,
    });
    expect(read.get('online')?.get('2026-11-29')?.lastStatus).toBe('ONLINE');
  });
});
