import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { isValidId } from '../../functions/domain/ids.ts';
import { signNodeReport } from '../../functions/domain/node-signature.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { Seeder } from '../support/seed.ts';
import { hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable } from '../support/table.ts';
import { statusHandlerFor, testSettings } from '../support/wiring.ts';
import {
  expectContractResponse,
  type FaultKind,
  type FaultSwitch,
  FUZZ_RUNS,
  failOnUnhandledRejection,
  fuzzParameters,
  installFaultSwitch,
  REPLAYING,
} from './fuzz-support.ts';

/**
 * GET /bucket/{bucketId}/status under arbitrary input: paths, headers, near-valid and broken
 * tokens, bodies, and injected DynamoDB faults. Every case must keep the response contract,
 * and a 200 is only ever given to a user the access rule allows, for that exact bucket.
 */

const ORG_A = 'org-a';
const ORG_B = 'org-b';
const BUCKETS = {
  'bucket-alpha': { workspaceId: 'ws-a', orgId: ORG_A, nodes: 4 },
  'bucket-beta': { workspaceId: 'ws-b', orgId: ORG_A, nodes: 1 },
  'bucket-gamma': { workspaceId: 'ws-c', orgId: ORG_B, nodes: 1 },
} as const;
type BucketName = keyof typeof BUCKETS;
/** Only bucket-gamma's node carries this ip: seeing it anywhere else is a cross-tenant leak. */
const GAMMA_SECRET_IP = '10.99.99.99';

type UserKind = 'reader' | 'owner' | 'orgMember' | 'disabled' | 'revoked' | 'ghost';
const USER_KINDS: UserKind[] = ['reader', 'owner', 'orgMember', 'disabled', 'revoked', 'ghost'];
const ALLOWED: Record<UserKind, readonly BucketName[]> = {
  reader: ['bucket-alpha'],
  owner: ['bucket-alpha', 'bucket-beta'],
  orgMember: [],
  disabled: [],
  revoked: [],
  ghost: [],
};

const userId = (kind: UserKind) => `user-${kind}`;
const tokens = new Map<UserKind, string>();
/** Tokens that must always get 401, whoever they name. */
const forgedTokens: string[] = [];
let nodeSignatureHeaders: Record<string, string>;
let handler: ReturnType<typeof statusHandlerFor>;
let fault: FaultSwitch;

failOnUnhandledRejection();

beforeAll(async () => {
  const table = await createTestTable('fuzz-status');
  fault = installFaultSwitch(table.client);
  const seed = new Seeder(table.client, table.tableName);
  const nowS = Math.floor(Date.now() / 1000);
  const freshReport = new Date().toISOString();
  for (const [bucketId, meta] of Object.entries(BUCKETS)) {
    await seed.bucket(bucketId, meta);
    for (let i = 0; i < meta.nodes; i++) {
      const ip = bucketId === 'bucket-gamma' ? GAMMA_SECRET_IP : `192.0.2.${i + 1}`;
      // One node per bucket never reported: the DISCONNECTED, field-less entry.
      const report =
        i === meta.nodes - 1 && meta.nodes > 1
          ? {}
          : {
              ip,
              region: 'us-east-1',
              version: '1.2.3',
              status: 'ONLINE',
              latency_ms: 40 + i,
              lastUpdated: freshReport,
              reportedAt: Date.now(),
            };
      await seed.assignment(bucketId, `${bucketId}-node-${i}`, report);
    }
  }
  await seed.user(userId('reader'), { orgId: ORG_A, orgRole: 'MEMBER' });
  await seed.membership(userId('reader'), 'ws-a', 'READ');
  await seed.user(userId('owner'), { orgId: ORG_A, orgRole: 'OWNER' });
  await seed.user(userId('orgMember'), { orgId: ORG_A, orgRole: 'MEMBER' });
  await seed.membership(userId('orgMember'), 'ws-elsewhere', 'ADMIN');
  await seed.user(userId('disabled'), { orgId: ORG_A, orgRole: 'OWNER', status: 'DISABLED' });
  await seed.membership(userId('disabled'), 'ws-a', 'ADMIN');
  await seed.user(userId('revoked'), {
    orgId: ORG_A,
    orgRole: 'OWNER',
    tokensValidAfter: nowS + 600,
  });
  await seed.membership(userId('revoked'), 'ws-a', 'READ');
  for (const kind of USER_KINDS) tokens.set(kind, await hs256Token(userId(kind), { iat: nowS }));

  const owner = userId('owner');
  const encode = (value: string) => new TextEncoder().encode(value);
  const { privateKey: rsaKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  forgedTokens.push(
    await hs256Token(owner, { secret: 'a-different-secret-of-at-least-32-bytes' }),
    await hs256Token(owner, { expiresIn: nowS - 60 }),
    await hs256Token(owner, { claims: { nbf: nowS + 3600 } }),
    await hs256Token(owner, { claims: { pad: 'x'.repeat(9000) } }),
    await hs256Token('../user-owner'),
    await hs256Token('user-owner/../user-reader'),
    await hs256Token('x'.repeat(129)),
    new UnsecuredJWT({ sub: owner }).setExpirationTime('1h').encode(),
    await new SignJWT({ sub: owner })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(encode(TEST_SECRET)),
    await new SignJWT({ sub: owner })
      .setProtectedHeader({ alg: 'HS256', typ: 'JOSE+JSON' })
      .setExpirationTime('1h')
      .sign(encode(TEST_SECRET)),
    await new SignJWT({ sub: owner })
      .setProtectedHeader({ alg: 'HS512' })
      .setExpirationTime('1h')
      .sign(encode(TEST_SECRET.repeat(2))),
    await new SignJWT({ sub: owner })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('1h')
      .sign(rsaKey),
  );

  // A node's valid signature, sent to the GET route: it must not authenticate anybody.
  const nodeKey = await seed.node('bucket-alpha-node-0');
  nodeSignatureHeaders = Object.fromEntries(
    Object.entries(signNodeReport('bucket-alpha-node-0', nodeKey, '')).map(([name, value]) => [
      name.toLowerCase(),
      value,
    ]),
  );

  handler = statusHandlerFor({
    client: table.client,
    settings: testSettings(table.tableName, TEST_SECRET, { staleAfterSeconds: 90 }),
    logger: createLogger('bucket-status-fuzz'),
  });
});

// ---- arbitraries ---------------------------------------------------------------------------

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const seededBucket = fc.constantFrom(...(Object.keys(BUCKETS) as BucketName[]));

/** Path parameter values: the real ids, their near misses and path tricks, and noise. */
const bucketParam: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: seededBucket },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        seededBucket,
        seededBucket,
        fc.constantFrom(
          (a: string) => a.toUpperCase(),
          (a: string) => `${a}/`,
          (a: string, b: string) => `${a}/../${b}`,
          (a: string, b: string) => `${a}%2F..%2F${b}`,
          (a: string, b: string) => `${a}%2f${b}`,
          (a: string) => `/${a}`,
          (a: string) => `${a}//`,
          (a: string) => `./${a}`,
          (a: string) => `${a}?bucketId=bucket-gamma`,
          (a: string) => `${a}#x`,
          (a: string) => `${a} `,
          (a: string) => `${a}\u0000`,
          (a: string) => `${a}\u200b`,
          (a: string) => a.replace('a', '\u0430'), // Cyrillic a
          (a: string) => encodeURIComponent(a).replace('-', '%2D'),
          (a: string) => `${a}*`,
          (a: string) => `${a}%`,
          (a: string) => a.slice(0, -1),
          () => '..',
          () => '.',
          () => '',
          () => 'x'.repeat(129),
          () => 'a'.repeat(128),
          () => '%00',
          () => 'BUCKET#bucket-alpha',
          () => 'bucket-alpha#META',
        ),
      )
      .map(([a, b, variant]) => variant(a, b)),
  },
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/) },
  // Valid ids that are also Object.prototype names: lookups must be by own key.
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf') },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

type Mutation =
  | { op: 'replace'; at: number; ch: string }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'dropSegment'; segment: number }
  | { op: 'signatureOf'; other: UserKind }
  | { op: 'payloadFor'; sub: string }
  | { op: 'header'; alg: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    ch: fc.oneof(
      fc.constantFrom(...BASE64URL, '.', '=', '+', '/', ' '),
      fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
    ),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: anyString }),
  fc.record({ op: fc.constant('dropSegment' as const), segment: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('signatureOf' as const), other: fc.constantFrom(...USER_KINDS) }),
  fc.record({
    op: fc.constant('payloadFor' as const),
    sub: fc.oneof(fc.constantFrom(...USER_KINDS.map(userId)), anyString),
  }),
  fc.record({
    op: fc.constant('header' as const),
    alg: fc.constantFrom('none', 'None', 'HS384', 'RS256', 'ES256', 'EdDSA', 'hs256', ''),
  }),
);

const b64url = (value: string) => Buffer.from(value, 'utf8').toString('base64url');

function applyMutation(token: string, m: Mutation): string {
  const parts = token.split('.');
  const at = (n: number) => (token.length === 0 ? 0 : n % token.length);
  switch (m.op) {
    case 'replace':
      return token.slice(0, at(m.at)) + m.ch + token.slice(at(m.at) + 1);
    case 'truncate':
      return token.slice(0, at(m.at));
    case 'insert':
      return token.slice(0, at(m.at)) + m.text + token.slice(at(m.at));
    case 'dropSegment':
      return parts.filter((_, i) => i !== m.segment).join('.');
    case 'signatureOf':
      return [parts[0], parts[1], (tokens.get(m.other) as string).split('.')[2]].join('.');
    case 'payloadFor': {
      let payload: object = {};
      try {
        payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString()) as object;
      } catch {
        // an earlier mutation broke the payload; write a fresh one
      }
      return [parts[0], b64url(JSON.stringify({ ...payload, sub: m.sub })), parts[2]].join('.');
    }
    case 'header':
      return [b64url(JSON.stringify({ alg: m.alg, typ: 'JWT' })), parts[1], parts[2]].join('.');
  }
}

const scheme = fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer   ');

type Auth =
  | { kind: 'valid'; user: UserKind; scheme: string; trailing: string }
  | { kind: 'mutated'; user: UserKind; mutations: Mutation[] }
  | { kind: 'forged'; index: number }
  | { kind: 'junk'; header: string | undefined };

const auth: fc.Arbitrary<Auth> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('valid' as const),
      user: fc.constantFrom(...USER_KINDS),
      scheme,
      trailing: fc.constantFrom('', ' ', '  '),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      user: fc.constantFrom(...USER_KINDS),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('forged' as const), index: fc.nat() }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('junk' as const),
      header: fc.oneof(
        fc.constant(undefined),
        anyString,
        anyString.map((s) => `Bearer ${s}`),
        fc.constantFrom(
          'Bearer',
          'Bearer ',
          'Basic dXNlcjpwYXNz',
          'Token abc.def.ghi',
          'Bearer a.b',
        ),
        fc.nat({ max: 20_000 }).map((n) => `Bearer ${'a'.repeat(n)}.b.c`),
        fc.constantFrom(...USER_KINDS).map((kind) => `Basic ${tokens.get(kind)}`),
        fc.constantFrom(...USER_KINDS).map((kind) => `${tokens.get(kind)}`),
        fc.constantFrom(...USER_KINDS).map((kind) => `Bearer ${tokens.get(kind)}, Bearer x`),
      ),
    }),
  },
);

const headerName = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
const extraHeaders = fc.dictionary(headerName, anyString, { maxKeys: 4 });

const body: fc.Arbitrary<{ body: string | undefined; isBase64Encoded: boolean }> = fc.oneof(
  fc.constant({ body: undefined, isBase64Encoded: false }),
  fc.record({ body: anyString, isBase64Encoded: fc.constant(false) }),
  fc.record({
    body: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    isBase64Encoded: fc.constant(true),
  }),
  fc.record({ body: fc.json({ maxDepth: 3 }), isBase64Encoded: fc.boolean() }),
);

const faultArb = fc.oneof(
  { weight: 9, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<FaultKind[]>('throttle', 'provisioned', 'internal', 'reset'),
  },
);

const statusCase = fc.record({
  bucketId: bucketParam,
  auth,
  withNodeSignature: fc.boolean(),
  headers: extraHeaders,
  rawQueryString: fc.oneof(
    fc.constant(''),
    anyString,
    seededBucket.map((id) => `bucketId=${id}`),
  ),
  body,
  fault: faultArb,
});
type StatusCase = typeof statusCase extends fc.Arbitrary<infer T> ? T : never;

// ---- oracle --------------------------------------------------------------------------------

function authorizationHeader(a: Auth): string | undefined {
  switch (a.kind) {
    case 'valid':
      return `${a.scheme}${tokens.get(a.user)}${a.trailing}`;
    case 'mutated':
      return `Bearer ${a.mutations.reduce(applyMutation, tokens.get(a.user) as string)}`;
    case 'forged':
      return `Bearer ${forgedTokens[a.index % forgedTokens.length]}`;
    case 'junk':
      return a.header;
  }
}

/** The one right answer for a valid token of `user` on `bucketId`. */
function expectedFor(user: UserKind, bucketId: string | undefined, faulted: boolean): number {
  if (!isValidId(bucketId)) return 400;
  if (faulted) return 503;
  if (user === 'ghost') return 404;
  if (user === 'revoked') return 401;
  if (user === 'disabled') return 403;
  if (!Object.hasOwn(BUCKETS, bucketId)) return 404;
  return ALLOWED[user].includes(bucketId as BucketName) ? 200 : 403;
}

/** Statuses the case may get: exact for a valid token, 401 or a valid answer otherwise. */
function allowedStatuses(c: StatusCase, authorization: string | undefined): Set<number> {
  const faulted = c.fault !== undefined;
  switch (c.auth.kind) {
    case 'valid':
      return new Set([expectedFor(c.auth.user, c.bucketId, faulted)]);
    case 'mutated': {
      // A mutation may leave the token equivalent (e.g. unused base64url bits), or rebuild
      // another user's issued token byte for byte (swapped payload and signature): then it
      // is that user's token and gets that user's answer, nothing more.
      const token = authorization?.slice('Bearer '.length);
      const holders = USER_KINDS.filter((kind) => tokens.get(kind) === token);
      return new Set([
        401,
        expectedFor(c.auth.user, c.bucketId, faulted),
        ...holders.map((kind) => expectedFor(kind, c.bucketId, faulted)),
      ]);
    }
    default:
      return new Set([401]);
  }
}

function buildEvent(c: StatusCase, authorization: string | undefined) {
  const event = httpApiEvent({
    method: 'GET',
    path: `/bucket/${c.bucketId ?? ''}/status`,
    routeKey: 'GET /bucket/{bucketId}/status',
    headers: {
      ...c.headers,
      ...(c.withNodeSignature && nodeSignatureHeaders),
      ...(authorization !== undefined && { authorization }),
    },
    ...(c.bucketId !== undefined && { pathParameters: { bucketId: c.bucketId } }),
    ...(c.body.body !== undefined && { body: c.body.body }),
    isBase64Encoded: c.body.isBase64Encoded,
  });
  event.rawQueryString = c.rawQueryString;
  return event;
}

describe('GET /bucket/{bucketId}/status fuzzing', () => {
  it(`keeps the contract for ${FUZZ_RUNS} arbitrary requests`, async () => {
    const outcomes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(statusCase, async (c) => {
        fault.target = c.fault === undefined ? 'none' : 'any';
        if (c.fault !== undefined) fault.kind = c.fault;
        const authorization = authorizationHeader(c.auth);
        const event = buildEvent(c, authorization);
        const result = (await handler(event, lambdaContext())) as HttpResult;
        fault.target = 'none';
        outcomes.set(result.statusCode, (outcomes.get(result.statusCode) ?? 0) + 1);
        const json = expectContractResponse(result, allowedStatuses(c, authorization));
        if (result.statusCode === 401) {
          expect(result.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        }
        if (result.statusCode === 200) {
          const bucket = BUCKETS[c.bucketId as BucketName];
          expect(Object.keys(json).sort()).toStrictEqual(['bucketId', 'nodeStatus']);
          expect(json.bucketId).toBe(c.bucketId);
          expect(json.nodeStatus).toHaveLength(bucket.nodes);
          for (const node of json.nodeStatus as Record<string, unknown>[]) {
            for (const key of Object.keys(node)) {
              expect(['ip', 'region', 'version', 'status', 'latency_ms', 'lastUpdated']).toContain(
                key,
              );
            }
          }
        }
        if (c.bucketId !== 'bucket-gamma') expect(result.body).not.toContain(GAMMA_SECRET_IP);
      }),
      fuzzParameters(),
    );
    // The generators must actually reach every branch, or the property proves little.
    // (A replayed shrink path runs one case only.)
    for (const status of REPLAYING ? [] : [200, 400, 401, 403, 404, 503]) {
      expect(outcomes.get(status) ?? 0, `cases answered ${status}`).toBeGreaterThan(
        FUZZ_RUNS / 200,
      );
    }
  }, 120_000);
});
