// GET /workspace/{workspaceId}/metrics on the production wiring versus its floor: the reads it
// must make (the user's partition Query, the workspace's META GetItem and bucket listing Query,
// then the bucket's GET health reads: its partition Query with its pages, the STATE GetItem,
// the windows Query, the tail Queries) issued directly, all at once, interleaved. What the
// route adds over its floor is the views, the verdict and the Prometheus text of every node.
import type { HttpResult } from '../functions/http/response.ts';
import { httpApiEvent, lambdaContext } from '../test/support/events.ts';
import { type BenchEngine, putRows } from './engine.ts';
import { floorOf, recordCommands } from './health-read.ts';
import {
  benchStatusWiring,
  freshBucketRows,
  handlerSubject,
  putFreshCheckpoint,
  workspaceRows,
} from './read-setup.ts';
import { type Comparison, compare, interleave } from './stats.ts';

const READER = 'bench-metrics-reader';
const ORG = 'bench-metrics-org';

export interface MetricsReadRow extends Comparison {
  nodes: number;
  /** Series in the text (the route's output, for scale). */
  series: number;
  /** DynamoDB requests of one read (the floor sends the same ones). */
  requests: number;
}

export interface MetricsReadOptions {
  sizes: number[];
  iterations: number;
  maxMsPerSize: number;
  maxMsBySize?: Record<number, number>;
}

export async function benchMetricsRead(
  engine: BenchEngine,
  options: MetricsReadOptions,
): Promise<MetricsReadRow[]> {
  const { client, tableName } = engine;
  const { routes, token } = await benchStatusWiring(client, tableName, {
    userId: READER,
    orgId: ORG,
  });
  const handler = routes['GET /workspace/{workspaceId}/metrics'];
  const recorder = recordCommands(client, 'benchRecordMetricsCommands');

  const rows: MetricsReadRow[] = [];
  for (const nodes of options.sizes) {
    // A workspace of its own per size, holding one bucket of `nodes` nodes.
    const workspaceId = `bench-metrics-ws-${nodes}`;
    const bucketId = `bench-metrics-${nodes}`;
    const now = Date.now();
    await putRows(client, tableName, [
      ...workspaceRows(workspaceId, { orgId: ORG, userId: READER, bucketIds: [bucketId] }),
      ...freshBucketRows(bucketId, nodes, now, { workspaceId, orgId: ORG }),
    ]);
    await putFreshCheckpoint(client, tableName, bucketId, now, nodes);
    const event = () =>
      httpApiEvent({
        method: 'GET',
        path: `/workspace/${workspaceId}/metrics`,
        routeKey: 'GET /workspace/{workspaceId}/metrics',
        pathParameters: { workspaceId },
        headers: { authorization: `Bearer ${token}` },
      });
    // One untimed read: proves a 200 with every node in it, and records the reads it makes.
    recorder.start();
    const first = (await handler(event(), lambdaContext())) as HttpResult;
    const sent = recorder.stop();
    const upLines = first.body.match(/^bucket_status_node_up\{/gm)?.length ?? 0;
    if (first.statusCode !== 200 || upLines !== nodes) {
      throw new Error(
        `metrics read of ${nodes} nodes: ${first.statusCode} ${first.body.slice(0, 300)}`,
      );
    }
    const series = first.body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    // The floor: the same first-page reads, each Query paginated by the SDK loop, all at once.
    const floor = floorOf(client, sent);
    const subject = handlerSubject(handler, event, `metrics read of ${nodes} nodes`);
    const samples = await interleave(subject, floor, {
      warmup: 10,
      iterations: options.iterations,
      minIterations: 15,
      maxMs: options.maxMsBySize?.[nodes] ?? options.maxMsPerSize,
    });
    rows.push({ nodes, series, requests: sent.length, ...compare(samples) });
  }
  return rows;
}
