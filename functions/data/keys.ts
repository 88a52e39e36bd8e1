/** Key builders for the single-table layout of DESIGN.md section 4. */
import { LISTING_SEPARATOR } from '../domain/ports/overview.ts';

export const userPk = (userId: string) => `USER#${userId}`;
export const PROFILE_SK = 'PROFILE';
export const WORKSPACE_SK_PREFIX = 'WORKSPACE#';
export const workspaceSk = (workspaceId: string) => `${WORKSPACE_SK_PREFIX}${workspaceId}`;
/** The workspace's partition: META (orgId, name) and its webhook rows. */
export const workspacePk = (workspaceId: string) => `WORKSPACE#${workspaceId}`;
export const bucketPk = (bucketId: string) => `BUCKET#${bucketId}`;
export const META_SK = 'META';
export const NODE_SK_PREFIX = 'NODE#';
export const nodeSk = (nodeId: string) => `${NODE_SK_PREFIX}${nodeId}`;
export const nodePk = (nodeId: string) => `NODE#${nodeId}`;
/**
 * An unassignment's hold in the bucket's partition (`UNASSIGNING#<nodeId>#<call>`, `ovAt` `!P`):
 * from before its row's delete until the node's leaving is on the bucket's log, so the overview
 * reads the bucket as GET health does meanwhile (functions/data/overview-index.ts).
 */
export const unassignHoldSk = (nodeId: string, call: string) => `UNASSIGNING#${nodeId}#${call}`;
/** The bucket's health partition: STATE, health events, closed days, inputs, windows. */
export const HEALTH_PK_PREFIX = 'HEALTH#';
export const healthPk = (bucketId: string) => `${HEALTH_PK_PREFIX}${bucketId}`;
/** The sort key prefix of a bucket's health events (`E#<at ISO>#<to>`). */
export const HEALTH_EVENT_SK_PREFIX = 'E#';
export const HEALTH_STATE_SK = 'STATE';
/** The prefix of a health mark's `sweepAt` (node rows' bare ISO values sort before it). */
export const HEALTH_MARK_PREFIX = 'H';
/** A bucket's share slots (`SLOT#0`-`SLOT#9`): a partition of their own, out of the status Query's range. */
export const sharesPk = (bucketId: string) => `SHARES#${bucketId}`;
export const SHARE_SLOT_SK_PREFIX = 'SLOT#';
export const shareSlotSk = (slot: number) => `${SHARE_SLOT_SK_PREFIX}${slot}`;
/** A share token's lookup row, keyed by the token's hash (base64url SHA-256): sk META. */
export const shareTokenPk = (tokenHash: string) => `SHARE#${tokenHash}`;
/** A health input row's sort key prefix: `I#<at ISO>#…` (uncount and policy inputs). */
export const HEALTH_INPUT_SK_PREFIX = 'I#';
/** An uncount input: a counted node unassigned at `atMs`. */
export const healthUncountSk = (atMs: number, nodeId: string) =>
  `${HEALTH_INPUT_SK_PREFIX}${new Date(atMs).toISOString()}#U#${nodeId}`;
/** A policy input: the bucket's minOnlinePercent from `atMs` on. */
export const healthPolicySk = (atMs: number) =>
  `${HEALTH_INPUT_SK_PREFIX}${new Date(atMs).toISOString()}#P`;
/** A workspace API key's lookup row: `APIKEY#<base64url SHA-256 of the key>` / `META`. */
export const apiKeyPk = (keyHash: string) => `APIKEY#${keyHash}`;
/** A workspace API key's slot row in the workspace partition: `APIKEY#00`-`APIKEY#19`. */
export const API_KEY_SLOT_PREFIX = 'APIKEY#';
export const apiKeySlotSk = (slot: number) =>
  `${API_KEY_SLOT_PREFIX}${String(slot).padStart(2, '0')}`;
/**
 * The listing rows of the workspace overview (DESIGN.md section 14): a workspace's buckets
 * (`WSBUCKETS#<workspaceId>`) and an org's workspaces (`ORGWORKSPACES#<orgId>`), each sorted by
 * `<name>\u0001<id>`. Names hold no control character (functions/domain/ids.ts), so U+0001
 * sorts below every character of a name: a name sorts before every longer name it begins, and
 * rows of one name sort by id, in DynamoDB's order (UTF-8 bytes, so code points).
 */
export const workspaceBucketsPk = (workspaceId: string) => `WSBUCKETS#${workspaceId}`;
export const orgWorkspacesPk = (orgId: string) => `ORGWORKSPACES#${orgId}`;
/**
 * DynamoDB's bound on a range key (1,024 bytes of UTF-8) less the separator and the longest id
 * (128 characters): the bytes of a name a listing key holds. A name longer in bytes (up to 256
 * code points of 4 bytes each) is keyed by its longest prefix that fits, so two names that share
 * their first 895 bytes sort by id.
 */
export const LISTING_NAME_MAX_BYTES = 1024 - LISTING_SEPARATOR.length - 128;

const utf8Length = (codePoint: number) =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;

/** The longest prefix of `name` (whole code points) of at most LISTING_NAME_MAX_BYTES bytes. */
export function listingNameKey(name: string): string {
  let bytes = 0;
  let end = 0;
  for (const char of name) {
    bytes += utf8Length(char.codePointAt(0) as number);
    if (bytes > LISTING_NAME_MAX_BYTES) break;
    end += char.length;
  }
  return name.slice(0, end);
}

export const listingSk = (name: string, id: string) =>
  `${listingNameKey(name)}${LISTING_SEPARATOR}${id}`;
