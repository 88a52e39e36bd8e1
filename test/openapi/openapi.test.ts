import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { Unavailable, ValidationError } from '../../functions/domain/errors.ts';
import { ID_PATTERN } from '../../functions/domain/ids.ts';
import { MAX_BUCKETS_PER_REPORT, parseNodeReport } from '../../functions/domain/node-report.ts';
import { errorResponse } from '../../functions/http/response.ts';
import { ROUTES, routeKeyOf } from '../../functions/route-table.ts';
import { createContract, loadOpenApi, OPENAPI_PATH } from '../support/openapi-contract.ts';

const doc = loadOpenApi();
const contract = createContract(doc);
const GET = doc.paths['/bucket/{bucketId}/status']?.get as Record<string, unknown>;
const POST = doc.paths['/node/status']?.post as Record<string, unknown>;

/** "Same token, access rule and errors as GET status" (DESIGN.md sections 8, 9; section 2's table). */
const SAME_AS_STATUS = ['400', '401', '403', '404', '500', '503'];
/** Every GET: 304 (section 7, ETag) and 406 (section 12, over 6 MB without gzip). */
const EVERY_GET = ['304', '406'];

/**
 * Every status code DESIGN.md gives each route (its own table or text in sections 2, 3, 8, 9,
 * 10, 13 and 15; section 7's and 12's rules for every GET and every JSON body: 413), plus the
 * ingest rate limit (429) and its refusal of a node state past DynamoDB's item limit (409): the
 * route table's `answers` of each route.
 */
const DESIGN_STATUSES: Record<string, readonly string[]> = Object.fromEntries(
  ROUTES.map((route) => [routeKeyOf(route), route.answers]),
);

/** The media type of a route's 200 when it is not JSON. */
const NOT_JSON: Record<string, string> = {
  'GET /public/{token}/badge.svg': 'image/svg+xml',
  'GET /workspace/{workspaceId}/metrics': 'text/plain',
};

type Json = Record<string, unknown>;

function resolveRef(value: Json): Json {
  if (typeof value.$ref !== 'string') return value;
  let node: unknown = doc;
  for (const part of value.$ref.replace(/^#\//, '').split('/')) {
    node = (node as Json)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node as Json;
}

const responseOf = (operation: Json, status: string) =>
  resolveRef((operation.responses as Record<string, Json>)[status] as Json);

function collectRefs(value: unknown, refs: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, refs);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') refs.push(child);
      else collectRefs(child, refs);
    }
  }
  return refs;
}

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(OPENAPI_PATH);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is linted by a validator that does refuse a broken document', async () => {
    const broken = structuredClone(doc) as unknown as Json;
    // A response object without its required description.
    (broken.paths as Json)['/node/status'] = { post: { responses: { '200': {} } } };
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  it('resolves every $ref', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\//);
      expect(resolveRef({ $ref: ref }), ref).toBeTypeOf('object');
    }
  });

  it('describes exactly the routes of the route table (what the stack and local runtime serve)', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((route) => routeKeyOf(route)).sort());
    // The status read and the node report are among them.
    expect(documented).toEqual(
      expect.arrayContaining(['GET /bucket/{bucketId}/status', 'POST /node/status']),
    );
  });

  it('has DESIGN.md’s status codes for exactly the routes of the route table', () => {
    expect(Object.keys(DESIGN_STATUSES).sort()).toEqual(ROUTES.map((r) => routeKeyOf(r)).sort());
  });

  const operations = ROUTES.map((route) => {
    const operation = doc.paths[route.path]?.[route.method.toLowerCase()] as Json;
    return [routeKeyOf(route), operation] as const;
  });

  it.each(operations)(
    '%s: exactly DESIGN.md’s status codes, each described, with a JSON body but 204 and 304',
    (key, operation) => {
      const statuses = DESIGN_STATUSES[key] ?? [];
      expect(Object.keys(operation.responses as Json).sort()).toEqual([...statuses].sort());
      // The rules DESIGN.md states for many routes at once, so a new route cannot miss them.
      if ((operation.security as unknown[] | undefined)?.some((s) => 'bearerAuth' in (s as Json))) {
        // A route with no parameter to be malformed (GET /me) has no 400.
        const hasParameters = ((operation.parameters as Json[] | undefined) ?? []).some(
          (p) => p.$ref === undefined,
        );
        expect(statuses).toEqual(
          expect.arrayContaining(
            hasParameters ? SAME_AS_STATUS : SAME_AS_STATUS.filter((s) => s !== '400'),
          ),
        );
      }
      if (key.startsWith('GET ')) expect(statuses).toEqual(expect.arrayContaining(EVERY_GET));
      if (operation.requestBody !== undefined) expect(statuses).toContain('413');
      for (const status of statuses) {
        const response = responseOf(operation, status);
        expect(response.description, `${key} ${status}`).toBeTruthy();
        // 204 and 304 have no body by definition (DESIGN.md sections 7 and 10).
        if (status === '304' || status === '204') {
          expect(response.content, `${key} ${status}`).toBeUndefined();
          continue;
        }
        expect(Object.keys(response.content as Json), `${key} ${status}`).toEqual([
          status === '200' ? (NOT_JSON[key] ?? 'application/json') : 'application/json',
        ]);
      }
    },
  );

  it.each(operations.filter(([, operation]) => operation.requestBody !== undefined))(
    '%s: the body bound is listed, the same on the request body and its 413',
    (key, operation) => {
      const kib = (text: unknown) => /(\d+) KiB/.exec(String(text))?.[1];
      const bound = kib((operation.requestBody as Json).description);
      expect(bound, key).toBeDefined();
      expect(kib(responseOf(operation, '413').description), key).toBe(bound);
    },
  );

  it('requires WWW-Authenticate on 401 and Retry-After on 503 and 429', () => {
    const header = (operation: Json, status: string, name: string) =>
      resolveRef(
        ((responseOf(operation, status).headers ?? {}) as Record<string, Json>)[name] ?? {},
      );
    expect(header(GET, '401', 'WWW-Authenticate').required).toBe(true);
    expect(header(POST, '401', 'WWW-Authenticate').required).toBe(true);
    expect(header(GET, '503', 'Retry-After').required).toBe(true);
    expect(header(POST, '503', 'Retry-After').required).toBe(true);
    expect(header(POST, '429', 'Retry-After').required).toBe(true);
    expect(resolveRef((header(GET, '200', 'Cache-Control').schema ?? {}) as Json)).toEqual({
      type: 'string',
      const: 'no-store',
    });
  });

  it('secures GET with a bearer JWT and POST with the three node signature headers', () => {
    const schemes = (doc.components.securitySchemes ?? {}) as Record<string, Json>;
    expect(GET.security).toEqual([{ bearerAuth: [] }]);
    expect(schemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const [requirement] = POST.security as Record<string, unknown>[];
    const headers = Object.keys(requirement ?? {}).map((name) => schemes[name]);
    expect(headers).toEqual([
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Node-Id' }),
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Node-Timestamp' }),
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Node-Signature' }),
    ]);
  });

  it('uses the server id pattern for the bucketId path parameter', () => {
    const [parameter] = GET.parameters as Json[];
    expect(parameter).toMatchObject({ name: 'bucketId', in: 'path', required: true });
    expect(resolveRef(parameter?.schema as Json).pattern).toBe(ID_PATTERN.source);
  });
});

describe('openapi.yaml schemas agree with the server', () => {
  it('accepts the 200 example of DESIGN.md and refuses extra node fields', () => {
    const validate = contract.schema('StorageBucketStatusResponse');
    const example = {
      bucketId: '550e8400-e29b-41d4-a716-446655440000',
      nodeStatus: [
        {
          ip: '192.168.1.100',
          region: 'us-east-1',
          version: '1.2.3',
          status: 'ONLINE',
          latency_ms: 45,
          lastUpdated: '2024-01-15T10:30:00Z',
        },
        { status: 'DISCONNECTED' },
      ],
    };
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    const leaky = structuredClone(example);
    (leaky.nodeStatus[0] as Record<string, unknown>).publicKey = 'x';
    expect(validate(leaky)).toBe(false);
    expect(validate({ ...example, nodeStatus: [{ status: 'UNKNOWN' }] })).toBe(false);
    expect(validate({ ...example, nodeStatus: [{ status: 'ONLINE', latency_ms: 4.5 }] })).toBe(
      false,
    );
  });

  it('describes the error bodies the handlers produce', () => {
    const validate = contract.schema('Error');
    for (const error of [
      new ValidationError('bad id'),
      new Unavailable('busy'),
      new Error('boom'),
    ]) {
      const body = JSON.parse(errorResponse(error).body);
      expect(validate(body), JSON.stringify(body)).toBe(true);
    }
    expect(validate({ success: true, message: 'x' })).toBe(false);
  });

  const validReport = {
    ip: '203.0.113.7',
    region: 'us-east-1',
    version: '1.2.3',
    buckets: [
      { bucketId: '550e8400-e29b-41d4-a716-446655440000', status: 'ONLINE', latency_ms: 45 },
    ],
  };
  const bucket = validReport.buckets[0] as Record<string, unknown>;
  const samples: [string, unknown][] = [
    ['the DESIGN.md example', validReport],
    ['an IPv6 address', { ...validReport, ip: '2001:db8::1' }],
    ['no latency', { ...validReport, buckets: [{ bucketId: 'b', status: 'OFFLINE' }] }],
    ['a pre-release version', { ...validReport, version: '2.0.0-rc.1+build.5' }],
    [
      'the most buckets',
      {
        ...validReport,
        buckets: Array.from({ length: MAX_BUCKETS_PER_REPORT }, (_, i) => ({
          bucketId: `b${i}`,
          status: 'ONLINE',
        })),
      },
    ],
    [
      'too many buckets',
      {
        ...validReport,
        buckets: Array.from({ length: MAX_BUCKETS_PER_REPORT + 1 }, (_, i) => ({
          bucketId: `b${i}`,
          status: 'ONLINE',
        })),
      },
    ],
    ['no buckets', { ...validReport, buckets: [] }],
    ['an unknown field', { ...validReport, extra: true }],
    ['an unknown bucket field', { ...validReport, buckets: [{ ...bucket, note: 'x' }] }],
    ['a bad ip', { ...validReport, ip: '300.1.1.1' }],
    ['an upper-case region', { ...validReport, region: 'US-EAST-1' }],
    ['a short version', { ...validReport, version: '1.2' }],
    ['a leading-zero version', { ...validReport, version: '01.2.3' }],
    ['DISCONNECTED', { ...validReport, buckets: [{ ...bucket, status: 'DISCONNECTED' }] }],
    ['a negative latency', { ...validReport, buckets: [{ ...bucket, latency_ms: -1 }] }],
    ['a fractional latency', { ...validReport, buckets: [{ ...bucket, latency_ms: 1.5 }] }],
    ['a latency too high', { ...validReport, buckets: [{ ...bucket, latency_ms: 600_001 }] }],
    ['a bad bucket id', { ...validReport, buckets: [{ ...bucket, bucketId: 'a/b' }] }],
    ['missing region', { ip: '1.2.3.4', version: '1.2.3', buckets: validReport.buckets }],
  ];

  it.each(samples)('NodeReport and the ingest parser agree on %s', (_name, body) => {
    const validate = contract.schema('NodeReport');
    let serverAccepts = true;
    try {
      parseNodeReport(Buffer.from(JSON.stringify(body)));
    } catch {
      serverAccepts = false;
    }
    expect(validate(body)).toBe(serverAccepts);
  });
});

describe('conditional GETs (DESIGN.md section 7: every GET route has them, from the shared chain)', () => {
  const gets = Object.entries(doc.paths).flatMap(([path, item]) =>
    (item as Json).get === undefined ? [] : [[path, (item as Json).get as Json] as const],
  );

  it('finds the GET routes', () => {
    expect(gets.map(([path]) => path)).toContain('/bucket/{bucketId}/status');
  });

  it.each(gets)('%s: If-None-Match in, ETag and Vary on the 200, a 304 without body', (_, get) => {
    const parameters = ((get.parameters ?? []) as Json[]).map(resolveRef);
    expect(parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['If-None-Match']));
    const okHeaders = (responseOf(get, '200').headers ?? {}) as Record<string, Json>;
    expect(Object.keys(okHeaders)).toEqual(expect.arrayContaining(['ETag', 'Vary']));
    const notModified = responseOf(get, '304');
    expect(notModified.description).toBeTruthy();
    expect(notModified.content).toBeUndefined();
  });
});
