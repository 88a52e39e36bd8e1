import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { createApiKeyStore } from '../functions/data/api-keys.ts';
import { type Item, N, readNumber, readString, S } from '../functions/data/attributes.ts';
import { checkpointItem, entryItem } from '../functions/data/bucket-health.ts';
import { hintAttribute } from '../functions/data/bucket-timeline.ts';
import { createEventWriter } from '../functions/data/events.ts';
import { createHealthInputs } from '../functions/data/health-inputs.ts';
import { createHealthMarker } from '../functions/data/health-marks.ts';
import { createHealthPolicyStore } from '../functions/data/health-policy.ts';
import {
  bucketPk,
  HEALTH_STATE_SK,
  healthPk,
  META_SK,
  nodePk,
  nodeSk,
  PROFILE_SK,
  unassignHoldSk,
  userPk,
  workspacePk,
  workspaceSk,
} from '../functions/data/keys.ts';
import { createMaintenanceWindowStore } from '../functions/data/maintenance-windows.ts';
import { decodePendingEvents } from '../functions/data/pending-events.ts';
import { createShareStore } from '../functions/data/shares.ts';
import { OVERVIEW_MARK } from '../functions/data/table-definition.ts';
import {
  ORG_ROLES,
  type OrgRole,
  USER_STATUSES,
  WORKSPACE_ROLES,
  type WorkspaceRole,
} from '../functions/domain/access.ts';
import { Conflict, NotFound } from '../functions/domain/errors.ts';
import type { NodeEvent, RecordedNodeEvent } from '../functions/domain/events.ts';
import { initialCheckpoint } from '../functions/domain/health-timeline.ts';
import { isValidId, isValidName, MAX_NAME_LENGTH } from '../functions/domain/ids.ts';
import {
  listedWindows,
  MIN_ONLINE_PERCENT,
  type WindowRequest,
  windowView,
} from '../functions/domain/maintenance.ts';
import { MAX_BUCKETS_PER_NODE } from '../functions/domain/node-report.ts';
import {
  generateNodeKeyPair,
  publicKeyFromRaw,
  WeakPublicKeyError,
} from '../functions/domain/node-signature.ts';
import { type TimelineReport, unassignTransitions } from '../functions/domain/timeline.ts';
import { INTEGER_SETTINGS } from '../functions/shared/config.ts';
import type { MaintenanceWindow as MaintenanceWindowView } from '../functions/wire/maintenance.ts';
import { createListingRows, type ListingRepair } from './listing-rows.ts';

/**
 * The operator's data module: every read and write the admin CLI (and the local runtime's demo
 * seeding and reuse check) makes on the table of DESIGN.md section 4, beside the modules the
 * functions use, with the same key builders and attribute names. Every write that must not clobber or invent rows is conditional, so
 * a typo in an id fails loudly instead of silently creating an orphan row.
 */

/** A refused operator action (bad input, missing or duplicate row), with a message for humans. */
export class AdminError extends Error {
  override name = 'AdminError';
}

export type UserStatus = (typeof USER_STATUSES)[number];

export interface AdminStore {
  createUser(input: {
    userId: string;
    orgId: string;
    orgRole: OrgRole;
    status?: UserStatus;
  }): Promise<void>;
  /**
   * A workspace belongs to one organization (DESIGN.md section 7). An existing workspace is
   * refused; when it has the same org and name, its listing row is written first (repairing a
   * create that stopped between its writes).
   */
  createWorkspace(input: { workspaceId: string; orgId: string; name?: string }): Promise<void>;
  /** The workspace must exist and belong to the user's organization. */
  grant(input: { userId: string; workspaceId: string; role: WorkspaceRole }): Promise<void>;
  revoke(input: { userId: string; workspaceId: string }): Promise<void>;
  /**
   * The workspace must exist; the bucket takes its org (an `orgId` that differs is refused).
   * Returns the org the bucket was created in. An existing bucket is refused; when it has the
   * same workspace and name, its listing row and initial health state are written first.
   */
  createBucket(input: {
    bucketId: string;
    workspaceId: string;
    orgId?: string | undefined;
    name: string;
  }): Promise<{ orgId: string }>;
  registerNode(input: {
    nodeId: string;
    orgId?: string;
    publicKey?: string;
  }): Promise<{ nodeId: string; publicKey: string; privateKey?: string }>;
  /**
   * Idempotent. Refused (AdminError) when the node already serves MAX_BUCKETS_PER_NODE buckets:
   * the `assignedBuckets` counter on its META row, taken before the row is written.
   */
  assignNode(input: { bucketId: string; nodeId: string }): Promise<void>;
  /**
   * Frees the node's slot only when an assignment row was actually deleted. A node whose state
   * for the bucket is not DISCONNECTED changes to DISCONNECTED at the unassign instant (DESIGN.md
   * section 12): the event is recorded, and published, like every other.
   */
  unassignNode(input: { bucketId: string; nodeId: string }): Promise<void>;
  disableNode(nodeId: string): Promise<void>;
  disableUser(userId: string): Promise<void>;
  /** Returns the stored tokensValidAfter (epoch seconds). */
  revokeTokens(userId: string, nowSeconds?: number): Promise<number>;
  /** The workspace's API keys (never a key or its hash), oldest first; the workspace must exist. */
  listApiKeys(workspaceId: string): Promise<ApiKeyRecord[]>;
  /** Revokes the key (its lookup row first, then its slot); fails if the workspace has no such key. */
  revokeApiKey(input: { workspaceId: string; keyId: string }): Promise<void>;

  /** A bucket's share links (DESIGN.md section 17), oldest first; never their tokens. */
  listShares(bucketId: string): Promise<StoredShare[]>;
  /** Revokes a share link: its token is refused from the next request on. */
  revokeShare(input: { bucketId: string; shareId: string }): Promise<void>;
  /**
   * Maintenance windows (DESIGN.md section 15), by the API's rules and rows
   * (functions/data/maintenance-windows.ts); the bucket must exist. A 21st open window, an
   * unknown window and an ended one are AdminErrors.
   */
  addMaintenance(bucketId: string, request: WindowRequest): Promise<MaintenanceWindowView>;
  /** Active and upcoming windows and those ended within 30 days, by start. */
  listMaintenance(bucketId: string): Promise<MaintenanceWindowView[]>;
  /** An upcoming window is removed, an active one ends now. */
  endMaintenance(
    bucketId: string,
    windowId: string,
  ): Promise<{ outcome: 'removed' | 'ended'; window: MaintenanceWindowView }>;
  /** The bucket's `minOnlinePercent` (1-100) from now on (functions/data/health-policy.ts). */
  setHealthPolicy(bucketId: string, minOnlinePercent: number): Promise<void>;
  /**
   * The overview's listing row of every workspace and bucket META row that has none
   * (admin/listing-rows.ts): a Scan of the table, for an operator's one-off.
   */
  repairListings(): Promise<ListingRepair>;

  // Reads (consistent), for checks before writes and the demo's reuse check.
  getUser(userId: string): Promise<StoredUser | undefined>;
  /** The user's role in the workspace, undefined without a grant. */
  getMembership(userId: string, workspaceId: string): Promise<string | undefined>;
  getBucket(bucketId: string): Promise<StoredBucket | undefined>;
  getWorkspace(workspaceId: string): Promise<StoredWorkspace | undefined>;
  getNode(nodeId: string): Promise<StoredNode | undefined>;
  isAssigned(bucketId: string, nodeId: string): Promise<boolean>;
}

/** An API key as the operator sees it (GET /workspace/{workspaceId}/api-keys's shape). */
export interface ApiKeyRecord {
  id: string;
  description?: string;
  createdAt: string;
  expiresAt: string;
}

export interface StoredShare {
  shareId: string;
  label: string | undefined;
  showIps: boolean;
  createdAt: string;
}

export interface StoredUser {
  orgId: string | undefined;
  orgRole: string | undefined;
  status: string | undefined;
  tokensValidAfter: number | undefined;
}

export interface StoredBucket {
  workspaceId: string | undefined;
  orgId: string | undefined;
  name: string | undefined;
}

export interface StoredWorkspace {
  orgId: string | undefined;
  name: string | undefined;
}

export interface StoredNode {
  publicKey: string | undefined;
  orgId: string | undefined;
  status: string | undefined;
  /** The buckets the node holds a slot for (see assignNode); 0 before the first. */
  assignedBuckets: number;
}

const toUser = (item: Item): StoredUser => ({
  orgId: readString(item, 'orgId'),
  orgRole: readString(item, 'orgRole'),
  status: readString(item, 'status'),
  tokensValidAfter: readNumber(item, 'tokensValidAfter'),
});
const toBucket = (item: Item): StoredBucket => ({
  workspaceId: readString(item, 'workspaceId'),
  orgId: readString(item, 'orgId'),
  name: readString(item, 'name'),
});
const toNode = (item: Item): StoredNode => ({
  publicKey: readString(item, 'publicKey'),
  orgId: readString(item, 'orgId'),
  status: readString(item, 'status'),
  assignedBuckets: readNumber(item, 'assignedBuckets') ?? 0,
});
const mapped = <T>(item: Item | undefined, to: (item: Item) => T) =>
  item === undefined ? undefined : to(item);

type Key = Record<string, AttributeValue>;
const key = (pk: string, sk: string): Key => ({ pk: S(pk), sk: S(sk) });

function requireId(value: unknown, what: string): string {
  if (!isValidId(value)) {
    throw new AdminError(`${what} must be 1-128 characters of A-Z, a-z, 0-9, _ or -`);
  }
  return value;
}

function requireName(value: unknown, what: string): string {
  if (!isValidName(value)) {
    throw new AdminError(`${what} must be 1-${MAX_NAME_LENGTH} printable characters`);
  }
  return value;
}

function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new AdminError(`${what} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** The claim an assign in progress puts in its bucket's hint attribute: `a,<epoch ms>`. */
const CLAIM_PREFIX = 'a,';
const claimTimeOf = (value: string | undefined) => {
  const match = /^a,(\d{1,16})$/.exec(value ?? '');
  return match === null ? undefined : Number(match[1]);
};
/**
 * An assign writes its row milliseconds after its claim; a claim this old belongs to one that
 * died in between, and another assign of the pair replaces it.
 */
export const ASSIGN_CLAIM_STALE_MS = 60_000;
/** Waits for a concurrent assign of the same pair: 20 ms doubling to 1 s, about 70 s in all. */
const CLAIM_WAIT_FIRST_MS = 20;
const CLAIM_WAIT_MAX_MS = 1_000;
const MAX_CLAIM_WAITS = 72;
/** Claim attempts refused by changes between the write and the read that explains it. */
const MAX_CLAIM_ATTEMPTS = 5;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The events an unassignment at `t` records, from the deleted row as it was: the transitions a
 * report's failed event write left pending on it (the row goes, so nothing else would record
 * them), then the change to DISCONNECTED (functions/domain/timeline.ts#unassignTransitions).
 */
function unassignEvents(
  bucketId: string,
  nodeId: string,
  row: Item,
  t: number,
  staleMs: number,
): { events: NodeEvent[]; last: TimelineReport | undefined } {
  const events: NodeEvent[] = decodePendingEvents(row).map((p) => ({
    bucketId,
    nodeId,
    ip: p.ip,
    region: p.region,
    from: p.from,
    to: p.to,
    at: iso(p.at),
    ...(p.first && { first: true }),
  }));
  const status = readString(row, 'status');
  const lastUpdated = readString(row, 'lastUpdated');
  // The timeline's instant of the last report: history's lastAt, else the receive time.
  const lastAt = readNumber(row, 'lastAt') ?? Date.parse(String(lastUpdated));
  const last: TimelineReport | undefined =
    (status === 'ONLINE' || status === 'OFFLINE') && Number.isFinite(lastAt)
      ? { at: lastAt, status }
      : undefined;
  // The sweep takes a row out of its index only after recording the row's change.
  const swept = readString(row, 'sweepShard') === undefined;
  const ip = readString(row, 'ip');
  const region = readString(row, 'region');
  for (const change of unassignTransitions(last, t, staleMs, swept)) {
    events.push({ bucketId, nodeId, ip, region, ...change, at: iso(change.at) });
  }
  return { events, last };
}

/**
 * The initial health checkpoint of a bucket created at `createdAt` (DESIGN.md section 13: no
 * counted node, the default policy, UNKNOWN), as the STATE row's attributes
 * (docs/ARCHITECTURE.md, "Bucket health"); its entry state (the state just before its day) is
 * that same state, the first day being the creation day. `offline` (kept by the timeline for the
 * workspace overview) only for a bucket this call created: every row of it is then in the
 * overview index; a bucket of an older release keeps its timeline without it.
 */
function initialHealthState(createdAt: number, fresh: boolean): Item {
  const initial = initialCheckpoint(createdAt, []);
  const { offline: _, ...older } = initial;
  const start = fresh ? initial : older;
  return { ...checkpointItem(start), ver: N(0), ...entryItem(start) };
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** Swallows a failed condition (nothing to do), rethrows anything else. */
function ignoreConditionFailure(error: unknown): void {
  if (!isConditionFailure(error)) throw error;
}

export function createAdminStore(
  client: DynamoDBClient,
  tableName: string,
  {
    now = Date.now,
    maxBucketsPerNode = MAX_BUCKETS_PER_NODE,
    staleAfterSeconds = INTEGER_SETTINGS.STALE_AFTER_SECONDS.fallback,
    eventRetentionDays = INTEGER_SETTINGS.EVENT_RETENTION_DAYS.fallback,
    historyRetentionDays = INTEGER_SETTINGS.HISTORY_RETENTION_DAYS.fallback,
    onEventsRecorded,
  }: {
    now?: () => number;
    /** MAX_BUCKETS_PER_NODE; tests lower it to exercise the limit with a few rows. */
    maxBucketsPerNode?: number;
    /** STALE_AFTER_SECONDS, for the instant of an unassigned node's change to DISCONNECTED. */
    staleAfterSeconds?: number;
    /** EVENT_RETENTION_DAYS, the TTL of the events an unassignment records. */
    eventRetentionDays?: number;
    /** HISTORY_RETENTION_DAYS: the TTL of the health inputs (an unassignment's, a policy change's). */
    historyRetentionDays?: number;
    /**
     * The event writer's publish port (functions/data/events.ts): none deployed (the table's
     * stream feeds alerts), the local alert queue in the local runtime.
     */
    onEventsRecorded?: (events: RecordedNodeEvent[]) => void | Promise<void>;
  } = {},
): AdminStore {
  const markHealth = createHealthMarker(client, tableName);
  const healthInputs = createHealthInputs(client, tableName, {
    retentionDays: historyRetentionDays,
  });
  const recordEvents = createEventWriter(client, tableName, {
    retentionDays: eventRetentionDays,
    markHealth,
    ...(onEventsRecorded !== undefined && { onEventsRecorded }),
    now,
  });

  const shareStore = createShareStore(client, tableName);

  const getItem = async (itemKey: Key) =>
    (
      await client.send(
        new GetItemCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true }),
      )
    ).Item;

  /** Runs a conditional write; a failed condition becomes an AdminError with `message`. */
  const conditional = async (write: () => Promise<unknown>, message: string) => {
    try {
      await write();
    } catch (error) {
      if (isConditionFailure(error)) throw new AdminError(message);
      throw error;
    }
  };

  /** Writes the item unless its key holds one; false (nothing written) when it does. */
  const putNew = async (item: Key) => {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };

  const putIfAbsent = async (item: Key, message: string) => {
    if (!(await putNew(item))) throw new AdminError(message);
  };

  const listings = createListingRows(client, tableName);

  /**
   * A new bucket's health checkpoint (UNKNOWN from `createdAt`), unless its STATE holds one;
   * a mark already on the row stays.
   */
  const startHealth = async (bucketId: string, createdAt: number, fresh: boolean) => {
    const state = Object.entries(initialHealthState(createdAt, fresh));
    await client
      .send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(healthPk(bucketId), HEALTH_STATE_SK),
          ConditionExpression: 'attribute_not_exists(#a0)',
          UpdateExpression: `SET ${state.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(state.map(([name], i) => [`#a${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(
            state.map(([, value], i) => [`:v${i}`, value]),
          ),
        }),
      )
      .catch(ignoreConditionFailure);
  };

  const deleteIfPresent = (itemKey: Key, message: string) =>
    conditional(
      () =>
        client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: itemKey,
            ConditionExpression: 'attribute_exists(pk)',
          }),
        ),
      message,
    );

  const setStatusDisabled = (itemKey: Key, message: string) =>
    conditional(
      () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: itemKey,
            ConditionExpression: 'attribute_exists(pk)',
            UpdateExpression: 'SET #status = :disabled',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':disabled': S('DISABLED') },
          }),
        ),
      message,
    );

  /**
   * Gives back one of the node's slots, removing the bucket's hint with it when `hintOf` names
   * the bucket. Conditional on a slot to give: never below 0 (a node assigned before the
   * counter existed has none), when it fails with a ConditionalCheckFailedException.
   */
  const giveBackSlot = (nodeId: string, hintOf?: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key(nodePk(nodeId), META_SK),
        ConditionExpression: 'attribute_exists(pk) AND assignedBuckets > :zero',
        UpdateExpression:
          hintOf === undefined
            ? 'ADD assignedBuckets :minusOne'
            : 'ADD assignedBuckets :minusOne REMOVE #hint',
        ...(hintOf !== undefined && {
          ExpressionAttributeNames: { '#hint': hintAttribute(hintOf) },
        }),
        ExpressionAttributeValues: { ':zero': N(0), ':minusOne': N(-1) },
      }),
    );

  /** Removes the bucket's hint from the node's META row, if both exist. */
  const removeHint = (nodeId: string, bucketId: string) =>
    client
      .send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(nodePk(nodeId), META_SK),
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: 'REMOVE #hint',
          ExpressionAttributeNames: { '#hint': hintAttribute(bucketId) },
        }),
      )
      .catch(ignoreConditionFailure);

  /**
   * Takes one of the node's slots for a new assignment of `bucketId` and marks the pair as being
   * assigned, in one conditional write on the node's META row: the bucket's hint attribute
   * (`h_<bucketId>`) gets a claim `a,<ms>` (no hint to the replay guard, which replaces it with
   * the first report's), and only when it is absent, so two assigns of one pair never hold two
   * slots (one holding a slot it must give back could make a third bucket be refused at the
   * limit). An assign that finds the pair claimed waits for the claimant's row ('assigned') and
   * takes no slot; a claim older than ASSIGN_CLAIM_STALE_MS (its assign died before its row, its
   * slot stays counted) or a hint without an assignment row (a refused report's, not forgotten)
   * is replaced, with a slot of its own.
   */
  const claimSlot = async (
    nodeId: string,
    bucketId: string,
    assignmentKey: Key,
  ): Promise<'claimed' | 'assigned'> => {
    const nodeMetaKey = key(nodePk(nodeId), META_SK);
    const hint = hintAttribute(bucketId);
    let replacing: string | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: nodeMetaKey,
            ConditionExpression:
              `attribute_exists(pk) AND ${replacing === undefined ? 'attribute_not_exists(#hint)' : '#hint = :seen'}` +
              ' AND (attribute_not_exists(assignedBuckets) OR assignedBuckets < :max)',
            UpdateExpression: 'SET #hint = :claim ADD assignedBuckets :one',
            ExpressionAttributeNames: { '#hint': hint },
            ExpressionAttributeValues: {
              ':one': N(1),
              ':max': N(maxBucketsPerNode),
              ':claim': S(`${CLAIM_PREFIX}${now()}`),
              ...(replacing !== undefined && { ':seen': S(replacing) }),
            },
          }),
        );
        return 'claimed';
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      // Refused: learn why (the failure path only).
      for (let waits = 0; ; waits++) {
        const [meta, row] = await Promise.all([getItem(nodeMetaKey), getItem(assignmentKey)]);
        if (row !== undefined) return 'assigned';
        if (meta === undefined) throw new AdminError(`node ${nodeId} does not exist`);
        const value = readString(meta, hint);
        const claimedAt = claimTimeOf(value);
        if (claimedAt !== undefined && now() - claimedAt < ASSIGN_CLAIM_STALE_MS) {
          // Another assign of this pair holds a slot for it: its row is due in milliseconds.
          if (waits >= MAX_CLAIM_WAITS) {
            throw new AdminError(
              `another assign-node of node ${nodeId} to bucket ${bucketId} is in progress; retry`,
            );
          }
          await sleep(Math.min(CLAIM_WAIT_MAX_MS, CLAIM_WAIT_FIRST_MS * 2 ** waits));
          continue;
        }
        if ((readNumber(meta, 'assignedBuckets') ?? 0) >= maxBucketsPerNode) {
          throw new AdminError(
            `node ${nodeId} is already assigned to ${maxBucketsPerNode} buckets, the most one ` +
              `node can serve (MAX_BUCKETS_PER_NODE); unassign it from one first`,
          );
        }
        // Free now, or holding a stale claim or a stray hint: try again, replacing what is there.
        replacing = value;
        break;
      }
      if (attempt >= MAX_CLAIM_ATTEMPTS) {
        throw new AdminError(
          `node ${nodeId} changed during assign-node to bucket ${bucketId} (concurrent changes); retry`,
        );
      }
    }
  };

  const apiKeys = createApiKeyStore(client, tableName);
  const loadApiKeys = async (workspaceId: string) => {
    const loaded = await apiKeys.loadWorkspaceApiKeys(requireId(workspaceId, 'workspaceId'));
    if (loaded.workspace === undefined)
      throw new AdminError(`workspace ${workspaceId} does not exist`);
    return loaded.keys;
  };

  const windows = createMaintenanceWindowStore(client, tableName);
  const policies = createHealthPolicyStore(client, tableName, { historyRetentionDays });

  const requireBucket = async (bucketId: string) => {
    requireId(bucketId, 'bucketId');
    const meta = await getItem(key(bucketPk(bucketId), META_SK));
    if (meta === undefined) throw new AdminError(`bucket ${bucketId} does not exist`);
  };

  /** The window and policy rows' refusals (409, 404 in the API) as the operator's AdminErrors. */
  const asAdminError = (error: unknown): never => {
    if (error instanceof Conflict || error instanceof NotFound) {
      throw new AdminError(error.message);
    }
    throw error;
  };

  const requireUser = async (userId: string) => {
    const profile = await getItem(key(userPk(userId), PROFILE_SK));
    if (profile === undefined) throw new AdminError(`user ${userId} does not exist`);
    return profile;
  };

  return {
    getUser: async (userId) => mapped(await getItem(key(userPk(userId), PROFILE_SK)), toUser),
    getMembership: async (userId, workspaceId) => {
      const item = await getItem(key(userPk(userId), workspaceSk(workspaceId)));
      return item === undefined ? undefined : readString(item, 'role');
    },
    getBucket: async (bucketId) =>
      mapped(await getItem(key(bucketPk(bucketId), META_SK)), toBucket),
    getWorkspace: async (workspaceId) => {
      const item = await getItem(key(workspacePk(workspaceId), META_SK));
      return item === undefined
        ? undefined
        : { orgId: readString(item, 'orgId'), name: readString(item, 'name') };
    },
    getNode: async (nodeId) => mapped(await getItem(key(nodePk(nodeId), META_SK)), toNode),
    isAssigned: async (bucketId, nodeId) =>
      (await getItem(key(bucketPk(bucketId), nodeSk(nodeId)))) !== undefined,
    repairListings: () => listings.repairListings(),

    async addMaintenance(bucketId, request) {
      await requireBucket(bucketId);
      const window = await windows.addWindow(bucketId, request, now()).catch(asAdminError);
      return windowView(bucketId, window);
    },

    async listMaintenance(bucketId) {
      await requireBucket(bucketId);
      const stored = await windows.loadWindows(bucketId);
      return listedWindows(stored, now()).map((w) => windowView(bucketId, w));
    },

    async endMaintenance(bucketId, windowId) {
      await requireBucket(bucketId);
      requireId(windowId, 'windowId');
      const { outcome, window } = await windows
        .deleteWindow(bucketId, windowId, now())
        .catch(asAdminError);
      return { outcome, window: windowView(bucketId, window) };
    },

    async setHealthPolicy(bucketId, minOnlinePercent) {
      if (
        !Number.isInteger(minOnlinePercent) ||
        minOnlinePercent < MIN_ONLINE_PERCENT.min ||
        minOnlinePercent > MIN_ONLINE_PERCENT.max
      ) {
        throw new AdminError('minOnlinePercent must be an integer 1-100');
      }
      await requireBucket(bucketId);
      await policies.setPolicy(bucketId, minOnlinePercent, now()).catch(asAdminError);
    },

    async createUser(input) {
      const userId = requireId(input.userId, 'userId');
      const orgId = requireId(input.orgId, 'orgId');
      const orgRole = requireOneOf(input.orgRole, ORG_ROLES, 'orgRole');
      const status = requireOneOf(input.status ?? 'ACTIVE', USER_STATUSES, 'status');
      await putIfAbsent(
        {
          ...key(userPk(userId), PROFILE_SK),
          orgId: S(orgId),
          orgRole: S(orgRole),
          status: S(status),
        },
        `user ${userId} already exists`,
      );
    },

    async grant(input) {
      const userId = requireId(input.userId, 'userId');
      const workspaceId = requireId(input.workspaceId, 'workspaceId');
      const role = requireOneOf(input.role, WORKSPACE_ROLES, 'role');
      // dynalite has no transactions: check, then write. A user deleted in between would leave
      // an inert membership row, which grants nothing without a PROFILE row.
      const [profile, workspace] = await Promise.all([
        requireUser(userId),
        getItem(key(workspacePk(workspaceId), META_SK)),
      ]);
      if (workspace === undefined) throw new AdminError(`workspace ${workspaceId} does not exist`);
      const userOrg = readString(profile, 'orgId');
      const workspaceOrg = readString(workspace, 'orgId');
      // Nothing may make a workspace readable by a user of another org (DESIGN.md section 7).
      if (userOrg === undefined || userOrg !== workspaceOrg) {
        throw new AdminError(
          `user ${userId} belongs to org ${userOrg}, workspace ${workspaceId} to org ${workspaceOrg}`,
        );
      }
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...key(userPk(userId), workspaceSk(workspaceId)), role: S(role) },
        }),
      );
    },

    async revoke(input) {
      const userId = requireId(input.userId, 'userId');
      const workspaceId = requireId(input.workspaceId, 'workspaceId');
      await deleteIfPresent(
        key(userPk(userId), workspaceSk(workspaceId)),
        `user ${userId} has no grant in workspace ${workspaceId}`,
      );
    },

    async createWorkspace(input) {
      const workspaceId = requireId(input.workspaceId, 'workspaceId');
      const orgId = requireId(input.orgId, 'orgId');
      const name = requireName((input.name ?? workspaceId).trim(), 'name');
      const metaKey = key(workspacePk(workspaceId), META_SK);
      if (!(await putNew({ ...metaKey, orgId: S(orgId), name: S(name) }))) {
        // The same workspace created before: its listing row may be missing (a create that
        // stopped between its two writes), so it is written again; the answer stays a refusal.
        const stored = await getItem(metaKey);
        if (
          stored !== undefined &&
          readString(stored, 'orgId') === orgId &&
          readString(stored, 'name') === name
        ) {
          await listings.listWorkspace(orgId, name, workspaceId);
        }
        throw new AdminError(`workspace ${workspaceId} already exists`);
      }
      // The org's listing row (GET /me of an org OWNER/ADMIN: the org's workspaces by name,
      // without a Scan), after the META row it lists.
      await listings.listWorkspace(orgId, name, workspaceId);
    },

    async createBucket(input) {
      const bucketId = requireId(input.bucketId, 'bucketId');
      const workspaceId = requireId(input.workspaceId, 'workspaceId');
      const requestedOrg = input.orgId === undefined ? undefined : requireId(input.orgId, 'orgId');
      const name = requireName(typeof input.name === 'string' ? input.name.trim() : '', 'name');
      // The bucket takes its org from the workspace, so it can never be readable by another org.
      const workspace = await getItem(key(workspacePk(workspaceId), META_SK));
      const orgId = workspace === undefined ? undefined : readString(workspace, 'orgId');
      if (orgId === undefined) {
        throw new AdminError(
          `workspace ${workspaceId} does not exist (create it first: create-workspace)`,
        );
      }
      if (requestedOrg !== undefined && requestedOrg !== orgId) {
        throw new AdminError(
          `workspace ${workspaceId} belongs to org ${orgId}, not ${requestedOrg}`,
        );
      }
      const metaKey = key(bucketPk(bucketId), META_SK);
      let createdAt = now();
      const created = await putNew({
        ...metaKey,
        workspaceId: S(workspaceId),
        orgId: S(orgId),
        name: S(name),
        createdAt: S(iso(createdAt)),
      });
      if (!created) {
        // The same bucket created before: the writes after its META row may be missing (a
        // create that stopped in between), so they are made again, as of the stored creation;
        // the answer stays a refusal.
        const stored = await getItem(metaKey);
        if (
          stored === undefined ||
          readString(stored, 'workspaceId') !== workspaceId ||
          readString(stored, 'orgId') !== orgId ||
          readString(stored, 'name') !== name
        ) {
          throw new AdminError(`bucket ${bucketId} already exists`);
        }
        createdAt = Date.parse(readString(stored, 'createdAt') ?? '');
      }
      // The workspace's listing row (GET /workspace/{id}/buckets: its buckets by name, a page
      // per Query; GET /workspace/{id}/metrics: all of them), after the META row it lists.
      await listings.listBucket(workspaceId, name, bucketId);
      // Its health timeline starts at its creation. A META row without a creation instant (an
      // older release's) starts none: the sweep starts its timeline.
      if (Number.isFinite(createdAt)) await startHealth(bucketId, createdAt, created);
      if (!created) throw new AdminError(`bucket ${bucketId} already exists`);
      return { orgId };
    },

    async registerNode(input) {
      const nodeId = requireId(input.nodeId, 'nodeId');
      const orgId = input.orgId === undefined ? undefined : requireId(input.orgId, 'orgId');
      let keys: { publicKey: string; privateKey?: string };
      if (input.publicKey === undefined) {
        keys = generateNodeKeyPair();
      } else {
        try {
          publicKeyFromRaw(input.publicKey);
        } catch (error) {
          throw new AdminError(
            error instanceof WeakPublicKeyError
              ? 'publicKey is a weak Ed25519 key (a point of small order)'
              : 'publicKey must be base64 of the raw 32-byte Ed25519 public key',
          );
        }
        keys = { publicKey: input.publicKey };
      }
      await putIfAbsent(
        {
          ...key(nodePk(nodeId), META_SK),
          publicKey: S(keys.publicKey),
          status: S('ACTIVE'),
          ...(orgId === undefined ? {} : { orgId: S(orgId) }),
        },
        `node ${nodeId} already exists`,
      );
      return { nodeId, ...keys };
    },

    async assignNode(input) {
      const bucketId = requireId(input.bucketId, 'bucketId');
      const nodeId = requireId(input.nodeId, 'nodeId');
      const [bucket, node] = await Promise.all([
        getItem(key(bucketPk(bucketId), META_SK)),
        getItem(key(nodePk(nodeId), META_SK)),
      ]);
      if (bucket === undefined) throw new AdminError(`bucket ${bucketId} does not exist`);
      if (node === undefined) throw new AdminError(`node ${nodeId} does not exist`);
      const nodeOrg = readString(node, 'orgId');
      const bucketOrg = readString(bucket, 'orgId');
      if (nodeOrg !== undefined && bucketOrg !== undefined && nodeOrg !== bucketOrg) {
        throw new AdminError(
          `node ${nodeId} belongs to org ${nodeOrg}, bucket ${bucketId} to org ${bucketOrg}`,
        );
      }
      const assignmentKey = key(bucketPk(bucketId), nodeSk(nodeId));
      // The bucket's timeline starts as of its creation instant, every input at or before it
      // applied: a report at that very instant would be in no timeline, so an assignment starts
      // 1 ms after the creation at the earliest (an assign in the creation's millisecond).
      const createdAt = Date.parse(readString(bucket, 'createdAt') ?? '');
      const assignedAt = Number.isFinite(createdAt) ? Math.max(now(), createdAt + 1) : now();
      // Already assigned: keep the row and whatever report it holds, take no second slot.
      if ((await getItem(assignmentKey)) !== undefined) return;
      // dynalite has no transactions, so the writes are ordered for the safe failure: the slot
      // is taken first (conditional on the limit, so concurrent assigns never pass it), then
      // the row is written. A crash in between leaves the count one too high (a slot lost until
      // an unassign), never too low, so the META row's hints stay bounded.
      if ((await claimSlot(nodeId, bucketId, assignmentKey)) === 'assigned') return;
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            // assignedAt starts the node's observed window for the bucket (DESIGN.md section
            // 8); a reassignment (after unassign-node) is a new row, a new window.
            // In the overview index until its first report (functions/data/overview-index.ts).
            Item: {
              ...assignmentKey,
              assignedAt: N(assignedAt),
              ovAt: S(OVERVIEW_MARK.neverReported),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Another assign of the pair wrote the row with its own slot (it took over a claim this
        // one left stale, or the claim mark went with a refused report's hint): give this one
        // back, and leave the hint attribute to the assignment that stands.
        await giveBackSlot(nodeId).catch(ignoreConditionFailure);
      }
    },

    async unassignNode(input) {
      const bucketId = requireId(input.bucketId, 'bucketId');
      const nodeId = requireId(input.nodeId, 'nodeId');
      // The hold (`!P` in the overview index) until the node's leaving is on the bucket's log:
      // from the delete on, the rows no longer count it while the log still may. It stays when
      // the leaving could not be recorded (the bucket is then read as GET health reads it).
      const hold = key(bucketPk(bucketId), unassignHoldSk(nodeId, randomUUID()));
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...hold, ovAt: S(OVERVIEW_MARK.pending) },
        }),
      );
      const release = () => client.send(new DeleteItemCommand({ TableName: tableName, Key: hold }));
      let old: Item = {};
      await conditional(async () => {
        const deleted = await client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: key(bucketPk(bucketId), nodeSk(nodeId)),
            ConditionExpression: 'attribute_exists(pk)',
            // The row as the delete found it: no report can land between reading and deleting.
            ReturnValues: 'ALL_OLD',
          }),
        );
        old = deleted.Attributes ?? {};
      }, `node ${nodeId} is not assigned to bucket ${bucketId}`).catch(async (error: unknown) => {
        // No row: the node was not assigned, unless this call's own delete landed and its
        // answer was lost (the SDK's retry found no row; nothing of its leaving is recorded
        // then): its hint for the bucket, dropped only after the delete, still stands, and the
        // hold stays, as after a failed recording.
        if (error instanceof AdminError) {
          const node = await getItem(key(nodePk(nodeId), META_SK)).catch(() => null);
          if (
            node === undefined ||
            (node !== null && node[hintAttribute(bucketId)] === undefined)
          ) {
            await release().catch(() => undefined);
          }
        }
        throw error;
      });
      // The row was deleted by this call (the delete is conditional, so of two concurrent
      // unassigns only one gets here): its state changes to DISCONNECTED now, its slot is
      // freed, and the guard's hint for the bucket (docs/ARCHITECTURE.md, "History") goes with
      // it; a node without a slot to give (assigned before the counter existed) loses only the
      // hint.
      const t = now();
      const { events, last } = unassignEvents(bucketId, nodeId, old, t, staleAfterSeconds * 1000);
      const freeSlot = async () => {
        try {
          await giveBackSlot(nodeId, bucketId);
        } catch (error) {
          ignoreConditionFailure(error);
          await removeHint(nodeId, bucketId);
        }
      };
      const [slot, recorded] = await Promise.allSettled([
        freeSlot(),
        events.length === 0 ? Promise.resolve([]) : recordEvents(events),
      ]);
      if (slot.status === 'rejected') throw slot.reason;
      if (recorded.status === 'rejected') {
        throw new AdminError(
          `node ${nodeId} is no longer assigned to bucket ${bucketId}, but its change to ` +
            `DISCONNECTED could not be recorded (${(recorded.reason as Error).message})`,
          { cause: recorded.reason },
        );
      }
      // A node with a report since its assignment counted toward the bucket's health: it stops
      // counting at the unassign instant (never before its last report, like its change to
      // DISCONNECTED), recorded once, then the bucket is marked (DESIGN.md section 13).
      if (last !== undefined) {
        const at = Math.max(t, last.at);
        try {
          await healthInputs.putUncount(bucketId, nodeId, at);
          await markHealth(bucketId, at);
        } catch (error) {
          throw new AdminError(
            `node ${nodeId} is no longer assigned to bucket ${bucketId}, but its leaving the ` +
              `bucket's health could not be recorded (${(error as Error).message})`,
            { cause: error },
          );
        }
      }
      // Best effort: a hold left behind only costs the overview GET health's reads of this bucket.
      await release().catch(() => undefined);
    },

    async disableNode(nodeId) {
      requireId(nodeId, 'nodeId');
      await setStatusDisabled(key(nodePk(nodeId), META_SK), `node ${nodeId} does not exist`);
    },

    async disableUser(userId) {
      requireId(userId, 'userId');
      await setStatusDisabled(key(userPk(userId), PROFILE_SK), `user ${userId} does not exist`);
    },

    async listApiKeys(workspaceId) {
      const keys = await loadApiKeys(workspaceId);
      return [...keys]
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
        .map((k) => ({
          id: k.keyId,
          ...(k.description !== undefined && { description: k.description }),
          createdAt: k.createdAt,
          expiresAt: new Date(k.expiresAtMs).toISOString(),
        }));
    },

    async revokeApiKey(input) {
      const keyId = requireId(input.keyId, 'keyId');
      const target = (await loadApiKeys(input.workspaceId)).find((k) => k.keyId === keyId);
      if (target === undefined || !(await apiKeys.deleteApiKey(input.workspaceId, target))) {
        throw new AdminError(`workspace ${input.workspaceId} has no API key ${keyId}`);
      }
    },

    async listShares(bucketId) {
      requireId(bucketId, 'bucketId');
      if ((await getItem(key(bucketPk(bucketId), META_SK))) === undefined) {
        throw new AdminError(`bucket ${bucketId} does not exist`);
      }
      const shares = await shareStore.listShares(bucketId);
      return shares
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
        .map(({ shareId, label, showIps, createdAt }) => ({ shareId, label, showIps, createdAt }));
    },

    async revokeShare(input) {
      const bucketId = requireId(input.bucketId, 'bucketId');
      const shareId = requireId(input.shareId, 'shareId');
      const share = (await shareStore.listShares(bucketId)).find((s) => s.shareId === shareId);
      if (share === undefined || !(await shareStore.deleteShare(bucketId, share))) {
        throw new AdminError(`bucket ${bucketId} has no share ${shareId}`);
      }
    },

    async revokeTokens(userId, nowSeconds = Date.now() / 1000) {
      requireId(userId, 'userId');
      if (!Number.isFinite(nowSeconds) || nowSeconds < 0) {
        throw new AdminError('nowSeconds must be a non-negative number');
      }
      // Revocation checks iat < tokensValidAfter and iat has whole seconds: a token issued in
      // this same second must be revoked too, hence the next whole second.
      const tokensValidAfter = Math.floor(nowSeconds) + 1;
      const profileKey = key(userPk(userId), PROFILE_SK);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: profileKey,
            // Never moves backwards: a later call from a slower clock must not un-revoke.
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(tokensValidAfter) OR tokensValidAfter < :after)',
            UpdateExpression: 'SET tokensValidAfter = :after',
            ExpressionAttributeValues: { ':after': N(tokensValidAfter) },
          }),
        );
        return tokensValidAfter;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const profile = await getItem(profileKey);
      if (profile === undefined) throw new AdminError(`user ${userId} does not exist`);
      // Already revoked at this instant or later: that cut-off stands.
      return readNumber(profile, 'tokensValidAfter') ?? tokensValidAfter;
    },
  };
}
