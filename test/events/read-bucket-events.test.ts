// The GET events use case on its real readers (dynalite): what it does with the clock and with
// a cursor key that cannot be had.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBucketOwnerReader } from '../../functions/data/bucket-owner.ts';
import { createEventsReader, createEventWriter } from '../../functions/data/events.ts';
import {
  createMaintenanceWindowStore,
  createWindowLoader,
} from '../../functions/data/maintenance-windows.ts';
import { createUserAccessReader } from '../../functions/data/user-access.ts';
import { Unavailable } from '../../functions/domain/errors.ts';
import type { NodeEvent } from '../../functions/domain/events.ts';
import {
  type ReadBucketEventsDeps,
  readBucketEvents,
} from '../../functions/events/read-bucket-events.ts';
import { createCursorKey } from '../../functions/shared/cursor-key.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

const SECRET = 'c'.repeat(40);
const BUCKET = 'bucket-use-case';
let table: TestTable;
let userId: string;

beforeAll(async () => {
  table = await createTestTable('read-bucket-events');
  const seed = new Seeder(table.client, table.tableName);
  await seed.bucket(BUCKET, { workspaceId: 'ws-1', orgId: 'org-1' });
  userId = randomUUID();
  await seed.user(userId, { orgId: 'org-1', orgRole: 'OWNER' });
});

function deps(overrides: Partial<ReadBucketEventsDeps> = {}): ReadBucketEventsDeps {
  return {
    loadUserAccess: createUserAccessReader(table.client, table.tableName),
    loadBucketOwner: createBucketOwnerReader(table.client, table.tableName),
    loadEventsPage: createEventsReader(table.client, table.tableName),
    loadWindows: createWindowLoader(table.client, table.tableName),
    cursorKey: createCursorKey({ kind: 'secret', secret: SECRET, setting: 'JWT_SECRET' }).get,
    eventRetentionDays: 90,
    ...overrides,
  };
}
const principal = () => ({ userId, issuedAt: undefined });
const query = { bucketId: BUCKET, limit: undefined, cursor: undefined };

describe('readBucketEvents', () => {
  it('keeps the retention counted from its clock: 30 days old shown, 120 days old not', async () => {
    // A clock years before the real one: the cut-off follows it, not the machine's.
    const now = Date.parse('2020-06-01T00:00:00.000Z');
    const event = (daysAgo: number): NodeEvent => ({
      bucketId: BUCKET,
      nodeId: `node-${daysAgo}`,
      ip: '203.0.113.7',
      region: 'us-east-1',
      from: 'ONLINE',
      to: 'OFFLINE',
      at: new Date(now - daysAgo * 86_400_000).toISOString(),
    });
    await createEventWriter(table.client, table.tableName, { retentionDays: 90 })([
      event(30),
      event(120),
    ]);
    const response = await readBucketEvents(principal(), query, deps({ now: () => now }));
    expect(response.events.map((e) => e.host)).toStrictEqual(['node-30']);
  });

  it('flags an event inside a maintenance window maintenance: true (its start in, its end out)', async () => {
    const bucketId = 'bucket-events-window';
    await new Seeder(table.client, table.tableName).bucket(bucketId, {
      workspaceId: 'ws-1',
      orgId: 'org-1',
    });
    const start = Date.parse('2026-12-01T05:00:00.000Z');
    const end = Date.parse('2026-12-01T06:00:00.000Z');
    await createMaintenanceWindowStore(table.client, table.tableName).addWindow(
      bucketId,
      { start, end, reason: undefined },
      start - 60_000,
    );
    const event = (atMs: number, nodeId: string): NodeEvent => ({
      bucketId,
      nodeId,
      from: 'ONLINE',
      to: 'OFFLINE',
      at: new Date(atMs).toISOString(),
    });
    await createEventWriter(table.client, table.tableName, { retentionDays: 90 })([
      event(start - 1, 'before'),
      event(start, 'at-start'),
      event(end - 1, 'last-ms'),
      event(end, 'at-end'),
    ]);
    const response = await readBucketEvents(
      principal(),
      { bucketId, limit: undefined, cursor: undefined },
      deps({ now: () => end + 60_000 }),
    );
    expect(response.events.map((e) => [e.host, e.maintenance])).toStrictEqual([
      ['at-end', undefined],
      ['last-ms', true],
      ['at-start', true],
      ['before', undefined],
    ]);
    expect(response.events[0]).not.toHaveProperty('maintenance');
  });

  it('a cursor key that cannot be fetched is a retryable 503, its cause kept for the log', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });
    const key = createCursorKey({ kind: 'secretArn', arn: 'arn:aws:secretsmanager:x' }, () =>
      Promise.reject(down),
    );
    const error = await readBucketEvents(principal(), query, deps({ cursorKey: key.get })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Unavailable);
    expect(error).toMatchObject({
      message: 'Events are temporarily unavailable; retry shortly',
      retryAfterSeconds: 1,
      cause: down,
    });
  });
});
