/**
 * Server-side request validation against a wire shape (functions/wire/*.ts). A shape says what
 * a valid body is; each route keeps its own messages (they name the field, and clients and
 * tests rely on them), so `firstIssue` picks the error the route reports and the route maps it
 * to its message. Issues are ordered as a reader checks a body: the value's own type, then its
 * unknown fields (in the body's order), then its fields in the shape's order, depth first.
 */
import type { TSchema } from '@sinclair/typebox';
import { type IssueType, issuesOf } from './issues.ts';

export type { IssueType };

export interface Issue {
  /** The field's path, e.g. ['buckets', '3', 'status']; [] for the value itself. */
  path: string[];
  /** `unknown`: a field the shape does not have (its name is the last path segment). */
  kind: 'type' | 'unknown' | 'missing' | 'invalid';
  /** What the issue is about (`Rule`: an `extra` issue of the route's own). */
  error: { type: IssueType };
}

function kindOf(type: IssueType): Issue['kind'] {
  switch (type) {
    case 'ObjectAdditionalProperties':
      return 'unknown';
    case 'ObjectRequiredProperty':
      return 'missing';
    case 'Object':
    case 'Array':
    case 'String':
    case 'Integer':
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
function orderOf(issue: Issue, schema: TSchema, value: unknown): number[] {
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
export function firstIssue(
  schema: TSchema,
  value: unknown,
  options: { extra?: Issue[]; ignore?: (issue: Issue) => boolean } = {},
): Issue | undefined {
  const issues: Issue[] = [...(options.extra ?? [])];
  for (const { path, type } of issuesOf(schema, value)) {
    const issue: Issue = { path, kind: kindOf(type), error: { type } };
    if (!options.ignore?.(issue)) issues.push(issue);
  }
  let first: Issue | undefined;
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
