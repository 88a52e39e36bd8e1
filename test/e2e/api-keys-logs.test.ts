/**
 * No log line carries an API key (docs/SECURITY.md, "API keys"): `npm start` in this process
 * (port 0, its own in-memory dynalite, logs at DEBUG), a key created, used, refused and
 * revoked over real HTTP, and every line the runtime wrote (its log callback, stdout, stderr)
 * searched for the key and for its hash.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { BucketStatusClient, type HttpError } from '../../client/index.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { checkedFetch, resourceSnapshot } from './support.ts';

const checked = checkedFetch();
let runtime: LocalRuntime;
let resources: ReturnType<typeof resourceSnapshot>;
const lines: string[] = [];
const level = process.env.POWERTOOLS_LOG_LEVEL;

beforeAll(async () => {
  resources = resourceSnapshot();
  // Everything the functions would log, not only warnings.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk, ...rest) => {
      lines.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
  }
  runtime = await startLocalRuntime({
    env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
    port: 0,
    simulateNodes: false,
    sweep: false,
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await runtime?.stop();
  vi.restoreAllMocks();
  if (level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
  else process.env.POWERTOOLS_LOG_LEVEL = level;
  expect(checked.violations).toEqual([]);
  expect(await resources.leaked()).toEqual([]);
});

const request = (method: string, path: string, token: string, body?: unknown) =>
  checked.fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

it('a key used, refused and revoked appears in no log line, nor does its hash', async () => {
  const { workspaceId, bucketId, forbiddenBucketId, adminToken } = runtime.demo;
  // The client takes a key wherever it takes a token.
  const manager = new BucketStatusClient({
    baseUrl: runtime.apiUrl,
    authToken: adminToken,
    fetch: checked.fetch,
  });
  const { id, key } = await manager.createApiKey(workspaceId, { description: 'log test' });
  const hash = createHash('sha256').update(key).digest('base64url');
  expect((await manager.listApiKeys(workspaceId)).keys.map((k) => k.id)).toContain(id);
  const reader = new BucketStatusClient({
    baseUrl: runtime.apiUrl,
    authToken: key,
    fetch: checked.fetch,
    retry: false,
  });
  expect((await reader.getBucketStatus(bucketId)).bucketId).toBe(bucketId);
  expect(await reader.listWebhooks(workspaceId).catch((e: HttpError) => e.status)).toBe(403);

  const answers = [
    await request('GET', `/bucket/${bucketId}/status`, key),
    await request('GET', `/bucket/${bucketId}/uptime`, key),
    await request('GET', `/bucket/${bucketId}/events`, key),
    await request('GET', `/bucket/${bucketId}/health`, key),
    await request('GET', `/bucket/${bucketId}/maintenance`, key),
    await request('POST', `/bucket/${bucketId}/stats`, key, {
      day: new Date().toISOString().slice(0, 10),
    }),
    await request('GET', `/bucket/${forbiddenBucketId}/status`, key),
    await request('GET', `/workspace/${workspaceId}/webhooks`, key),
    await request('PUT', `/bucket/${bucketId}/health/policy`, key, { minOnlinePercent: 60 }),
    await request('POST', `/workspace/${workspaceId}/api-keys`, key, {}),
    await request('GET', `/bucket/${bucketId}/status`, `${key}x`),
  ];
  expect(answers.map((a) => a.status)).toEqual([
    200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 401,
  ]);
  expect(
    (await request('DELETE', `/workspace/${workspaceId}/api-keys/${id}`, adminToken)).status,
  ).toBe(204);
  expect((await request('GET', `/bucket/${bucketId}/status`, key)).status).toBe(401);

  // The capture works: the refusals were logged (with their reasons, at info).
  expect(lines.some((line) => line.includes('API keys are read-only'))).toBe(true);
  expect(lines.some((line) => line.includes('The API key is not valid'))).toBe(true);
  const leaks = lines.filter(
    (line) => line.includes(key) || line.includes(key.slice(4)) || line.includes(hash),
  );
  expect(leaks).toEqual([]);
});
