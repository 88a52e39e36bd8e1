/**
 * `npm run wire`: writes what follows from the wire shapes (functions/wire/) and the route
 * table (functions/route-table.ts): client/types.ts (the client stays dependency-free: plain
 * TypeScript, no TypeBox), client/routes.ts (what each route answers), the methods of the
 * routes' `clientMethod` in client/client.ts, the components/schemas section of openapi.yaml,
 * and the route table's part of its paths (scripts/openapi-paths.ts; the prose, examples and
 * request bodies are written in openapi.yaml). `--check` writes nothing and exits 1 when a
 * file is stale; test/types/wire-shapes.test.ts does the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { Kind, type TSchema } from '@sinclair/typebox';
import { Document, isSeq, parseDocument, visit } from 'yaml';
import { type QueryParam, ROUTES, type RouteSpec, routeKeyOf } from '../functions/route-table.ts';
import { COMPONENTS, type Component } from '../functions/wire/components.ts';
import { pathNames, type RouteList, writePaths } from './openapi-paths.ts';

type Json = Record<string, unknown>;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLIENT_TYPES_PATH = `${ROOT}client/types.ts`;
export const OPENAPI_PATH = `${ROOT}openapi.yaml`;
export const CLIENT_ROUTES_PATH = `${ROOT}client/routes.ts`;
export const CLIENT_PATH = `${ROOT}client/client.ts`;
/** openapi.yaml's last section, replaced from this line to the end. */
const SCHEMAS_LINE = '  schemas:\n';

/** A TypeBox schema as plain JSON Schema (TypeBox's symbol keys dropped). */
const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema)) as Json;

const withoutDescription = ({ description: _, ...rest }: Json): Json => rest;

const WIRE = new URL('../functions/wire/', import.meta.url);
/** Every schema the wire modules export, by its export name. */
const EXPORTED = new Map<string, TSchema>();
for (const file of readdirSync(WIRE).filter((f) => f.endsWith('.ts'))) {
  const module = (await import(new URL(file, WIRE).href)) as Record<string, unknown>;
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'object' && value !== null && Kind in value) {
      EXPORTED.set(name, value as TSchema);
    }
  }
}

/**
 * What is published: COMPONENTS, then each route's response shape that COMPONENTS does not
 * name, under its export name in functions/wire/ (the client's type too).
 */
export function published(routes: RouteList = ROUTES): Record<string, Component> {
  const components: Record<string, Component> = { ...COMPONENTS };
  for (const route of routes) {
    if (route.response === undefined || route.response in components) continue;
    const schema = EXPORTED.get(route.response);
    if (schema === undefined) {
      throw new Error(`${routeKeyOf(route)}: functions/wire/ exports no ${route.response}`);
    }
    components[route.response] = { schema, client: route.response };
  }
  return components;
}

export const PUBLISHED = published();

const named = Object.entries(PUBLISHED).map(([name, c]) => ({
  name,
  ...c,
  json: withoutDescription(plain(c.schema)),
}));

/** The component a sub-schema is (the same object, or the same schema but its description). */
function componentOf(schema: Json, self: string) {
  const bare = withoutDescription(plain(schema));
  return named.find(
    (c) => c.name !== self && (c.schema === schema || isDeepStrictEqual(c.json, bare)),
  );
}

// ---------------------------------------------------------------- openapi.yaml components

const KEY_ORDER = ['type', 'description', 'required', 'additionalProperties', 'properties'];

function toOpenApi(schema: Json, self: string, top = true): Json {
  if (!top) {
    const component = componentOf(schema, self);
    if (component !== undefined) {
      const description = schema.description;
      const own = description !== undefined && description !== component.schema.description;
      return {
        ...(own && { description }),
        $ref: `#/components/schemas/${component.name}`,
      };
    }
  }
  // A union of literals (TypeBox's enum) reads better as JSON Schema's enum: the same values.
  const anyOf = schema.anyOf as Json[] | undefined;
  if (anyOf?.every((s) => 'const' in s && s.type === anyOf[0]?.type)) {
    const { anyOf: _, ...rest } = schema;
    return toOpenApi({ type: anyOf[0]?.type, ...rest, enum: anyOf.map((s) => s.const) }, self);
  }
  const out: Json = {};
  const keys = [
    ...KEY_ORDER.filter((k) => k in schema),
    ...Object.keys(schema).filter((k) => !KEY_ORDER.includes(k)),
  ];
  for (const key of keys) {
    const value = schema[key];
    if (key === 'properties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, Json>).map(([k, v]) => [
          k,
          toOpenApi(v, self, false),
        ]),
      );
    } else if (key === 'items') out[key] = toOpenApi(value as Json, self, false);
    else if (key === 'anyOf') out[key] = (value as Json[]).map((v) => toOpenApi(v, self, false));
    else out[key] = value;
  }
  return plain(out);
}

export function openApiSchemasSection(): string {
  const schemas = Object.fromEntries(
    named.map((c) => [c.name, toOpenApi(c.schema as unknown as Json, c.name)]),
  );
  const doc = new Document({ schemas });
  visit(doc, {
    Pair(_, pair) {
      const key = (pair.key as { value?: unknown } | null)?.value;
      if ((key === 'required' || key === 'enum') && isSeq(pair.value)) pair.value.flow = true;
    },
  });
  const text = doc.toString({ lineWidth: 100, minContentWidth: 0, flowCollectionPadding: false });
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}

export function openApiDocument(current: string, routes?: RouteList): string {
  if (!current.includes(SCHEMAS_LINE)) {
    throw new Error('openapi.yaml has no components/schemas section');
  }
  const doc = parseDocument(current);
  writePaths(doc, routes);
  const text = doc.toString({ lineWidth: 100, minContentWidth: 0, flowCollectionPadding: false });
  return text.slice(0, text.indexOf(SCHEMAS_LINE)) + openApiSchemasSection();
}

// ---------------------------------------------------------------- client/types.ts

const clientName = (name: string) => PUBLISHED[name]?.client;

function doc(text: unknown, indent: string): string {
  if (typeof text !== 'string') return '';
  const lines = text.trim().split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
}

function toType(schema: Json, self: string, indent: string): string {
  const component = componentOf(schema, self);
  const name = component && clientName(component.name);
  if (name !== undefined) return name;
  if (typeof schema.const === 'string') return `'${schema.const.replaceAll("'", "\\'")}'`;
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.anyOf)) {
    const members = [...new Set((schema.anyOf as Json[]).map((s) => toType(s, self, indent)))];
    return members.join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const item = toType(schema.items as Json, self, indent);
      return item.includes(' ') ? `(${item})[]` : `${item}[]`;
    }
    case 'object':
      return objectBody(schema, self, indent);
    default:
      throw new Error(`${self}: no TypeScript for ${JSON.stringify(schema)}`);
  }
}

function objectBody(schema: Json, self: string, indent: string): string {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const inner = `${indent}  `;
  const fields = Object.entries(schema.properties as Record<string, Json>).map(
    ([key, value]) =>
      `${doc(value.description, inner)}${inner}${key}${required.has(key) ? '' : '?'}: ${toType(
        value,
        self,
        inner,
      )};`,
  );
  return `{\n${fields.join('\n')}\n${indent}}`;
}

export function clientTypes(): string {
  const blocks = named
    .filter((c) => c.client !== undefined)
    .map((c) => {
      const schema = c.schema as unknown as Json;
      const comment = doc(c.doc ?? schema.description, '');
      if (schema.type === 'object') {
        return `${comment}export interface ${c.client} ${objectBody(schema, c.name, '')}`;
      }
      const type = toType(schema, c.name, '');
      const line = `export type ${c.client} = ${type};`;
      // A union too long for one line: one member a line, as the formatter writes it.
      if (line.length <= 100 || !Array.isArray(schema.anyOf)) return `${comment}${line}`;
      const members = type.split(' | ').map((member) => `  | ${member}`);
      return `${comment}export type ${c.client} =\n${members.join('\n')};`;
    });
  return `${[
    '/**',
    ' * The wire types of the bucket-status API (DESIGN.md sections 2, 8, 9 and 10), as the API',
    ' * sends them. Generated from the wire shapes (functions/wire/) by `npm run wire`: edit the',
    ' * shapes, not this file. test/types/wire-types.test.ts ties each to the handler types.',
    ' */',
    '',
    blocks.join('\n\n'),
  ].join('\n')}\n`;
}

// ---------------------------------------------------------------- client/routes.ts

/**
 * The routes the client calls (those whose answer it has a type for: a client type, a text
 * body or none), what each answers, and what its request code needs beyond the route key.
 */
export function clientRoutes(): string {
  const routes = ROUTES.flatMap((route) => {
    const key = routeKeyOf(route);
    const answers = route.answers as readonly string[];
    const client = 'response' in route ? clientName(route.response) : undefined;
    const response = client === undefined ? undefined : `Types.${client}`;
    const text = 'text' in route ? route.text : undefined;
    const type =
      response ?? (text !== undefined ? 'string' : answers.includes('204') ? 'undefined' : '');
    if (type === '') return [];
    const facts = [
      ...(text !== undefined ? [`text: '${text}'`] : []),
      ...(answers.includes('204') ? ['noContent: true'] : []),
      ...(answers.includes('201') ? ['creates: true'] : []),
    ];
    return [{ key, type, facts: facts.length === 0 ? '{}' : `{ ${facts.join(', ')} }` }];
  });
  return `${[
    '/**',
    ' * The routes the client calls and what each answers, from the route table',
    ' * (functions/route-table.ts). Generated by `npm run wire`: edit the table, not this file.',
    ' */',
    '',
    "import type * as Types from './types.ts';",
    '',
    '/** What the request code needs of a route beyond its key. */',
    'export interface RouteFacts {',
    '  /** The 200 is text of this media type, returned as it is. */',
    "  readonly text?: 'image/svg+xml' | 'text/plain';",
    '  /** The answer is a 204 without a body. */',
    '  readonly noContent?: true;',
    '  /** The route creates something (201): a 503 is not retried (it may have been created). */',
    '  readonly creates?: true;',
    '}',
    '',
    "/** Each route's answer: its JSON body, a text body's text, `undefined` for a 204. */",
    'export interface RouteAnswers {',
    ...routes.map((r) => `  '${r.key}': ${r.type};`),
    '}',
    '',
    'export type ClientRoute = keyof RouteAnswers;',
    '',
    'export const ROUTE_FACTS: { readonly [K in ClientRoute]: RouteFacts } = {',
    ...routes.map((r) => `  '${r.key}': ${r.facts},`),
    '};',
  ].join('\n')}\n`;
}

// ---------------------------------------------------------------- client/client.ts

const WRITTEN_START =
  "  // Methods written by `npm run wire` from the route table's `clientMethod`: edit the table.\n";
const WRITTEN_END = '  // End of the written methods.\n';

/** A query parameter's TypeScript type and its client-side check (client/ids.ts, QueryCheck). */
function queryOf(route: RouteSpec, name: string, param: QueryParam) {
  const schema = param.schema as Json;
  const fail = () => {
    throw new Error(`${routeKeyOf(route)}: no client check for query ${name}`);
  };
  if (schema.type === 'integer') {
    const { minimum, maximum } = schema;
    return { type: 'number', check: { type: 'integer', minimum, maximum } };
  }
  if (schema.type === 'string') {
    const values = schema.enum as string[] | undefined;
    const type = values?.map((v) => `'${v}'`).join(' | ') ?? 'string';
    return { type, check: { type: 'string', maxLength: schema.maxLength, enum: values } };
  }
  if (schema.type === 'array' && (schema.items as Json).$ref === '#/components/schemas/Id') {
    return { type: 'readonly string[]', check: { type: 'ids' } };
  }
  return fail();
}

/** The method (and its `...IfChanged` twin) client/client.ts gets for a route's `clientMethod`. */
function clientMethod(route: RouteSpec, name: string): string {
  if (route.method !== 'GET') throw new Error(`${routeKeyOf(route)}: clientMethod is for GETs`);
  const key = routeKeyOf(route);
  const ids = pathNames(route.path).map((id) => (id === 'token' ? 'shareToken' : id));
  const params = `{ ${ids.map((id) => (id === 'shareToken' ? 'token: shareToken' : id)).join(', ')} }`;
  const query = Object.entries(route.query ?? {}).map(
    ([q, param]) => [q, queryOf(route, q, param)] as const,
  );
  const args = [
    ...ids.map((id) => `${id}: string`),
    ...(query.length === 0
      ? []
      : [`query: { ${query.map(([q, { type }]) => `${q}?: ${type}`).join('; ')} } = {}`]),
  ]
    .map((arg) => `${arg}, `)
    .join('');
  const checks = Object.fromEntries(query.map(([q, { check }]) => [q, check]));
  const extra =
    query.length === 0 ? '' : `, () => ({ query: checkQuery(query, ${JSON.stringify(checks)}) })`;
  const summary = route.summary.replace(/\.$/, '');
  return [
    `  /** ${key}: ${summary}. */`,
    `  async ${name}(${args}options: RequestOptions = {}): Promise<RouteAnswers['${key}']> {`,
    `    return this.#send('${key}', ${params}, options${extra});`,
    '  }',
    '',
    `  /** ${name} revalidating the answer you hold (see getBucketStatusIfChanged). */`,
    `  async ${name}IfChanged(${args}options: ConditionalOptions = {}): Promise<Conditional<RouteAnswers['${key}']>> {`,
    `    return this.#sendIfChanged('${key}', ${params}, options${extra});`,
    '  }',
    '',
  ].join('\n');
}

/** `text` as biome formats it (the project's formatter, so the check of client/ passes). */
function formatted(text: string, path: string): string {
  const biome = spawnSync(
    `${ROOT}node_modules/.bin/biome`,
    ['format', `--stdin-file-path=${path}`],
    {
      input: text,
      encoding: 'utf8',
      cwd: ROOT,
    },
  );
  if (biome.status !== 0) throw new Error(`biome format ${path}: ${biome.stderr}`);
  return biome.stdout;
}

/** client/client.ts with the methods of the routes' `clientMethod` written between its markers. */
export function clientSource(current: string, routes: RouteList = ROUTES): string {
  const start = current.indexOf(WRITTEN_START);
  const end = current.indexOf(WRITTEN_END);
  if (start < 0 || end < start) throw new Error('client/client.ts has no written-methods markers');
  const methods = routes.flatMap((route) =>
    route.clientMethod === undefined ? [] : [clientMethod(route, route.clientMethod)],
  );
  const next =
    current.slice(0, start + WRITTEN_START.length) + methods.join('\n') + current.slice(end);
  return methods.length === 0 ? next : formatted(next, 'client/client.ts');
}

// ---------------------------------------------------------------- main

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const files = [
    { path: CLIENT_TYPES_PATH, next: () => clientTypes() },
    { path: CLIENT_ROUTES_PATH, next: () => clientRoutes() },
    { path: CLIENT_PATH, next: (current: string) => clientSource(current) },
    { path: OPENAPI_PATH, next: (current: string) => openApiDocument(current) },
  ];
  let stale = 0;
  for (const file of files) {
    const current = existsSync(file.path) ? readFileSync(file.path, 'utf8') : '';
    const next = file.next(current);
    if (next === current) continue;
    stale++;
    if (check) console.error(`${file.path} is stale: run npm run wire`);
    else {
      writeFileSync(file.path, next);
      console.log(`wrote ${file.path}`);
    }
  }
  if (check && stale > 0) process.exit(1);
}
