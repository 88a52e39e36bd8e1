import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROUTES, type RouteSpec } from '../../functions/route-table.ts';
import { COMPONENTS } from '../../functions/wire/components.ts';
import { WebhookEvents } from '../../functions/wire/webhooks.ts';
import {
  CLIENT_PATH,
  CLIENT_ROUTES_PATH,
  CLIENT_TYPES_PATH,
  clientRoutes,
  clientSource,
  clientTypes,
  OPENAPI_PATH,
  openApiDocument,
  PUBLISHED,
  published,
} from '../../scripts/wire-shapes.ts';

/**
 * One source per wire shape (functions/wire/): client/types.ts and openapi.yaml's
 * components/schemas are written from it by `npm run wire`, and openapi.yaml's paths from the
 * route table (functions/route-table.ts). A shape or route edited without running it fails
 * here.
 */
describe('what follows from the wire shapes', () => {
  it('client/types.ts is what `npm run wire` writes', () => {
    expect(readFileSync(CLIENT_TYPES_PATH, 'utf8')).toBe(clientTypes());
  });

  it('client/routes.ts (what each route answers, for the client) is what `npm run wire` writes', () => {
    expect(readFileSync(CLIENT_ROUTES_PATH, 'utf8')).toBe(clientRoutes());
  });

  it("client/client.ts's methods written from the route table are what `npm run wire` writes", () => {
    const current = readFileSync(CLIENT_PATH, 'utf8');
    expect(current).toBe(clientSource(current));
  });

  it("openapi.yaml's paths and components/schemas are what `npm run wire` writes", () => {
    const current = readFileSync(OPENAPI_PATH, 'utf8');
    expect(current).toBe(openApiDocument(current));
  });

  it('openapi.yaml publishes every shape, and no schema that is not one', () => {
    const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as {
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.components.schemas)).toEqual(Object.keys(PUBLISHED));
    expect(Object.keys(PUBLISHED).slice(0, Object.keys(COMPONENTS).length)).toEqual(
      Object.keys(COMPONENTS),
    );
  });

  it('a route’s response shape components.ts does not name is published under its export name', () => {
    const route = { ...widgets('status', '/widgets/{widgetId}'), response: 'WebhookEvents' };
    expect(published([...ROUTES, route]).WebhookEvents).toEqual({
      schema: WebhookEvents,
      client: 'WebhookEvents',
    });
    expect(() => published([...ROUTES, { ...route, response: 'NoSuchShape' }])).toThrow(
      'GET /widgets/{widgetId}: functions/wire/ exports no NoSuchShape',
    );
  });

  it('a stale openapi.yaml is caught (the check can fail)', () => {
    const current = readFileSync(OPENAPI_PATH, 'utf8');
    const stale = current.replace('maxItems: 200', 'maxItems: 201');
    expect(stale).not.toBe(current);
    expect(openApiDocument(stale)).not.toBe(stale);
  });

  it('a status the route table does not list is taken out of openapi.yaml, one it lists put back', () => {
    const current = readFileSync(OPENAPI_PATH, 'utf8');
    const teapot = current.replace(
      '        "304":\n          $ref: "#/components/responses/NotModified"\n',
      '        "418":\n          $ref: "#/components/responses/NotModified"\n',
    );
    expect(teapot).not.toBe(current);
    const fixed = openApiDocument(teapot);
    const get = getOf(fixed, '/bucket/{bucketId}/status');
    expect(Object.keys(get.responses)).not.toContain('418');
    expect(get.responses['304']).toEqual({ $ref: '#/components/responses/NotModified' });
    expect(openApiDocument(fixed)).toBe(fixed);
  });
});

interface Operation {
  security?: unknown;
  parameters: unknown[];
  responses: Record<string, { content?: unknown; headers?: Record<string, unknown> }>;
}

/** The GET operation of `path` in an openapi.yaml text. */
const getOf = (text: string, path: string) =>
  (parse(text) as { paths: Record<string, { get: Operation }> }).paths[path]?.get as Operation;

/** A GET route new to openapi.yaml, on an existing function. */
const widgets = (fn: 'status' | 'public', path: string): RouteSpec => ({
  method: 'GET',
  path,
  function: fn,
  handler: `functions/${fn}/widgets-handler.ts`,
  tableActions: ['dynamodb:Query'],
  operationId: 'listWidgets',
  summary: "The workspace's widgets",
  answers:
    fn === 'status'
      ? ['200', '304', '400', '401', '403', '404', '406', '500', '503']
      : ['200', '304', '404', '406', '500', '503'],
  response: 'WorkspaceBucketsPage',
  query: { limit: { description: 'Widgets per page.', schema: { type: 'integer', maximum: 9 } } },
});

describe('a GET route new to openapi.yaml (the route table is all it needs)', () => {
  // Written inside each test, not when the file is collected: a mutation run activates each
  // mutant for the tests only.
  const current = readFileSync(OPENAPI_PATH, 'utf8');
  const routes = [...ROUTES, widgets('status', '/workspace/{workspaceId}/widgets')];

  it('gets its operation: name, summary, its function’s security, parameters, answers', () => {
    const operation = getOf(openApiDocument(current, routes), '/workspace/{workspaceId}/widgets');
    expect(operation).toMatchObject({
      operationId: 'listWidgets',
      summary: "The workspace's widgets",
      security: [{ bearerAuth: [] }],
    });
    expect(operation.parameters).toEqual([
      {
        name: 'workspaceId',
        in: 'path',
        required: true,
        description: "The workspace's id.",
        schema: { $ref: '#/components/schemas/Id' },
      },
      {
        name: 'limit',
        in: 'query',
        required: false,
        description: 'Widgets per page.',
        schema: { type: 'integer', maximum: 9 },
      },
      { $ref: '#/components/parameters/IfNoneMatch' },
      { $ref: '#/components/parameters/AcceptEncoding' },
    ]);
    expect(Object.keys(operation.responses).sort()).toEqual(
      [...(routes.at(-1)?.answers ?? [])].sort(),
    );
    expect(operation.responses['200']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/WorkspaceBucketsPage' } },
    });
    expect(Object.keys(operation.responses['200']?.headers ?? {})).toEqual(
      expect.arrayContaining(['ETag', 'Vary', 'Cache-Control']),
    );
    expect(operation.responses['401']).toEqual({ $ref: '#/components/responses/InvalidToken' });
  });

  it('leaves every other line as it was, writes the same again, and is valid OpenAPI 3.1', async () => {
    const written = openApiDocument(current, routes);
    const added = written.split('\n').length - current.split('\n').length;
    expect(added).toBeGreaterThan(20);
    expect(
      written.replace(
        /\n {2}\/workspace\/\{workspaceId\}\/widgets:\n[\s\S]*?\n(?=webhooks:)/,
        '\n',
      ),
    ).toBe(current);
    expect(openApiDocument(written, routes)).toBe(written);
    const result = await new Validator().validate(parse(written));
    expect(result.errors ?? []).toEqual([]);
  });

  it("a public route's answers are the public routes' (no security, ShareNotFound)", () => {
    const publicRoutes = [...ROUTES, widgets('public', '/public/{token}/widgets')];
    const get = getOf(openApiDocument(current, publicRoutes), '/public/{token}/widgets');
    expect(get.security).toEqual([]);
    expect(get.parameters[0]).toEqual({ $ref: '#/components/parameters/ShareToken' });
    expect(get.responses['404']).toEqual({ $ref: '#/components/responses/ShareNotFound' });
    expect(get.responses['304']).toEqual({ $ref: '#/components/responses/PublicNotModified' });
  });
});

describe('routes of a function new to openapi.yaml, and a route taken out of the table', () => {
  const current = readFileSync(OPENAPI_PATH, 'utf8');
  const gadget = (method: RouteSpec['method'], over: Partial<RouteSpec>): RouteSpec => ({
    method,
    path: '/gadgets',
    function: 'gadgets',
    handler: 'functions/gadgets/handler.ts',
    tableActions: [],
    operationId: `${method.toLowerCase()}Gadgets`,
    summary: 'Gadgets',
    answers: ['201', '400', '401', '500'],
    ...over,
  });
  type Paths = Record<string, Record<string, Record<string, unknown>>>;
  const pathsOf = (text: string) => (parse(text) as { paths: Paths }).paths;

  it('a POST gets the function as its tag (flow style), bearer security, its body and generic answers', () => {
    const routes = [...ROUTES, gadget('POST', { response: 'WorkspaceBucketsPage' })];
    const written = openApiDocument(current, routes);
    expect(written).toContain('      tags: [gadgets]\n');
    expect(pathsOf(written)['/gadgets']?.post).toEqual({
      operationId: 'postGadgets',
      tags: ['gadgets'],
      summary: 'Gadgets',
      security: [{ bearerAuth: [] }],
      parameters: [],
      responses: {
        '201': {
          description: 'Gadgets',
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/WorkspaceBucketsPage' } },
          },
        },
        '400': { $ref: '#/components/responses/BadRequest' },
        '401': { $ref: '#/components/responses/InvalidToken' },
        '500': { $ref: '#/components/responses/InternalError' },
      },
    });
  });

  it("a text route's body is a string of its media type; a 204 has no body", () => {
    const routes = [
      ...ROUTES,
      gadget('GET', { text: 'text/plain', answers: ['200'] }),
      gadget('DELETE', { answers: ['204'] }),
    ];
    const paths = pathsOf(openApiDocument(current, routes));
    const responses = (op: string) => paths['/gadgets']?.[op]?.responses;
    expect(responses('get')).toEqual({
      '200': { description: 'Gadgets', content: { 'text/plain': { schema: { type: 'string' } } } },
    });
    expect(responses('delete')).toEqual({ '204': { description: 'Gadgets' } });
  });

  it('a status with no answer to copy is an error that says what to write', () => {
    const routes = [...ROUTES, gadget('POST', { answers: ['201', '409'] })];
    expect(() => openApiDocument(current, routes)).toThrow(
      'POST /gadgets: no answer to copy for 409; write it in openapi.yaml',
    );
  });

  it('a route the table no longer has is taken out, and its path with its last operation', () => {
    const metrics = '/workspace/{workspaceId}/metrics';
    const written = openApiDocument(
      current,
      ROUTES.filter((r) => r.path !== metrics),
    );
    expect(pathsOf(current)[metrics]).toBeDefined();
    expect(pathsOf(written)[metrics]).toBeUndefined();
    expect(written).not.toContain(`  ${metrics}:`);
  });
});

describe("an operation openapi.yaml has: the table's name, summary and body written over it", () => {
  it('writes the summary and the 200 schema the table says, and little else', () => {
    const current = readFileSync(OPENAPI_PATH, 'utf8');
    const routes = ROUTES.map((r) =>
      r.method === 'GET' && r.path === '/bucket/{bucketId}/status'
        ? { ...r, summary: 'Renamed', response: 'WorkspaceBucketsPage' }
        : r,
    );
    const written = openApiDocument(current, routes);
    const get = getOf(written, '/bucket/{bucketId}/status') as Operation & { summary: string };
    expect(get.summary).toBe('Renamed');
    expect(get.responses['200']?.content).toMatchObject({
      'application/json': { schema: { $ref: '#/components/schemas/WorkspaceBucketsPage' } },
    });
    const changed = written.split('\n').filter((line, i) => line !== current.split('\n')[i]);
    expect(changed).toEqual([
      '      summary: Renamed',
      expect.stringContaining('WorkspaceBucketsPage'),
      expect.anything(),
    ]);
  });
});
