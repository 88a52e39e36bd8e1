// The artifact that ships: every function of the stack, built exactly as the
// stack builds it (infra/bundling.ts buildOptionsFor), loaded in a fresh Node 24 process with the
// environment the stack gives it (TABLE_NAME pointed at a dynalite table, the secret's ARN
// replaced by the secret itself) plus what the Lambda runtime sets, then invoked with real
// events. A bundle that breaks only once bundled (a dynamic require in ESM, a missing file, a
// CommonJS dependency) fails here. New functions are covered as the stack gains them.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, ROUTES, routeKeyOf } from '../../functions/route-table.ts';
import { BUNDLED_HANDLER_FILE, buildOptionsFor } from '../../infra/bundling.ts';
import {
  type FunctionKind,
  HouseNodejsFunction,
} from '../../infra/constructs/house-nodejs-function.ts';
import { synthesize } from '../infra/synth-stack.ts';
import { httpApiEvent, ingestEvent, statusEvent } from '../support/events.ts';
import { reportBody, signed } from '../support/ingest-fixture.ts';
import { type LambdaProcess, startLambdaProcess } from '../support/lambda-process.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { startXRayDaemon, traceHeader, type XRayDocument } from '../support/xray-daemon.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = `shipped-bundle-secret-${randomUUID()}`;

interface ShippedFunction {
  /** Construct id in the stack, e.g. StatusFunction. */
  id: string;
  entry: string;
  kind: FunctionKind;
  /** The function's environment as the template sets it, CloudFormation references resolved. */
  environment: Record<string, string>;
  /** Active tracing: Lambda then sets AWS_XRAY_DAEMON_ADDRESS and a sampled trace header. */
  tracing: boolean;
}

/** Every house function of the synthesized stack with its deployed environment. */
function shippedFunctions(tableName: string): ShippedFunction[] {
  const { stack, template } = synthesize();
  const tableId = stack.getLogicalId(stack.table.node.defaultChild as never);
  const resources = template.toJSON().Resources as Record<
    string,
    {
      Properties: {
        Environment: { Variables: Record<string, unknown> };
        TracingConfig?: { Mode: string };
      };
    }
  >;
  const queueRef = (value: unknown): string | undefined => {
    const ref = (value as { Ref?: string } | null)?.Ref;
    return ref !== undefined &&
      (resources[ref] as { Type?: string } | undefined)?.Type === 'AWS::SQS::Queue'
      ? ref
      : undefined;
  };
  const functions = stack.node
    .findAll()
    .filter((c): c is HouseNodejsFunction => c instanceof HouseNodejsFunction);
  return functions.map((fn) => {
    const logicalId = stack.getLogicalId(fn.function.node.defaultChild as never);
    const properties = resources[logicalId]?.Properties;
    const variables = properties?.Environment.Variables ?? {};
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value === 'string') environment[name] = value;
      else if (JSON.stringify(value) === JSON.stringify({ Ref: tableId })) {
        environment[name] = tableName;
      } else if (queueRef(value) !== undefined) {
        // An SQS queue's Ref is its URL; nothing is sent to it by the cases below.
        environment[name] = `https://sqs.us-east-1.amazonaws.com/123456789012/${queueRef(value)}`;
      } else if (name === 'JWT_SECRET_ARN') {
        // No Secrets Manager here: the same key, given directly (the function's other mode).
        environment.JWT_SECRET = SECRET;
      } else if (name === 'STATUS_PAGE_URL') {
        // The page's CloudFront URL: a share link's pageUrl only, never fetched.
        environment[name] = 'https://status.example.com/';
      } else if (name === 'EVENTS_CURSOR_SECRET_ARN') {
        // Likewise the events cursor's key (docs/SECURITY.md).
        environment.EVENTS_CURSOR_SECRET = `${SECRET}-events-cursor`;
      } else {
        environment[name] = `unresolved:${JSON.stringify(value)}`;
      }
    }
    return {
      id: fn.node.id,
      entry: fn.entry,
      kind: fn.kind,
      environment,
      tracing: properties?.TracingConfig?.Mode === 'Active',
    };
  });
}

let table: TestTable;
let daemon: Awaited<ReturnType<typeof startXRayDaemon>>;
let outdir: string;
let functions: ShippedFunction[];
const processes = new Map<string, LambdaProcess>();
/** The source files esbuild put in each function's bundle (its metafile's inputs). */
const bundledInputs = new Map<string, string[]>();

const seeded = {
  userId: `user-${randomUUID().slice(0, 8)}`,
  outsiderId: `outsider-${randomUUID().slice(0, 8)}`,
  workspaceId: `ws-${randomUUID().slice(0, 8)}`,
  bucketId: randomUUID(),
  otherBucketId: randomUUID(),
  nodeId: `node-${randomUUID().slice(0, 8)}`,
  privateKey: '',
};

beforeAll(async () => {
  expect(process.versions.node.split('.')[0]).toBe('24');
  table = await createTestTable('bundles');
  daemon = await startXRayDaemon();
  const seed = new Seeder(table.client, table.tableName);
  await seed.user(seeded.userId, { orgId: 'org-b' });
  await seed.user(seeded.outsiderId, { orgId: 'org-b' });
  await seed.membership(seeded.userId, seeded.workspaceId, 'READ');
  await seed.bucket(seeded.bucketId, { workspaceId: seeded.workspaceId, orgId: 'org-b' });
  await seed.bucket(seeded.otherBucketId, { workspaceId: 'ws-other', orgId: 'org-b' });
  seeded.privateKey = await seed.node(seeded.nodeId, { orgId: 'org-b' });
  await seed.assignment(seeded.bucketId, seeded.nodeId, {
    ip: '198.51.100.4',
    region: 'eu-west-1',
    version: '2.0.0',
    status: 'ONLINE',
    latency_ms: 12,
    lastUpdated: new Date().toISOString(),
    reportedAt: Date.now() - 60_000,
  });

  functions = shippedFunctions(table.tableName);
  outdir = mkdtempSync(path.join(tmpdir(), 'shipped-bundles-'));
  // One esbuild build per function, exactly as the stack's construct bundles it.
  await Promise.all(
    functions.map(async (fn) => {
      const { metafile } = await build({
        ...buildOptionsFor(
          path.join(ROOT, fn.entry),
          path.join(outdir, fn.id, BUNDLED_HANDLER_FILE),
        ),
        logLevel: 'warning',
        metafile: true,
      });
      bundledInputs.set(fn.id, Object.keys(metafile.inputs));
    }),
  );
  for (const fn of functions) {
    processes.set(
      fn.id,
      await startLambdaProcess(path.join(outdir, fn.id), `bucket-status-test-${fn.id}`, {
        ...fn.environment,
        DYNAMODB_ENDPOINT: table.endpoint,
        ...(fn.tracing && { AWS_XRAY_DAEMON_ADDRESS: daemon.address }),
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([...processes.values()].map((p) => p.close()));
  await daemon?.close();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

const token = (sub: string, lifetimeSeconds = 600) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(new TextEncoder().encode(SECRET));
};

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The process serving `routeKey`, found through the stack's functions, not by name. */
function processFor(entry: string): LambdaProcess {
  const fn = functions.find((f) => f.entry === entry);
  if (!fn) throw new Error(`no shipped function for ${entry}`);
  return processes.get(fn.id) as LambdaProcess;
}

const newTraceId = () =>
  `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`;

/** The CloudWatch EMF documents among a process's stdout lines. */
const emfOf = (lines: string[]) =>
  lines
    .filter((line) => line.includes('"_aws"'))
    .map(
      (line) =>
        JSON.parse(line) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
        },
    );

async function invokeHttp(entry: string, event: unknown, traceId?: string) {
  const answer = await processFor(entry).invoke(event, traceId ? { traceId } : {});
  expect(answer.error).toBeUndefined();
  const result = answer.result as HttpAnswer;
  return {
    ...result,
    json: JSON.parse(result.body) as Record<string, unknown>,
    stdout: answer.stdout,
  };
}

describe('the shipped bundles', () => {
  it('are every function of the stack, each with a handler file and its deployed environment', () => {
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const fn of functions) {
      expect(fn.environment.TABLE_NAME, fn.id).toBe(table.tableName);
      expect(Object.values(fn.environment).filter((v) => v.startsWith('unresolved:'))).toEqual([]);
      expect(processes.get(fn.id)?.stderr(), fn.id).toBe('');
    }
  });

  it('import without writing anything (no warnings, no metrics at init)', () => {
    for (const fn of functions) expect(processes.get(fn.id)?.initStdout, fn.id).toEqual([]);
  });

  it('carry no Powertools: logs and EMF metrics come from the house modules', () => {
    for (const fn of functions) {
      const inputs = bundledInputs.get(fn.id) ?? [];
      expect(inputs, fn.id).toContain('functions/shared/logger.ts');
      expect(inputs, fn.id).toContain('functions/shared/metrics.ts');
      expect(
        inputs.filter((file) => file.includes('@aws-lambda-powertools')),
        fn.id,
      ).toEqual([]);
    }
  });
});

describe('every route of the route table, bundled', () => {
  it('is served by a shipped function that refuses a request without credentials (401; a public route: the share 404)', async () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(2);
    for (const route of ROUTES) {
      const routeKey = routeKeyOf(route);
      const fn = functions.find((f) => f.id === FUNCTIONS[route.function].constructId);
      expect(fn, routeKey).toBeDefined();
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      const pathParameters = Object.fromEntries(names.map((n) => [n, `sample-${n}`]));
      const event = httpApiEvent({
        method: route.method as 'GET' | 'POST',
        path: route.path.replace(/\{(\w+)\}/g, (_, n: string) => `sample-${n}`),
        routeKey,
        ...(names.length > 0 && { pathParameters }),
        ...(route.method !== 'GET' && {
          body: '{}',
          headers: { 'content-type': 'application/json' },
        }),
      });
      const answer = await (processes.get(fn?.id as string) as LambdaProcess).invoke(event);
      expect(answer.error, routeKey).toBeUndefined();
      const result = answer.result as HttpAnswer;
      // A public route's credential is the share token in its path: `sample-token` opens nothing.
      const isPublic = route.path.startsWith('/public/');
      expect(result.statusCode, routeKey).toBe(isPublic ? 404 : 401);
      expect(JSON.parse(result.body), routeKey).toMatchObject({ success: false });
      expect(emfOf(answer.stdout), routeKey).toMatchObject([
        { route: routeKey, outcome: isPublic ? 'not_found' : 'unauthorized', Requests: 1 },
      ]);
    }
  });
});

/** One real event per kind of function that no HTTP request calls (an SQS or stream batch). */
const KIND_EVENTS: Record<string, () => unknown> = {
  schedule: () => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/bucket-status-test-schedule'],
    detail: {},
  }),
  queue: () => ({
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'AQEB-test-receipt-handle',
        body: '{"not":"a message this function knows"}',
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'AIDAEXAMPLE',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '00000000000000000000000000000000',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:bucket-status-test',
        awsRegion: 'us-east-1',
      },
    ],
  }),
  stream: () => ({
    Records: [
      {
        eventID: randomUUID(),
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          Keys: { pk: { S: 'UNRELATED#row' }, sk: { S: 'META' } },
          NewImage: { pk: { S: 'UNRELATED#row' }, sk: { S: 'META' } },
          SequenceNumber: '111',
          SizeBytes: 26,
          StreamViewType: 'NEW_IMAGE',
        },
        eventSourceARN:
          'arn:aws:dynamodb:us-east-1:123456789012:table/bucket-status-test/stream/2026-12-01T00:00:00.000',
      },
    ],
  }),
};

describe('every function that no request calls, bundled, with an event of its kind', () => {
  it('has a fixture for each kind the stack uses', () => {
    for (const fn of functions.filter((f) => f.kind !== 'http')) {
      expect(Object.keys(KIND_EVENTS), fn.id).toContain(fn.kind);
    }
  });

  it('handles it without throwing; batch functions answer with partial batch failures', async () => {
    for (const fn of functions.filter((f) => f.kind !== 'http')) {
      const event = (
        KIND_EVENTS[fn.kind] as () => { Records?: { messageId?: string; eventID?: string }[] }
      )();
      const answer = await (processes.get(fn.id) as LambdaProcess).invoke(event);
      expect(answer.error, `${fn.id}: ${JSON.stringify(answer.error)}`).toBeUndefined();
      expect(emfOf(answer.stdout), fn.id).toMatchObject([
        {
          Requests: 1,
          Duration: expect.any(Number),
          outcome: expect.stringMatching(/^(ok|partial_failure)$/),
        },
      ]);
      if (['queue', 'stream'].includes(fn.kind)) {
        // The ReportBatchItemFailures contract: a list naming only records of this batch.
        const ids = (event.Records ?? []).map((r) => r.messageId ?? r.eventID);
        const result = answer.result as { batchItemFailures: { itemIdentifier: string }[] };
        expect(Array.isArray(result?.batchItemFailures), fn.id).toBe(true);
        for (const failure of result.batchItemFailures)
          expect(ids).toContain(failure.itemIdentifier);
      }
    }
  });
});

describe('GET /bucket/{bucketId}/status, bundled', () => {
  const entry = 'functions/status/handler.ts';

  it('answers 200 with the seeded node for a member', async () => {
    const answer = await invokeHttp(
      entry,
      statusEvent(seeded.bucketId, { authorization: `Bearer ${await token(seeded.userId)}` }),
    );
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json).toStrictEqual({
      bucketId: seeded.bucketId,
      nodeStatus: [
        {
          ip: '198.51.100.4',
          region: 'eu-west-1',
          version: '2.0.0',
          status: 'ONLINE',
          latency_ms: 12,
          lastUpdated: expect.any(String),
        },
      ],
    });
  });

  it('writes one EMF line per read (route, outcome, duration) and traces its queries', async () => {
    const before = daemon.documents.length;
    const root = newTraceId();
    const parent = randomUUID().replaceAll('-', '').slice(0, 16);
    const answer = await invokeHttp(
      entry,
      statusEvent(seeded.bucketId, { authorization: `Bearer ${await token(seeded.userId)}` }),
      traceHeader(root, parent),
    );
    expect(answer.statusCode).toBe(200);
    const [metrics, ...more] = emfOf(answer.stdout);
    expect(more).toEqual([]);
    expect(metrics).toMatchObject({
      service: 'bucket-status',
      route: 'GET /bucket/{bucketId}/status',
      outcome: 'ok',
      Requests: 1,
      Duration: expect.any(Number),
    });
    expect(metrics?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'BucketStatus',
      Dimensions: [['service', 'route', 'outcome']],
    });
    const refused = await invokeHttp(
      entry,
      statusEvent(seeded.otherBucketId, { authorization: `Bearer ${await token(seeded.userId)}` }),
    );
    expect(emfOf(refused.stdout)).toMatchObject([{ outcome: 'forbidden', Requests: 1 }]);

    const docs = (await daemon.waitFor(before + 3))
      .slice(before)
      .filter((d) => d.trace_id === root);
    const handler = docs.find((d) => d.name === '## index.handler') as XRayDocument;
    expect(handler).toMatchObject({
      parent_id: parent,
      annotations: { ColdStart: expect.any(Boolean), Service: 'bucket-status' },
      http: { response: { status: 200 } },
    });
    const queries = docs.filter((d) => d.name === 'DynamoDB');
    expect(queries).toHaveLength(2);
    for (const query of queries) {
      expect(query).toMatchObject({
        parent_id: handler.id,
        namespace: 'aws',
        aws: { operation: 'Query', table_name: table.tableName },
      });
    }
  });

  it('answers 401 with a challenge without a token, and for a token signed with another key', async () => {
    const missing = await invokeHttp(entry, statusEvent(seeded.bucketId));
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(missing.json).toMatchObject({ success: false, message: expect.any(String) });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(seeded.userId)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-that-is-32-bytes-long!!'));
    const wrongKey = await invokeHttp(
      entry,
      statusEvent(seeded.bucketId, { authorization: `Bearer ${forged}` }),
    );
    expect(wrongKey.statusCode).toBe(401);
  });

  it('answers 403 for a bucket of another workspace and 404 for an unknown one', async () => {
    const auth = { authorization: `Bearer ${await token(seeded.userId)}` };
    const forbidden = await invokeHttp(entry, statusEvent(seeded.otherBucketId, auth));
    expect(forbidden.statusCode).toBe(403);
    const unknown = await invokeHttp(entry, statusEvent(randomUUID(), auth));
    expect(unknown.statusCode).toBe(404);
    expect(JSON.stringify([forbidden.json, unknown.json])).not.toMatch(/at .*\.mjs|stack/i);
  });
});

describe('POST /node/status, bundled', () => {
  const entry = 'functions/ingest/handler.ts';

  it('accepts a signed report for an assigned bucket and rejects an unassigned one', async () => {
    const other = randomUUID();
    const report = signed(
      seeded.nodeId,
      seeded.privateKey,
      reportBody([{ bucketId: seeded.bucketId, latency_ms: 30 }, { bucketId: other }]),
    );
    const answer = await invokeHttp(entry, ingestEvent(report.body, report.headers));
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toMatchObject({
      success: true,
      accepted: [seeded.bucketId],
      rejected: [{ bucketId: other, reason: 'not assigned' }],
    });
    // Visible through the bundled status function.
    const read = await invokeHttp(
      'functions/status/handler.ts',
      statusEvent(seeded.bucketId, { authorization: `Bearer ${await token(seeded.userId)}` }),
    );
    expect(read.json.nodeStatus).toMatchObject([{ ip: '203.0.113.7', latency_ms: 30 }]);
    // Accepted and rejected buckets, per reason, beside the report's own outcome.
    const emf = emfOf(answer.stdout);
    expect(emf).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          route: 'POST /node/status',
          outcome: 'ok',
          Requests: 1,
          BucketsAccepted: 1,
        }),
        expect.objectContaining({
          route: 'POST /node/status',
          reason: 'not assigned',
          BucketsRejected: 1,
        }),
      ]),
    );
    expect(emf).toHaveLength(2);
  });

  it('answers 401 for a bad signature and 400 for a body that is not a report', async () => {
    const report = signed(
      seeded.nodeId,
      seeded.privateKey,
      reportBody([{ bucketId: seeded.bucketId }]),
    );
    const tampered = await invokeHttp(
      entry,
      ingestEvent(report.body.replace('ONLINE', 'OFFLINE'), report.headers),
    );
    expect(tampered.statusCode).toBe(401);
    expect(tampered.headers['www-authenticate']).toMatch(/NodeSignature/);
    expect(emfOf(tampered.stdout)).toMatchObject([{ outcome: 'unauthorized', Requests: 1 }]);
    const nonsense = signed(
      seeded.nodeId,
      seeded.privateKey,
      '{"buckets": "none"}',
      Date.now() + 5,
    );
    const invalid = await invokeHttp(entry, ingestEvent(nonsense.body, nonsense.headers));
    expect(invalid.statusCode).toBe(400);
  });
});

describe('the webhook routes, bundled', () => {
  const entry = 'functions/webhooks/handler.ts';
  const workspaceId = `ws-hooks-${randomUUID().slice(0, 8)}`;
  const adminId = `hook-admin-${randomUUID().slice(0, 8)}`;
  const route = (method: 'GET' | 'POST', body?: string) => {
    const event = httpApiEvent({
      method,
      path: `/workspace/${workspaceId}/webhooks`,
      routeKey: `${method} /workspace/{workspaceId}/webhooks`,
      pathParameters: { workspaceId },
      ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
    });
    return event;
  };

  it('creates a webhook (secret once), lists it without the secret, refuses a private target', async () => {
    const seed = new Seeder(table.client, table.tableName);
    await seed.put({ pk: `WORKSPACE#${workspaceId}`, sk: 'META', orgId: 'org-b', name: 'w' });
    await seed.user(adminId, { orgId: 'org-b' });
    await seed.membership(adminId, workspaceId, 'ADMIN');
    const auth = { authorization: `Bearer ${await token(adminId)}` };
    const withAuth = (event: ReturnType<typeof route>) => ({
      ...event,
      headers: { ...event.headers, ...auth },
    });
    // An IP literal: no DNS in the sandbox, and the address rule still applies.
    const created = await invokeHttp(
      entry,
      withAuth(route('POST', JSON.stringify({ url: 'https://93.184.215.14/hook' }))),
    );
    expect(created.statusCode).toBe(201);
    expect(created.json.secret).toMatch(/^whsec_/);
    const listed = await invokeHttp(entry, withAuth(route('GET')));
    expect(listed.statusCode).toBe(200);
    expect(listed.json).toEqual({
      webhooks: [
        expect.objectContaining({ id: created.json.id, url: 'https://93.184.215.14/hook' }),
      ],
    });
    expect(JSON.stringify(listed.json)).not.toContain('whsec_');
    const refused = await invokeHttp(
      entry,
      withAuth(route('POST', JSON.stringify({ url: 'http://127.0.0.1:4000/' }))),
    );
    expect(refused.statusCode).toBe(400);
  });
});
