// Load and soak run: `npm run soak -- [--readers N] [--nodes M] [--seconds T]`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAdminStore } from '../admin/operator-store.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { type LocalRuntime, startLocalRuntime } from '../local/runtime.ts';
import { ReportError, sendReport } from '../reporter/transport.ts';
import type { ReportBody } from '../reporter/wire.ts';

/**
 * The local runtime (API Gateway v2 adapter, every function's handlers, in-memory dynalite) in a child
 * process on a loopback port, N readers polling the demo bucket with the demo user's token and M signed reporting
 * nodes, all for T seconds. Then one status read must show, for every node, exactly its last
 * accepted report. Exits non-zero on a lost report, a 5xx or a malformed answer.
 */

const USAGE = `usage: npm run soak -- [--readers N] [--nodes M] [--seconds T]
  --readers  concurrent status readers (default 8)
  --nodes    reporting nodes, all assigned to the demo bucket (default 20)
  --seconds  how long the load runs (default 45)`;

interface Options {
  readers: number;
  nodes: number;
  seconds: number;
}

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      readers: { type: 'string', default: '8' },
      nodes: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '45' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name: 'readers' | 'nodes' | 'seconds', max: number) => {
    const raw = values[name] as string;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < 1 || value > max) {
      console.error(`--${name} must be an integer from 1 to ${max} (got "${raw}")\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  // The status is only fresh for STALE_AFTER_SECONDS; nodes keep reporting, so any T works.
  return {
    readers: positive('readers', 500),
    nodes: positive('nodes', 1000),
    seconds: positive('seconds', 3600),
  };
}

/** What a node last got accepted, and when it was sent and answered (for lastUpdated). */
interface AcceptedReport {
  status: 'ONLINE' | 'OFFLINE';
  latencyMs: number;
  sentAt: number;
  answeredAt: number;
}

interface Tally {
  latenciesMs: number[];
  byStatus: Map<string, number>;
  /** Answers that were 2xx but did not say what they should (wrong shape, not accepted). */
  malformed: string[];
}

const newTally = (): Tally => ({ latenciesMs: [], byStatus: new Map(), malformed: [] });
const count = (tally: Tally, status: string) =>
  tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A distinct ip per node: the status response has no node ids, the ip tells nodes apart. */
const nodeIp = (index: number) => `10.77.${index >> 8}.${index & 255}`;

async function seedNodes(runtime: ServedRuntime, count: number) {
  const client = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
  try {
    const store = createAdminStore(client, runtime.tableName);
    const nodes: { nodeId: string; privateKey: string; ip: string }[] = [];
    for (let index = 0; index < count; index++) {
      const nodeId = `soak-node-${String(index).padStart(4, '0')}`;
      const { privateKey } = await store.registerNode({ nodeId });
      await store.assignNode({ bucketId: runtime.demo.bucketId, nodeId });
      nodes.push({ nodeId, privateKey: privateKey as string, ip: nodeIp(index) });
    }
    return nodes;
  } finally {
    client.destroy();
  }
}

/** The API under load, in a child process so that the load generator does not share its CPU. */
interface ServedRuntime {
  apiUrl: string;
  demo: LocalRuntime['demo'];
  engine: string;
  tableName: string;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

/** Child mode: start the runtime, print where it is, stop when the parent closes stdin. */
async function serve() {
  const runtime = await startLocalRuntime({
    env: {
      ...process.env,
      TABLE_NAME: `soak-${randomBytes(4).toString('hex')}`,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    },
    port: 0,
    host: '127.0.0.1',
    simulateNodes: false,
    log: () => undefined,
  });
  const { apiUrl, demo, engine, tableName, dynamoEndpoint } = runtime;
  process.stdout.write(`${JSON.stringify({ apiUrl, demo, engine, tableName, dynamoEndpoint })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void runtime.stop().then(() => process.exit(0)));
}

async function startServer(): Promise<ServedRuntime> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started = await new Promise<Omit<ServedRuntime, 'stop'>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the runtime exited during start-up (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
  });
  return {
    ...started,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

async function main() {
  if (process.argv.includes('--serve')) return serve();
  const options = readOptions(process.argv.slice(2));
  const runtime = await startServer();
  let failed = true;
  try {
    failed = await soak(runtime, options);
  } finally {
    await runtime.stop();
  }
  process.exit(failed ? 1 : 0);
}

async function soak(runtime: ServedRuntime, options: Options): Promise<boolean> {
  const { demo } = runtime;
  const statusUrl = `${runtime.apiUrl}/bucket/${demo.bucketId}/status`;
  const headers = { authorization: `Bearer ${demo.token}` };
  const nodes = await seedNodes(runtime, options.nodes);
  const expectedNodeCount = options.nodes + demo.nodes.length;
  console.log(
    `soak: ${options.readers} readers, ${options.nodes} nodes, ${options.seconds} s against ${runtime.apiUrl} (${runtime.engine})`,
  );

  const reads = newTally();
  const reports = newTally();
  const lastAccepted = new Map<string, AcceptedReport>();
  const startedAt = Date.now();
  const deadline = startedAt + options.seconds * 1000;

  async function reader() {
    while (Date.now() < deadline) {
      const t0 = performance.now();
      try {
        const response = await fetch(statusUrl, { headers });
        const body = (await response.json()) as { bucketId?: string; nodeStatus?: unknown[] };
        reads.latenciesMs.push(performance.now() - t0);
        count(reads, String(response.status));
        if (
          response.status === 200 &&
          (body.bucketId !== demo.bucketId || body.nodeStatus?.length !== expectedNodeCount)
        ) {
          reads.malformed.push(JSON.stringify(body).slice(0, 200));
        }
      } catch (error) {
        count(reads, `network: ${(error as Error).message}`);
      }
    }
  }

  async function reporter(node: (typeof nodes)[number]) {
    // Staggered starts, then the next report a little over the per-node minimum interval
    // after the previous answer: the limit counts server receive times, and the previous
    // receive time lies before its answer, so no 429 is earned and any 429 is a finding.
    await sleep(Math.random() * 1000);
    while (Date.now() < deadline) {
      const status = Math.random() < 0.8 ? 'ONLINE' : 'OFFLINE';
      const latencyMs = Math.floor(Math.random() * 5000);
      const body: ReportBody = {
        ip: node.ip,
        region: 'us-east-1',
        version: '1.2.3',
        buckets: [{ bucketId: demo.bucketId, status, latency_ms: latencyMs }],
      };
      const sentAt = Date.now();
      const t0 = performance.now();
      try {
        const result = await sendReport({
          apiUrl: runtime.apiUrl,
          nodeId: node.nodeId,
          privateKey: node.privateKey,
          body,
          retry: { maxAttempts: 1 }, // every answer is counted, none hidden by a retry
        });
        reports.latenciesMs.push(performance.now() - t0);
        count(reports, String(result.status));
        if (result.body.accepted.length === 1 && result.body.accepted[0] === demo.bucketId) {
          lastAccepted.set(node.nodeId, { status, latencyMs, sentAt, answeredAt: Date.now() });
        } else {
          reports.malformed.push(JSON.stringify(result.body).slice(0, 200));
        }
      } catch (error) {
        if (error instanceof ReportError && error.status !== undefined) {
          reports.latenciesMs.push(performance.now() - t0);
          count(reports, String(error.status));
        } else {
          count(reports, `network: ${(error as Error).message}`);
        }
      }
      await sleep(1050 + Math.random() * 150);
    }
  }

  await Promise.all([
    ...Array.from({ length: options.readers }, () => reader()),
    ...nodes.map((node) => reporter(node)),
  ]);
  const elapsedS = (Date.now() - startedAt) / 1000;

  // The final word: one read, compared node by node with what each node last got accepted.
  const final = await fetch(statusUrl, { headers });
  const finalBody = (await final.json()) as {
    nodeStatus: { ip?: string; status: string; latency_ms?: number; lastUpdated?: string }[];
  };
  const byIp = new Map(finalBody.nodeStatus.map((entry) => [entry.ip, entry]));
  const lost: string[] = [];
  for (const node of nodes) {
    const expected = lastAccepted.get(node.nodeId);
    const shown = byIp.get(node.ip);
    if (expected === undefined) {
      lost.push(`${node.nodeId}: no report was ever accepted`);
      continue;
    }
    const updatedMs = shown?.lastUpdated === undefined ? Number.NaN : Date.parse(shown.lastUpdated);
    // lastUpdated is the server's receive time: after the send, before the answer.
    const inWindow = updatedMs >= expected.sentAt - 1 && updatedMs <= expected.answeredAt + 1;
    if (
      shown === undefined ||
      shown.status !== expected.status ||
      shown.latency_ms !== expected.latencyMs ||
      !inWindow
    ) {
      lost.push(
        `${node.nodeId}: last accepted ${expected.status}/${expected.latencyMs} ms at ${new Date(expected.sentAt).toISOString()}, status shows ${JSON.stringify(shown)}`,
      );
    }
  }
  // The demo's own nodes never report here: they must still read DISCONNECTED.
  const demoNodesShown = finalBody.nodeStatus.filter((entry) => entry.ip === undefined);
  const demoNodesWrong = demoNodesShown.filter((entry) => entry.status !== 'DISCONNECTED');

  const fivexx = (tally: Tally) =>
    [...tally.byStatus].filter(([status]) => /^5/.test(status)).reduce((n, [, c]) => n + c, 0);
  const network = (tally: Tally) =>
    [...tally.byStatus]
      .filter(([status]) => status.startsWith('network'))
      .reduce((n, [, c]) => n + c, 0);
  const line = (name: string, tally: Tally) => {
    const sorted = [...tally.latenciesMs].sort((a, b) => a - b);
    const total = [...tally.byStatus.values()].reduce((a, b) => a + b, 0);
    const codes = [...tally.byStatus].map(([status, n]) => `${status}=${n}`).join(' ');
    return `${name.padEnd(8)} ${String(total).padStart(7)} requests  ${(total / elapsedS).toFixed(1).padStart(7)}/s  p50 ${percentile(sorted, 50).toFixed(1)} ms  p99 ${percentile(sorted, 99).toFixed(1)} ms  max ${percentile(sorted, 100).toFixed(1)} ms  [${codes}]`;
  };

  console.log(`ran ${elapsedS.toFixed(1)} s`);
  console.log(line('reads', reads));
  console.log(line('reports', reports));
  console.log(
    `verify: ${nodes.length - lost.length}/${nodes.length} nodes show their last accepted report; ` +
      `lost ${lost.length}; 5xx ${fivexx(reads) + fivexx(reports)}; network errors ${network(reads) + network(reports)}; ` +
      `malformed ${reads.malformed.length + reports.malformed.length}`,
  );
  for (const problem of [...lost, ...reads.malformed, ...reports.malformed].slice(0, 20)) {
    console.log(`  ${problem}`);
  }
  const failures = [
    lost.length > 0 && `${lost.length} reports lost`,
    fivexx(reads) + fivexx(reports) > 0 && '5xx answers',
    network(reads) + network(reports) > 0 && 'network errors',
    [...reads.byStatus.keys(), ...reports.byStatus.keys()].some((status) => status !== '200') &&
      'answers other than 200',
    reads.malformed.length + reports.malformed.length > 0 && 'malformed answers',
    final.status !== 200 && `final read answered ${final.status}`,
    demoNodesShown.length !== demo.nodes.length && 'demo nodes missing from the status',
    demoNodesWrong.length > 0 && 'a node that never reported is not DISCONNECTED',
  ].filter(Boolean);
  console.log(failures.length === 0 ? 'PASS' : `FAIL: ${failures.join(', ')}`);
  return failures.length > 0;
}

await main();
