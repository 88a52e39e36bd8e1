/** Ids of users, buckets, nodes, workspaces and orgs: 1-128 chars of [A-Za-z0-9_-]. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const isValidId = (value: unknown): value is string =>
  typeof value === 'string' && ID_PATTERN.test(value);

/** Display names (buckets, workspaces): 1-256 printable characters (DESIGN.md section 7). */
export const MAX_NAME_LENGTH = 256;
/** True for control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
export function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      return true;
    }
  }
  return false;
}
export const isValidName = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.trim() !== '' &&
  value.length <= MAX_NAME_LENGTH &&
  !hasControlCharacters(value);
