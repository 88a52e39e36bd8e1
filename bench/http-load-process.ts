// autocannon in its own process (it cannot run in a worker thread: it then acts as one of its
// own workers), so the load generator and its request signing do not share an event loop
// with the local runtime it measures. Reads a LoadJob as JSON from argv, prints a LoadResult.
import { createRequire } from 'node:module';
import { privateKeyFromSeed, signNodeReport } from '../functions/domain/node-signature.ts';

export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /** POST only: the nodes to report as, and the buckets each report covers. */
  nodes?: { nodeId: string; privateKey: string }[];
  bucketIds?: string[];
}

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  total: number;
  firstFailure?: string;
}

interface AutocannonRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}
type Context = { nodeIndex?: number };
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
let firstFailure: string | undefined;

/**
 * Signed reports need every node's timestamps to arrive in order (an older one is a replay):
 * a node is checked out of the free pool for exactly one request and returned when its
 * response arrives, so no node ever has two reports in flight.
 */
function reportRequests(nodes: NonNullable<LoadJob['nodes']>, bucketIds: string[]) {
  const keys = nodes.map((node) => privateKeyFromSeed(node.privateKey));
  const free = nodes.map((_, index) => index);
  let lastTimestamp = 0;
  const body = JSON.stringify({
    ip: '203.0.113.7',
    region: 'us-east-1',
    version: '1.2.3',
    buckets: bucketIds.map((bucketId, i) => ({ bucketId, status: 'ONLINE', latency_ms: 20 + i })),
  });
  return [
    {
      setupRequest: (request: AutocannonRequest, context: Context) => {
        const index = free.shift();
        if (index === undefined) throw new Error('every load node has a report in flight');
        context.nodeIndex = index;
        lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
        const node = nodes[index] as { nodeId: string };
        const signature = signNodeReport(node.nodeId, keys[index] as never, body, lastTimestamp);
        return {
          ...request,
          method: 'POST',
          headers: { ...request.headers, ...signature, 'content-type': 'application/json' },
          body,
        };
      },
      onResponse: (status: number, responseBody: string, context: Context) => {
        if (context.nodeIndex !== undefined) free.push(context.nodeIndex);
        context.nodeIndex = undefined;
        if ((status < 200 || status > 299) && firstFailure === undefined) {
          firstFailure = `${status} ${responseBody.slice(0, 300)}`;
        }
      },
    },
  ];
}

const result = await autocannon({
  url: job.url,
  method: job.method,
  connections: job.connections,
  duration: job.durationSeconds,
  headers: job.headers,
  ...(job.method === 'POST' && {
    requests: reportRequests(job.nodes ?? [], job.bucketIds ?? []),
  }),
  ...(job.method === 'GET' && {
    requests: [
      {
        onResponse: (status: number, responseBody: string) => {
          if ((status < 200 || status > 299) && firstFailure === undefined) {
            firstFailure = `${status} ${responseBody.slice(0, 300)}`;
          }
        },
      },
    ],
  }),
});
const loadResult: LoadResult = {
  requestsPerSec: result.requests.average,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  total: result.requests.total,
  ...(firstFailure !== undefined && { firstFailure }),
};
process.stdout.write(`${JSON.stringify(loadResult)}\n`);
