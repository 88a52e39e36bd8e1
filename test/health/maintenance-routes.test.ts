// Maintenance windows and the health policy (DESIGN.md sections 13 and 15) through their
// functions' production wiring, on the run's engine: every 400, the limit of twenty (also for
// two creators racing for the last slot), what DELETE does to an upcoming, active, ended,
// unknown or foreign window, what the listing shows and in what order, who may call each
// route, and the health mark every write leaves for the sweep. Every answer is checked
// against openapi.yaml.
import { randomUUID } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { healthPk } from '../../functions/data/keys.ts';
import {
  MAX_KEPT_WINDOWS,
  MAX_OPEN_WINDOWS,
  MAX_POLICY_CHANGES_PER_DAY,
} from '../../functions/domain/maintenance.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { wire as wireManagement } from '../../functions/manage/wiring.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { dispatchByRoute } from '../../functions/shared/wiring.ts';
import { wire as wireStatus } from '../../functions/status/wiring.ts';
import { accessMatrix } from '../support/access-matrix.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { createContract } from '../support/openapi-contract.ts';
import { Seeder } from '../support/seed.ts';
import { bearer, hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable, partitionRows, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

const contract = createContract();
const ORG = 'org-health';
const WORKSPACE = 'ws-health';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The server clock every route reads (a test sets it). */
let clock = Date.parse('2026-12-06T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT';
type Answer = HttpResult & { json: Record<string, unknown> };
let table: TestTable;
let seed: Seeder;
let handler: ReturnType<typeof dispatchByRoute>;

const ROUTE_KEYS = {
  create: 'POST /bucket/{bucketId}/maintenance',
  list: 'GET /bucket/{bucketId}/maintenance',
  delete: 'DELETE /bucket/{bucketId}/maintenance/{windowId}',
  policy: 'PUT /bucket/{bucketId}/health/policy',
} as const;
const METHOD_OF: Record<keyof typeof ROUTE_KEYS, Method> = {
  create: 'POST',
  list: 'GET',
  delete: 'DELETE',
  policy: 'PUT',
};

async function call(
  route: keyof typeof ROUTE_KEYS,
  bucketId: string,
  options: { user?: string; token?: string; body?: unknown; raw?: string; windowId?: string } = {},
): Promise<Answer> {
  const method = METHOD_OF[route];
  const token = options.token ?? (await hs256Token(options.user ?? 'ws-admin'));
  const body =
    options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const path =
    route === 'policy'
      ? `/bucket/${bucketId}/health/policy`
      : `/bucket/${bucketId}/maintenance${options.windowId === undefined ? '' : `/${options.windowId}`}`;
  const event: APIGatewayProxyEventV2 = httpApiEvent({
    method: 'GET',
    path,
    routeKey: ROUTE_KEYS[route],
    headers: {
      ...bearer(token),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    pathParameters: {
      bucketId,
      ...(options.windowId !== undefined && { windowId: options.windowId }),
    },
    ...(body !== undefined && { body }),
  });
  event.requestContext.http.method = method;
  const result = (await handler(event, lambdaContext())) as HttpResult;
  const json = result.body ? (JSON.parse(result.body) as Record<string, unknown>) : {};
  contract.assertResponse({
    method,
    path,
    status: result.statusCode,
    headers: new Headers(result.headers),
    body: result.body ? json : undefined,
  });
  return { ...result, json };
}

/** A fresh bucket of the workspace. */
async function newBucket(): Promise<string> {
  const bucketId = `b-${randomUUID().slice(0, 8)}`;
  await seed.bucket(bucketId, { workspaceId: WORKSPACE, orgId: ORG });
  return bucketId;
}

const window = (startIn: number, length: number, reason?: string) => ({
  start: iso(clock + startIn),
  end: iso(clock + startIn + length),
  ...(reason !== undefined && { reason }),
});

async function create(bucketId: string, body: unknown): Promise<Record<string, unknown>> {
  const answer = await call('create', bucketId, { body });
  expect(answer.statusCode, answer.body).toBe(201);
  return answer.json;
}

async function listed(bucketId: string): Promise<Record<string, unknown>[]> {
  const answer = await call('list', bucketId);
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json.windows as Record<string, unknown>[];
}

/** The bucket's health mark, as the sweep's index reads it. */
async function markOf(bucketId: string) {
  const { Item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: healthPk(bucketId) }, sk: { S: 'STATE' } },
      ConsistentRead: true,
    }),
  );
  return { sweepAt: Item?.sweepAt?.S, markSeq: Number(Item?.markSeq?.N ?? 0) };
}

/** What the sweep does once it has computed up to the mark: the mark is gone. */
async function clearMark(bucketId: string) {
  await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: healthPk(bucketId) }, sk: { S: 'STATE' } },
      UpdateExpression: 'REMOVE sweepAt, sweepShard',
    }),
  );
}

beforeAll(async () => {
  table = await createTestTable('maintenance');
  seed = new Seeder(table.client, table.tableName);
  const deps = {
    client: table.client,
    settings: testSettings(table.tableName, TEST_SECRET),
    logger: createLogger('maintenance-test'),
    overrides: { now: () => clock },
  };
  handler = dispatchByRoute({ ...wireManagement(deps).routes, ...wireStatus(deps).routes });
  await seed.workspace(WORKSPACE, { orgId: ORG });
  await seed.workspace('ws-other-org', { orgId: 'org-2' });
  await seed.bucket('b-other-org', { workspaceId: 'ws-other-org', orgId: 'org-2' });
  const users: [string, Parameters<Seeder['user']>[1], string | undefined][] = [
    ['ws-read', { orgId: ORG, orgRole: 'MEMBER' }, 'READ'],
    ['ws-write', { orgId: ORG, orgRole: 'MEMBER' }, 'WRITE'],
    ['ws-admin', { orgId: ORG, orgRole: 'MEMBER' }, 'ADMIN'],
    ['org-owner', { orgId: ORG, orgRole: 'OWNER' }, undefined],
    ['org-admin', { orgId: ORG, orgRole: 'ADMIN' }, undefined],
    ['org-member', { orgId: ORG, orgRole: 'MEMBER' }, undefined],
    ['other-org-owner', { orgId: 'org-2', orgRole: 'OWNER' }, undefined],
    ['other-org-ws-admin', { orgId: 'org-2', orgRole: 'MEMBER' }, 'ADMIN'],
    ['disabled-admin', { orgId: ORG, orgRole: 'OWNER', status: 'DISABLED' }, 'ADMIN'],
    [
      'revoked-admin',
      { orgId: ORG, orgRole: 'OWNER', tokensValidAfter: Math.floor(Date.now() / 1000) + 600 },
      'ADMIN',
    ],
  ];
  for (const [userId, profile, role] of users) {
    await seed.user(userId, profile);
    if (role !== undefined) await seed.membership(userId, WORKSPACE, role);
  }
});

describe('POST maintenance: every 400', () => {
  const cases: [string, () => string | unknown, RegExp][] = [
    ['not JSON', () => '{"start":', /valid JSON/],
    ['an array', () => [], /JSON object/],
    ['a string', () => 'x', /JSON object/],
    ['null', () => null, /JSON object/],
    ['no start', () => ({ end: iso(clock + HOUR) }), /start is required/],
    ['no end', () => ({ start: iso(clock + HOUR) }), /end is required/],
    ['a numeric start', () => ({ start: clock, end: iso(clock + HOUR) }), /^start must be/],
    ['an unknown field', () => ({ ...window(HOUR, HOUR), kind: 'x' }), /unknown field: kind/],
    ['a date without time', () => ({ start: '2026-12-07', end: iso(clock + DAY) }), /^start/],
    ['no zone', () => ({ start: '2026-12-07T10:00:00', end: iso(clock + DAY) }), /^start/],
    ['no seconds', () => ({ start: '2026-12-07T10:00Z', end: iso(clock + DAY) }), /^start/],
    [
      'a day that is not',
      () => ({ start: '2026-02-30T10:00:00Z', end: iso(clock + DAY) }),
      /^start/,
    ],
    ['a leap second', () => ({ start: '2026-12-06T23:59:60Z', end: iso(clock + DAY) }), /^start/],
    [
      'microseconds',
      () => ({ start: '2026-12-06T13:00:00.123456Z', end: iso(clock + DAY) }),
      /^start/,
    ],
    ['a bad end', () => ({ start: iso(clock + HOUR), end: 'tomorrow' }), /^end must be/],
    [
      'an over-long instant',
      () => ({ start: `${iso(clock)}${' '.repeat(40)}`, end: 'x' }),
      /^start/,
    ],
    ['a numeric reason', () => ({ ...window(HOUR, HOUR), reason: 5 }), /reason must be a string/],
    ['a reason of 257 characters', () => window(HOUR, HOUR, 'é'.repeat(257)), /at most 256/],
    ['a reason with a newline', () => window(HOUR, HOUR, 'a\nb'), /U\+000A/],
    ['a reason with a bidi control', () => window(HOUR, HOUR, 'a\u202eb'), /U\+202E/],
    ['a start 60.001 s in the past', () => window(-MINUTE - 1, HOUR), /more than 60 seconds/],
    ['an end equal to the start', () => window(HOUR, 0), /end must be after start/],
    ['an end before the start', () => window(HOUR, -1), /end must be after start/],
    ['longer than 7 days', () => window(HOUR, 7 * DAY + 1), /at most 7 days/],
    ['a start 90 days and 1 ms ahead', () => window(90 * DAY + 1, HOUR), /90 days ahead/],
  ];

  it.each(cases)('%s', async (_, body, message) => {
    const bucketId = await newBucket();
    const value = body();
    const answer = await call(
      'create',
      bucketId,
      typeof value === 'string' && value.startsWith('{') ? { raw: value } : { body: value },
    );
    expect(answer.statusCode, answer.body).toBe(400);
    expect(answer.json).toEqual({ success: false, message: expect.stringMatching(message) });
    expect(await listed(bucketId)).toEqual([]);
  });

  it.each([
    ['a start exactly 60 s in the past', window(-MINUTE, HOUR)],
    ['exactly 7 days', window(HOUR, 7 * DAY)],
    ['a start exactly 90 days ahead', window(90 * DAY, HOUR)],
    ['a reason of 256 astral characters', window(HOUR, HOUR, '🛠'.repeat(256))],
    ['a null reason', { ...window(HOUR, HOUR), reason: null }],
    ['an offset', { start: '2026-12-06T14:00:00+02:00', end: '2026-12-06T14:30:00.5+02:00' }],
  ])('accepts %s', async (_, body) => {
    const bucketId = await newBucket();
    expect((await call('create', bucketId, { body })).statusCode).toBe(201);
  });

  it('413 for a body over 4 KiB, before anything is read', async () => {
    const bucketId = await newBucket();
    const answer = await call('create', bucketId, {
      raw: JSON.stringify(window(HOUR, HOUR)) + ' '.repeat(4096),
    });
    expect(answer.statusCode).toBe(413);
  });
});

describe('POST maintenance: the window as stored', () => {
  it('201 with the window; the instants in UTC, the empty reason dropped', async () => {
    const bucketId = await newBucket();
    const created = await create(bucketId, {
      start: '2026-12-06T14:00:00+02:00',
      end: '2026-12-06T15:00:00.250+02:00',
      reason: '',
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^mw_[A-Za-z0-9_-]{22}$/),
      bucketId,
      start: '2026-12-06T12:00:00.000Z',
      end: '2026-12-06T13:00:00.250Z',
      createdAt: iso(clock),
    });
    expect(await listed(bucketId)).toEqual([created]);
  });
});

describe('the limit of twenty open windows', () => {
  it('the 21st active or upcoming window is a 409; an ended one frees its slot', async () => {
    const bucketId = await newBucket();
    // One window that ends soon, then nineteen long ones.
    const short = await create(bucketId, window(0, MINUTE, 'short'));
    for (let i = 1; i < MAX_OPEN_WINDOWS; i++) await create(bucketId, window(HOUR + i, HOUR));
    const refused = await call('create', bucketId, { body: window(DAY, HOUR) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json).toEqual({ success: false, message: expect.stringMatching(/at most 20/) });
    clock += MINUTE;
    try {
      // The short window has ended: its slot takes the new one, and it stays listed as ended.
      const taken = await create(bucketId, window(DAY, HOUR, 'after'));
      const windows = await listed(bucketId);
      expect(windows).toHaveLength(MAX_OPEN_WINDOWS + 1);
      expect(windows[0]).toEqual(short);
      expect(windows.at(-1)).toEqual(taken);
      expect((await call('create', bucketId, { body: window(DAY, HOUR) })).statusCode).toBe(409);
      const rows = await partitionRows(table.client, table.tableName, healthPk(bucketId));
      const slots = rows.filter((r) => r.sk?.S?.startsWith('W#')).map((r) => r.sk?.S);
      expect(slots).toHaveLength(MAX_OPEN_WINDOWS);
      const ended = rows.find((r) => r.sk?.S === `X#${short.id as string}`);
      expect(Number(ended?.expiresAt?.N)).toBe(
        Math.floor((Date.parse(short.end as string) + 31 * DAY) / 1000),
      );
    } finally {
      clock -= MINUTE;
    }
  });

  it('two creators racing for the last slot: one 201, one 409, twenty windows', async () => {
    for (let round = 0; round < 3; round++) {
      const bucketId = await newBucket();
      for (let i = 1; i < MAX_OPEN_WINDOWS; i++) await create(bucketId, window(HOUR + i, HOUR));
      const answers = await Promise.all([
        call('create', bucketId, { body: window(DAY, HOUR, 'a') }),
        call('create', bucketId, { body: window(DAY, HOUR, 'b') }),
      ]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
      const windows = await listed(bucketId);
      expect(windows).toHaveLength(MAX_OPEN_WINDOWS);
      const winner = answers.find((a) => a.statusCode === 201)?.json;
      expect(windows.filter((w) => w.start === iso(clock + DAY))).toEqual([winner]);
      // The loser counted itself in the kept windows' ledger before it found no slot: no more.
      const { Item: ledger } = await table.client.send(
        new GetItemCommand({
          TableName: table.tableName,
          Key: { pk: { S: healthPk(bucketId) }, sk: { S: 'C#WINDOWS' } },
          ConsistentRead: true,
        }),
      );
      expect(Object.keys(ledger?.w?.M ?? {}).sort()).toEqual(windows.map((w) => w.id).sort());
    }
  });
});

describe('the limit of a hundred kept windows (active, upcoming, ended within 31 days)', () => {
  /** A window that starts 50 s before `clock` and ended 10 s before it: accepted, and ended. */
  const ended = (reason?: string) => window(-50_000, 40_000, reason);
  /** The bucket's stored window rows (slots and ended rows). */
  const windowRows = async (bucketId: string) =>
    (await partitionRows(table.client, table.tableName, healthPk(bucketId))).filter(
      (r) => r.sk?.S?.startsWith('W#') || r.sk?.S?.startsWith('X#'),
    );

  it('the 101st is a 409 naming the limit; ended windows count until 31 days after their end', async () => {
    const bucketId = await newBucket();
    const start = clock;
    try {
      for (let i = 0; i < MAX_KEPT_WINDOWS; i++) await create(bucketId, ended(`w${i}`));
      const expires = iso(clock - 10_000 + 31 * DAY);
      const refused = await call('create', bucketId, { body: ended('101st') });
      expect(refused.statusCode).toBe(409);
      expect(refused.json).toEqual({
        success: false,
        message: `A bucket keeps at most 100 maintenance windows (active, upcoming, and ended within the last 31 days); the next one stops counting at ${expires}`,
      });
      // An upcoming one too: the open windows are few, the kept ones are not.
      expect((await call('create', bucketId, { body: window(HOUR, HOUR) })).statusCode).toBe(409);
      expect(await windowRows(bucketId)).toHaveLength(MAX_KEPT_WINDOWS);
      expect(await listed(bucketId)).toHaveLength(MAX_KEPT_WINDOWS);
      // No longer listed after 30 days, still counted until 31.
      clock = Date.parse(expires) - 1;
      expect(await listed(bucketId)).toEqual([]);
      expect((await call('create', bucketId, { body: window(HOUR, HOUR) })).statusCode).toBe(409);
      clock += 1;
      await create(bucketId, window(HOUR, HOUR, 'after'));
    } finally {
      clock = start;
    }
  });

  it('a removed upcoming window stops counting; an ended active one counts from its new end', async () => {
    const bucketId = await newBucket();
    const start = clock;
    try {
      for (let i = 0; i < MAX_KEPT_WINDOWS - 2; i++) await create(bucketId, ended());
      const upcoming = await create(bucketId, window(HOUR, HOUR));
      const active = await create(bucketId, window(-MINUTE / 2, 7 * DAY));
      expect((await call('create', bucketId, { body: ended() })).statusCode).toBe(409);
      expect((await call('delete', bucketId, { windowId: upcoming.id as string })).statusCode).toBe(
        204,
      );
      await create(bucketId, ended('in its place'));
      clock += MINUTE;
      expect((await call('delete', bucketId, { windowId: active.id as string })).statusCode).toBe(
        204,
      );
      const endedAt = clock;
      expect((await call('create', bucketId, { body: ended() })).statusCode).toBe(409);
      // The others stop counting first; the ended active one 31 days after its new end.
      clock = endedAt + 31 * DAY - 1;
      for (let i = 0; i < MAX_KEPT_WINDOWS - 1; i++) await create(bucketId, ended());
      const refused = await call('create', bucketId, { body: ended() });
      expect(refused.statusCode).toBe(409);
      expect(refused.json.message).toMatch(`stops counting at ${iso(endedAt + 31 * DAY)}`);
      clock += 1;
      await create(bucketId, ended());
    } finally {
      clock = start;
    }
  });

  it('two creators racing for the last place: one 201, one 409, a hundred windows', async () => {
    for (let round = 0; round < 2; round++) {
      const bucketId = await newBucket();
      for (let i = 0; i < MAX_KEPT_WINDOWS - 1; i++) await create(bucketId, ended());
      const answers = await Promise.all([
        call('create', bucketId, { body: window(DAY, HOUR, 'a') }),
        call('create', bucketId, { body: window(DAY, HOUR, 'b') }),
      ]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
      expect(await windowRows(bucketId)).toHaveLength(MAX_KEPT_WINDOWS);
      const winner = answers.find((a) => a.statusCode === 201)?.json;
      expect((await listed(bucketId)).filter((w) => w.start === iso(clock + DAY))).toEqual([
        winner,
      ]);
    }
  });
});

describe('DELETE maintenance', () => {
  it('an upcoming window is removed', async () => {
    const bucketId = await newBucket();
    const upcoming = await create(bucketId, window(HOUR, HOUR));
    const kept = await create(bucketId, window(2 * HOUR, HOUR));
    const answer = await call('delete', bucketId, { windowId: upcoming.id as string });
    expect(answer.statusCode).toBe(204);
    expect(answer.body).toBe('');
    expect(await listed(bucketId)).toEqual([kept]);
    // Gone: a second DELETE finds nothing.
    expect((await call('delete', bucketId, { windowId: upcoming.id as string })).statusCode).toBe(
      404,
    );
  });

  it('an active window ends now, stays listed as ended, and frees its slot', async () => {
    const bucketId = await newBucket();
    const active = await create(bucketId, window(0, HOUR, 'upgrade'));
    clock += 10 * MINUTE;
    try {
      expect((await call('delete', bucketId, { windowId: active.id as string })).statusCode).toBe(
        204,
      );
      expect(await listed(bucketId)).toEqual([{ ...active, end: iso(clock) }]);
      const rows = await partitionRows(table.client, table.tableName, healthPk(bucketId));
      expect(rows.filter((r) => r.sk?.S?.startsWith('W#'))).toEqual([]);
      expect(rows.filter((r) => r.sk?.S === `X#${active.id as string}`)).toHaveLength(1);
      // Ended now: deleting it again is a conflict.
      const again = await call('delete', bucketId, { windowId: active.id as string });
      expect(again.statusCode).toBe(409);
      expect(again.json).toEqual({
        success: false,
        message: expect.stringMatching(/already ended/),
      });
    } finally {
      clock -= 10 * MINUTE;
    }
  });

  it('an ended window (still in its slot, or in its ended row) is a 409', async () => {
    const bucketId = await newBucket();
    const ended = await create(bucketId, window(0, MINUTE));
    clock += 2 * MINUTE;
    try {
      expect((await call('delete', bucketId, { windowId: ended.id as string })).statusCode).toBe(
        409,
      );
      // A new window takes its slot; the ended one now lives in its X# row.
      await create(bucketId, window(HOUR, HOUR));
      for (let i = 1; i < MAX_OPEN_WINDOWS; i++) await create(bucketId, window(HOUR + i, HOUR));
      const rows = await partitionRows(table.client, table.tableName, healthPk(bucketId));
      expect(rows.some((r) => r.sk?.S === `X#${ended.id as string}`)).toBe(true);
      expect(rows.some((r) => r.sk?.S?.startsWith('W#') && r.id?.S === ended.id)).toBe(false);
      expect((await call('delete', bucketId, { windowId: ended.id as string })).statusCode).toBe(
        409,
      );
    } finally {
      clock -= 2 * MINUTE;
    }
  });

  it("an unknown window, and another bucket's window, are 404s", async () => {
    const bucketId = await newBucket();
    const other = await newBucket();
    const foreign = await create(other, window(HOUR, HOUR));
    const unknown = await call('delete', bucketId, { windowId: 'mw_AAAAAAAAAAAAAAAAAAAAAA' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json.message).toBe('Maintenance window not found');
    expect((await call('delete', bucketId, { windowId: foreign.id as string })).statusCode).toBe(
      404,
    );
    expect(await listed(other)).toEqual([foreign]);
  });

  it('400 for a malformed window id', async () => {
    const bucketId = await newBucket();
    expect((await call('delete', bucketId, { windowId: 'mw#1' })).statusCode).toBe(400);
  });
});

describe('GET maintenance: what is listed, in what order', () => {
  it('active and upcoming, and ended within 30 days, by start', async () => {
    const bucketId = await newBucket();
    const start = clock;
    // Created over 40 days: one that ends 31 days before the read, one 29 days before.
    const old = await create(bucketId, window(0, HOUR, 'old'));
    clock = start + 2 * DAY;
    const recent = await create(bucketId, window(0, HOUR, 'recent'));
    clock = start + 31 * DAY + HOUR;
    const later = await create(bucketId, window(5 * HOUR, HOUR, 'later'));
    const active = await create(bucketId, window(0, 2 * HOUR, 'active'));
    const sooner = await create(bucketId, window(HOUR, HOUR, 'sooner'));
    const sameStart = await create(bucketId, window(HOUR, 30 * MINUTE, 'same start, ends first'));
    try {
      const windows = await listed(bucketId);
      expect(windows).toEqual([recent, active, sameStart, sooner, later]);
      expect(windows).not.toContainEqual(old);
      // Exactly 30 days after its end a window is no longer listed.
      clock = start + 2 * DAY + HOUR + 30 * DAY - 1;
      expect((await listed(bucketId)).map((w) => w.reason)).toContain('recent');
      clock += 1;
      expect((await listed(bucketId)).map((w) => w.reason)).not.toContain('recent');
    } finally {
      clock = start;
    }
  });

  it('an empty list for a bucket without windows', async () => {
    expect(await listed(await newBucket())).toEqual([]);
  });
});

describe('PUT health/policy', () => {
  it.each([
    ['0', { minOnlinePercent: 0 }],
    ['101', { minOnlinePercent: 101 }],
    ['a fraction', { minOnlinePercent: 50.5 }],
    ['a string', { minOnlinePercent: '50' }],
    ['null', { minOnlinePercent: null }],
    ['missing', {}],
  ])('400 for %s', async (_, body) => {
    const answer = await call('policy', await newBucket(), { body });
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toEqual({
      success: false,
      message: 'minOnlinePercent must be an integer 1-100',
    });
  });

  it.each([
    ['an unknown field', { minOnlinePercent: 50, minOnline: 2 }, 'unknown field: minOnline'],
    ['an array', [50], 'The body must be a JSON object { "minOnlinePercent" }'],
  ])('400 for %s', async (_, body, message) => {
    const answer = await call('policy', await newBucket(), { body });
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toEqual({ success: false, message });
  });

  it('200 with the policy; the input row and the current row are stored', async () => {
    const bucketId = await newBucket();
    const answer = await call('policy', bucketId, { body: { minOnlinePercent: 75 } });
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toEqual({ bucketId, minOnlinePercent: 75 });
    const rows = await partitionRows(table.client, table.tableName, healthPk(bucketId));
    const input = rows.find((r) => r.sk?.S === `I#${iso(clock)}#P`);
    expect(input?.pct?.N).toBe('75');
    expect(Number(input?.expiresAt?.N)).toBe(Math.floor(clock / 1000) + 400 * 86_400);
    expect(rows.find((r) => r.sk?.S === 'POLICY')?.pct?.N).toBe('75');
  });
});

describe('PUT health/policy: the percent in force writes nothing; at most 50 changes a day', () => {
  const inputRows = async (bucketId: string) =>
    (await partitionRows(table.client, table.tableName, healthPk(bucketId))).filter((r) =>
      r.sk?.S?.endsWith('#P'),
    );

  it('the same percent again: 200 with the policy, no row written, no mark', async () => {
    const bucketId = await newBucket();
    const start = clock;
    try {
      expect((await call('policy', bucketId, { body: { minOnlinePercent: 75 } })).statusCode).toBe(
        200,
      );
      const before = await partitionRows(table.client, table.tableName, healthPk(bucketId));
      clock += MINUTE;
      const again = await call('policy', bucketId, { body: { minOnlinePercent: 75 } });
      expect(again.statusCode).toBe(200);
      expect(again.json).toEqual({ bucketId, minOnlinePercent: 75 });
      expect(await partitionRows(table.client, table.tableName, healthPk(bucketId))).toEqual(
        before,
      );
      // The default on a bucket that never had a policy: nothing at all.
      const fresh = await newBucket();
      const byDefault = await call('policy', fresh, { body: { minOnlinePercent: 50 } });
      expect(byDefault.json).toEqual({ bucketId: fresh, minOnlinePercent: 50 });
      expect(await partitionRows(table.client, table.tableName, healthPk(fresh))).toEqual([]);
    } finally {
      clock = start;
    }
  });

  it('the 51st change of a UTC day is a 409 and writes nothing; the next day may change it', async () => {
    const bucketId = await newBucket();
    const start = clock;
    const dayEnd = Date.parse('2026-12-07T00:00:00.000Z');
    try {
      for (let i = 0; i < MAX_POLICY_CHANGES_PER_DAY; i++) {
        clock = start + i;
        const pct = 60 + (i % 2);
        expect(
          (await call('policy', bucketId, { body: { minOnlinePercent: pct } })).statusCode,
        ).toBe(200);
      }
      clock = dayEnd - 1;
      const mark = await markOf(bucketId);
      const refused = await call('policy', bucketId, { body: { minOnlinePercent: 90 } });
      expect(refused.statusCode).toBe(409);
      expect(refused.json).toEqual({
        success: false,
        message: `A bucket's health policy changes at most 50 times per UTC day; try again after ${iso(dayEnd)}`,
      });
      // The percent in force is no change, and no 409.
      expect((await call('policy', bucketId, { body: { minOnlinePercent: 61 } })).statusCode).toBe(
        200,
      );
      expect(await inputRows(bucketId)).toHaveLength(MAX_POLICY_CHANGES_PER_DAY);
      expect(await markOf(bucketId)).toEqual(mark);
      clock = dayEnd;
      expect((await call('policy', bucketId, { body: { minOnlinePercent: 90 } })).statusCode).toBe(
        200,
      );
      expect(await inputRows(bucketId)).toHaveLength(MAX_POLICY_CHANGES_PER_DAY + 1);
    } finally {
      clock = start;
    }
  });

  it("concurrent changes never pass the day's limit", async () => {
    const bucketId = await newBucket();
    const start = clock;
    try {
      for (let i = 0; i < MAX_POLICY_CHANGES_PER_DAY - 2; i++) {
        clock = start + i;
        await call('policy', bucketId, { body: { minOnlinePercent: 60 + (i % 2) } });
      }
      clock = start + HOUR;
      const answers = await Promise.all(
        [70, 71, 72, 73].map((pct) =>
          call('policy', bucketId, { body: { minOnlinePercent: pct } }),
        ),
      );
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 409, 409]);
    } finally {
      clock = start;
    }
  });
});

describe('every write marks the bucket for the sweep, at its input instant', () => {
  it('create: at the window start', async () => {
    const bucketId = await newBucket();
    await create(bucketId, window(3 * HOUR, HOUR));
    expect(await markOf(bucketId)).toEqual({ sweepAt: `H${iso(clock + 3 * HOUR)}`, markSeq: 1 });
    // An earlier window moves the mark earlier; a later one only counts.
    await create(bucketId, window(HOUR, HOUR));
    expect(await markOf(bucketId)).toEqual({ sweepAt: `H${iso(clock + HOUR)}`, markSeq: 2 });
    await create(bucketId, window(5 * HOUR, HOUR));
    expect(await markOf(bucketId)).toEqual({ sweepAt: `H${iso(clock + HOUR)}`, markSeq: 3 });
  });

  it('delete of an active window: at the deletion instant', async () => {
    const bucketId = await newBucket();
    const active = await create(bucketId, window(0, HOUR));
    await clearMark(bucketId);
    clock += 5 * MINUTE;
    try {
      await call('delete', bucketId, { windowId: active.id as string });
      expect(await markOf(bucketId)).toEqual({ sweepAt: `H${iso(clock)}`, markSeq: 2 });
    } finally {
      clock -= 5 * MINUTE;
    }
  });

  it('policy: at the change', async () => {
    const bucketId = await newBucket();
    await call('policy', bucketId, { body: { minOnlinePercent: 60 } });
    expect(await markOf(bucketId)).toEqual({ sweepAt: `H${iso(clock)}`, markSeq: 1 });
  });

  it('a refused write leaves no mark', async () => {
    const bucketId = await newBucket();
    await call('create', bucketId, { body: window(HOUR, 0) });
    await call('policy', bucketId, { body: { minOnlinePercent: 0 } });
    await call('create', bucketId, { user: 'ws-read', body: window(HOUR, HOUR) });
    expect(await markOf(bucketId)).toEqual({ sweepAt: undefined, markSeq: 0 });
  });
});

describe('who may call each route', () => {
  const MANAGERS: [string, number][] = [
    ['ws-read', 403],
    ['ws-write', 403],
    ['ws-admin', 200],
    ['org-owner', 200],
    ['org-admin', 200],
    ['org-member', 403],
    ['other-org-owner', 403],
    ['other-org-ws-admin', 403],
    ['disabled-admin', 403],
    ['revoked-admin', 401],
    ['no-such-user', 404],
  ];

  it.each(MANAGERS)('%s: POST, DELETE and PUT policy %i', async (user, expected) => {
    const bucketId = await newBucket();
    const made = await create(bucketId, window(HOUR, HOUR));
    const created = await call('create', bucketId, { user, body: window(2 * HOUR, HOUR) });
    expect(created.statusCode).toBe(expected === 200 ? 201 : expected);
    const deleted = await call('delete', bucketId, { user, windowId: made.id as string });
    expect(deleted.statusCode).toBe(expected === 200 ? 204 : expected);
    const policy = await call('policy', bucketId, { user, body: { minOnlinePercent: 80 } });
    expect(policy.statusCode).toBe(expected);
    if (expected !== 200) {
      for (const answer of [created, deleted, policy]) {
        expect(answer.json).toEqual({ success: false, message: expect.any(String) });
      }
      expect(await listed(bucketId)).toEqual([made]);
    }
  });

  it.each(MANAGERS.map(([user, status]) => [user, user.startsWith('ws-') ? 200 : status] as const))(
    '%s: GET maintenance %i',
    async (user, expected) => {
      const answer = await call('list', await newBucket(), { user });
      expect(answer.statusCode).toBe(expected);
    },
  );

  it.each(accessMatrix(ORG))(
    'GET maintenance, the read rule: %s',
    async (_, profile, role, expected) => {
      const bucketId = await newBucket();
      const userId = `u-${randomUUID().slice(0, 8)}`;
      await seed.user(userId, profile);
      if (role !== undefined) await seed.membership(userId, WORKSPACE, role);
      expect((await call('list', bucketId, { user: userId })).statusCode).toBe(expected);
    },
  );

  it('404 for an unknown bucket; 403 for another org’s bucket; 401 for a forged token', async () => {
    for (const route of ['create', 'list', 'delete', 'policy'] as const) {
      const options = {
        ...(route === 'delete' && { windowId: 'mw_AAAAAAAAAAAAAAAAAAAAAA' }),
        ...(route === 'create' && { body: window(HOUR, HOUR) }),
        ...(route === 'policy' && { body: { minOnlinePercent: 50 } }),
      };
      const missing = await call(route, 'no-such-bucket', { user: 'org-owner', ...options });
      expect(missing.statusCode, route).toBe(404);
      expect(missing.json.message, route).toBe('Bucket not found');
      expect((await call(route, 'b-other-org', { user: 'org-owner', ...options })).statusCode).toBe(
        403,
      );
      const forged = await hs256Token('ws-admin', {
        secret: 'another-secret-that-is-32-bytes-long!!',
      });
      expect((await call(route, 'b-other-org', { token: forged, ...options })).statusCode).toBe(
        401,
      );
    }
  });
});
