/**
 * The opaque, tamper-evident cursor of `GET /bucket/{bucketId}/events`: the position (the sort
 * key of the last event returned) and an HMAC-SHA256 over the bucket id and that position.
 * A cursor edited by hand, forged without the key, or taken from another bucket fails the MAC.
 * Pure: the key is given (docs/SECURITY.md says where it comes from).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16; // 128 bits: forging needs 2^128 tries on average
/** Positions are event sort keys (at most ~200 characters); the cursor is bounded well above. */
export const MAX_CURSOR_LENGTH = 512;

function mac(key: Uint8Array, bucketId: string, position: string): Buffer {
  return createHmac('sha256', key)
    .update(`bucket-status events cursor v1\n${bucketId}\n${position}`)
    .digest()
    .subarray(0, MAC_BYTES);
}

export function encodeCursor(key: Uint8Array, bucketId: string, position: string): string {
  const text = Buffer.from(position).toString('base64url');
  return `${text}.${mac(key, bucketId, position).toString('base64url')}`;
}

/**
 * The position a cursor carries, or undefined when it is malformed, forged or another bucket's
 * (`bucketId`: the MAC's scope), or longer than `maxLength` (GET events' 512 unless given).
 */
export function decodeCursor(
  key: Uint8Array,
  bucketId: string,
  cursor: string,
  maxLength = MAX_CURSOR_LENGTH,
): string | undefined {
  if (cursor.length > maxLength) return undefined;
  // In the function, not a module constant, so that mutation testing exercises it.
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/.exec(cursor);
  if (match === null) return undefined;
  const [, text, macText] = match as unknown as [string, string, string];
  const given = Buffer.from(macText, 'base64url');
  // Only the canonical spelling: base64url has several texts for one byte string.
  if (given.length !== MAC_BYTES || given.toString('base64url') !== macText) return undefined;
  const position = Buffer.from(text, 'base64url').toString('utf8');
  // Not the canonical base64url of the position's UTF-8 (another spelling, or not UTF-8).
  if (Buffer.from(position).toString('base64url') !== text) return undefined;
  return timingSafeEqual(given, mac(key, bucketId, position)) ? position : undefined;
}
