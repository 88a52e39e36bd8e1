import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BucketStatusClient } from '../../client/index.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { checkedFetch, temporaryDirectory } from './support.ts';

/**
 * Restarts: with --data-dir (dynalite on disk) and with DYNAMODB_ENDPOINT (an engine that
 * outlives the runtime), the second start reuses the demo of the first instead of seeding
 * again, and its nodes' keys still work.
 */

const checked = checkedFetch();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  expect(checked.violations).toEqual([]);
});

async function statusAfterStart(runtime: LocalRuntime) {
  const client = new BucketStatusClient({
    baseUrl: runtime.apiUrl,
    authToken: runtime.demo.token,
    fetch: checked.fetch,
  });
  return client.getStorageBucketStatus(runtime.demo.bucketId);
}

async function startTwice(options: Parameters<typeof startLocalRuntime>[0]) {
  const first = await startLocalRuntime(options);
  const firstStarted = Date.now();
  await first.stop();
  const second = await startLocalRuntime(options);
  cleanups.push(() => second.stop());
  return { first, second, firstStarted };
}

describe('restarting the local runtime', () => {
  it('reuses the persisted demo with --data-dir', async () => {
    const directory = await temporaryDirectory('data-dir');
    cleanups.push(directory.remove);
    const demoFile = join(directory.path, 'demo.json');
    const { first, second, firstStarted } = await startTwice({
      env: {},
      port: 0,
      dataDir: join(directory.path, 'db'),
      demoFile,
      log: () => undefined,
    });

    expect(first.demoReused).toBe(false);
    expect(second.demoReused).toBe(true);
    const ids = ({ demo }: LocalRuntime) => ({
      userId: demo.userId,
      adminUserId: demo.adminUserId,
      orgId: demo.orgId,
      workspaceId: demo.workspaceId,
      bucketId: demo.bucketId,
      forbiddenBucketId: demo.forbiddenBucketId,
      nodes: demo.nodes,
    });
    expect(ids(second)).toEqual(ids(first));
    // A fresh secret (JWT_SECRET is not set) and so a fresh token that works with it.
    expect(second.demo.jwtSecret).not.toBe(first.demo.jwtSecret);

    const { nodeStatus } = await statusAfterStart(second);
    expect(nodeStatus).toHaveLength(3);
    // The reused keys signed reports after the restart: all three accepted again.
    for (const node of nodeStatus) {
      expect(node.status).toBe('ONLINE');
      expect(Date.parse(node.lastUpdated as string)).toBeGreaterThanOrEqual(firstStarted);
    }

    // History is kept: the observed window still starts at the first run's assignment.
    const client = new BucketStatusClient({
      baseUrl: second.apiUrl,
      authToken: second.demo.token,
      fetch: checked.fetch,
    });
    const today = new Date().toISOString().slice(0, 10);
    const asked = Date.now();
    const stats = await client.getStorageBucketStats(second.demo.bucketId, today);
    expect(stats.nodeStats).toHaveLength(3);
    if (new Date(firstStarted).toISOString().slice(0, 10) === today) {
      for (const node of stats.nodeStats) {
        expect(node.observed_seconds * 1000).toBeGreaterThanOrEqual(asked - firstStarted);
        expect(node.online_seconds).toBeGreaterThan(0);
      }
    }

    const written = JSON.parse(await readFile(demoFile, 'utf8'));
    expect(Object.keys(written)).toEqual([
      'apiUrl',
      'token',
      'statusPageUrl',
      'adminToken',
      'userId',
      'adminUserId',
      'orgId',
      'workspaceId',
      'bucketId',
      'forbiddenBucketId',
      'tableName',
      'dynamodbEndpoint',
      'jwtSecret',
      'nodes',
    ]);
    expect(written).toMatchObject({
      apiUrl: second.apiUrl,
      token: second.demo.token,
      adminToken: second.demo.adminToken,
      tableName: second.tableName,
      dynamodbEndpoint: second.dynamoEndpoint,
    });
    // The second demo user is ADMIN of the demo workspace: its token reads the demo bucket and
    // not the bucket of the other workspace.
    const withAdmin = (bucketId: string) =>
      fetch(`${second.apiUrl}/bucket/${bucketId}/status`, {
        headers: { authorization: `Bearer ${written.adminToken}` },
      });
    expect((await withAdmin(written.bucketId)).status).toBe(200);
    expect((await withAdmin(written.forbiddenBucketId)).status).toBe(403);
    expect((await stat(demoFile)).mode & 0o777).toBe(0o600);
  });

  it('reuses the demo in an engine given by DYNAMODB_ENDPOINT, and keeps JWT_SECRET', async () => {
    const directory = await temporaryDirectory('endpoint');
    cleanups.push(directory.remove);
    const env = {
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      TABLE_NAME: `e2e-demo-${randomUUID().slice(0, 8)}`,
      JWT_SECRET: 'a-fixed-local-secret-of-at-least-32-bytes',
      // The restart follows within milliseconds; do not make the nodes wait out the rate limit.
      NODE_MIN_REPORT_INTERVAL_MS: '0',
    };
    const { first, second } = await startTwice({
      env,
      port: 0,
      demoFile: join(directory.path, 'demo.json'),
      log: () => undefined,
    });
    expect(first.dynamoEndpoint).toBe(env.DYNAMODB_ENDPOINT);
    expect(first.tableName).toBe(env.TABLE_NAME);
    expect(second.demoReused).toBe(true);
    expect(second.demo.bucketId).toBe(first.demo.bucketId);
    expect(second.demo.jwtSecret).toBe(env.JWT_SECRET);
    expect((await statusAfterStart(second)).nodeStatus).toHaveLength(3);
  });

  it('seeds a new demo when the recorded one is not in the table', async () => {
    const directory = await temporaryDirectory('stale-demo');
    cleanups.push(directory.remove);
    const demoFile = join(directory.path, 'demo.json');
    // In memory: the second engine is empty, whatever demo.json says.
    const { first, second } = await startTwice({
      env: {},
      port: 0,
      demoFile,
      simulateNodes: false,
      log: () => undefined,
    });
    expect(second.demoReused).toBe(false);
    expect(second.demo.bucketId).not.toBe(first.demo.bucketId);
    expect(JSON.parse(await readFile(demoFile, 'utf8')).bucketId).toBe(second.demo.bucketId);
  });
});
