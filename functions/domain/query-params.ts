import { ValidationError } from './errors.ts';

/** The allowed values of a numeric query parameter, and its value when absent. */
export interface IntegerParam {
  readonly min: number;
  readonly max: number;
  readonly fallback: number;
}

/**
 * Canonical decimal integers only: digits, no sign, no leading zero, no spaces, no exponent
 * (`days=01`, `limit=+5` and `limit=1e2` are refused alike, as ids and cursors are strict). 16
 * digits at most, so every accepted text is an exact Number.
 */
const CANONICAL_INTEGER = /^(?:0|[1-9]\d{0,15})$/;

/**
 * The one parser of numeric query parameters (GET uptime's `days`, GET events' `limit`): absent
 * is the fallback; anything but a canonical integer within the range is a 400 naming the
 * parameter and the rule.
 */
export function parseIntegerParam(
  name: string,
  raw: string | undefined,
  range: IntegerParam,
): number {
  if (raw === undefined) return range.fallback;
  const value = Number(raw);
  if (!CANONICAL_INTEGER.test(raw) || value < range.min || value > range.max) {
    throw new ValidationError(
      `${name} must be an integer from ${range.min} to ${range.max}, in decimal digits without a leading zero`,
    );
  }
  return value;
}
