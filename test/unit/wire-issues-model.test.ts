/**
 * functions/wire/issues.ts against TypeBox's own checker (test/support/typebox-reference.ts),
 * for every request shape a function validates: random values drawn from each shape (valid
 * ones, wrong types, missing, undefined and unknown fields, lengths and numbers at and past
 * their bounds, strings matching and missing their patterns and formats, repeated array items)
 * must get the same verdict, the same issues in the same order, and the same first issue,
 * with and without an issue a route reports itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as Type from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NewApiKey } from '../../functions/wire/api-keys.ts';
import { firstIssue } from '../../functions/wire/check.ts';
import { HealthPolicyRequest } from '../../functions/wire/health-policy.ts';
import { StatsRequest } from '../../functions/wire/history.ts';
import { NodeReport } from '../../functions/wire/ingest.ts';
import { issuesOf } from '../../functions/wire/issues.ts';
import { NewMaintenanceWindow } from '../../functions/wire/maintenance.ts';
import { NewShare } from '../../functions/wire/shares.ts';
import { NewWebhook, WebhookPatch } from '../../functions/wire/webhooks.ts';
import {
  referenceCheck,
  referenceFirstIssue,
  referenceIssues,
} from '../support/typebox-reference.ts';

const RUNS = Number(process.env.WIRE_ISSUES_RUNS ?? 1500);

/** Each shape by the name its caller passes to firstIssue. */
const REQUEST_SHAPES: Record<string, Type.TSchema> = {
  NewWebhook,
  WebhookPatch,
  NewApiKey,
  StatsRequest,
  NewShare,
  NodeReportShape: NodeReport,
  NewMaintenanceWindow,
  HealthPolicyRequest,
};

/** Shapes no route uses, for what the request shapes do not reach (uniqueItems of objects). */
const EXTRA_SHAPES: Record<string, Type.TSchema> = {
  uniqueAnything: Type.Array(Type.Boolean(), { uniqueItems: true, maxItems: 3 }),
  nested: Type.Object({
    list: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: '^a' }),
          n: Type.Optional(Type.Integer({ maximum: 3 })),
          m: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 2 },
    ),
    flag: Type.Union([Type.Literal(1), Type.Boolean()]),
    // Outside a union, whose one issue hides those of its variants.
    kind: Type.Literal('k'),
    address: Type.Optional(Type.String({ format: 'ipv4' })),
  }),
};

const ROOT = new URL('../../functions/', import.meta.url);

/** The first argument of every firstIssue call under functions/. */
function shapesPassedToFirstIssue(dir = ROOT): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    if (entry.isDirectory()) names.push(...shapesPassedToFirstIssue(url));
    else if (entry.name.endsWith('.ts')) {
      const source = readFileSync(url, 'utf8');
      for (const match of source.matchAll(/\bfirstIssue\(\s*(\w+)\s*,/g)) {
        names.push(match[1] as string);
      }
    }
  }
  return names;
}

const KEYS = fc.oneof(
  fc.constantFrom('x', 'a/b', '~1', '~0x', '', '__proto__', 'constructor', 'toString', 'url'),
  fc.string({ maxLength: 5 }),
);

const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, false, 0, -0, 1.5, Number.NaN, Infinity, '', [], {}),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 8 }),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(KEYS, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

type Schema = Record<string, unknown>;

const sized = (lengths: number[], unit: fc.Arbitrary<string>) =>
  fc
    .constantFrom(...lengths.filter((n) => n >= 0))
    .chain((n) => fc.string({ unit, minLength: n, maxLength: n }));

function stringsFor(schema: Schema): fc.Arbitrary<string> {
  const options: fc.WeightedArbitrary<string>[] = [
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 10 }),
        fc.string({ unit: 'binary', maxLength: 6 }),
      ),
    },
  ];
  const max = schema.maxLength as number | undefined;
  if (max !== undefined) {
    options.push({
      weight: 2,
      arbitrary: sized([max - 1, max, max + 1], fc.constantFrom('a', '1', '-', '😀')),
    });
  }
  if (typeof schema.pattern === 'string') {
    // fast-check draws no lookahead: the bound it states is maxLength's too.
    const source = schema.pattern.replace(/\(\?=[^)]*\)/, '');
    const matching = fc.stringMatching(new RegExp(source));
    options.push(
      { weight: 10, arbitrary: matching },
      { weight: 1, arbitrary: matching.map((s) => `${s}%`) },
    );
  }
  if (schema.format === 'ipv4' || schema.format === 'ipv6') {
    options.push(
      { weight: 4, arbitrary: schema.format === 'ipv4' ? fc.ipV4() : fc.ipV6() },
      {
        weight: 2,
        arbitrary: fc.oneof(
          fc.ipV4(),
          fc.ipV6(),
          fc.ipV6().map((ip) => `${ip}%eth0`),
          fc.ipV4Extended(),
          fc.constantFrom(
            '::ffff:192.168.100.228',
            '0000:0000:0000:0000:0000:ffff:192.168.100.228',
          ),
        ),
      },
    );
  }
  if (schema.format === 'uri') options.push({ weight: 4, arbitrary: fc.webUrl() });
  return fc.oneof(...options);
}

function integersFor(schema: Schema): fc.Arbitrary<number> {
  const min = (schema.minimum as number | undefined) ?? -10;
  const max = (schema.maximum as number | undefined) ?? 10;
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: min - 2, max: max + 2 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        min - 1,
        min,
        max,
        max + 1,
        -0,
        1.5,
        2 ** 53,
        Number.NaN,
        -Infinity,
      ),
    },
    { weight: 1, arbitrary: fc.double() },
  );
}

function objectsFor(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties as Record<string, Schema>;
  const ABSENT = Symbol('absent');
  const fields = Object.entries(properties).map(([key, field]) =>
    fc
      .oneof(
        { weight: 14, arbitrary: valuesFor(field) },
        { weight: 1, arbitrary: fc.constant(ABSENT) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
      .map((value): [string, unknown][] => (value === ABSENT ? [] : [[key, value]])),
  );
  const extra = fc.oneof(
    { weight: 12, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(KEYS, anything), { minLength: 1, maxLength: 2 }) },
  );
  return fc
    .tuple(fc.tuple(...fields), extra)
    .chain(([known, unknown]) => {
      const entries = [...known.flat(), ...unknown];
      return fc.shuffledSubarray(entries, {
        minLength: entries.length,
        maxLength: entries.length,
      });
    })
    .map((entries) => Object.fromEntries(entries));
}

function arraysFor(schema: Schema): fc.Arbitrary<unknown[]> {
  const items = valuesFor(schema.items as Schema);
  const min = (schema.minItems as number | undefined) ?? 0;
  const max = (schema.maxItems as number | undefined) ?? 4;
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(items, { minLength: min, maxLength: Math.min(max + 1, 3) }) },
    { weight: 1, arbitrary: fc.array(items, { maxLength: Math.min(max + 1, 4) }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(0, min, max, max + 1)
        .chain((n) => fc.array(items, { minLength: n, maxLength: n })),
    },
    // A repeated item: a copy, so equal values, not the same object, repeat.
    {
      weight: 1,
      arbitrary: fc
        .array(items, { minLength: 1, maxLength: 3 })
        .map((list) => [...list, structuredClone(list[0])]),
    },
  );
}

/** Values of `schema`, each valid (but for an unknown format). */
function validFor(schema: Schema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as Schema[]).map(validFor));
  if ('const' in schema) return fc.constant(schema.const);
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const fields = Object.fromEntries(
        Object.entries(properties).map(([key, field]) => [key, validFor(field)]),
      );
      return fc.record(fields, { requiredKeys: required });
    }
    case 'array': {
      const min = (schema.minItems as number | undefined) ?? 0;
      const max = Math.min((schema.maxItems as number | undefined) ?? 3, 3);
      const items = validFor(schema.items as Schema);
      return schema.uniqueItems === true
        ? fc.uniqueArray(items, {
            minLength: min,
            maxLength: max,
            selector: (v) => JSON.stringify(v),
          })
        : fc.array(items, { minLength: min, maxLength: max });
    }
    case 'string': {
      const max = (schema.maxLength as number | undefined) ?? Infinity;
      const strings =
        schema.format === 'ipv4'
          ? fc.ipV4()
          : schema.format === 'ipv6'
            ? fc.ipV6()
            : schema.format === 'uri'
              ? fc.webUrl()
              : typeof schema.pattern === 'string'
                ? fc.stringMatching(new RegExp(schema.pattern.replace(/\(\?=[^)]*\)/, '')))
                : fc.string({ maxLength: Math.min(max, 12) });
      return strings.filter(
        (value) =>
          value.length <= max &&
          (typeof schema.pattern !== 'string' || new RegExp(schema.pattern).test(value)),
      );
    }
    case 'integer':
      return fc.integer({ min: schema.minimum as number, max: schema.maximum as number });
    default:
      return fc.boolean();
  }
}

/** Values near `schema`: valid ones, ones of its form (valid or not), sometimes anything at all. */
function valuesFor(schema: Schema): fc.Arbitrary<unknown> {
  let near: fc.Arbitrary<unknown>;
  if (Array.isArray(schema.anyOf)) near = fc.oneof(...(schema.anyOf as Schema[]).map(valuesFor));
  else if ('const' in schema) {
    near = fc.constantFrom(schema.const, String(schema.const).toLowerCase(), `${schema.const} `);
  } else if (schema.type === 'object') near = objectsFor(schema);
  else if (schema.type === 'array') near = arraysFor(schema);
  else if (schema.type === 'string') near = stringsFor(schema);
  else if (schema.type === 'integer') near = integersFor(schema);
  else if (schema.type === 'boolean') near = fc.boolean();
  else throw new Error(`no values for ${JSON.stringify(schema)}`);
  return fc.oneof(
    { weight: 10, arbitrary: near },
    { weight: 4, arbitrary: validFor(schema) },
    { weight: 1, arbitrary: anything },
  );
}

const named = (issue: { path: string[]; kind: string; error: { type: unknown } } | undefined) =>
  issue && { path: issue.path, kind: issue.kind, type: issue.error.type };

describe('the request shapes', () => {
  it('are every shape a function passes to firstIssue', () => {
    const passed = shapesPassedToFirstIssue();
    expect(passed.length).toBeGreaterThanOrEqual(8);
    expect(new Set(passed)).toEqual(new Set(Object.keys(REQUEST_SHAPES)));
  });
});

describe.each(Object.entries({ ...REQUEST_SHAPES, ...EXTRA_SHAPES }))(
  '%s: functions/wire/issues.ts against TypeBox Check + Errors',
  (_, schema) => {
    const values = valuesFor(schema as unknown as Schema);

    it('draws valid values (over 5%) and invalid ones (over 20%)', () => {
      const sample = fc.sample(values, { numRuns: 400, seed: 1 });
      // A URL is of no format TypeBox knew: every webhook body has that issue (the routes ignore it).
      const valid = sample.filter((value) =>
        referenceIssues(schema, value).every((issue) => issue.type === 'StringFormatUnknown'),
      ).length;
      expect(valid).toBeGreaterThan(sample.length / 20);
      expect(valid).toBeLessThan(sample.length * 0.8);
    });

    it('the same verdict, issues and first issue for every value', () => {
      const fields = Object.keys((schema as { properties?: object }).properties ?? {});
      fc.assert(
        fc.property(values, fc.constantFrom(undefined, ...fields), (value, dropped) => {
          const issues = issuesOf(schema, value);
          expect(issues).toEqual(referenceIssues(schema, value));
          expect(issues.length === 0).toBe(referenceCheck(schema, value));
          const reference = referenceFirstIssue(schema, value);
          expect(named(firstIssue(schema, value))).toEqual(
            reference && { ...named(reference), type: ValueErrorType[reference.error.type] },
          );
          // A route that reports a field's issues itself (as the webhook routes do the URL's).
          const ignore = (issue: { path: string[] }) => issue.path[0] === dropped;
          const mine = firstIssue(schema, value, { ignore });
          const theirs = referenceFirstIssue(schema, value, { ignore });
          expect(named(mine)).toEqual(
            theirs && { ...named(theirs), type: ValueErrorType[theirs.error.type] },
          );
        }),
        { numRuns: RUNS },
      );
    });
  },
);

describe('values a random draw seldom makes, against TypeBox Check + Errors', () => {
  const same = (schema: Type.TSchema, value: unknown) => {
    expect(issuesOf(schema, value), JSON.stringify(value)).toEqual(referenceIssues(schema, value));
  };

  it('repeated items: -0 is not 0, NaN is NaN, key order does not matter, types do', () => {
    const unique = EXTRA_SHAPES.uniqueAnything as Type.TSchema;
    for (const items of [
      [0, -0],
      [-0, -0],
      [Number.NaN, Number.NaN],
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
      [{ a: 1 }, { a: 1, b: 2 }],
      [{ a: 1 }, { b: 1 }],
      [[1], { 0: 1 }],
      [[1], { 0: 1, length: 1 }],
      [
        [1, 23],
        [12, 3],
      ],
      [
        [1, 2],
        [2, 1],
      ],
      [[1], [1]],
      ['1', 1],
      [null, 'null'],
      [true, 'true'],
      [{}, []],
      [{ a: [1, { b: '2' }] }, { a: [1, { b: '2' }] }],
      [{ a: [1, { b: '2' }] }, { a: [1, { b: 2 }] }],
    ]) {
      same(unique, items);
    }
  });

  it('bodies at the edges of the request shapes', () => {
    const bucket = { bucketId: 'b1', status: 'ONLINE' };
    const report = { ip: '192.0.2.1', region: 'eu-1', version: '1.2.3', buckets: [bucket] };
    for (const value of [
      report,
      { ...report, ip: 'fe80::1%eth0' },
      { ...report, ip: `${'1'.repeat(46)}` },
      { ...report, ip: '::ffff:192.0.2.1' },
      { ...report, version: `1.2.3-${'a'.repeat(58)}` },
      { ...report, version: `1.2.3-${'a'.repeat(59)}` },
      { ...report, buckets: Array.from({ length: 100 }, () => bucket) },
      { ...report, buckets: Array.from({ length: 101 }, () => bucket) },
      { ...report, buckets: [{ ...bucket, latency_ms: undefined }] },
      { ...report, buckets: [{ ...bucket, status: undefined }] },
      { ...report, buckets: [] },
    ]) {
      same(NodeReport, value);
    }
    for (const value of [{}, { url: undefined }, { events: [] }, { nope: 1 }]) {
      same(WebhookPatch, value);
    }
  });
});

describe('a keyword functions/wire/issues.ts does not check', () => {
  const throwsAtFirstCheck = (schema: Type.TSchema, what: string) => {
    expect(() => issuesOf(schema, {}), what).toThrow(/functions\/wire\/issues\.ts does not check/);
    expect(() => firstIssue(schema, 'x'), what).toThrow(what);
  };

  it.each([
    [Type.String({ minLength: 1 }), '"minLength"'],
    [Type.Number(), 'type "number"'],
    [Type.Null(), 'type "null"'],
    [Type.Integer({ exclusiveMinimum: 0 }), '"exclusiveMinimum"'],
    [Type.String({ format: 'date-time' }), 'format date-time'],
    [Type.String({ format: 'constructor' }), 'format constructor'],
    [Type.Object({}, { additionalProperties: true }), 'additionalProperties other than false'],
    [Type.Array(Type.String(), { uniqueItems: false }), 'uniqueItems other than true'],
    [Type.Union([Type.Literal('a')], { minLength: 1 }), '"minLength"'],
    [{ ...Type.Literal('a'), pattern: 'a' }, '"pattern"'],
    [Type.Record(Type.String(), Type.String()), '"patternProperties"'],
  ] as [Type.TSchema, string][])('throws for %j (%s), at its first check', (schema, what) => {
    throwsAtFirstCheck(schema, what);
  });

  it('throws for one below an object, an array or a union, whatever the value', () => {
    const deep = Type.String({ minLength: 1 });
    throwsAtFirstCheck(Type.Object({ a: Type.Optional(deep) }), '"minLength"');
    throwsAtFirstCheck(Type.Array(deep), '"minLength"');
    throwsAtFirstCheck(Type.Union([Type.Literal('a'), deep]), '"minLength"');
  });

  it('checks a schema once: a known one is not walked for keywords again', () => {
    const shape = Type.Object({ a: Type.String() });
    expect(issuesOf(shape, { a: 'x' })).toEqual([]);
    (shape.properties.a as Record<string, unknown>).minLength = 1;
    expect(issuesOf(shape, { a: 'x' })).toEqual([]);
  });
});
