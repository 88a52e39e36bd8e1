/**
 * The issues of a value against a request shape (functions/wire/*.ts), as JSON Schema says
 * them: the run-time half of request validation, without TypeBox's checker (whose 48 KB cost
 * each function that validates a body about 5 ms of cold start, docs/evidence/performance.md).
 * It knows exactly the keywords the request shapes use; a shape with any other keyword throws
 * at its first check, so a new keyword fails in tests instead of passing unchecked. Issues come
 * in the order TypeBox's `Errors` lists them (test/unit/wire-issues-model.test.ts holds both to
 * that): at each object its type, its property count, the missing fields (in `required`
 * order), the unknown fields (in the body's order), then its fields in the shape's order.
 */
import { isIP } from 'node:net';

/** What an issue is about; the names of TypeBox's `ValueErrorType` members. */
export type IssueType =
  | 'Object'
  | 'ObjectMinProperties'
  | 'ObjectRequiredProperty'
  | 'ObjectAdditionalProperties'
  | 'Array'
  | 'ArrayMinItems'
  | 'ArrayMaxItems'
  | 'ArrayUniqueItems'
  | 'String'
  | 'StringMaxLength'
  | 'StringPattern'
  | 'StringFormat'
  | 'StringFormatUnknown'
  | 'Integer'
  | 'IntegerMaximum'
  | 'IntegerMinimum'
  | 'Boolean'
  | 'Literal'
  | 'Union'
  /** A rule of a route JSON Schema cannot say (functions/wire/check.ts `extra`). */
  | 'Rule';

export interface RawIssue {
  /** The field's path, e.g. ['buckets', '3', 'status']; [] for the value itself. */
  path: string[];
  type: IssueType;
}

type Schema = Readonly<Record<string, unknown>>;

/** The keywords each kind of node may carry; `description` and `default` are notes only. */
const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  object: ['properties', 'required', 'additionalProperties', 'minProperties'],
  array: ['items', 'minItems', 'maxItems', 'uniqueItems'],
  string: ['maxLength', 'pattern', 'format'],
  integer: ['minimum', 'maximum'],
  boolean: [],
};
const NOTES = ['type', 'description', 'default'];

/**
 * Formats checked here. `uri` is none of them: TypeBox, with no `uri` in its format registry,
 * reported every URL as of an unknown format, and the webhook routes check a URL themselves
 * (checkWebhookUrl); it stays an issue of that type so the order of issues is unchanged.
 */
const FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  ipv4: (value) => isIP(value) === 4,
  ipv6: (value) => isIP(value) === 6,
};
const UNCHECKED_FORMATS = ['uri'];

function unsupported(what: string): never {
  throw new Error(`functions/wire/issues.ts does not check ${what}`);
}

/** The keywords a node may carry, by what it is: a union, a literal or a type. */
function keywordsOf(schema: Schema): readonly string[] | undefined {
  if ('anyOf' in schema) return ['anyOf'];
  if ('const' in schema) return ['const'];
  return KEYWORDS[String(schema.type)];
}

/** Throws for a node (or a node below it) with a keyword the walker does not check. */
function assertKnown(schema: Schema): void {
  const allowed = keywordsOf(schema);
  if (allowed === undefined) unsupported(`type ${JSON.stringify(schema.type)}`);
  for (const key of Object.keys(schema)) {
    if (!allowed.includes(key) && !NOTES.includes(key)) unsupported(`"${key}"`);
  }
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
    unsupported('additionalProperties other than false');
  }
  if (schema.uniqueItems !== undefined && schema.uniqueItems !== true) {
    unsupported('uniqueItems other than true');
  }
  const format = schema.format as string | undefined;
  if (
    format !== undefined &&
    !Object.hasOwn(FORMATS, format) &&
    !UNCHECKED_FORMATS.includes(format)
  ) {
    unsupported(`format ${format}`);
  }
  const below = [
    ...((schema.anyOf ?? []) as Schema[]),
    ...(schema.items === undefined ? [] : [schema.items as Schema]),
    ...Object.values((schema.properties ?? {}) as Record<string, Schema>),
  ];
  for (const node of below) assertKnown(node);
}

const known = new WeakSet<Schema>();

/**
 * A text that two JSON values share exactly when they are the same value, as TypeBox's
 * `uniqueItems` compares them (-0 is not 0, key order does not matter).
 */
function identity(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(identity).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.getOwnPropertyNames(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${identity(record[key])}`).join(',')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return Object.is(value, -0) ? '-0' : String(value);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function* walk(schema: Schema, path: string[], value: unknown): Generator<RawIssue> {
  const issue = (type: IssueType, at = path): RawIssue => ({ path: at, type });
  if ('anyOf' in schema) {
    const variants = schema.anyOf as Schema[];
    if (!variants.some((variant) => walk(variant, path, value).next().done)) {
      yield issue('Union');
    }
    return;
  }
  if ('const' in schema) {
    if (value !== schema.const) yield issue('Literal');
    return;
  }
  switch (schema.type) {
    case 'object':
      return yield* walkObject(schema, path, value);
    case 'array':
      return yield* walkArray(schema, path, value);
    case 'string':
      return yield* walkString(schema, path, value);
    case 'integer':
      if (!Number.isInteger(value)) return yield issue('Integer');
      if (schema.maximum !== undefined && !((value as number) <= (schema.maximum as number))) {
        yield issue('IntegerMaximum');
      }
      if (schema.minimum !== undefined && !((value as number) >= (schema.minimum as number))) {
        yield issue('IntegerMinimum');
      }
      return;
    default:
      if (typeof value !== 'boolean') yield issue('Boolean');
  }
}

function* walkObject(schema: Schema, path: string[], value: unknown): Generator<RawIssue> {
  if (!isObject(value)) return yield { path, type: 'Object' };
  const present = Object.getOwnPropertyNames(value);
  if (schema.minProperties !== undefined && present.length < (schema.minProperties as number)) {
    yield { path, type: 'ObjectMinProperties' };
  }
  const required = (schema.required ?? []) as string[];
  for (const key of required) {
    if (!present.includes(key)) yield { path: [...path, key], type: 'ObjectRequiredProperty' };
  }
  const properties = schema.properties as Record<string, Schema>;
  const fields = Object.getOwnPropertyNames(properties);
  if (schema.additionalProperties === false) {
    for (const key of present) {
      if (!fields.includes(key)) yield { path: [...path, key], type: 'ObjectAdditionalProperties' };
    }
  }
  for (const key of fields) {
    // An optional field is checked when it has a value; a required one always.
    if (required.includes(key) || value[key] !== undefined) {
      yield* walk(properties[key] as Schema, [...path, key], value[key]);
    }
  }
}

function* walkArray(schema: Schema, path: string[], value: unknown): Generator<RawIssue> {
  if (!Array.isArray(value)) return yield { path, type: 'Array' };
  if (schema.minItems !== undefined && value.length < (schema.minItems as number)) {
    yield { path, type: 'ArrayMinItems' };
  }
  if (schema.maxItems !== undefined && value.length > (schema.maxItems as number)) {
    yield { path, type: 'ArrayMaxItems' };
  }
  for (let i = 0; i < value.length; i++) {
    yield* walk(schema.items as Schema, [...path, String(i)], value[i]);
  }
  if (schema.uniqueItems === true && new Set(value.map(identity)).size < value.length) {
    yield { path, type: 'ArrayUniqueItems' };
  }
}

function* walkString(schema: Schema, path: string[], value: unknown): Generator<RawIssue> {
  if (typeof value !== 'string') return yield { path, type: 'String' };
  if (schema.maxLength !== undefined && value.length > (schema.maxLength as number)) {
    yield { path, type: 'StringMaxLength' };
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern as string).test(value)) {
    yield { path, type: 'StringPattern' };
  }
  if (schema.format !== undefined) {
    const check = FORMATS[schema.format as string];
    if (check === undefined) yield { path, type: 'StringFormatUnknown' };
    else if (!check(value)) yield { path, type: 'StringFormat' };
  }
}

/**
 * Every issue of `value` against `schema`, in TypeBox's order; none when it is of the shape.
 * Throws when the schema has a keyword this walker does not check.
 */
export function issuesOf(schema: Schema, value: unknown): RawIssue[] {
  if (!known.has(schema)) {
    assertKnown(schema);
    known.add(schema);
  }
  return [...walk(schema, [], value)];
}
