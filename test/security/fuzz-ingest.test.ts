import { type KeyObject, sign } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isValidId } from '../../functions/domain/ids.ts';
import { MAX_REPORT_BYTES } from '../../functions/domain/node-report.ts';
import { generateNodeKeyPair, privateKeyFromSeed } from '../../functions/domain/node-signature.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { TIMESTAMP_WINDOW_MS } from '../../functions/ingest/authenticate-report.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { Seeder } from '../support/seed.ts';
import { hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable } from '../support/table.ts';
import { ingestHandlerFor, testSettings } from '../support/wiring.ts';
import {
  expectContractResponse,
  type FaultKind,
  type FaultSwitch,
  type FaultTarget,
  FUZZ_RUNS,
  failOnUnhandledRejection,
  fuzzParameters,
  installFaultSwitch,
  REPLAYING,
} from './fuzz-support.ts';

/**
 * POST /node/status under arbitrary input: node ids, timestamps, signatures (valid ones over
 * the exact random body, so the parser and validator are reached), bodies that are binary,
 * huge, deeply nested or unicode, and injected DynamoDB faults. Every case must keep the
 * response contract, and the status code must be the one the request's first flaw calls for.
 */

const ACTIVE_NODES = { 'node-a': ['bucket-alpha', 'bucket-beta'], 'node-b': ['bucket-alpha'] };
type ActiveNode = keyof typeof ACTIVE_NODES;
const NODE_IDS = ['node-a', 'node-b', 'node-disabled', 'node-ghost'] as const;
type KnownNode = (typeof NODE_IDS)[number];
/** Buckets a report may name: assigned to some node, existing but unassigned, or unknown. */
const REPORTABLE_BUCKETS = [
  'bucket-alpha',
  'bucket-beta',
  'bucket-unassigned',
  'bucket-nowhere',
  '__proto__',
];

const keys = new Map<KnownNode, KeyObject>();
const lastAccepted = new Map<string, number>();
let lastIssued = 0;
let userToken: string;
let fault: FaultSwitch;
let handlers: Record<'unlimited' | 'limited', ReturnType<typeof ingestHandlerFor>>;

failOnUnhandledRejection();

beforeAll(async () => {
  const table = await createTestTable('fuzz-ingest');
  fault = installFaultSwitch(table.client);
  const seed = new Seeder(table.client, table.tableName);
  await seed.bucket('bucket-unassigned', { workspaceId: 'ws-a', orgId: 'org-a' });
  for (const [nodeId, buckets] of Object.entries(ACTIVE_NODES)) {
    keys.set(nodeId as KnownNode, privateKeyFromSeed(await seed.node(nodeId)));
    for (const bucketId of buckets) await seed.assignment(bucketId, nodeId);
  }
  keys.set(
    'node-disabled',
    privateKeyFromSeed(await seed.node('node-disabled', { status: 'DISABLED' })),
  );
  await seed.assignment('bucket-alpha', 'node-disabled');
  keys.set('node-ghost', privateKeyFromSeed(generateNodeKeyPair().privateKey)); // never registered
  userToken = await hs256Token('user-reader');

  const build = (minReportIntervalMs: number) =>
    ingestHandlerFor({
      client: table.client,
      settings: testSettings(table.tableName, TEST_SECRET, {
        nodeMinReportIntervalMs: minReportIntervalMs,
      }),
      logger: createLogger('bucket-status-fuzz'),
    });
  // Most cases run without the per-node limit so reports get through; some with it, for 429s.
  handlers = { unlimited: build(0), limited: build(1000) };
});

// ---- arbitraries ---------------------------------------------------------------------------

const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });

const nodeIdHeader: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 24, arbitrary: fc.constantFrom<KnownNode[]>('node-a', 'node-b') },
  { weight: 3, arbitrary: fc.constantFrom<KnownNode[]>('node-disabled', 'node-ghost') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: anyString },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'node-a ',
      'NODE-A',
      'node-a/../node-b',
      'node-a%2F',
      'x'.repeat(129),
      '__proto__',
      'constructor',
    ),
  },
);

type TimestampMode =
  | { kind: 'fresh' | 'replay' | 'stale' | 'future' | 'missing' }
  | { kind: 'raw'; value: string };
const timestampMode: fc.Arbitrary<TimestampMode> = fc.oneof(
  { weight: 25, arbitrary: fc.constant({ kind: 'fresh' as const }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...(['replay', 'stale', 'future', 'missing'] as const).map((kind) => ({ kind })),
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        anyString,
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
        fc.constantFrom(
          '',
          ' 1',
          '1e12',
          '0x1F',
          '１２３',
          '-1',
          '00000000000000001',
          '9'.repeat(17),
        ),
      )
      .map((value) => ({ kind: 'raw' as const, value })),
  },
);

type SignatureMode =
  | { kind: 'own' | 'missing' }
  | { kind: 'other'; node: KnownNode }
  | { kind: 'mutated'; at: number; ch: string }
  | { kind: 'raw'; value: string };
const signatureMode: fc.Arbitrary<SignatureMode> = fc.oneof(
  { weight: 25, arbitrary: fc.constant({ kind: 'own' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('other' as const),
      node: fc.constantFrom(...NODE_IDS),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      at: fc.nat({ max: 85 }),
      ch: fc.constantFrom(
        ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ .',
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      value: fc.oneof(anyString, fc.stringMatching(/^[A-Za-z0-9_-]{86}$/)),
    }),
  },
);

const semver = fc
  .tuple(
    fc.nat({ max: 999 }),
    fc.nat({ max: 999 }),
    fc.nat({ max: 999 }),
    fc.constantFrom('', '-rc.1', '+build.7', '-alpha.beta.1'),
  )
  .map(([a, b, c, suffix]) => `${a}.${b}.${c}${suffix}`);
const region = fc.stringMatching(/^[a-z0-9-]{1,64}$/);
const ip = fc.oneof(fc.ipV4(), fc.ipV6());
const bucketEntry = fc.record(
  {
    bucketId: fc.oneof(
      fc.constantFrom(...REPORTABLE_BUCKETS),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/),
    ),
    status: fc.constantFrom('ONLINE', 'OFFLINE'),
    latency_ms: fc.nat({ max: 600_000 }),
  },
  { requiredKeys: ['bucketId', 'status'] },
);
const validReport = fc.record({
  ip,
  region,
  version: semver,
  buckets: fc.uniqueArray(bucketEntry, { minLength: 1, maxLength: 4, selector: (b) => b.bucketId }),
});

/** Each field valid or not; extra and prototype-polluting keys; bucket lists of any length. */
const nearReport = fc
  .tuple(
    fc.record(
      {
        ip: fc.oneof(ip, fc.ipV4Extended(), anyString, anyJson),
        region: fc.oneof(region, anyString, fc.constantFrom('US-EAST-1', 'a'.repeat(65)), anyJson),
        version: fc.oneof(
          semver,
          fc.constantFrom('1.2', '01.2.3', 'v1.2.3', `1.2.3-${'a'.repeat(70)}`),
          anyJson,
        ),
        buckets: fc.oneof(
          fc.array(
            fc.oneof(
              bucketEntry,
              fc.record({
                bucketId: fc.oneof(anyString, anyJson),
                status: fc.oneof(fc.constantFrom('online', 'DISCONNECTED', 'ONLINE '), anyJson),
                latency_ms: fc.oneof(
                  fc.constantFrom(-1, 1.5, 600_001, 1e308, '45', null, true),
                  anyJson,
                ),
              }),
              anyJson,
            ),
            { maxLength: 4 },
          ),
          fc.constant(
            Array.from({ length: 101 }, (_, i) => ({ bucketId: `b${i}`, status: 'ONLINE' })),
          ),
          fc.constant([
            { bucketId: 'bucket-alpha', status: 'ONLINE' },
            { bucketId: 'bucket-alpha', status: 'OFFLINE' },
          ]),
          anyJson,
        ),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(
      fc.oneof(anyString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString')),
      anyJson,
      { maxKeys: 2 },
    ),
  )
  // Assembled as text so that keys like "__proto__" reach the parser as own members.
  .map(([report, extra]) => {
    const members = [...Object.entries(extra), ...Object.entries(report)].map(
      ([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`,
    );
    return `{${members.join(',')}}`;
  });

type Body =
  | { kind: 'valid'; report: fc.JsonValue; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'absent' };

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 4,
    arbitrary: validReport.map((report) => ({
      kind: 'valid' as const,
      report,
      text: JSON.stringify(report),
    })),
  },
  { weight: 6, arbitrary: nearReport.map((text) => ({ kind: 'text' as const, text })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(anyString, fc.json({ maxDepth: 4 }), fc.string({ unit: 'grapheme', maxLength: 200 }))
      .map((text) => ({ kind: 'text' as const, text })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(
          (n: number) => '['.repeat(n),
          (n: number) => `${'['.repeat(n >> 2)}${']'.repeat(n >> 2)}`,
          (n: number) => `${'{"a":'.repeat(n >> 3)}1${'}'.repeat(n >> 3)}`,
          (n: number) =>
            `{"ip":"203.0.113.7","region":"${'a'.repeat(n)}","version":"1.2.3","buckets":[]}`,
          (n: number) => `"${'\\u0000'.repeat(n >> 3)}"`,
          (n: number) => '😀'.repeat(n >> 2),
          (n: number) => ' '.repeat(n),
        ),
      )
      .map(([n, make]) => ({ kind: 'text' as const, text: make(n) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.integer({ min: MAX_REPORT_BYTES - 2, max: MAX_REPORT_BYTES + 2 }),
        fc.integer({ min: MAX_REPORT_BYTES, max: 1_000_000 }),
      )
      .map((n) => ({ kind: 'text' as const, text: 'x'.repeat(n) })),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.uint8Array({ maxLength: 256 }),
        fc.constant(new Uint8Array([0xc3, 0x28, 0x7b, 0x7d])), // invalid UTF-8, then "{}"
        fc.constant(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), // BOM + "{}"
      )
      .map((bytes) => ({ kind: 'binary' as const, bytes })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'absent' as const }) },
);

const faultArb: fc.Arbitrary<{ target: FaultTarget; kind: FaultKind } | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.record({
      target: fc.constantFrom<FaultTarget[]>('any', 'node-meta', 'bucket-rows'),
      kind: fc.constantFrom<FaultKind[]>('throttle', 'provisioned', 'internal', 'reset'),
    }),
  },
);

const ingestCase = fc.record({
  nodeId: nodeIdHeader,
  timestamp: timestampMode,
  signature: signatureMode,
  body: bodyArb,
  /** Binary-looking bodies arrive base64-encoded from API Gateway. */
  base64: fc.boolean(),
  withUserToken: fc.boolean(),
  extraHeaders: fc.dictionary(fc.stringMatching(/^[a-z0-9-]{1,20}$/), anyString, { maxKeys: 3 }),
  limited: fc.nat({ max: 9 }).map((n) => n === 0),
  fault: faultArb,
});
type IngestCase = typeof ingestCase extends fc.Arbitrary<infer T> ? T : never;

// ---- request building and oracle -----------------------------------------------------------

const TIMESTAMP = /^\d{1,16}$/;

function timestampFor(c: IngestCase, nowMs: number): string | undefined {
  const node = c.nodeId ?? '';
  switch (c.timestamp.kind) {
    case 'fresh':
      lastIssued = Math.max(nowMs, lastIssued + 1);
      return String(lastIssued);
    case 'replay':
      return String(lastAccepted.get(node) ?? nowMs - TIMESTAMP_WINDOW_MS - 60_000);
    case 'stale':
      return String(nowMs - TIMESTAMP_WINDOW_MS - 60_000);
    case 'future':
      return String(nowMs + TIMESTAMP_WINDOW_MS + 60_000);
    case 'missing':
      return undefined;
    case 'raw':
      return c.timestamp.value;
  }
}

function signatureFor(c: IngestCase, timestamp: string | undefined, raw: Buffer) {
  const signWith = (key: KeyObject | undefined) =>
    sign(
      null,
      Buffer.concat([Buffer.from(`${c.nodeId}.${timestamp}.`, 'utf8'), raw]),
      key ?? (keys.get('node-ghost') as KeyObject),
    ).toString('base64url');
  const own = () => signWith(keys.get(c.nodeId as KnownNode));
  const mode = c.signature;
  switch (mode.kind) {
    case 'own':
      return own();
    case 'missing':
      return undefined;
    case 'other':
      return signWith(keys.get(mode.node));
    case 'mutated': {
      const signature = own();
      return signature.slice(0, mode.at) + mode.ch + signature.slice(mode.at + 1);
    }
    case 'raw':
      return mode.value;
  }
}

function rawBytes(body: Body): Buffer {
  if (body.kind === 'absent') return Buffer.alloc(0);
  if (body.kind === 'binary') return Buffer.from(body.bytes);
  return Buffer.from(body.text, 'utf8');
}

interface Expectation {
  statuses: Set<number>;
  /** For a 200 on a valid report: exactly these buckets accepted... */
  accepted?: string[];
  /** ...and these rejected as not assigned. */
  notAssigned?: string[];
}

const FAILS_AUTH = new Set([401]);

/**
 * The request's first flaw decides the code, in the order the contract checks them. Where
 * the input may or may not be valid by chance (a near-valid body, a signature with only
 * unused bits changed), every outcome the valid path allows stays allowed.
 */
function expectationFor(
  c: IngestCase,
  timestamp: string | undefined,
  raw: Buffer,
  nowMs: number,
): Expectation {
  const faulted = c.fault !== undefined;
  const withFault = (statuses: number[]) => new Set(faulted ? [...statuses, 503] : statuses);
  if (c.nodeId === undefined || timestamp === undefined || c.signature.kind === 'missing') {
    return { statuses: FAILS_AUTH };
  }
  if (!isValidId(c.nodeId) || !TIMESTAMP.test(timestamp)) return { statuses: FAILS_AUTH };
  if (raw.byteLength > MAX_REPORT_BYTES) return { statuses: new Set([413]) };
  if (Math.abs(Number(timestamp) - nowMs) > TIMESTAMP_WINDOW_MS - 1000) {
    return { statuses: FAILS_AUTH }; // (1 s of slack for the time between here and the handler)
  }
  if (!Object.hasOwn(ACTIVE_NODES, c.nodeId)) return { statuses: withFault([401]) };
  const signatureMayVerify =
    c.signature.kind === 'own' ||
    c.signature.kind === 'mutated' ||
    (c.signature.kind === 'other' && c.signature.node === c.nodeId);
  if (!signatureMayVerify) return { statuses: withFault([401]) };
  const valid: number[] = c.timestamp.kind === 'replay' ? [401] : c.limited ? [200, 429] : [200];
  const mayFailAuth = c.signature.kind === 'mutated' ? [401] : [];
  if (c.body.kind !== 'valid') return { statuses: withFault([400, ...valid, ...mayFailAuth]) };
  const reported = (c.body.report as { buckets: { bucketId: string }[] }).buckets.map(
    (b) => b.bucketId,
  );
  const assigned: readonly string[] = ACTIVE_NODES[c.nodeId as ActiveNode];
  return {
    statuses: withFault([...valid, ...mayFailAuth]),
    accepted: reported.filter((id) => assigned.includes(id)),
    notAssigned: reported.filter((id) => !assigned.includes(id)),
  };
}

function buildEvent(c: IngestCase, timestamp: string | undefined, raw: Buffer) {
  const signature = signatureFor(c, timestamp, raw);
  const base64 = c.base64 || c.body.kind === 'binary';
  return httpApiEvent({
    method: 'POST',
    path: '/node/status',
    routeKey: 'POST /node/status',
    headers: {
      ...c.extraHeaders,
      'content-type': 'application/json',
      ...(c.nodeId !== undefined && { 'x-node-id': c.nodeId }),
      ...(timestamp !== undefined && { 'x-node-timestamp': timestamp }),
      ...(signature !== undefined && { 'x-node-signature': signature }),
      ...(c.withUserToken && { authorization: `Bearer ${userToken}` }),
    },
    ...(c.body.kind !== 'absent' && {
      body: base64 ? raw.toString('base64') : raw.toString('utf8'),
    }),
    isBase64Encoded: base64,
  });
}

describe('POST /node/status fuzzing', () => {
  it(`keeps the contract for ${FUZZ_RUNS} arbitrary reports`, async () => {
    const outcomes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(ingestCase, async (c) => {
        const nowMs = Date.now();
        const timestamp = timestampFor(c, nowMs);
        const raw = rawBytes(c.body);
        const expected = expectationFor(c, timestamp, raw, nowMs);
        fault.target = c.fault?.target ?? 'none';
        if (c.fault !== undefined) fault.kind = c.fault.kind;
        const handler = c.limited ? handlers.limited : handlers.unlimited;
        const result = (await handler(
          buildEvent(c, timestamp, raw),
          lambdaContext(),
        )) as HttpResult;
        fault.target = 'none';
        outcomes.set(result.statusCode, (outcomes.get(result.statusCode) ?? 0) + 1);

        // A partial write (guard passed, a bucket row failed) says which buckets landed.
        const partial = c.fault?.target === 'bucket-rows' ? ['accepted', 'rejected'] : [];
        const json = expectContractResponse(result, expected.statuses, partial);
        if (result.statusCode === 401) {
          expect(result.headers['www-authenticate']).toMatch(/^NodeSignature /);
        }
        if (result.statusCode === 429) expect(result.headers['retry-after']).toMatch(/^\d+$/);
        if (result.statusCode === 200 || 'accepted' in json) {
          lastAccepted.set(c.nodeId as string, Number(timestamp));
        }
        if (result.statusCode === 200) {
          expect(Object.keys(json).sort()).toStrictEqual([
            'accepted',
            'message',
            'rejected',
            'success',
          ]);
          expect(json.success).toBe(true);
          if (expected.accepted !== undefined) {
            expect(json.accepted).toStrictEqual(expected.accepted);
            expect(json.rejected).toStrictEqual(
              expected.notAssigned?.map((bucketId) => ({ bucketId, reason: 'not assigned' })),
            );
          }
        }
      }),
      fuzzParameters(),
    );
    // The generators must actually reach every branch, or the property proves little.
    // (A replayed shrink path runs one case only.)
    for (const status of REPLAYING ? [] : [200, 400, 401, 413, 429, 503]) {
      expect(outcomes.get(status) ?? 0, `cases answered ${status}`).toBeGreaterThan(
        FUZZ_RUNS / 500,
      );
    }
  }, 120_000);
});
