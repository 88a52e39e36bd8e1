// GET /workspace/{workspaceId}/buckets on the production wiring: one page of 50 buckets of 10
// nodes and one of 50 buckets of 1,000 nodes (DESIGN.md section 14). Reports the DynamoDB
// requests and items one page reads and its time; the section's goal is the two within 1.2x.
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import { checkpointItem, entryItem } from '../functions/data/bucket-health.ts';
import {
  bucketPk,
  HEALTH_STATE_SK,
  healthPk,
  listingSk,
  META_SK,
  PROFILE_SK,
  userPk,
  workspaceBucketsPk,
  workspacePk,
  workspaceSk,
} from '../functions/data/keys.ts';
import { sweepAtOf } from '../functions/data/sweep-index.ts';
import { MIN_ONLINE_PERCENT, verdictOf } from '../functions/domain/health.ts';
import { initialCheckpoint } from '../functions/domain/health-timeline.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { wire as wireStatus } from '../functions/status/wiring.ts';
import { httpApiEvent, lambdaContext } from '../test/support/events.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import { BENCH_JWT_SECRET, reportedRow } from './read-path.ts';
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
/** Long enough that seeded reports stay fresh for the whole run (same work per read). */
const STALE_AFTER_SECONDS = 86_400;

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

/** Counts the requests and the items their answers carry while `on`. */
function countReads(client: DynamoDBClient) {
  let on = false;
  let requests = 0;
  let items = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      if (on) {
        requests++;
        const out = result.output as {
          Items?: unknown[];
          Item?: unknown;
          Responses?: Record<string, unknown[]>;
        };
        items += out.Items?.length ?? 0;
        if (out.Item !== undefined) items++;
        for (const rows of Object.values(out.Responses ?? {})) items += rows.length;
      }
      return result;
    },
    { step: 'initialize', name: 'benchCountReads' },
  );
  return {
    start: () => {
      requests = 0;
      items = 0;
      on = true;
    },
    stop: () => {
      on = false;
      return { requests, items };
    },
  };
}

export async function benchOverview(
  engine: BenchEngine,
  options: OverviewOptions,
): Promise<OverviewRow[]> {
  const { tableName } = engine;
  // Its own client: eight 1,000-node partitions read at once keep dynalite (one thread) busy
  // past the SDK's 2 s request timeout for the small reads queued behind them.
  const client = createDynamoClient({ endpoint: engine.endpoint, requestTimeoutMs: 30_000 });
  const handler = wireStatus({
    client,
    settings: {
      tableName,
      jwt: { source: { kind: 'secret', secret: BENCH_JWT_SECRET } },
      staleAfterSeconds: STALE_AFTER_SECONDS,
      historyRetentionDays: 400,
      eventRetentionDays: 90,
      eventsCursorKey: { kind: 'secret', secret: BENCH_JWT_SECRET, setting: 'JWT_SECRET' },
    },
    logger: createLogger('bucket-status-bench'),
  }).routes['GET /workspace/{workspaceId}/buckets'];
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(READER)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));
  await putRows(client, tableName, [
    { pk: userPk(READER), sk: PROFILE_SK, orgId: ORG, orgRole: 'MEMBER', status: 'ACTIVE' },
  ]);
  const counter = countReads(client);
  const rows: OverviewRow[] = [];
  for (const nodes of options.sizes) {
    const workspaceId = `bench-overview-${nodes}`;
    const now = Date.now();
    // Every report before the checkpoint, which counts them (their changes are on record).
    const reportedAt = now - 120_000;
    const lastUpdated = new Date(reportedAt).toISOString();
    const slot = sweepAtOf(reportedAt, STALE_AFTER_SECONDS);
    const seeded: Row[] = [
      { pk: userPk(READER), sk: workspaceSk(workspaceId), role: 'READ' },
      { pk: workspacePk(workspaceId), sk: META_SK, orgId: ORG, name: workspaceId },
    ];
    for (let b = 0; b < options.buckets; b++) {
      const bucketId = `${workspaceId}-b${String(b).padStart(3, '0')}`;
      seeded.push(
        { pk: bucketPk(bucketId), sk: META_SK, workspaceId, orgId: ORG, name: bucketId },
        {
          pk: workspaceBucketsPk(workspaceId),
          sk: listingSk(bucketId, bucketId),
          bucketId,
          name: bucketId,
        },
      );
      for (let i = 0; i < nodes; i++) {
        const row = reportedRow(bucketId, `node-${String(i).padStart(5, '0')}`, i, lastUpdated);
        // In the overview index at its slot, as a report's write leaves it.
        seeded.push({ ...row, lastAt: reportedAt, ovAt: slot });
      }
    }
    await putRows(client, tableName, seeded);
    // Checkpoints a minute old (the sweep keeps them that fresh), counting every node.
    const offline = Array.from({ length: nodes }, (_, i) => reportedRow('', '', i, '')).filter(
      (r) => r.status === 'OFFLINE',
    ).length;
    const counts = { counted: nodes, online: nodes - offline };
    const checkpoint = {
      ...initialCheckpoint(now - 60_000, []),
      counts,
      offline,
      verdict: verdictOf(counts, MIN_ONLINE_PERCENT.fallback, false),
    };
    for (let b = 0; b < options.buckets; b++) {
      const bucketId = `${workspaceId}-b${String(b).padStart(3, '0')}`;
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: healthPk(bucketId) },
            sk: { S: HEALTH_STATE_SK },
            ...checkpointItem(checkpoint),
            ...entryItem(checkpoint),
            ver: { N: '0' },
          },
        }),
      );
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
    if (
      first.statusCode !== 200 ||
      body.buckets?.length !== options.buckets ||
      body.buckets.some(
        (b) =>
          b.nodes.assigned !== nodes ||
          b.nodes.online !== counts.online ||
          b.nodes.offline !== offline,
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
