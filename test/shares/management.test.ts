// The share routes (DESIGN.md section 17) through the management function's production wiring,
// on the run's engine: the access matrix of the three routes, create/list/revoke, the token
// shown once and stored only as a hash, the limit of ten (also under concurrent creation),
// and bad bodies. Every response is checked against openapi.yaml.
import { randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { shareTokenHash } from '../../functions/domain/shares.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { SHARE_ROUTES } from '../../functions/manage/shares-handler.ts';
import { wire } from '../../functions/manage/wiring.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { dispatchByRoute } from '../../functions/shared/wiring.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { createContract } from '../support/openapi-contract.ts';
import { Seeder } from '../support/seed.ts';
import { bearer, hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable } from '../support/table.ts';
import { REFUSED } from '../support/text.ts';
import { testSettings } from '../support/wiring.ts';

const contract = createContract();
const PAGE = 'https://status.example.com/';
const ORG = 'org-1';
const W = 'ws-main';
const B = 'bucket-shared';

type Method = 'GET' | 'POST' | 'DELETE';
let call: (
  method: Method,
  bucketId: string,
  options?: { token?: string; body?: string; shareId?: string; headers?: Record<string, string> },
) => Promise<HttpResult & { json: Record<string, unknown> }>;
let seeder: Seeder;
let client: Awaited<ReturnType<typeof createTestTable>>['client'];
let tableName: string;
let endpoint: string;

function event(
  method: Method,
  bucketId: string,
  headers: Record<string, string>,
  body?: string,
  shareId?: string,
): APIGatewayProxyEventV2 {
  const routeKey =
    method === 'GET'
      ? SHARE_ROUTES.list
      : method === 'POST'
        ? SHARE_ROUTES.create
        : SHARE_ROUTES.delete;
  const e = httpApiEvent({
    method: method === 'DELETE' ? 'GET' : method,
    path: `/bucket/${bucketId}/shares${shareId === undefined ? '' : `/${shareId}`}`,
    routeKey,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    pathParameters: { bucketId, ...(shareId !== undefined && { shareId }) },
    ...(body !== undefined && { body }),
  });
  e.requestContext.http.method = method;
  return e;
}

beforeAll(async () => {
  ({ client, tableName, endpoint } = await createTestTable('shares'));
  seeder = new Seeder(client, tableName);
  const { routes } = wire({
    client,
    settings: testSettings(tableName, TEST_SECRET, { statusPageUrl: PAGE }),
    logger: createLogger('shares-test'),
  });
  const handler = dispatchByRoute(routes);
  call = async (method, bucketId, options = {}) => {
    const token = options.token ?? (await hs256Token('ws-admin'));
    const result = (await handler(
      event(
        method,
        bucketId,
        { ...bearer(token), ...options.headers },
        options.body,
        options.shareId,
      ),
      lambdaContext(),
    )) as HttpResult;
    const json = result.body ? JSON.parse(result.body) : {};
    contract.assertResponse({
      method,
      path: event(method, bucketId, {}, undefined, options.shareId).rawPath,
      status: result.statusCode,
      headers: new Headers(result.headers),
      body: result.body ? json : undefined,
    });
    return { ...result, json };
  };
  await seeder.put({ pk: `WORKSPACE#${W}`, sk: 'META', orgId: ORG, name: 'main' });
  await seeder.put({ pk: 'WORKSPACE#ws-other-org', sk: 'META', orgId: 'org-2', name: 'other' });
  await seeder.put({ pk: `BUCKET#${B}`, sk: 'META', workspaceId: W, orgId: ORG, name: 'b' });
  await seeder.put({
    pk: 'BUCKET#bucket-other-org',
    sk: 'META',
    workspaceId: 'ws-other-org',
    orgId: 'org-2',
    name: 'o',
  });
  const users: [string, Parameters<Seeder['user']>[1], string | undefined][] = [
    ['ws-read', { orgId: ORG, orgRole: 'MEMBER' }, 'READ'],
    ['ws-write', { orgId: ORG, orgRole: 'MEMBER' }, 'WRITE'],
    ['ws-admin', { orgId: ORG, orgRole: 'MEMBER' }, 'ADMIN'],
    ['org-owner', { orgId: ORG, orgRole: 'OWNER' }, undefined],
    ['org-admin', { orgId: ORG, orgRole: 'ADMIN' }, undefined],
    ['org-member', { orgId: ORG, orgRole: 'MEMBER' }, undefined],
    ['other-org-owner', { orgId: 'org-2', orgRole: 'OWNER' }, undefined],
    ['other-org-ws-admin', { orgId: 'org-2', orgRole: 'MEMBER' }, 'ADMIN'],
    ['disabled-admin', { orgId: ORG, orgRole: 'OWNER', status: 'DISABLED' }, 'ADMIN'],
    [
      'revoked-admin',
      { orgId: ORG, orgRole: 'OWNER', tokensValidAfter: Math.floor(Date.now() / 1000) + 60 },
      'ADMIN',
    ],
  ];
  for (const [userId, profile, role] of users) {
    await seeder.user(userId, profile);
    if (role !== undefined) await seeder.membership(userId, W, role);
  }
});

/** A bucket of its own in the main workspace, so a test's shares do not count against another's. */
async function freshBucket(prefix: string): Promise<string> {
  const bucketId = `${prefix}-${randomUUID().slice(0, 8)}`;
  await seeder.put({ pk: `BUCKET#${bucketId}`, sk: 'META', workspaceId: W, orgId: ORG, name: 'x' });
  return bucketId;
}

describe('access matrix (POST, GET and DELETE alike)', () => {
  it.each([
    ['ws-read', 403],
    ['ws-write', 403],
    ['ws-admin', 200],
    ['org-owner', 200],
    ['org-admin', 200],
    ['org-member', 403],
    ['other-org-owner', 403],
    ['other-org-ws-admin', 403],
    ['disabled-admin', 403],
    ['revoked-admin', 401],
    ['no-such-user', 404],
  ] as const)('%s: %i', async (userId, expected) => {
    const token = await hs256Token(userId);
    expect((await call('GET', B, { token })).statusCode).toBe(expected);
    const created = await call('POST', B, { token, body: '{}' });
    expect(created.statusCode).toBe(expected === 200 ? 201 : expected);
    if (expected === 200) {
      const deleted = await call('DELETE', B, { token, shareId: created.json.id as string });
      expect(deleted.statusCode).toBe(204);
      return;
    }
    expect(created.json).toEqual({ success: false, message: expect.any(String) });
    // A share an admin made cannot be revoked by this caller.
    const made = await call('POST', B, { body: '{}' });
    expect(made.statusCode).toBe(201);
    const shareId = made.json.id as string;
    expect((await call('DELETE', B, { token, shareId })).statusCode).toBe(expected);
    expect((await call('DELETE', B, { shareId })).statusCode).toBe(204);
  });

  it('401 without a valid token; 404 for an unknown bucket; another org bucket is 403', async () => {
    expect((await call('GET', B, { token: 'not.a.jwt' })).statusCode).toBe(401);
    const owner = await hs256Token('org-owner');
    const missing = await call('GET', 'no-such-bucket', { token: owner });
    expect(missing.statusCode).toBe(404);
    expect(missing.json.message).toBe('Bucket not found');
    expect((await call('POST', 'no-such-bucket', { token: owner })).statusCode).toBe(404);
    expect((await call('GET', 'bucket-other-org', { token: owner })).statusCode).toBe(403);
    expect((await call('POST', 'bucket-other-org', { token: owner })).statusCode).toBe(403);
    expect((await call('GET', 'bad id!', { token: owner })).statusCode).toBe(400);
  });
});

describe('create, list, revoke', () => {
  it('the token is shown once, stored only as a hash, never listed', async () => {
    const bucketId = await freshBucket('b-create');
    const created = await call('POST', bucketId, {
      body: JSON.stringify({ label: 'for our customers', showIps: true }),
    });
    expect(created.statusCode).toBe(201);
    const token = created.json.token as string;
    expect(created.json).toEqual({
      id: expect.stringMatching(/^shr_[0-9a-f]{32}$/),
      label: 'for our customers',
      showIps: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      token: expect.stringMatching(/^bss_[A-Za-z0-9_-]{43}$/),
      pageUrl: `${PAGE}#share=${token}`,
    });
    // 32 random bytes.
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);

    const list = await call('GET', bucketId);
    expect(list.statusCode).toBe(200);
    expect(list.json).toEqual({
      shares: [
        {
          id: created.json.id,
          label: 'for our customers',
          showIps: true,
          createdAt: created.json.createdAt,
        },
      ],
    });
    expect(list.body).not.toContain(token.slice(4));

    // The table holds the hash, never the token: the lookup row is keyed by it.
    const lookup = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `SHARE#${shareTokenHash(token)}` }, sk: { S: 'META' } },
      }),
    );
    expect(lookup.Item?.bucketId?.S).toBe(bucketId);
    const slots = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `SHARES#${bucketId}` } },
      }),
    );
    expect(slots.Items).toHaveLength(1);
    expect(JSON.stringify([slots.Items, lookup.Item])).not.toContain(token.slice(4));

    // Revoked: the lookup row goes with the slot; a second revoke is a 404.
    const revoked = await call('DELETE', bucketId, { shareId: created.json.id as string });
    expect(revoked.statusCode).toBe(204);
    expect(revoked.body).toBe('');
    const gone = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `SHARE#${shareTokenHash(token)}` }, sk: { S: 'META' } },
      }),
    );
    expect(gone.Item).toBeUndefined();
    expect((await call('GET', bucketId)).json).toEqual({ shares: [] });
    expect(
      (await call('DELETE', bucketId, { shareId: created.json.id as string })).statusCode,
    ).toBe(404);
    expect((await call('DELETE', bucketId, { shareId: 'shr_unknown' })).statusCode).toBe(404);
  });

  it('defaults: no body, or an empty one, is no label and no ips', async () => {
    const bucketId = await freshBucket('b-defaults');
    for (const body of [undefined, '', '{}', '{"label":null}', '{"label":""}']) {
      const created = await call('POST', bucketId, body === undefined ? {} : { body });
      expect(created.statusCode).toBe(201);
      expect(created.json.showIps).toBe(false);
      expect(created.json).not.toHaveProperty('label');
    }
  });

  it('an unknown share id revokes nothing, whatever the bucket holds', async () => {
    const bucketId = await freshBucket('b-unknown');
    const made = await call('POST', bucketId);
    expect(made.statusCode).toBe(201);
    expect((await call('DELETE', bucketId, { shareId: 'shr_unknown' })).statusCode).toBe(404);
    expect(
      ((await call('GET', bucketId)).json.shares as { id: string }[]).map((x) => x.id),
    ).toEqual([made.json.id]);
  });

  it('the list is oldest first, whatever slots the shares hold', async () => {
    const bucketId = await freshBucket('b-order');
    const first = await call('POST', bucketId, { body: '{"label":"first"}' });
    const second = await call('POST', bucketId, { body: '{"label":"second"}' });
    // The first slot is freed, and the third share takes it.
    expect((await call('DELETE', bucketId, { shareId: first.json.id as string })).statusCode).toBe(
      204,
    );
    const third = await call('POST', bucketId, { body: '{"label":"third"}' });
    expect(String(third.json.createdAt) > String(second.json.createdAt)).toBe(true);
    const listed = (await call('GET', bucketId)).json.shares as { label: string }[];
    expect(listed.map((x) => x.label)).toEqual(['second', 'third']);
  });

  it('a disabled user is told so; a bucket with no workspace is managed by nobody', async () => {
    const disabled = await call('GET', B, { token: await hs256Token('disabled-admin') });
    expect(disabled.statusCode).toBe(403);
    expect(disabled.json.message).toBe('The user is disabled');
    const bucketId = `b-orphan-${randomUUID().slice(0, 8)}`;
    await seeder.put({ pk: `BUCKET#${bucketId}`, sk: 'META', orgId: ORG, name: 'orphan' });
    for (const userId of ['org-owner', 'org-admin', 'ws-admin']) {
      const token = await hs256Token(userId);
      expect((await call('GET', bucketId, { token })).statusCode, userId).toBe(403);
      expect((await call('POST', bucketId, { token })).statusCode, userId).toBe(403);
    }
  });

  it('a share of another bucket cannot be revoked through this one', async () => {
    const one = await freshBucket('b-one');
    const two = await freshBucket('b-two');
    const made = await call('POST', two);
    const shareId = made.json.id as string;
    expect((await call('DELETE', one, { shareId })).statusCode).toBe(404);
    expect((await call('DELETE', two, { shareId })).statusCode).toBe(204);
  });

  it('the list has an ETag and answers 304 to a matching If-None-Match', async () => {
    const bucketId = await freshBucket('b-etag');
    const first = await call('GET', bucketId);
    const etag = first.headers.etag as string;
    const again = await call('GET', bucketId, { headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    await call('POST', bucketId);
    expect((await call('GET', bucketId, { headers: { 'if-none-match': etag } })).statusCode).toBe(
      200,
    );
  });
});

describe('at most ten shares per bucket', () => {
  it('the 11th is a 409, and a revoke makes room again', async () => {
    const bucketId = await freshBucket('b-limit');
    const token = await hs256Token('org-admin');
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await call('POST', bucketId, { token, body: JSON.stringify({ label: `s${i}` }) });
      expect(r.statusCode).toBe(201);
      ids.push(r.json.id as string);
    }
    const eleventh = await call('POST', bucketId, { token });
    expect(eleventh.statusCode).toBe(409);
    expect(eleventh.json).toEqual({ success: false, message: 'A bucket has at most 10 shares' });
    expect((await call('DELETE', bucketId, { token, shareId: ids[4] as string })).statusCode).toBe(
      204,
    );
    expect((await call('POST', bucketId, { token })).statusCode).toBe(201);
    expect((await call('POST', bucketId, { token })).statusCode).toBe(409);
    expect(((await call('GET', bucketId, { token })).json.shares as unknown[]).length).toBe(10);
  });

  it('a create writes only a free slot and its lookup row; the 11th writes nothing', async () => {
    const bucketId = await freshBucket('b-writes');
    for (let i = 0; i < 3; i++) expect((await call('POST', bucketId)).statusCode).toBe(201);
    await withFaultProxy(endpoint, async (proxy) => {
      const proxied = createDynamoClient({ endpoint: proxy.endpoint });
      try {
        const handler = dispatchByRoute(
          wire({
            client: proxied,
            settings: testSettings(tableName, TEST_SECRET, { statusPageUrl: PAGE }),
            logger: createLogger('shares-test'),
          }).routes,
        );
        const create = async () =>
          (await handler(
            event('POST', bucketId, bearer(await hs256Token('ws-admin')), '{}'),
            lambdaContext(),
          )) as HttpResult;
        const writes = () => proxy.seen.filter((r) => r.operation === 'PutItem').length;
        // Slots 0-2 are taken: the 4th share goes straight to slot 3.
        expect((await create()).statusCode).toBe(201);
        expect(writes()).toBe(2);
        for (let i = 4; i < 10; i++) expect((await create()).statusCode).toBe(201);
        const before = writes();
        expect((await create()).statusCode).toBe(409);
        expect(writes()).toBe(before);
        // The list and a revoke through the same wiring: ten shares, then nine.
        const admin = bearer(await hs256Token('ws-admin'));
        const list = async () =>
          JSON.parse(
            ((await handler(event('GET', bucketId, admin), lambdaContext())) as HttpResult).body,
          ).shares as { id: string }[];
        const listed = await list();
        expect(listed).toHaveLength(10);
        const revoked = (await handler(
          event('DELETE', bucketId, admin, undefined, listed[0]?.id),
          lambdaContext(),
        )) as HttpResult;
        expect(revoked.statusCode).toBe(204);
        expect(await list()).toHaveLength(9);
      } finally {
        proxied.destroy();
      }
    });
  });

  it('under 15 concurrent creations exactly 10 succeed, each listed once', async () => {
    const bucketId = await freshBucket('b-race');
    const token = await hs256Token('org-owner');
    const results = await Promise.all(
      Array.from({ length: 15 }, () => call('POST', bucketId, { token })),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(10);
    expect(codes.filter((c) => c === 409)).toHaveLength(5);
    const listed = (await call('GET', bucketId, { token })).json.shares as { id: string }[];
    expect(listed.map((s) => s.id).sort()).toEqual(
      results
        .filter((r) => r.statusCode === 201)
        .map((r) => r.json.id as string)
        .sort(),
    );
  });
});

describe('bad requests', () => {
  it.each<[string, string, RegExp]>([
    ['not JSON', '{', /valid JSON/],
    ['an array', '[]', /JSON object/],
    ['a JSON string', '"x"', /JSON object/],
    ['an unknown field', JSON.stringify({ label: 'a', token: 'x' }), /unknown field: token/],
    ['showIps as a string', JSON.stringify({ showIps: 'yes' }), /showIps must be true or false/],
    ['a numeric label', JSON.stringify({ label: 5 }), /label must be a string/],
    ['257 characters', JSON.stringify({ label: 'l'.repeat(257) }), /at most 256/],
    ['257 emoji', JSON.stringify({ label: '😀'.repeat(257) }), /at most 256/],
    ...REFUSED.map(([name, char]): [string, string, RegExp] => [
      name,
      JSON.stringify({ label: `a${char}b` }),
      /label must not contain/,
    ]),
  ])('%s: 400 naming the field', async (_name, body, message) => {
    const r = await call('POST', B, { body });
    expect(r.statusCode).toBe(400);
    expect(r.json.message).toMatch(message);
  });

  it('256 emoji are a label (code points, not UTF-16 units)', async () => {
    const bucketId = await freshBucket('b-emoji');
    const r = await call('POST', bucketId, { body: JSON.stringify({ label: '😀'.repeat(256) }) });
    expect(r.statusCode).toBe(201);
  });

  it('a body over 4 KiB is a 413', async () => {
    const r = await call('POST', B, { body: JSON.stringify({ label: 'x'.repeat(5000) }) });
    expect(r.statusCode).toBe(413);
  });
});
