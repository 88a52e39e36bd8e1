import { createHmac, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Seeder } from '../support/seed.ts';
import { bearer, buildStatusHandler, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

/** RFC 8725 attacks on the token header, and a JWKS endpoint that misbehaves. */
let table: TestTable;
let userId: string;
const BUCKET = 'token-attack-bucket';

type JwksMode = 'ok' | 'slow' | 'error' | 'garbage';
interface JwksServer {
  url: string;
  hits: number;
  mode: JwksMode;
  server: Server;
}

async function startJwksServer(publicKey: KeyObject | undefined, kid: string): Promise<JwksServer> {
  const jwk = publicKey
    ? { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
    : undefined;
  const state = { hits: 0, mode: 'ok' as JwksMode };
  const server = createServer((_req, res) => {
    state.hits++;
    if (state.mode === 'slow') return; // never answers
    if (state.mode === 'error') return void res.writeHead(500).end('boom');
    if (state.mode === 'garbage')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: jwk ? [jwk] : [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return Object.defineProperties({ url, server } as JwksServer, {
    hits: { get: () => state.hits },
    mode: {
      get: () => state.mode,
      set: (m: JwksMode) => {
        state.mode = m;
      },
    },
  });
}

const issuerKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const KID = 'issuer-key-1';
let jwks: JwksServer;
let attackerJwks: JwksServer;
const servers: Server[] = [];

beforeAll(async () => {
  table = await createTestTable('token-attacks');
  const seed = new Seeder(table.client, table.tableName);
  userId = randomUUID();
  await seed.user(userId, { orgId: 'org' });
  await seed.membership(userId, 'ws', 'READ');
  await seed.bucket(BUCKET, { workspaceId: 'ws', orgId: 'org' });
  jwks = await startJwksServer(issuerKeys.publicKey, KID);
  attackerJwks = await startJwksServer(undefined, 'attacker');
  servers.push(jwks.server, attackerJwks.server);
});

afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

const es256 = (header: Record<string, unknown> = {}, key: KeyObject = issuerKeys.privateKey) =>
  new SignJWT({ sub: userId })
    .setProtectedHeader({ alg: 'ES256', kid: KID, ...header })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
const hs256 = (header: Record<string, unknown>) =>
  new SignJWT({ sub: userId })
    .setProtectedHeader({ alg: 'HS256', ...header })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(TEST_SECRET));

const jwksHandler = (url = jwks.url) =>
  buildStatusHandler(table.client, table.tableName, { jwt: { source: { kind: 'jwks', url } } });

/** Signs by hand, for headers jose itself refuses to produce. */
function handSignedHs256(header: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${encode({ alg: 'HS256', ...header })}.${encode({ sub: userId, iat: now, exp: now + 300 })}`;
  return `${input}.${createHmac('sha256', TEST_SECRET).update(input).digest('base64url')}`;
}

describe('JWKS mode', () => {
  it('accepts a token signed by the issuer key (control) and caches the key set', async () => {
    jwks.mode = 'ok';
    const read = jwksHandler();
    expect((await read(BUCKET, bearer(await es256()))).statusCode).toBe(200);
    const hits = jwks.hits;
    expect((await read(BUCKET, bearer(await es256()))).statusCode).toBe(200);
    expect(jwks.hits).toBe(hits);
  });

  it.each([
    '../../../../etc/passwd',
    "' OR '1'='1",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Log4Shell lookup string, verbatim
    '${jndi:ldap://127.0.0.1/x}',
    'k'.repeat(2000),
    '',
  ])('kid injection %#: 401, never a lookup outside the key set', async (kid) => {
    jwks.mode = 'ok';
    const response = await jwksHandler()(BUCKET, bearer(await es256({ kid })));
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('ignores jku and x5u: a token signed by an attacker key is refused and the attacker URL is never fetched', async () => {
    jwks.mode = 'ok';
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await es256(
      { jku: attackerJwks.url, x5u: attackerJwks.url },
      attacker.privateKey,
    );
    const response = await jwksHandler()(BUCKET, bearer(token));
    expect(response.statusCode).toBe(401);
    expect(attackerJwks.hits).toBe(0);
  });

  it('refuses an embedded jwk header key (self-signed token)', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await es256({ jwk: await exportJWK(attacker.publicKey) }, attacker.privateKey);
    expect((await jwksHandler()(BUCKET, bearer(token))).statusCode).toBe(401);
  });

  it.each<JwksMode>(['slow', 'error', 'garbage'])(
    'a JWKS endpoint that is %s: 503 with Retry-After (never 200, never a hang)',
    async (mode) => {
      // A fresh verifier, so no cached key set hides the outage.
      const fresh = await startJwksServer(issuerKeys.publicKey, KID);
      servers.push(fresh.server);
      fresh.mode = mode;
      const response = await jwksHandler(fresh.url)(BUCKET, bearer(await es256()));
      expect(response.statusCode).toBe(503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      // The verifier did ask the endpoint and gave up on it itself (for 'slow', the endpoint
      // never answers: only the verifier's own timeout ends the wait; the test's timeout would
      // catch a hang). The figure of that timeout is not asserted here.
      expect(fresh.hits).toBeGreaterThanOrEqual(1);
      expect(response.json).toStrictEqual({
        success: false,
        message: 'Token verification is temporarily unavailable',
      });
    },
  );

  it('a JWKS endpoint that is down: 503', async () => {
    const gone = await startJwksServer(issuerKeys.publicKey, KID);
    gone.server.close();
    const response = await jwksHandler(gone.url)(BUCKET, bearer(await es256()));
    expect(response.statusCode).toBe(503);
  });
});

describe('secret mode header attacks', () => {
  const read = () => buildStatusHandler(table.client, table.tableName);

  it('an unknown crit header parameter is refused; the same token without crit verifies', async () => {
    const critical = handSignedHs256({ crit: ['x-must-understand'], 'x-must-understand': 1 });
    expect((await read()(BUCKET, bearer(critical))).statusCode).toBe(401);
    expect(
      (await read()(BUCKET, bearer(handSignedHs256({ 'x-must-understand': 1 })))).statusCode,
    ).toBe(200);
  });

  it('kid is not used to pick the key: any kid with a valid HS256 signature verifies, a forged one does not', async () => {
    expect((await read()(BUCKET, bearer(await hs256({ kid: '../../secret' })))).statusCode).toBe(
      200,
    );
    const forged = await new SignJWT({ sub: userId })
      .setProtectedHeader({ alg: 'HS256', kid: '../../secret' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('../../secret'.padEnd(32, 'x')));
    expect((await read()(BUCKET, bearer(forged))).statusCode).toBe(401);
  });

  it.each(['JWE', 'dpop+jwt', 'secevent+jwt', 'logout+jwt'])(
    'typ %s is refused (typ confusion)',
    async (typ) => {
      expect((await read()(BUCKET, bearer(await hs256({ typ })))).statusCode).toBe(401);
    },
  );

  it('an asymmetric algorithm is refused in secret mode', async () => {
    expect((await read()(BUCKET, bearer(await es256()))).statusCode).toBe(401);
  });
});
