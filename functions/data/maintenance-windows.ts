/**
 * Maintenance window rows (DESIGN.md section 15; docs/ARCHITECTURE.md, "Bucket health"), in the
 * bucket's health partition:
 *
 *   pk HEALTH#<bucketId>  sk W#<slot 00-19>    an active or upcoming window (or one that ended
 *                                              and whose slot was not reused yet)
 *   pk HEALTH#<bucketId>  sk X#<windowId>      an ended window kept for the listing, TTL
 *                                              expiresAt = end + 31 days
 *   id, start, end, createdAt (N, epoch ms), reason (S, optional)
 *
 * The twenty slot keys make the limit race-safe without transactions (dynalite has none): a
 * slot is free when absent or when its window has ended; taking it is one PutItem conditioned
 * on what was read there (absent, or the same ended window, which is first copied to its X#
 * row), so two creators racing for a slot cannot both win, and a twenty-first open window has
 * no key to go to. A window deleted while active gets `end` = the deletion instant on its slot
 * (conditioned on it being active still), then its X# copy, then the slot is freed.
 *
 * The number of windows a bucket keeps (active, upcoming, and ended within the last 31 days:
 * MAX_KEPT_WINDOWS) is counted by one ledger row, outside that range so that no read of the
 * windows loads it:
 *
 *   pk HEALTH#<bucketId>  sk C#WINDOWS         w (M: window id -> N, epoch ms it stops
 *                                              counting: its end + 31 days), ver (N)
 *
 * A creator reads it with the windows (same round trip), drops the entries whose instant has
 * passed, adds the stored windows and its own, and writes it back on condition that `ver` is
 * what it read, before it claims a slot: of two creators at the limit one write fails, and its
 * creator reads again and finds no room. A creator that then finds no free slot removes its
 * entry again; a removed upcoming window's entry is removed, an active one's moved to its new
 * end. A creator that fails between its ledger write and its slot leaves an entry that counts
 * until it expires: the count can only be too high, never too low.
 *
 * Every write that changes what the verdict timeline sees marks the bucket for the sweep
 * (functions/data/health-marks.ts) after it landed: a new window at its start, an active one
 * ended at the deletion instant.
 */
import { randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { Unavailable } from '../domain/errors.ts';
import type { MaintenanceWindow } from '../domain/health.ts';
import {
  assertRoomForWindow,
  deletionOf,
  isOpenWindow,
  KEPT_AFTER_END_MS,
  keptWindows,
  MAX_KEPT_WINDOWS,
  MAX_OPEN_WINDOWS,
  tooManyWindows,
  type WindowRequest,
} from '../domain/maintenance.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, N, readNumber, readString, S } from './attributes.ts';
import { createHealthMarker, type MarkHealth } from './health-marks.ts';
import { healthPk } from './keys.ts';

export const WINDOW_SLOT_PREFIX = 'W#';
export const ENDED_WINDOW_PREFIX = 'X#';
export const windowSlotSk = (slot: number) =>
  `${WINDOW_SLOT_PREFIX}${String(slot).padStart(2, '0')}`;
export const endedWindowSk = (windowId: string) => `${ENDED_WINDOW_PREFIX}${windowId}`;
/**
 * One Query of `sk BETWEEN W# AND X$` reads both ranges and nothing else of the partition:
 * STATE, E#, D#, I#, POLICY all sort before `W`; `X#<id>` sorts before `X$` (`#` < `$`).
 */
const WINDOW_RANGE = { from: WINDOW_SLOT_PREFIX, to: 'X$' } as const;
/**
 * What one read of the windows loads at most, in one page: the slots, the X# rows of the kept
 * windows, and as many again of rows past their retention that the TTL has not removed yet
 * (it takes up to a few days; at most about 100 windows can pass their retention in that
 * time, since each counts for 31 days).
 */
export const MAX_WINDOW_ROWS = 2 * (MAX_OPEN_WINDOWS + MAX_KEPT_WINDOWS);
/** The ledger row of the bucket's kept windows. */
export const WINDOW_LEDGER_SK = 'C#WINDOWS';
const LEDGER_ATTR = { entries: 'w', version: 'ver' } as const;
const MAX_LEDGER_ATTEMPTS = 5;

/** The stored attribute names of a window row. */
export const WINDOW_ATTR = {
  id: 'id',
  start: 'start',
  end: 'end',
  reason: 'reason',
  createdAt: 'createdAt',
  /** X# rows only: the TTL, epoch seconds. */
  expiresAt: 'expiresAt',
} as const;
const W = WINDOW_ATTR;

/** `mw_` + 22 base64url characters (128 random bits). */
export const newWindowId = () => `mw_${randomBytes(16).toString('base64url')}`;

/** A window as stored: in slot `slot` (a W# row), or `undefined` for an X# row. */
export interface StoredWindow extends MaintenanceWindow {
  slot: number | undefined;
}

const SLOT_OF_SK: ReadonlyMap<string, number> = new Map(
  Array.from({ length: MAX_OPEN_WINDOWS }, (_, slot) => [windowSlotSk(slot), slot]),
);

function toWindow(item: Item): MaintenanceWindow | undefined {
  const id = readString(item, W.id);
  const start = readNumber(item, W.start);
  const end = readNumber(item, W.end);
  const createdAt = readNumber(item, W.createdAt);
  if (id === undefined || start === undefined || end === undefined || createdAt === undefined) {
    return undefined;
  }
  const reason = readString(item, W.reason);
  return { id, start, end, ...(reason !== undefined && { reason }), createdAt };
}

function windowItem(bucketId: string, sk: string, window: MaintenanceWindow): Item {
  return {
    pk: S(healthPk(bucketId)),
    sk: S(sk),
    [W.id]: S(window.id),
    [W.start]: N(window.start),
    [W.end]: N(window.end),
    ...(window.reason !== undefined && { [W.reason]: S(window.reason) }),
    [W.createdAt]: N(window.createdAt),
  };
}

const MAX_DELETE_ATTEMPTS = 5;

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * Every stored window, one per id (a window briefly has both rows while its slot is freed or
 * reused: the slot's row wins), in no particular order.
 */
export function uniqueWindows(stored: readonly StoredWindow[]): StoredWindow[] {
  const byId = new Map<string, StoredWindow>();
  for (const window of stored) {
    const seen = byId.get(window.id);
    if (seen === undefined || (seen.slot === undefined && window.slot !== undefined)) {
      byId.set(window.id, window);
    }
  }
  return [...byId.values()];
}

/**
 * The W# and X# rows, one consistent Query of one page (at most MAX_WINDOW_ROWS rows: the
 * slots first, then the X# rows by id). Apart from the store, so that a function that only
 * reads windows bundles none of the store's writes.
 */
function createStoredWindowsReader(client: DynamoDBClient, tableName: string) {
  return async function loadStoredWindows(bucketId: string): Promise<StoredWindow[]> {
    const stored: StoredWindow[] = [];
    const page = await client
      .send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': S(healthPk(bucketId)),
            ':from': S(WINDOW_RANGE.from),
            ':to': S(WINDOW_RANGE.to),
          },
          ConsistentRead: true,
          Limit: MAX_WINDOW_ROWS,
        }),
      )
      .catch(rethrowAsUnavailable);
    for (const item of page.Items ?? []) {
      const sk = readString(item, 'sk') ?? '';
      const slot = SLOT_OF_SK.get(sk);
      if (slot === undefined && !sk.startsWith(ENDED_WINDOW_PREFIX)) continue;
      const window = toWindow(item);
      if (window !== undefined) stored.push({ ...window, slot });
    }
    return uniqueWindows(stored);
  };
}

export function createMaintenanceWindowStore(
  client: DynamoDBClient,
  tableName: string,
  options: { markHealth?: MarkHealth } = {},
) {
  const markHealth = options.markHealth ?? createHealthMarker(client, tableName);
  const loadStoredWindows = createStoredWindowsReader(client, tableName);

  const ledgerKey = (bucketId: string) => ({
    pk: S(healthPk(bucketId)),
    sk: S(WINDOW_LEDGER_SK),
  });

  /** The ledger: its entries (id -> instant it stops counting) and version (0: no row). */
  async function loadLedger(
    bucketId: string,
  ): Promise<{ entries: Map<string, number>; version: number }> {
    const { Item: item } = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: ledgerKey(bucketId),
          ConsistentRead: true,
        }),
      )
      .catch(rethrowAsUnavailable);
    const entries = new Map<string, number>();
    for (const [id, value] of Object.entries(item?.[LEDGER_ATTR.entries]?.M ?? {})) {
      const until = Number(value.N);
      if (Number.isFinite(until)) entries.set(id, until);
    }
    return {
      entries,
      version: item === undefined ? 0 : (readNumber(item, LEDGER_ATTR.version) ?? 0),
    };
  }

  /** Writes the ledger `entries` as version `version + 1`, if it is still at `version`. */
  function writeLedger(
    bucketId: string,
    entries: ReadonlyMap<string, number>,
    version: number,
  ): Promise<boolean> {
    const map: Record<string, AttributeValue> = {};
    for (const [id, until] of entries) map[id] = N(until);
    return conditional(() =>
      client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...ledgerKey(bucketId),
            [LEDGER_ATTR.entries]: { M: map },
            [LEDGER_ATTR.version]: N(version + 1),
          },
          ...(version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#ver = :ver',
                ExpressionAttributeNames: { '#ver': LEDGER_ATTR.version },
                ExpressionAttributeValues: { ':ver': N(version) },
              }),
        }),
      ),
    );
  }

  /**
   * The ledger entry of `windowId`: removed (`until` undefined) or set to `until`; nothing
   * when it has none (a window stored before the ledger counted it).
   */
  async function updateLedgerEntry(
    bucketId: string,
    windowId: string,
    until: number | undefined,
  ): Promise<void> {
    await conditional(() =>
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: ledgerKey(bucketId),
          UpdateExpression:
            until === undefined
              ? 'REMOVE #w.#id ADD #ver :one'
              : 'SET #w.#id = :until ADD #ver :one',
          ConditionExpression: 'attribute_exists(#w.#id)',
          ExpressionAttributeNames: {
            '#w': LEDGER_ATTR.entries,
            '#id': windowId,
            '#ver': LEDGER_ATTR.version,
          },
          ExpressionAttributeValues: {
            ':one': N(1),
            ...(until !== undefined && { ':until': N(until) }),
          },
        }),
      ),
    );
  }

  /**
   * Counts `window` in the ledger at `now` (409 when the bucket keeps MAX_KEPT_WINDOWS
   * already, or MAX_OPEN_WINDOWS open ones); returns the windows read.
   */
  async function countWindow(
    bucketId: string,
    window: MaintenanceWindow,
    now: number,
  ): Promise<StoredWindow[]> {
    // Each retry follows a ledger write of another request: a few at most.
    for (let attempt = 0; attempt < MAX_LEDGER_ATTEMPTS; attempt++) {
      const [stored, ledger] = await Promise.all([
        loadStoredWindows(bucketId),
        loadLedger(bucketId),
      ]);
      if (
        stored.filter((w) => w.slot !== undefined && isOpenWindow(w, now)).length >=
        MAX_OPEN_WINDOWS
      ) {
        throw tooManyWindows();
      }
      const kept = keptWindows(ledger.entries, stored, now);
      assertRoomForWindow(kept);
      kept.set(window.id, window.end + KEPT_AFTER_END_MS);
      if (await writeLedger(bucketId, kept, ledger.version)) return stored;
    }
    throw new Unavailable('The maintenance windows keep changing; try again');
  }

  /** The ended window's X# row (idempotent: same content, same key). */
  async function archive(bucketId: string, window: MaintenanceWindow): Promise<void> {
    await client
      .send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...windowItem(bucketId, endedWindowSk(window.id), window),
            [W.expiresAt]: N(Math.floor((window.end + KEPT_AFTER_END_MS) / 1000)),
          },
        }),
      )
      .catch(rethrowAsUnavailable);
  }

  /**
   * Puts `window` in `slot` if the slot still holds what was read there: nothing, or the ended
   * window `replacing` (already archived). False when another writer got there first.
   */
  async function claimSlot(
    bucketId: string,
    slot: number,
    window: MaintenanceWindow,
    replacing: MaintenanceWindow | undefined,
  ): Promise<boolean> {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: windowItem(bucketId, windowSlotSk(slot), window),
          ...(replacing === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#id = :old',
                ExpressionAttributeNames: { '#id': W.id },
                ExpressionAttributeValues: { ':old': S(replacing.id) },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      return rethrowAsUnavailable(error);
    }
  }

  /** Runs a conditional write; false when its condition failed. */
  async function conditional(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      return rethrowAsUnavailable(error);
    }
  }

  const slotKey = (bucketId: string, slot: number) => ({
    pk: S(healthPk(bucketId)),
    sk: S(windowSlotSk(slot)),
  });

  return {
    /**
     * Every stored window of the bucket, one per id, as the verdict timeline reads them
     * (ended ones included until their rows expire). One consistent Query.
     */
    loadWindows: createWindowLoader(client, tableName),

    loadStoredWindows,

    /**
     * Stores a validated window at `now`: counts it in the ledger (409 when the bucket keeps
     * MAX_KEPT_WINDOWS), then puts it in a free slot (409 when every slot holds an open
     * window, counting those another creator takes meanwhile), then marks the bucket at its
     * start. Returns the stored window.
     */
    async addWindow(
      bucketId: string,
      request: WindowRequest,
      now: number,
      newId: () => string = newWindowId,
    ): Promise<MaintenanceWindow> {
      const window: MaintenanceWindow = {
        id: newId(),
        start: request.start,
        end: request.end,
        ...(request.reason !== undefined && { reason: request.reason }),
        createdAt: now,
      };
      const stored = await countWindow(bucketId, window, now);
      const inSlot = new Map<number, StoredWindow>();
      for (const w of stored) if (w.slot !== undefined) inSlot.set(w.slot, w);
      for (let slot = 0; slot < MAX_OPEN_WINDOWS; slot++) {
        const held = inSlot.get(slot);
        if (held !== undefined && isOpenWindow(held, now)) continue;
        if (held !== undefined) await archive(bucketId, held);
        if (await claimSlot(bucketId, slot, window, held)) {
          await markHealth(bucketId, window.start);
          return window;
        }
      }
      await updateLedgerEntry(bucketId, window.id, undefined);
      throw tooManyWindows();
    },

    /**
     * Deletes the window `windowId` at `now` (DESIGN.md section 15): an upcoming one is
     * removed; an active one ends at `now` (the bucket is marked at `now`), is copied to its X#
     * row and its slot freed. Ended: Conflict; unknown: NotFound. A window another request
     * changed meanwhile is read again and judged anew.
     */
    async deleteWindow(
      bucketId: string,
      windowId: string,
      now: number,
    ): Promise<{ outcome: 'removed' | 'ended'; window: MaintenanceWindow }> {
      // Each retry follows a write of another request to this window: a few at most.
      for (let attempt = 0; ; attempt++) {
        if (attempt === MAX_DELETE_ATTEMPTS) {
          throw new Unavailable('The maintenance window keeps changing; try again');
        }
        const window = (await loadStoredWindows(bucketId)).find((w) => w.id === windowId);
        const action = deletionOf(window, now);
        const { slot, ...found } = window as StoredWindow;
        // An open window always has a slot: an X# row holds only ended ones.
        if (slot === undefined) throw new Error(`window ${windowId} is open without a slot`);
        if (action === 'remove') {
          const removed = await conditional(() =>
            client.send(
              new DeleteItemCommand({
                TableName: tableName,
                Key: slotKey(bucketId, slot),
                ConditionExpression: '#id = :id AND #start > :now',
                ExpressionAttributeNames: { '#id': W.id, '#start': W.start },
                ExpressionAttributeValues: { ':id': S(windowId), ':now': N(now) },
              }),
            ),
          );
          if (!removed) continue;
          await updateLedgerEntry(bucketId, windowId, undefined);
          return { outcome: 'removed', window: found };
        }
        const ended = await conditional(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: slotKey(bucketId, slot),
              UpdateExpression: 'SET #end = :now',
              ConditionExpression: '#id = :id AND #start <= :now AND #end > :now',
              ExpressionAttributeNames: { '#id': W.id, '#start': W.start, '#end': W.end },
              ExpressionAttributeValues: { ':id': S(windowId), ':now': N(now) },
            }),
          ),
        );
        if (!ended) continue;
        const endedWindow = { ...found, end: now };
        await markHealth(bucketId, now);
        await updateLedgerEntry(bucketId, windowId, now + KEPT_AFTER_END_MS);
        await archive(bucketId, endedWindow);
        // Frees the slot unless a creator reused it already (after archiving it itself).
        await conditional(() =>
          client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: slotKey(bucketId, slot),
              ConditionExpression: '#id = :id',
              ExpressionAttributeNames: { '#id': W.id },
              ExpressionAttributeValues: { ':id': S(windowId) },
            }),
          ),
        );
        return { outcome: 'ended', window: endedWindow };
      }
    },
  };
}

export type MaintenanceWindowStore = ReturnType<typeof createMaintenanceWindowStore>;

/** The verdict timeline's read of a bucket's windows (the sweep, the health reads). */
export function createWindowLoader(client: DynamoDBClient, tableName: string) {
  const loadStoredWindows = createStoredWindowsReader(client, tableName);
  return async (bucketId: string): Promise<MaintenanceWindow[]> =>
    (await loadStoredWindows(bucketId)).map(({ slot: _slot, ...window }) => window);
}
