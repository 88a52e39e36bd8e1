/**
 * The reference for test/unit/wire-issues-model.test.ts: request validation as TypeBox's own
 * checker does it (`Check`, then `Errors`, with the ipv4 and ipv6 formats registered), ordered as
 * functions/wire/check.ts orders issues. The shipped code (functions/wire/issues.ts) must list
 * the same issues and pick the same first one; TypeBox's checker is a test dependency only.
 */
import { isIP } from 'node:net';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
// Named imports, not the Value namespace: a bundle then carries Check and Errors only.
import { Errors, type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Check } from '@sinclair/typebox/value';

// The formats request shapes use; response-only formats (date, date-time, uri) are checked by
// the contract tests against openapi.yaml, not at run time.
if (!FormatRegistry.Has('ipv4')) FormatRegistry.Set('ipv4', (value) => isIP(value) === 4);
if (!FormatRegistry.Has('ipv6')) FormatRegistry.Set('ipv6', (value) => isIP(value) === 6);

export interface ReferenceIssue {
  /** The field's path, e.g. ['buckets', '3', 'status']; [] for the value itself. */
  path: string[];
  /** `unknown`: a field the shape does not have (its name is the last path segment). */
  kind: 'type' | 'unknown' | 'missing' | 'invalid';
  error: ValueError;
}

export const segments = (pointer: string): string[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));

function kindOf(error: ValueError): ReferenceIssue['kind'] {
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return 'unknown';
    case ValueErrorType.ObjectRequiredProperty:
      return 'missing';
    case ValueErrorType.Object:
    case ValueErrorType.Array:
    case ValueErrorType.String:
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
      return 'type';
    default:
      return 'invalid';
  }
}

/**
 * Where an issue comes in reading order, as a list compared element by element: at each object
 * level an unknown field (by its place in the body) before the shape's fields (by their place in
 * the shape); array items by index.
 */
function orderOf(issue: ReferenceIssue, schema: TSchema, value: unknown): number[] {
  const order: number[] = [];
  let node: TSchema | undefined = schema;
  let current: unknown = value;
  issue.path.forEach((segment, depth) => {
    const last = depth === issue.path.length - 1;
    if (Array.isArray(current)) {
      order.push(Number(segment));
      node = node?.items as TSchema | undefined;
    } else {
      const fields = Object.keys((node?.properties as object | undefined) ?? {});
      const known = fields.indexOf(segment);
      if (last && issue.kind === 'unknown') {
        order.push(-1, Object.keys(current as object).indexOf(segment));
        return;
      }
      order.push(known);
      node = (node?.properties as Record<string, TSchema> | undefined)?.[segment];
    }
    current = (current as Record<string, unknown> | undefined)?.[segment];
  });
  // A missing field before the type error the same field also gets (undefined is no string),
  // and the value's own type before anything inside it.
  order.push(issue.kind === 'missing' ? -3 : issue.kind === 'type' ? -2 : 0);
  return order;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/**
 * undefined when `value` is of the shape; else the issue a reader meets first. `extra` issues
 * (rules JSON Schema cannot say, such as "each bucket at most once") are ordered with the
 * shape's own; `ignore` drops issues a later step reports with its own message.
 */
export function referenceFirstIssue(
  schema: TSchema,
  value: unknown,
  options: { extra?: ReferenceIssue[]; ignore?: (issue: ReferenceIssue) => boolean } = {},
): ReferenceIssue | undefined {
  const extra = options.extra ?? [];
  if (extra.length === 0 && Check(schema, value)) return undefined;
  const issues: ReferenceIssue[] = [...extra];
  for (const error of Errors(schema, value)) {
    const issue: ReferenceIssue = { path: segments(error.path), kind: kindOf(error), error };
    if (!options.ignore?.(issue)) issues.push(issue);
  }
  let first: ReferenceIssue | undefined;
  let firstOrder: number[] = [];
  for (const issue of issues) {
    const order = orderOf(issue, schema, value);
    if (first === undefined || compare(order, firstOrder) < 0) {
      first = issue;
      firstOrder = order;
    }
  }
  return first;
}

/** Every issue TypeBox's `Errors` lists, as functions/wire/issues.ts names them. */
export const referenceIssues = (schema: TSchema, value: unknown) =>
  [...Errors(schema, value)].map((error) => ({
    path: segments(error.path),
    type: ValueErrorType[error.type] as string,
  }));

export const referenceCheck = (schema: TSchema, value: unknown): boolean => Check(schema, value);
