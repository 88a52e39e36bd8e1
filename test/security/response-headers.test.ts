import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signNodeReport } from '../../functions/domain/node-signature.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import {
  assignedNode,
  bucketWithReader,
  buildIngestHandler,
  buildStatusReader,
  NO_RATE_LIMIT,
  reportBody,
  signed,
  userToken,
} from '../support/ingest-fixture.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

/** DESIGN.md section 7: these headers on every API response, whatever its status. */
const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

const expectSecurityHeaders = (headers: Record<string, string>, what: string) => {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(headers[name], `${what}: ${name}`).toBe(value);
  }
};

let table: TestTable;
let seed: Seeder;

beforeAll(async () => {
  table = await createTestTable('headers');
  seed = new Seeder(table.client, table.tableName);
});

describe('security headers from the Lambda handlers', () => {
  it('GET status: 200, 400, 401, 403 and 404 all carry them', async () => {
    const read = buildStatusReader(table.client, table.tableName);
    const { bucketId, token } = await bucketWithReader(seed);
    const outsider = randomUUID();
    await seed.user(outsider, { orgId: randomUUID(), orgRole: 'MEMBER' });
    const cases: [string, Awaited<ReturnType<typeof read>>][] = [
      ['200', await read(bucketId, { authorization: `Bearer ${token}` })],
      ['400', await read('not valid!', { authorization: `Bearer ${token}` })],
      ['401', await read(bucketId, {})],
      ['403', await read(bucketId, { authorization: `Bearer ${await userToken(outsider)}` })],
      ['404', await read(randomUUID(), { authorization: `Bearer ${token}` })],
    ];
    for (const [status, response] of cases) {
      expect(response.statusCode).toBe(Number(status));
      expectSecurityHeaders(response.headers, `GET ${status}`);
    }
  });

  it('POST report: 200, 400, 401 and 413 all carry them', async () => {
    const post = buildIngestHandler(table.client, table.tableName, NO_RATE_LIMIT);
    const { bucketId } = await bucketWithReader(seed);
    const nodeId = `hdr-${randomUUID()}`;
    const privateKey = await assignedNode(seed, nodeId, [bucketId]);
    const ok = signed(nodeId, privateKey, reportBody([{ bucketId }]), Date.now() - 2);
    const bad = signed(nodeId, privateKey, '{"ip":1}', Date.now() - 1);
    const huge = signed(nodeId, privateKey, 'x'.repeat(64 * 1024 + 1));
    const cases: [number, Awaited<ReturnType<typeof post>>][] = [
      [200, await post(ok.body, ok.headers)],
      [400, await post(bad.body, bad.headers)],
      [401, await post(ok.body, {})],
      [413, await post(huge.body, huge.headers)],
    ];
    for (const [status, response] of cases) {
      expect(response.statusCode).toBe(status);
      expectSecurityHeaders(response.headers, `POST ${status}`);
    }
  });
});

describe('security headers from the local runtime, over HTTP', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startLocalRuntime({ env: {}, port: 0, simulateNodes: false, sweep: false });
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it('on a 200, a 304, a 401 of GET and on a 401 of POST', async () => {
    const url = `${runtime.apiUrl}/bucket/${runtime.demo.bucketId}/status`;
    const auth = { authorization: `Bearer ${runtime.demo.token}` };
    const ok = await fetch(url, { headers: auth });
    expect(ok.status).toBe(200);
    const etag = ok.headers.get('etag') ?? '';
    const notModified = await fetch(url, { headers: { ...auth, 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    const unauthenticated = await fetch(url);
    expect(unauthenticated.status).toBe(401);
    const node = runtime.demo.nodes[0] as { nodeId: string; privateKey: string };
    const body = JSON.stringify({ ip: '203.0.113.7', region: 'x', version: '1.0.0', buckets: [] });
    const badSignature = signNodeReport(node.nodeId, node.privateKey, `${body} `, Date.now());
    const refused = await fetch(`${runtime.apiUrl}/node/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...badSignature },
      body,
    });
    expect(refused.status).toBe(401);
    for (const [what, response] of Object.entries({ ok, notModified, unauthenticated, refused })) {
      expectSecurityHeaders(Object.fromEntries(response.headers), what);
      await response.arrayBuffer();
    }
  });

  it("on the runtime's own answers: 404 of an unknown route or method, 413 over its body limit", async () => {
    const unknownRoute = await fetch(`${runtime.apiUrl}/no/such/route`);
    expect(unknownRoute.status).toBe(404);
    const unknownMethod = await fetch(`${runtime.apiUrl}/bucket/${runtime.demo.bucketId}/status`, {
      method: 'DELETE',
    });
    expect(unknownMethod.status).toBe(404);
    const tooLarge = await fetch(`${runtime.apiUrl}/node/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(tooLarge.status).toBe(413);
    for (const [what, response] of Object.entries({ unknownRoute, unknownMethod, tooLarge })) {
      expectSecurityHeaders(Object.fromEntries(response.headers), what);
      expect(await response.json(), what).toHaveProperty('message');
    }
  });
});
