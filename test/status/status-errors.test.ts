import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { accessMatrix } from '../support/access-matrix.ts';
import { Seeder } from '../support/seed.ts';
import { bearer, buildStatusHandler, hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

let table: TestTable;
let seed: Seeder;
let getStatus: ReturnType<typeof buildStatusHandler>;
const ORG = 'org-owner';
const WORKSPACE = 'ws-main';
const BUCKET = 'bucket-main';

beforeAll(async () => {
  table = await createTestTable('status-errors');
  seed = new Seeder(table.client, table.tableName);
  getStatus = buildStatusHandler(table.client, table.tableName);
  await seed.bucket(BUCKET, { workspaceId: WORKSPACE, orgId: ORG });
  await seed.assignment(BUCKET, 'node-1');
});

async function user(profile: Parameters<Seeder['user']>[1], role?: string) {
  const userId = randomUUID();
  // Users are of the bucket's org unless a case says otherwise (grants never cross orgs).
  await seed.user(userId, { orgId: ORG, ...profile });
  if (role !== undefined) await seed.membership(userId, WORKSPACE, role);
  return userId;
}

function expectErrorBody(response: {
  json: Record<string, unknown>;
  body: string;
  headers: Record<string, string>;
}) {
  expect(response.json.success).toBe(false);
  expect(typeof response.json.message).toBe('string');
  expect(Object.keys(response.json).sort()).toStrictEqual(['message', 'success']);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.body).not.toMatch(/\bat .*\.ts:\d+|Error:|node_modules/);
}

describe('access rule matrix', () => {
  const cases = accessMatrix(ORG);

  it.each(cases)('%s gets %i', async (_label, profile, role, expected) => {
    const userId = await user(profile, role);
    const response = await getStatus(BUCKET, bearer(await hs256Token(userId)));
    expect(response.statusCode).toBe(expected);
    if (expected === 200) expect(response.json.bucketId).toBe(BUCKET);
    else expectErrorBody(response);
  });

  it('a membership in another workspace does not open this bucket', async () => {
    const userId = await user({ orgId: ORG, orgRole: 'MEMBER' });
    await seed.membership(userId, 'ws-elsewhere', 'ADMIN');
    expect((await getStatus(BUCKET, bearer(await hs256Token(userId)))).statusCode).toBe(403);
  });
});

describe('error table', () => {
  it('400 for a bucketId that is not a valid id', async () => {
    const userId = await user({}, 'READ');
    const token = await hs256Token(userId);
    for (const bad of ['a'.repeat(129), 'bad id', 'a.b', '..', 'a%2Fb', 'ä']) {
      const response = await getStatus(bad, bearer(token));
      expect(response.statusCode, bad).toBe(400);
      expectErrorBody(response);
    }
    expect((await getStatus('a'.repeat(128), bearer(token))).statusCode).toBe(404);
  });

  it('401 with an RFC 6750 challenge when the token is missing', async () => {
    const response = await getStatus(BUCKET);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expectErrorBody(response);
  });

  it('404 for a bucket that does not exist', async () => {
    const userId = await user({}, 'READ');
    const response = await getStatus('no-such-bucket', bearer(await hs256Token(userId)));
    expect(response.statusCode).toBe(404);
    expect(response.json.message).toMatch(/bucket/i);
  });

  it('404 when the token user does not exist', async () => {
    const response = await getStatus(BUCKET, bearer(await hs256Token('ghost-user')));
    expect(response.statusCode).toBe(404);
    expect(response.json.message).toMatch(/user/i);
  });

  it('403 (not 404) for a disabled user even on a missing bucket', async () => {
    const userId = await user({ status: 'DISABLED' }, 'READ');
    expect((await getStatus('no-such-bucket', bearer(await hs256Token(userId)))).statusCode).toBe(
      403,
    );
  });

  it.each([
    ['ThrottlingException', 400],
    ['ProvisionedThroughputExceededException', 400],
    ['InternalServerError', 500],
    ['RequestLimitExceeded', 400],
  ])('503 with Retry-After when DynamoDB answers %s after retries', async (name, status) => {
    const userId = await user({}, 'READ');
    const token = await hs256Token(userId);
    const send = vi
      .spyOn(table.client, 'send')
      .mockRejectedValue(
        Object.assign(new Error('injected'), { name, $metadata: { httpStatusCode: status } }),
      );
    try {
      const response = await getStatus(BUCKET, bearer(token));
      expect(response.statusCode).toBe(503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expectErrorBody(response);
      expect(response.body).not.toContain('injected');
    } finally {
      send.mockRestore();
    }
  });

  it('503 on a dropped connection', async () => {
    const userId = await user({}, 'READ');
    const token = await hs256Token(userId);
    const send = vi
      .spyOn(table.client, 'send')
      .mockRejectedValue(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    try {
      expect((await getStatus(BUCKET, bearer(token))).statusCode).toBe(503);
    } finally {
      send.mockRestore();
    }
  });

  it('500 without internals for anything unexpected', async () => {
    const userId = await user({}, 'READ');
    const token = await hs256Token(userId);
    const send = vi
      .spyOn(table.client, 'send')
      .mockRejectedValue(
        new TypeError('Cannot read properties of undefined (secret internal detail)'),
      );
    try {
      const response = await getStatus(BUCKET, bearer(token));
      expect(response.statusCode).toBe(500);
      expectErrorBody(response);
      expect(response.json.message).toBe('Internal server error');
      expect(response.body).not.toContain('secret internal detail');
    } finally {
      send.mockRestore();
    }
  });
});

describe('token attacks and validation (401)', () => {
  let userId: string;
  beforeAll(async () => {
    userId = await user({}, 'READ');
  });
  const secretKey = new TextEncoder().encode(TEST_SECRET);
  const signHs256 = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(secretKey);
  const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

  async function expect401(token: string, message?: RegExp) {
    const response = await getStatus(BUCKET, bearer(token));
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expectErrorBody(response);
    if (message) expect(response.json.message).toMatch(message);
    return response;
  }

  it('accepts the genuine token (control)', async () => {
    expect(
      (await getStatus(BUCKET, bearer(await signHs256({ sub: userId, exp: inOneHour() }))))
        .statusCode,
    ).toBe(200);
  });

  it('alg none', async () => {
    const token = new UnsecuredJWT({ sub: userId }).setExpirationTime('1h').encode();
    await expect401(token, /algorithm/);
  });

  it('HS256 signed with an RS256 public key as the HMAC secret (algorithm confusion)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rsaHandler = buildStatusHandler(table.client, table.tableName, {
      jwt: { source: { kind: 'publicKey', pem } },
    });
    const genuine = await new SignJWT({ sub: userId })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await rsaHandler(BUCKET, bearer(genuine))).statusCode).toBe(200);
    const forged = await new SignJWT({ sub: userId })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(pem));
    const response = await rsaHandler(BUCKET, bearer(forged));
    expect(response.statusCode).toBe(401);
    expect(response.json.message).toMatch(/algorithm/);
  });

  it.each(['ed25519', 'ec'] as const)(
    'verifies %s public keys with only their own algorithm',
    async (type) => {
      const { publicKey, privateKey } =
        type === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519');
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const handler = buildStatusHandler(table.client, table.tableName, {
        jwt: { source: { kind: 'publicKey', pem } },
      });
      const alg = type === 'ec' ? 'ES256' : 'EdDSA';
      const token = await new SignJWT({ sub: userId })
        .setProtectedHeader({ alg })
        .setExpirationTime('1h')
        .sign(privateKey);
      expect((await handler(BUCKET, bearer(token))).statusCode).toBe(200);
      const other = generateKeyPairSync('ed25519').privateKey;
      const wrongKey = await new SignJWT({ sub: userId })
        .setProtectedHeader({ alg: 'EdDSA' })
        .setExpirationTime('1h')
        .sign(other);
      expect((await handler(BUCKET, bearer(wrongKey))).statusCode).toBe(401);
    },
  );

  it('wrong signing secret', async () => {
    await expect401(
      await hs256Token(userId, { secret: 'another-secret-that-is-32-bytes-long!!' }),
      /signature/,
    );
  });

  it('a tampered payload', async () => {
    const [h, , s] = (await hs256Token(userId)).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'someone-else', exp: inOneHour() })).toString(
      'base64url',
    );
    await expect401(`${h}.${payload}.${s}`, /signature/);
  });

  it('expired', async () => {
    await expect401(
      await signHs256({ sub: userId, exp: Math.floor(Date.now() / 1000) - 60 }),
      /expired/,
    );
  });

  it('not yet valid (nbf in the future)', async () => {
    await expect401(
      await signHs256({ sub: userId, exp: inOneHour(), nbf: inOneHour() - 60 }),
      /nbf/,
    );
  });

  it('missing exp', async () => {
    await expect401(await signHs256({ sub: userId }), /exp/);
  });

  it('missing or invalid sub', async () => {
    await expect401(await signHs256({ exp: inOneHour() }), /sub/);
    await expect401(await signHs256({ sub: 'USER#evil/../x', exp: inOneHour() }), /subject/);
  });

  it('wrong issuer and audience when configured', async () => {
    const handler = buildStatusHandler(table.client, table.tableName, {
      jwt: {
        source: { kind: 'secret', secret: TEST_SECRET },
        issuer: 'https://issuer.example',
        audience: ['bucket-status'],
      },
    });
    const sign = (claims: Record<string, unknown>) =>
      signHs256({ sub: userId, exp: inOneHour(), ...claims });
    const good = await sign({ iss: 'https://issuer.example', aud: 'bucket-status' });
    expect((await handler(BUCKET, bearer(good))).statusCode).toBe(200);
    for (const claims of [
      { iss: 'https://evil.example', aud: 'bucket-status' },
      { aud: 'bucket-status' },
      { iss: 'https://issuer.example', aud: 'another-api' },
      { iss: 'https://issuer.example' },
    ]) {
      const response = await handler(BUCKET, bearer(await sign(claims)));
      expect(response.statusCode, JSON.stringify(claims)).toBe(401);
    }
  });

  it('a token over 8 KiB is refused before verification', async () => {
    const big = await signHs256({ sub: userId, exp: inOneHour(), pad: 'x'.repeat(9 * 1024) });
    await expect401(big, /too long/);
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['two segments', 'abc.def'],
    ['non-base64url characters', 'a$b.c%d.e^f'],
    ['valid shape, garbage content', 'aaaa.bbbb.cccc'],
    [
      'JSON that is not an object',
      `${Buffer.from('[]').toString('base64url')}.${Buffer.from('1').toString('base64url')}.x`,
    ],
  ])('%s', async (_label, token) => {
    await expect401(token);
  });

  it.each([
    ['Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a token', 'Bearer '],
    ['token without scheme', 'eyJhbGciOiJIUzI1NiJ9.e30.x'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
  ])('malformed Authorization header: %s', async (_label, authorization) => {
    const response = await getStatus(BUCKET, { authorization });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('accepts the scheme case-insensitively (RFC 7235)', async () => {
    const response = await getStatus(BUCKET, {
      authorization: `bearer ${await hs256Token(userId)}`,
    });
    expect(response.statusCode).toBe(200);
  });

  it('refuses an unexpected typ header (RFC 8725 explicit typing)', async () => {
    await expect401(
      await signHs256({ sub: userId, exp: inOneHour() }, { typ: 'secevent+jwt' }),
      /type/,
    );
    expect(
      (
        await getStatus(
          BUCKET,
          bearer(await signHs256({ sub: userId, exp: inOneHour() }, { typ: 'at+jwt' })),
        )
      ).statusCode,
    ).toBe(200);
  });
});

describe('tokensValidAfter (revocation)', () => {
  it('refuses tokens issued before tokensValidAfter, accepts later ones', async () => {
    const revokedAt = Math.floor(Date.now() / 1000) - 100;
    const userId = await user({ tokensValidAfter: revokedAt }, 'READ');
    const before = await hs256Token(userId, { iat: revokedAt - 1 });
    const response = await getStatus(BUCKET, bearer(before));
    expect(response.statusCode).toBe(401);
    expect(response.json.message).toMatch(/revoked/);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(
      (await getStatus(BUCKET, bearer(await hs256Token(userId, { iat: revokedAt })))).statusCode,
    ).toBe(200);
  });

  it('revocation after a successful read takes effect at once, despite the verified-token cache', async () => {
    const profile = { orgId: ORG, orgRole: 'MEMBER' };
    const userId = await user(profile, 'READ');
    const token = await hs256Token(userId, { iat: Math.floor(Date.now() / 1000) - 10 });
    expect((await getStatus(BUCKET, bearer(token))).statusCode).toBe(200);
    await seed.user(userId, { ...profile, tokensValidAfter: Math.floor(Date.now() / 1000) });
    expect((await getStatus(BUCKET, bearer(token))).statusCode).toBe(401);
    await seed.user(userId, { ...profile, status: 'DISABLED' });
    expect((await getStatus(BUCKET, bearer(token))).statusCode).toBe(403);
  });

  it('refuses a token without iat once tokens were revoked', async () => {
    const userId = await user({ tokensValidAfter: 1 }, 'READ');
    const token = await new SignJWT({ sub: userId })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect((await getStatus(BUCKET, bearer(token))).statusCode).toBe(401);
  });
});
