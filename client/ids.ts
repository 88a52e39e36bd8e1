/**
 * Ids are checked before they become part of a URL: 1-128 characters of [A-Za-z0-9_-], as
 * the API requires. So `.`, `..`, `/`, `%2F` or `?` can never turn into path segments or a
 * query and send the token to another route.
 */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

export function checkId(value: unknown, name: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
    throw new TypeError(`${name} must be 1-128 characters of A-Z, a-z, 0-9, _ or - (got ${shown})`);
  }
  return value;
}

export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

/** A day as the stats route takes it: YYYY-MM-DD, or a Date (its UTC day). */
export function toDay(value: unknown): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('day is an invalid Date');
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) && value.length <= 64) {
    return value;
  }
  throw new TypeError(`day must be a Date or a YYYY-MM-DD string (got ${JSON.stringify(value)})`);
}

/** A share token as the API issues it: `bss_` + 43 base64url characters. */
const SHARE_TOKEN = /^bss_[A-Za-z0-9_-]{43}$/;

/**
 * A share token is checked before it becomes a path segment, like an id; the message never
 * repeats it (a token is a credential).
 */
export function checkShareToken(value: unknown): string {
  if (typeof value !== 'string' || !SHARE_TOKEN.test(value)) {
    throw new TypeError('shareToken must be bss_ followed by 43 base64url characters');
  }
  return value;
}

/**
 * How a query value is checked, from the route's published schema: an integer in a range, a
 * string (at most `maxLength`, one of `enum`), or a list of ids (a repeated parameter).
 */
export interface QueryCheck {
  type: 'integer' | 'string' | 'ids';
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  enum?: readonly string[];
}

/** The query of a method `npm run wire` writes: each value given, checked, as the URL sends it. */
export function checkQuery(
  query: object,
  checks: Readonly<Record<string, QueryCheck>>,
): Record<string, string | readonly string[]> {
  const params: Record<string, string | readonly string[]> = {};
  for (const [name, check] of Object.entries(checks)) {
    const value = (query as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (check.type === 'integer') {
      const { minimum = Number.MIN_SAFE_INTEGER, maximum = Number.MAX_SAFE_INTEGER } = check;
      params[name] = String(checkInteger(value, name, minimum, maximum));
    } else if (check.type === 'ids') {
      const values: unknown[] = Array.isArray(value) ? value : [value];
      params[name] = values.map((one) => checkId(one, name));
    } else {
      const max = check.maxLength ?? 2048;
      const allowed = check.enum === undefined || check.enum.includes(value as string);
      if (typeof value !== 'string' || value === '' || value.length > max || !allowed) {
        const what = check.enum?.join(' or ') ?? `a string of 1-${max} characters`;
        throw new TypeError(`${name} must be ${what}`);
      }
      params[name] = value;
    }
  }
  return params;
}
