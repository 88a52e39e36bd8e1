/** Ids of users, buckets, nodes, workspaces and orgs: 1-128 chars of [A-Za-z0-9_-]. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const isValidId = (value: unknown): value is string =>
  typeof value === 'string' && ID_PATTERN.test(value);

/** Display names (buckets, workspaces): 1-256 printable characters (DESIGN.md section 7). */
export const MAX_NAME_LENGTH = 256;
/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
export const hasControlCharacters = (value: string) => CONTROL_CHARACTERS.test(value);
export const isValidName = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.trim() !== '' &&
  value.length <= MAX_NAME_LENGTH &&
  !hasControlCharacters(value);
