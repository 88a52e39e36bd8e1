import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createAdminStore } from '../admin/operator-store.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import type { LoadJob, LoadResult } from './http-load-process.ts';
import { round } from './stats.ts';

export interface HttpRow {
  route: string;
  connections: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

export interface HttpOptions {
  connections: number;
  durationSeconds: number;
  /** Nodes that take turns reporting (more than connections, so one is always free). */
  reportingNodes: number;
}

const LOAD_BUCKET = 'bench-http-bucket';

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./http-load-process.ts', import.meta.url));
    const child = spawn(process.execPath, [script, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as LoadResult);
      else reject(new Error(`the load generator exited with ${code}`));
    });
  });
}

/**
 * The local runtime (the real HTTP adapter, every function's handlers, embedded dynalite) under
 * autocannon, one route at a time. GET reads the demo bucket with the demo token. POST sends
 * valid, never replayed reports from a pool of registered nodes; the per-node rate limit is
 * off (NODE_MIN_REPORT_INTERVAL_MS=0), since a few nodes here report far more often than
 * real ones would.
 */
export async function benchHttp(options: HttpOptions): Promise<HttpRow[]> {
  const runtime = await startLocalRuntime({
    env: { NODE_MIN_REPORT_INTERVAL_MS: '0', AWS_REGION: 'us-east-1' },
    port: 0,
    simulateNodes: false,
    log: () => undefined,
  });
  const client = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
  try {
    const base = `http://127.0.0.1:${runtime.port}`;
    const store = createAdminStore(client, runtime.tableName);
    await store.createWorkspace({ workspaceId: 'bench-http-workspace', orgId: 'bench-http-org' });
    await store.createBucket({
      bucketId: LOAD_BUCKET,
      workspaceId: 'bench-http-workspace',
      orgId: 'bench-http-org',
      name: 'benchmark load bucket',
    });
    const nodes: { nodeId: string; privateKey: string }[] = [];
    for (let i = 0; i < options.reportingNodes; i++) {
      const node = await store.registerNode({ nodeId: `bench-http-node-${i}` });
      await store.assignNode({ bucketId: LOAD_BUCKET, nodeId: node.nodeId });
      nodes.push({ nodeId: node.nodeId, privateKey: node.privateKey as string });
    }

    const rows: HttpRow[] = [];
    const record = (route: string, result: LoadResult) => {
      if (result.total === 0) throw new Error(`${route}: no requests completed`);
      if (result.errors > 0 || result.timeouts > 0 || result.firstFailure !== undefined) {
        console.error(
          `${route}: ${result.errors} errors, ${result.timeouts} timeouts; first failure: ${result.firstFailure ?? '-'}`,
        );
      }
      rows.push({
        route,
        connections: options.connections,
        requestsPerSec: round(result.requestsPerSec, 1),
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        // Connection errors and timeouts are failed requests too.
        non2xx: result.non2xx + result.errors,
      });
    };
    record(
      'GET /bucket/{bucketId}/status',
      await runLoad({
        url: `${base}/bucket/${runtime.demo.bucketId}/status`,
        method: 'GET',
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        headers: { authorization: `Bearer ${runtime.demo.token}` },
      }),
    );
    record(
      'POST /node/status',
      await runLoad({
        url: `${base}/node/status`,
        method: 'POST',
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        headers: {},
        nodes,
        bucketIds: [LOAD_BUCKET],
      }),
    );
    return rows;
  } finally {
    // autocannon drops its sockets at the deadline while the last requests are still inside
    // the handlers: let those finish before dynalite closes under them.
    await delay(500);
    client.destroy();
    await runtime.stop();
  }
}
