// The operator's health commands (add-maintenance, list-maintenance, end-maintenance,
// set-health-policy) in process, on the run's engine: the API's validation with exit 2 and
// nothing written, the API's rows, refusals with exit 1, and the mark every write leaves.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthPk } from '../../functions/data/keys.ts';
import { MAX_OPEN_WINDOWS } from '../../functions/domain/maintenance.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, partitionRows, type TestTable } from '../support/table.ts';
import { adminRunner, readRow } from './helpers.ts';

let table: TestTable;
let seed: Seeder;
let admin: ReturnType<typeof adminRunner>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  table = await createTestTable('admin-health');
  seed = new Seeder(table.client, table.tableName);
  admin = adminRunner(table);
  await seed.workspace('ws-1', { orgId: 'org-1' });
});

afterAll(() => table.client.destroy());

async function newBucket(): Promise<string> {
  const bucketId = `b-${randomUUID().slice(0, 8)}`;
  await seed.bucket(bucketId, { workspaceId: 'ws-1', orgId: 'org-1' });
  return bucketId;
}

const rowsOf = (bucketId: string) =>
  partitionRows(table.client, table.tableName, healthPk(bucketId));

async function add(bucketId: string, startIn: number, length: number, reason?: string) {
  const now = Date.now();
  const run = await admin([
    'add-maintenance',
    '--bucket-id',
    bucketId,
    '--start',
    iso(now + startIn),
    '--end',
    iso(now + startIn + length),
    ...(reason === undefined ? [] : ['--reason', reason]),
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, string>;
}

async function list(bucketId: string) {
  const run = await admin(['list-maintenance', '--bucket-id', bucketId]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { windows: Record<string, string>[] }).windows;
}

describe('add-maintenance and list-maintenance', () => {
  it('prints the window, stores it in a slot, marks the bucket at its start; listed by start', async () => {
    const bucketId = await newBucket();
    const later = await add(bucketId, 2 * HOUR, HOUR);
    const sooner = await add(bucketId, HOUR, HOUR, 'firmware upgrade');
    expect(sooner).toEqual({
      id: expect.stringMatching(/^mw_[A-Za-z0-9_-]{22}$/),
      bucketId,
      start: expect.any(String),
      end: iso(Date.parse(sooner.start as string) + HOUR),
      reason: 'firmware upgrade',
      createdAt: expect.any(String),
    });
    expect(await list(bucketId)).toEqual([sooner, later]);
    const slots = (await rowsOf(bucketId)).filter((r) => r.sk?.S?.startsWith('W#'));
    expect(slots.map((r) => r.id?.S).sort()).toEqual([later.id, sooner.id].sort());
    expect((await readRow(table, healthPk(bucketId), 'STATE'))?.sweepAt).toBe(`H${sooner.start}`);
  });

  const now = Date.now();
  it.each([
    [['--start', iso(now - 2 * 60_000), '--end', iso(now + HOUR)], /more than 60 seconds/],
    [['--start', iso(now + HOUR), '--end', iso(now + HOUR)], /end must be after start/],
    [['--start', iso(now + HOUR), '--end', iso(now + HOUR + 7 * DAY + 1)], /at most 7 days/],
    [['--start', iso(now + 91 * DAY), '--end', iso(now + 91 * DAY + HOUR)], /90 days ahead/],
    [['--start', '2026-12-07', '--end', iso(now + HOUR)], /start must be an ISO 8601 instant/],
    [['--start', iso(now + HOUR), '--end', 'soon'], /end must be an ISO 8601 instant/],
    [['--start', iso(now + HOUR), '--end', iso(now + 2 * HOUR), '--reason', 'a\u0007b'], /U\+0007/],
    [
      ['--start', iso(now + HOUR), '--end', iso(now + 2 * HOUR), '--reason', 'x'.repeat(257)],
      /at most 256/,
    ],
    [['--end', iso(now + HOUR)], /--start is required/],
  ])('exit 2, nothing written: %j', async (args, message) => {
    const bucketId = await newBucket();
    const run = await admin(['add-maintenance', '--bucket-id', bucketId, ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(await rowsOf(bucketId)).toEqual([]);
  });

  it('exit 2 for a malformed bucket id; exit 1 for a bucket that does not exist', async () => {
    const window = ['--start', iso(Date.now() + HOUR), '--end', iso(Date.now() + 2 * HOUR)];
    const bad = await admin(['add-maintenance', '--bucket-id', 'b#1', ...window]);
    expect(bad.code).toBe(2);
    const missing = await admin(['add-maintenance', '--bucket-id', 'no-such-bucket', ...window]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: bucket no-such-bucket does not exist\n');
    expect(await rowsOf('no-such-bucket')).toEqual([]);
    expect((await admin(['list-maintenance', '--bucket-id', 'no-such-bucket'])).code).toBe(1);
  });

  it('the 21st open window exits 1', async () => {
    const bucketId = await newBucket();
    for (let i = 0; i < MAX_OPEN_WINDOWS; i++) await add(bucketId, HOUR + i, HOUR);
    const run = await admin([
      'add-maintenance',
      '--bucket-id',
      bucketId,
      '--start',
      iso(Date.now() + DAY),
      '--end',
      iso(Date.now() + DAY + HOUR),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/at most 20 active or upcoming/);
    expect(await list(bucketId)).toHaveLength(MAX_OPEN_WINDOWS);
  });
});

describe('end-maintenance', () => {
  it('removes an upcoming window', async () => {
    const bucketId = await newBucket();
    const upcoming = await add(bucketId, HOUR, HOUR);
    const run = await admin([
      'end-maintenance',
      '--bucket-id',
      bucketId,
      '--window-id',
      upcoming.id as string,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `removed upcoming maintenance window ${upcoming.id} of bucket ${bucketId}\n`,
    );
    expect(await list(bucketId)).toEqual([]);
  });

  it('ends an active window now and marks the bucket then; ending it again exits 1', async () => {
    const bucketId = await newBucket();
    const active = await add(bucketId, -1000, HOUR);
    const before = Date.now();
    const run = await admin([
      'end-maintenance',
      '--bucket-id',
      bucketId,
      '--window-id',
      active.id as string,
    ]);
    const after = Date.now();
    expect(run.code).toBe(0);
    const [ended] = await list(bucketId);
    expect(run.stdout).toBe(
      `ended maintenance window ${active.id} of bucket ${bucketId} at ${ended?.end}\n`,
    );
    const end = Date.parse(ended?.end as string);
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(after);
    expect(ended).toEqual({ ...active, end: ended?.end });
    // The start's mark is earlier: the end's call only counts (markSeq 2).
    const state = await readRow(table, healthPk(bucketId), 'STATE');
    expect(state).toMatchObject({ sweepAt: `H${active.start}`, markSeq: 2 });
    const again = await admin([
      'end-maintenance',
      '--bucket-id',
      bucketId,
      '--window-id',
      active.id as string,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('error: The maintenance window has already ended\n');
  });

  it('an unknown window exits 1; a malformed id exits 2', async () => {
    const bucketId = await newBucket();
    const unknown = await admin([
      'end-maintenance',
      '--bucket-id',
      bucketId,
      '--window-id',
      'mw_x',
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('error: Maintenance window not found\n');
    const bad = await admin(['end-maintenance', '--bucket-id', bucketId, '--window-id', 'mw x']);
    expect(bad.code).toBe(2);
  });
});

describe('set-health-policy', () => {
  it('stores the input row and the current row, and marks the bucket', async () => {
    const bucketId = await newBucket();
    const before = Date.now();
    const run = await admin([
      'set-health-policy',
      '--bucket-id',
      bucketId,
      '--min-online-percent',
      '75',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`bucket ${bucketId}: minOnlinePercent 75\n`);
    const policy = await readRow(table, healthPk(bucketId), 'POLICY');
    expect(policy).toMatchObject({ pct: 75 });
    const at = policy?.at as number;
    expect(at).toBeGreaterThanOrEqual(before);
    const input = await readRow(table, healthPk(bucketId), `I#${iso(at)}#P`);
    expect(input).toMatchObject({ pct: 75, expiresAt: Math.floor(at / 1000) + 400 * 86_400 });
    expect(await readRow(table, healthPk(bucketId), 'STATE')).toMatchObject({
      sweepAt: `H${iso(at)}`,
      markSeq: 1,
    });
  });

  it.each(['0', '101', '050', '5.5', '1e2', 'abc', ''])(
    'exit 2 for %j, nothing written',
    async (value) => {
      const bucketId = await newBucket();
      const run = await admin([
        'set-health-policy',
        '--bucket-id',
        bucketId,
        '--min-online-percent',
        value,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/minOnlinePercent must be an integer 1-100|--min-online-percent/);
      expect(await rowsOf(bucketId)).toEqual([]);
    },
  );

  it('exit 1 for a bucket that does not exist', async () => {
    const run = await admin([
      'set-health-policy',
      '--bucket-id',
      'no-such-bucket',
      '--min-online-percent',
      '60',
    ]);
    expect(run.code).toBe(1);
    expect(await rowsOf('no-such-bucket')).toEqual([]);
  });
});
