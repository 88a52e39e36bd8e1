import { ID_PATTERN } from '../wire/id-pattern.ts';

/** Ids of users, buckets, nodes, workspaces and orgs: 1-128 chars of [A-Za-z0-9_-]. */
export { ID_PATTERN };
export const isValidId = (value: unknown): value is string =>
  typeof value === 'string' && ID_PATTERN.test(value);

/**
 * The one rule of stored display text, in the API and the admin CLI alike (DESIGN.md section
 * 12): lengths count code points, and a printable text holds no character of general category
 * Cc (controls), Cf (format: bidirectional controls, zero-width characters, U+FEFF, tag
 * characters), Cs (lone surrogates), Co (private use), Cn (unassigned), Zl or Zp (line and
 * paragraph separators). Such characters reorder or hide what an admin reads on a page or in a
 * terminal, or end a line in a log.
 */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

export const codePointLength = (value: string): number => {
  let length = 0;
  for (const _ of value) length++;
  return length;
};

const codePointName = (char: string) =>
  `U+${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What is wrong with `value` as `min`-`max` printable characters, as a message naming `field`
 * (the refused character by its code point, never echoed); undefined when nothing is.
 */
export function textProblem(
  value: string,
  field: string,
  min: number,
  max: number,
): string | undefined {
  const refused = NOT_PRINTABLE.exec(value)?.[0];
  if (refused !== undefined) {
    return (
      `${field} must not contain control, format, surrogate, private-use, unassigned or ` +
      `separator characters (${codePointName(refused)})`
    );
  }
  const length = codePointLength(value);
  if (length >= min && length <= max) return undefined;
  return min === 0
    ? `${field} must be at most ${max} characters`
    : `${field} must be ${min}-${max} printable characters`;
}

/** Display names (buckets, workspaces): 1-256 printable characters, not all blank. */
export const MAX_NAME_LENGTH = 256;
export const nameProblem = (value: string, field: string): string | undefined =>
  value.trim() === ''
    ? `${field} must be 1-${MAX_NAME_LENGTH} printable characters`
    : textProblem(value, field, 1, MAX_NAME_LENGTH);
export const isValidName = (value: unknown): value is string =>
  typeof value === 'string' && nameProblem(value, 'name') === undefined;
