/** Flag values, validated: every problem is a UsageError (exit 2) naming the flag. */
import { isValidId, nameProblem } from '../functions/domain/ids.ts';
import { type CommandContext, UsageError } from './usage.ts';

export const ID_HINT = '1-128 chars of [A-Za-z0-9_-]';

type Values = CommandContext['values'];

export function requiredValue(values: Values, name: string): string {
  const value = values[name];
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function idArg(values: Values, name: string): string {
  const value = requiredValue(values, name);
  if (!isValidId(value)) throw new UsageError(`--${name} must be ${ID_HINT} (got "${value}")`);
  return value;
}

export function optionalIdArg(values: Values, name: string): string | undefined {
  return values[name] === undefined ? undefined : idArg(values, name);
}

export function enumArg<T extends string>(
  values: Values,
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const value = values[name] ?? fallback;
  if (value === undefined) throw new UsageError(`--${name} is required`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

export function secondsArg(values: Values, name: string, max: number) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`--${name} must be an integer from 1 to ${max} seconds (got "${raw}")`);
  }
  return Number(raw);
}

/**
 * A display name: 1-256 printable characters, counted in code points, by the API's rule
 * (functions/domain/ids.ts, DESIGN.md section 12). Unprintable characters are refused rather
 * than stored, since they would be echoed to terminals and pages.
 */
export function nameArg(values: Values, name: string, fallback: string): string {
  const value = values[name] ?? fallback;
  const problem = nameProblem(value, `--${name}`);
  if (problem !== undefined) throw new UsageError(problem);
  return value;
}
