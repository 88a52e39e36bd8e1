// GET /workspace/{workspaceId}/buckets on the production wiring: one page of 50 buckets of 10
// nodes and one of 50 buckets of 1,000 nodes (DESIGN.md section 14). Reports the DynamoDB
// requests and items one page reads and its time; the section's goal is the two within 1.2x.
import type { HttpResult } from '../functions/http/response.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { httpApiEvent, lambdaContext } from '../test/support/events.ts';
import { type BenchEngine, putRows } from './engine.ts';
import {
  benchStatusWiring,
  countReads,
  freshBucketRows,
  freshCounts,
  putFreshCheckpoint,
  workspaceRows,
} from './read-setup.ts';
import { median, nowMs, round } from './stats.ts';

const READER = 'bench-overview-reader';
/**
 * A page of 50 buckets of 1,000 nodes reads 50,000 node rows: longer than the function's 10 s
 * timeout on a loaded 2-core machine, so the bench gives each page a minute to be measured.
 */
const PAGE_TIMEOUT_MS = 60_000;
const longContext = () => {
  const started = Date.now();
  return {
    ...lambdaContext(),
    getRemainingTimeInMillis: () => PAGE_TIMEOUT_MS - (Date.now() - started),
  };
};
const ORG = 'bench-overview-org';

export interface OverviewRow {
  buckets: number;
  nodesPerBucket: number;
  /** DynamoDB requests of one page. */
  requests: number;
  /** Items the page's requests returned (Query and BatchGetItem items, GetItem items). */
  itemsRead: number;
  medianMs: number;
  p90Ms: number;
  /** This size's median time over the smallest size's (1 for the smallest). */
  timeRatio: number;
  /** This size's items read over the smallest size's. */
  itemsRatio: number;
}

export interface OverviewOptions {
  buckets: number;
  sizes: number[];
  iterations: number;
  maxMsPerSize: number;
}

export async function benchOverview(
  engine: BenchEngine,
  options: OverviewOptions,
): Promise<OverviewRow[]> {
  const { tableName } = engine;
  // Its own client: eight 1,000-node partitions read at once keep dynalite (one thread) busy
  // past the SDK's 2 s request timeout for the small reads queued behind them.
  const client = createDynamoClient({ endpoint: engine.endpoint, requestTimeoutMs: 30_000 });
  const { routes, token } = await benchStatusWiring(client, tableName, {
    userId: READER,
    orgId: ORG,
  });
  const handler = routes['GET /workspace/{workspaceId}/buckets'];
  const counter = countReads(client);
  const rows: OverviewRow[] = [];
  for (const nodes of options.sizes) {
    const workspaceId = `bench-overview-${nodes}`;
    const now = Date.now();
    const bucketIds = Array.from(
      { length: options.buckets },
      (_, b) => `${workspaceId}-b${String(b).padStart(3, '0')}`,
    );
    const seeded = workspaceRows(workspaceId, { orgId: ORG, userId: READER, bucketIds });
    for (const bucketId of bucketIds) {
      seeded.push(
        ...freshBucketRows(bucketId, nodes, now, { workspaceId, orgId: ORG, name: bucketId }),
      );
    }
    await putRows(client, tableName, seeded);
    for (const bucketId of bucketIds) {
      await putFreshCheckpoint(client, tableName, bucketId, now, nodes);
    }
    const event = () =>
      httpApiEvent({
        method: 'GET',
        path: `/workspace/${workspaceId}/buckets`,
        routeKey: 'GET /workspace/{workspaceId}/buckets',
        pathParameters: { workspaceId },
        queryStringParameters: { limit: String(options.buckets) },
        headers: { authorization: `Bearer ${token}` },
      });
    // One untimed page: proves a 200 with every bucket and node, and counts what it reads.
    counter.start();
    const first = (await handler(event(), longContext())) as HttpResult;
    const counted = counter.stop();
    const body = JSON.parse(first.body) as {
      buckets?: { nodes: { assigned: number; online: number; offline: number } }[];
    };
    const expected = freshCounts(nodes);
    if (
      first.statusCode !== 200 ||
      body.buckets?.length !== options.buckets ||
      body.buckets.some(
        (b) =>
          b.nodes.assigned !== nodes ||
          b.nodes.online !== expected.online ||
          b.nodes.offline !== expected.offline,
      )
    ) {
      throw new Error(
        `overview of ${nodes}-node buckets: ${first.statusCode} ${first.body.slice(0, 300)}`,
      );
    }
    const samples: number[] = [];
    const deadline = nowMs() + options.maxMsPerSize;
    for (let i = 0; i < options.iterations && (i < 3 || nowMs() < deadline); i++) {
      const e = event();
      const context = longContext();
      const t = nowMs();
      const answer = (await handler(e, context)) as HttpResult;
      samples.push(nowMs() - t);
      if (answer.statusCode !== 200) throw new Error(`overview failed: ${answer.body}`);
    }
    samples.sort((a, b) => a - b);
    rows.push({
      buckets: options.buckets,
      nodesPerBucket: nodes,
      requests: counted.requests,
      itemsRead: counted.items,
      medianMs: round(median(samples), 1),
      p90Ms: round(samples[Math.floor(samples.length * 0.9)] ?? Number.NaN, 1),
      timeRatio: 1,
      itemsRatio: 1,
    });
  }
  client.destroy();
  const base = rows[0];
  for (const row of rows) {
    row.timeRatio = round(row.medianMs / (base?.medianMs ?? row.medianMs), 2);
    row.itemsRatio = round(row.itemsRead / (base?.itemsRead ?? row.itemsRead), 2);
  }
  return rows;
}
