// The window and policy rows (functions/data/maintenance-windows.ts, health-policy.ts) as the
// sweep and the health reads will read them, on the run's engine: loadWindows gives every
// stored window once, concurrent writers leave consistent rows, and the current policy and the
// timeline's policy inputs agree however two changes interleave.
import { randomUUID } from 'node:crypto';
import { PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createHealthPolicyStore,
  type HealthPolicyStore,
  policyInputOf,
  policyInputSk,
} from '../../functions/data/health-policy.ts';
import { healthPk } from '../../functions/data/keys.ts';
import {
  createMaintenanceWindowStore,
  endedWindowSk,
  type MaintenanceWindowStore,
  uniqueWindows,
  windowSlotSk,
} from '../../functions/data/maintenance-windows.ts';
import { Conflict, NotFound, Unavailable } from '../../functions/domain/errors.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { createTestTable, partitionRows, type TestTable } from '../support/table.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-06T12:00:00.000Z');

let table: TestTable;
let windows: MaintenanceWindowStore;
let policies: HealthPolicyStore;
const bucket = () => `b-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  table = await createTestTable('health-data');
  windows = createMaintenanceWindowStore(table.client, table.tableName);
  policies = createHealthPolicyStore(table.client, table.tableName, { historyRetentionDays: 400 });
});

/**
 * A client on the test engine that runs `after(n)` once the n-th Query (from 1) was answered:
 * another request's write, landing between a reader's Query and its conditional write.
 */
function interleaved(after: (queries: number) => Promise<unknown>) {
  const client = createDynamoClient({ endpoint: table.endpoint });
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  let queries = 0;
  client.send = (async (command: unknown) => {
    const output = await send(command);
    if (command instanceof QueryCommand) await after(++queries);
    return output;
  }) as typeof client.send;
  return client;
}

const put = (item: Record<string, { S: string } | { N: string }>) =>
  table.client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));

describe('loadWindows', () => {
  it('every stored window once (slot row first), none of the partition’s other rows', async () => {
    const b = bucket();
    const a = await windows.addWindow(b, { start: T0 + HOUR, end: T0 + 2 * HOUR, reason: 'a' }, T0);
    // A window whose X# copy exists while its slot is not yet freed, with a differing end: the
    // slot's row is the truth.
    await put({
      pk: { S: healthPk(b) },
      sk: { S: endedWindowSk(a.id) },
      id: { S: a.id },
      start: { N: String(a.start) },
      end: { N: String(a.start + 1) },
      createdAt: { N: String(T0) },
    });
    // An ended window in its X# row only; rows the loader must skip.
    await put({
      pk: { S: healthPk(b) },
      sk: { S: endedWindowSk('mw_old') },
      id: { S: 'mw_old' },
      start: { N: String(T0 - 3 * HOUR) },
      end: { N: String(T0 - 2 * HOUR) },
      createdAt: { N: String(T0 - 4 * HOUR) },
    });
    await put({
      pk: { S: healthPk(b) },
      sk: { S: 'W#20' },
      id: { S: 'mw_bad' },
      start: { N: '1' },
      end: { N: '2' },
      createdAt: { N: '0' },
    });
    await put({ pk: { S: healthPk(b) }, sk: { S: 'STATE' }, id: { S: 'mw_state' } });
    await policies.setPolicy(b, 70, T0);
    const loaded = await windows.loadWindows(b);
    expect(loaded.sort((x, y) => x.start - y.start)).toEqual([
      { id: 'mw_old', start: T0 - 3 * HOUR, end: T0 - 2 * HOUR, createdAt: T0 - 4 * HOUR },
      { id: a.id, start: T0 + HOUR, end: T0 + 2 * HOUR, reason: 'a', createdAt: T0 },
    ]);
  });
});

describe('uniqueWindows', () => {
  it('keeps one window per id, the slot row over the ended copy, in either order', () => {
    const slot = { id: 'mw_a', start: 1, end: 5, createdAt: 0, slot: 3 };
    const copy = { id: 'mw_a', start: 1, end: 2, createdAt: 0, slot: undefined };
    const other = { id: 'mw_b', start: 1, end: 2, createdAt: 0, slot: undefined };
    expect(uniqueWindows([copy, slot, other])).toEqual([slot, other]);
    expect(uniqueWindows([slot, copy, other])).toEqual([slot, other]);
    expect(uniqueWindows([other, other])).toEqual([other]);
  });

  it('skips rows without the window attributes', async () => {
    const b = bucket();
    const base = {
      pk: { S: healthPk(b) },
      id: { S: 'mw_x' },
      start: { N: '1' },
      end: { N: '2' },
      createdAt: { N: '0' },
    };
    for (const missing of ['id', 'start', 'end', 'createdAt'] as const) {
      const { [missing]: _dropped, ...item } = { ...base, id: { S: `mw_no_${missing}` } };
      await put({ ...item, sk: { S: endedWindowSk(`mw_no_${missing}`) } });
    }
    await put({ ...base, sk: { S: windowSlotSk(5) }, reason: { S: 'kept' } });
    await put({ ...base, id: { S: 'mw_y' }, sk: { S: windowSlotSk(6) } });
    const loaded = await windows.loadWindows(b);
    expect(loaded).toEqual([
      { id: 'mw_x', start: 1, end: 2, reason: 'kept', createdAt: 0 },
      { id: 'mw_y', start: 1, end: 2, createdAt: 0 },
    ]);
    expect(Object.hasOwn(loaded[1] as object, 'reason')).toBe(false);
  });
});

describe('concurrent window writes', () => {
  it('two deletes of one active window: one ends it, the other finds it ended', async () => {
    const b = bucket();
    const w = await windows.addWindow(b, { start: T0, end: T0 + HOUR, reason: undefined }, T0);
    const results = await Promise.allSettled([
      windows.deleteWindow(b, w.id, T0 + 1000),
      windows.deleteWindow(b, w.id, T0 + 1000),
    ]);
    const ended = results.filter((r) => r.status === 'fulfilled');
    expect(ended).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(Conflict);
    expect(await windows.loadWindows(b)).toEqual([{ ...w, end: T0 + 1000 }]);
  });

  it('a slot is replaced only if it holds what the creator read there', async () => {
    const b = bucket();
    // An ended window in slot 00.
    const old = await windows.addWindow(b, { start: T0, end: T0 + 1, reason: undefined }, T0);
    // Another creator takes slot 00 just after this creator's read of the slots.
    const other = { id: 'mw_other', start: T0 + HOUR, end: T0 + 2 * HOUR, createdAt: T0 };
    const raced = createDynamoClient({ endpoint: table.endpoint });
    const send = raced.send.bind(raced) as (command: unknown) => Promise<unknown>;
    let interleaved = false;
    raced.send = (async (command: unknown) => {
      const output = await send(command);
      if (command instanceof QueryCommand && !interleaved) {
        interleaved = true;
        await put({
          pk: { S: healthPk(b) },
          sk: { S: windowSlotSk(0) },
          id: { S: other.id },
          start: { N: String(other.start) },
          end: { N: String(other.end) },
          createdAt: { N: String(other.createdAt) },
        });
      }
      return output;
    }) as typeof raced.send;
    const stale = createMaintenanceWindowStore(raced, table.tableName);
    const created = await stale.addWindow(
      b,
      { start: T0 + HOUR, end: T0 + 3 * HOUR, reason: 'n' },
      T0 + 10,
    );
    raced.destroy();
    expect(interleaved).toBe(true);
    // It archived the ended window it read, lost slot 00 to the other creator, took 01.
    const rows = await partitionRows(table.client, table.tableName, healthPk(b));
    const slots = Object.fromEntries(
      rows.filter((r) => r.sk?.S?.startsWith('W#')).map((r) => [r.sk?.S, r.id?.S]),
    );
    expect(slots).toEqual({ [windowSlotSk(0)]: other.id, [windowSlotSk(1)]: created.id });
    expect(rows.some((r) => r.sk?.S === endedWindowSk(old.id))).toBe(true);
  });
});

describe('deleteWindow against other writers', () => {
  const slotRow = (b: string, id: string, start: number, end: number) =>
    put({
      pk: { S: healthPk(b) },
      sk: { S: windowSlotSk(0) },
      id: { S: id },
      start: { N: String(start) },
      end: { N: String(end) },
      createdAt: { N: String(T0) },
    });

  it('reports the outcome: removed (upcoming) or ended (active)', async () => {
    const b = bucket();
    const upcoming = await windows.addWindow(
      b,
      { start: T0 + HOUR, end: T0 + 2 * HOUR, reason: undefined },
      T0,
    );
    expect(Object.hasOwn(upcoming, 'reason')).toBe(false);
    expect(await windows.deleteWindow(b, upcoming.id, T0)).toEqual({
      outcome: 'removed',
      window: upcoming,
    });
    const active = await windows.addWindow(b, { start: T0, end: T0 + HOUR, reason: 'r' }, T0);
    expect(await windows.deleteWindow(b, active.id, T0 + 5)).toEqual({
      outcome: 'ended',
      window: { ...active, end: T0 + 5 },
    });
    const [loaded] = await windows.loadWindows(b);
    expect(loaded).toEqual({ ...active, end: T0 + 5 });
  });

  it('an upcoming window another request deleted meanwhile is a 404, not removed twice', async () => {
    const b = bucket();
    const w = await windows.addWindow(
      b,
      { start: T0 + HOUR, end: T0 + 2 * HOUR, reason: undefined },
      T0,
    );
    const client = interleaved(async (n) => {
      if (n === 1) await windows.deleteWindow(b, w.id, T0);
    });
    const racing = createMaintenanceWindowStore(client, table.tableName);
    await expect(racing.deleteWindow(b, w.id, T0)).rejects.toBeInstanceOf(NotFound);
    client.destroy();
  });

  it('a window that keeps changing under it: 503 after a few attempts', async () => {
    const b = bucket();
    const w = await windows.addWindow(
      b,
      { start: T0 + HOUR, end: T0 + 2 * HOUR, reason: undefined },
      T0,
    );
    // After each read the window flips between upcoming and active, so each conditional write
    // meets the other phase.
    const client = interleaved(async (n) =>
      n % 2 === 1 ? slotRow(b, w.id, T0, T0 + HOUR) : slotRow(b, w.id, T0 + HOUR, T0 + 2 * HOUR),
    );
    const racing = createMaintenanceWindowStore(client, table.tableName);
    await expect(racing.deleteWindow(b, w.id, T0 + 1)).rejects.toThrow(
      new Unavailable('The maintenance window keeps changing; try again'),
    );
    client.destroy();
  });
});

describe('a table that fails', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await FaultProxy.start(table.endpoint);
    return () => proxy.close();
  });

  const stores = () => {
    const client = createDynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
    return {
      client,
      windows: createMaintenanceWindowStore(client, table.tableName),
      policies: createHealthPolicyStore(client, table.tableName, { historyRetentionDays: 400 }),
    };
  };

  it.each(['PutItem', 'DeleteItem', 'UpdateItem'])(
    'a window write whose %s fails is a 503, not a lost race',
    async (operation) => {
      const b = bucket();
      const w = await windows.addWindow(b, { start: T0, end: T0 + HOUR, reason: undefined }, T0);
      const upcoming = await windows.addWindow(
        b,
        { start: T0 + HOUR, end: T0 + 2 * HOUR, reason: undefined },
        T0,
      );
      const { client, windows: failing } = stores();
      proxy.clear();
      proxy.fail({ kind: 'internal', operation, times: Number.POSITIVE_INFINITY });
      try {
        const write =
          operation === 'PutItem'
            ? failing.addWindow(b, { start: T0 + HOUR, end: T0 + 2 * HOUR, reason: undefined }, T0)
            : failing.deleteWindow(b, operation === 'DeleteItem' ? upcoming.id : w.id, T0 + 1);
        // The engine's fault itself, not a lost race read again and again.
        await expect(write).rejects.toMatchObject({
          name: 'Unavailable',
          message: 'The service is busy; retry shortly',
        });
      } finally {
        proxy.clear();
        client.destroy();
      }
    },
  );

  it("a window's slot write that fails is a 503, not a slot another writer took", async () => {
    const b = bucket();
    const { client, windows: failing } = stores();
    proxy.clear();
    // Only the first slot's PutItem fails (the ledger's write goes through).
    proxy.fail({
      kind: 'internal',
      operation: 'PutItem',
      bodyIncludes: `"${windowSlotSk(0)}"`,
      times: Number.POSITIVE_INFINITY,
    });
    try {
      const write = failing.addWindow(b, { start: T0, end: T0 + HOUR, reason: undefined }, T0);
      await expect(write).rejects.toMatchObject({
        name: 'Unavailable',
        message: 'The service is busy; retry shortly',
      });
      expect(proxy.seen.filter((r) => r.faulted !== undefined)).toHaveLength(1);
    } finally {
      proxy.clear();
      client.destroy();
    }
  });

  it('a policy write that fails is a 503, and marks nothing', async () => {
    const b = bucket();
    const { client, policies: failing } = stores();
    proxy.clear();
    proxy.fail({ kind: 'internal', operation: 'PutItem', times: Number.POSITIVE_INFINITY });
    try {
      await expect(failing.setPolicy(b, 60, T0)).rejects.toBeInstanceOf(Unavailable);
      // The day's count of changes is an UpdateItem too; the mark (of STATE) is not sent.
      const updates = proxy.seen.filter((r) => r.operation === 'UpdateItem');
      expect(updates.map((r) => JSON.parse(r.body).Key.sk.S)).toEqual(['C#POLICY#2026-12-06']);
    } finally {
      proxy.clear();
      client.destroy();
    }
  });
});

describe('policy rows', () => {
  it('the default is 50 with no change on record', async () => {
    expect(await policies.currentPolicy(bucket())).toEqual({ minOnlinePercent: 50, at: undefined });
  });

  it('a malformed current row reads as the default', async () => {
    for (const pct of ['0', '101', '50.5', undefined]) {
      const b = bucket();
      await put({
        pk: { S: healthPk(b) },
        sk: { S: 'POLICY' },
        at: { N: String(T0) },
        ...(pct !== undefined && { pct: { N: pct } }),
      });
      expect(await policies.currentPolicy(b)).toEqual({ minOnlinePercent: 50, at: undefined });
    }
    const b = bucket();
    await put({ pk: { S: healthPk(b) }, sk: { S: 'POLICY' }, pct: { N: '100' }, at: { N: '7' } });
    expect(await policies.currentPolicy(b)).toEqual({ minOnlinePercent: 100, at: 7 });
  });

  it('the later change wins even when written first; the input rows keep both', async () => {
    const b = bucket();
    await policies.setPolicy(b, 80, T0 + 1000);
    await policies.setPolicy(b, 30, T0);
    expect(await policies.currentPolicy(b)).toEqual({ minOnlinePercent: 80, at: T0 + 1000 });
    const rows = await partitionRows(table.client, table.tableName, healthPk(b));
    expect(rows.map(policyInputOf).filter((p) => p !== undefined)).toEqual([
      { kind: 'policy', at: T0, minOnlinePercent: 30 },
      { kind: 'policy', at: T0 + 1000, minOnlinePercent: 80 },
    ]);
  });

  it('two changes in the same millisecond leave the same rows in either order', async () => {
    for (const order of [
      [40, 90],
      [90, 40],
    ]) {
      const b = bucket();
      await Promise.all(order.map((pct) => policies.setPolicy(b, pct, T0)));
      expect(await policies.currentPolicy(b)).toEqual({ minOnlinePercent: 90, at: T0 });
      const rows = await partitionRows(table.client, table.tableName, healthPk(b));
      expect(rows.find((r) => r.sk?.S === policyInputSk(T0))?.pct?.N).toBe('90');
    }
  });

  it('policyInputOf reads policy inputs only', () => {
    const row = (sk: string, pct?: string) => ({
      sk: { S: sk },
      ...(pct !== undefined && { pct: { N: pct } }),
    });
    expect(policyInputOf(row(policyInputSk(T0), '75'))).toEqual({
      kind: 'policy',
      at: T0,
      minOnlinePercent: 75,
    });
    expect(policyInputOf(row(`I#${new Date(T0).toISOString()}#U#node-1`))).toBeUndefined();
    expect(policyInputOf(row(policyInputSk(T0), '0'))).toBeUndefined();
    expect(policyInputOf(row(policyInputSk(T0)))).toBeUndefined();
    expect(policyInputOf(row('POLICY', '75'))).toBeUndefined();
    expect(policyInputOf(row('I#not-an-instant#P', '75'))).toBeUndefined();
    expect(policyInputOf(row(`X${policyInputSk(T0)}`, '75'))).toBeUndefined();
    expect(policyInputOf(row(`${policyInputSk(T0)}X`, '75'))).toBeUndefined();
    expect(policyInputOf(row(policyInputSk(T0), '1'))?.minOnlinePercent).toBe(1);
    expect(policyInputOf(row(policyInputSk(T0), '100'))?.minOnlinePercent).toBe(100);
    expect(policyInputOf(row(policyInputSk(T0), '101'))).toBeUndefined();
    expect(policyInputOf({ pct: { N: '5' } })).toBeUndefined();
  });
});

describe('the ledger of kept windows (C#WINDOWS)', () => {
  const ledgerOf = async (b: string) => {
    const row = (await partitionRows(table.client, table.tableName, healthPk(b))).find(
      (r) => r.sk?.S === 'C#WINDOWS',
    );
    return {
      ids: Object.keys(row?.w?.M ?? {}).sort(),
      until: Object.fromEntries(Object.entries(row?.w?.M ?? {}).map(([k, v]) => [k, Number(v.N)])),
      ver: Number(row?.ver?.N),
    };
  };
  const upcoming = { start: T0 + HOUR, end: T0 + 2 * HOUR, reason: undefined };
  const bumpLedger = (b: string) =>
    table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: healthPk(b) }, sk: { S: 'C#WINDOWS' } },
        UpdateExpression: 'ADD ver :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );

  it('every create counts its window until 31 days after its end, one version each', async () => {
    const b = bucket();
    const a = await windows.addWindow(b, upcoming, T0);
    const c = await windows.addWindow(b, upcoming, T0);
    expect(await ledgerOf(b)).toEqual({
      ids: [a.id, c.id].sort(),
      until: { [a.id]: T0 + 2 * HOUR + 31 * 24 * HOUR, [c.id]: T0 + 2 * HOUR + 31 * 24 * HOUR },
      ver: 2,
    });
    // A removed upcoming window leaves it; the version moves, so a creator that read it before
    // writes again.
    await windows.deleteWindow(b, a.id, T0);
    expect(await ledgerOf(b)).toMatchObject({ ids: [c.id], ver: 3 });
  });

  it('a creator whose ledger write loses to another request reads again', async () => {
    const b = bucket();
    const first = await windows.addWindow(b, upcoming, T0);
    let other: { id: string } | undefined;
    const client = interleaved(async (queries) => {
      if (queries === 1) other = await windows.addWindow(b, upcoming, T0);
    });
    const racing = createMaintenanceWindowStore(client, table.tableName);
    const mine = await racing.addWindow(b, upcoming, T0);
    client.destroy();
    expect((await ledgerOf(b)).ids).toEqual([first.id, mine.id, other?.id].sort());
    expect(await windows.loadWindows(b)).toHaveLength(3);
  });

  it('a ledger that changes under every attempt: a 503 after five', async () => {
    const b = bucket();
    await windows.addWindow(b, upcoming, T0);
    let queries = 0;
    const client = interleaved(async (n) => {
      queries = n;
      await bumpLedger(b);
    });
    const racing = createMaintenanceWindowStore(client, table.tableName);
    await expect(racing.addWindow(b, upcoming, T0)).rejects.toEqual(
      new Unavailable('The maintenance windows keep changing; try again'),
    );
    client.destroy();
    expect(queries).toBe(5);
    expect(await windows.loadWindows(b)).toHaveLength(1);
  });

  it('malformed entries are left out; a window stored without an entry still counts', async () => {
    const b = bucket();
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: healthPk(b) },
          sk: { S: 'C#WINDOWS' },
          w: { M: { bad: { S: 'x' }, gone: { N: String(T0) } } },
          ver: { N: '7' },
        },
      }),
    );
    await put({
      pk: { S: healthPk(b) },
      sk: { S: endedWindowSk('mw_legacy') },
      id: { S: 'mw_legacy' },
      start: { N: String(T0 - HOUR) },
      end: { N: String(T0 - 1) },
      createdAt: { N: String(T0 - HOUR) },
    });
    const w = await windows.addWindow(b, upcoming, T0);
    expect(await ledgerOf(b)).toMatchObject({ ids: [w.id, 'mw_legacy'].sort(), ver: 8 });
    // Ending a window the ledger does not hold is no failure.
    await expect(windows.deleteWindow(b, 'mw_legacy', T0)).rejects.toBeInstanceOf(Conflict);
  });

  it('entries count without their windows (a creator that failed after its ledger write)', async () => {
    const b = bucket();
    const entries = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`mw_phantom${i}`, { N: String(T0 + 1 + i) }]),
    );
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: healthPk(b) },
          sk: { S: 'C#WINDOWS' },
          w: { M: entries },
          ver: { N: '1' },
        },
      }),
    );
    await expect(windows.addWindow(b, upcoming, T0)).rejects.toThrow(
      /the next one stops counting at 2026-12-06T12:00:00.001Z/,
    );
    await windows.addWindow(b, upcoming, T0 + 1);
  });

  it('two first creators of a bucket: neither entry is lost', async () => {
    const b = bucket();
    let other: { id: string } | undefined;
    const client = interleaved(async (queries) => {
      if (queries === 1) other = await windows.addWindow(b, upcoming, T0);
    });
    const mine = await createMaintenanceWindowStore(client, table.tableName).addWindow(
      b,
      upcoming,
      T0,
    );
    client.destroy();
    expect((await ledgerOf(b)).ids).toEqual([mine.id, other?.id].sort());
  });

  it('an active window ended early counts until 31 days after its new end', async () => {
    const b = bucket();
    const active = await windows.addWindow(b, { start: T0, end: T0 + HOUR, reason: undefined }, T0);
    await windows.deleteWindow(b, active.id, T0 + 5);
    expect((await ledgerOf(b)).until).toEqual({ [active.id]: T0 + 5 + 31 * 24 * HOUR });
  });

  it('the 21st open window is refused before the ledger is written', async () => {
    const b = bucket();
    for (let i = 0; i < 20; i++) await windows.addWindow(b, upcoming, T0);
    const before = await ledgerOf(b);
    await expect(windows.addWindow(b, upcoming, T0)).rejects.toBeInstanceOf(Conflict);
    expect(await ledgerOf(b)).toEqual(before);
  });
});

describe('the policy: the percent in force, and the count of a day', () => {
  const counterOf = async (b: string, day: string) =>
    (await partitionRows(table.client, table.tableName, healthPk(b))).find(
      (r) => r.sk?.S === `C#POLICY#${day}`,
    );

  it('true when it changed the policy, false (nothing written) for the percent in force', async () => {
    const b = bucket();
    expect(await policies.setPolicy(b, 50, T0)).toBe(false);
    expect(await partitionRows(table.client, table.tableName, healthPk(b))).toEqual([]);
    expect(await policies.setPolicy(b, 70, T0)).toBe(true);
    expect(await policies.setPolicy(b, 70, T0 + 1)).toBe(false);
    const counter = await counterOf(b, '2026-12-06');
    // Kept until the day after the day's end: 2026-12-08T00:00:00Z.
    expect(counter).toMatchObject({ n: { N: '1' }, expiresAt: { N: '1796688000' } });
    expect(await policies.setPolicy(b, 71, Date.parse('2026-12-06T23:59:59.999Z'))).toBe(true);
    expect((await counterOf(b, '2026-12-06'))?.n?.N).toBe('2');
    expect(await policies.setPolicy(b, 72, Date.parse('2026-12-07T00:00:00.000Z'))).toBe(true);
    expect(await counterOf(b, '2026-12-07')).toMatchObject({
      n: { N: '1' },
      expiresAt: { N: '1796774400' },
    });
  });

  it('a count that cannot be written is a 503, and nothing else is written', async () => {
    const proxy = await FaultProxy.start(table.endpoint);
    const client = createDynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
    const failing = createHealthPolicyStore(client, table.tableName, { historyRetentionDays: 400 });
    const b = bucket();
    proxy.fail({ kind: 'internal', operation: 'UpdateItem', times: Number.POSITIVE_INFINITY });
    try {
      await expect(failing.setPolicy(b, 60, T0)).rejects.toBeInstanceOf(Unavailable);
      expect(proxy.seen.map((r) => r.operation)).toEqual(['GetItem', 'UpdateItem']);
      expect(await partitionRows(table.client, table.tableName, healthPk(b))).toEqual([]);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
