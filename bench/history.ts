import { gunzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import { historyDayQuery, historyExpiresAt, historyPk } from '../functions/data/history-days.ts';
import { historyBucketQuery } from '../functions/data/history-nodes.ts';
import { bucketPk, META_SK, nodeSk } from '../functions/data/keys.ts';
import { userPartitionQuery } from '../functions/data/user-access.ts';
import { dayOf, dayStartMs } from '../functions/domain/timeline.ts';
import { lastDays } from '../functions/domain/uptime.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { wire as wireStatus } from '../functions/status/wiring.ts';
import { lambdaContext } from '../test/support/events.ts';
import { uptimeEvent } from '../test/support/history-fixture.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import { handlerSubject, putReader, queryPages } from './read-setup.ts';
import { type Comparison, compare, interleave } from './stats.ts';

const SECRET = 'bench-history-secret-at-least-32-bytes!!';
const READER = 'bench-history-reader';
const WORKSPACE = 'bench-history-ws';
const ORG = 'bench-history-org';
const RETENTION_DAYS = 400;

export interface HistoryRow extends Comparison {
  nodes: number;
  days: number;
  /** Node and history rows the handler's Queries return per request (budget: nodes x days). */
  itemsRead: number;
}

export interface HistoryOptions {
  sizes: { nodes: number; days: number }[];
  iterations: number;
  maxMsPerSize: number;
}

/** The body as text: gzip (base64 in the Lambda result) when the handler compressed it. */
const bodyText = (response: HttpResult) =>
  response.headers['content-encoding'] === 'gzip'
    ? gunzipSync(Buffer.from(response.body, 'base64')).toString('utf8')
    : response.body;

/** A Lambda context with a long deadline: 1,000 x 90 on in-process dynalite takes seconds. */
const longContext = () => ({ ...lambdaContext(), getRemainingTimeInMillis: () => 600_000 });

/**
 * A bucket of `nodes` nodes, each with a day slot for today (ONLINE since midnight) and a
 * history row for each of the `days - 1` ended days, as ingest writes them.
 */
async function seedBucket(
  client: DynamoDBClient,
  tableName: string,
  bucketId: string,
  nodes: number,
  days: number,
) {
  const now = Date.now();
  const today = dayOf(now);
  const assignedAt = now - (days + 1) * 86_400_000;
  const rows: Row[] = [{ pk: bucketPk(bucketId), sk: META_SK, workspaceId: WORKSPACE, orgId: ORG }];
  const ended = lastDays(now, days).slice(0, -1);
  for (let i = 0; i < nodes; i++) {
    const nodeId = `node-${String(i).padStart(5, '0')}`;
    rows.push({
      pk: bucketPk(bucketId),
      sk: nodeSk(nodeId),
      assignedAt,
      ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
      region: 'us-east-1',
      version: '1.2.3',
      status: 'ONLINE',
      latency_ms: 40,
      reportedAt: now,
      lastUpdated: new Date(now).toISOString(),
      lastAt: now,
      prevTs: now - 30_000,
      hDay: today,
      hOn: -dayStartMs(today),
      hLs: 40 * 100,
      hLc: 100,
      sweepShard: String(i % 8),
    });
    for (const day of ended) {
      rows.push({
        pk: historyPk(bucketId, day),
        sk: nodeSk(nodeId),
        assignedAt,
        day,
        on: 86_400_000 - (i % 100) * 1000,
        ls: 40 * 2880,
        lc: 2880,
        lat: 41,
        at: dayStartMs(day) + 86_370_000,
        st: 'ONLINE',
        expiresAt: historyExpiresAt(day, RETENTION_DAYS),
      });
    }
  }
  await putRows(client, tableName, rows);
}

/**
 * GET /bucket/{bucketId}/uptime through the status function's wiring, in-process against
 * dynalite, versus its floor: the Queries the handler issues, built by the same functions, in
 * the same order (the user's partition and the bucket's first page in parallel; then, access
 * granted, the bucket's other pages and one history Query per ended day in parallel).
 */
export async function benchHistory(
  engine: BenchEngine,
  options: HistoryOptions,
): Promise<HistoryRow[]> {
  const { tableName } = engine;
  // Its own client, shared by handler and floor: 89 parallel Queries of 1,000 items each keep
  // single-threaded dynalite busy past the SDK's 2 s request timeout (a harness artefact).
  const client = createDynamoClient({
    endpoint: engine.endpoint,
    requestTimeoutMs: 120_000,
    connectionTimeoutMs: 60_000,
  });
  await putReader(client, tableName, { userId: READER, orgId: ORG, workspaceId: WORKSPACE });
  const { routes } = wireStatus({
    client,
    settings: {
      tableName,
      jwt: { source: { kind: 'secret', secret: SECRET } },
      staleAfterSeconds: 90,
      historyRetentionDays: RETENTION_DAYS,
      eventRetentionDays: 90,
      eventsCursorKey: { kind: 'secret', secret: SECRET, setting: 'JWT_SECRET' },
    },
    logger: createLogger('bucket-status-bench'),
  });
  const handler = routes['GET /bucket/{bucketId}/uptime'];
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(READER)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(SECRET));

  const results: HistoryRow[] = [];
  for (const { nodes, days } of options.sizes) {
    const bucketId = `bench-history-${nodes}x${days}`;
    await seedBucket(client, tableName, bucketId, nodes, days);
    const event = () =>
      uptimeEvent(bucketId, String(days), {
        authorization: `Bearer ${token}`,
        'accept-encoding': 'gzip',
      });
    const first = (await handler(event(), longContext())) as HttpResult;
    const parsed = JSON.parse(bodyText(first)) as { nodes?: { days: unknown[] }[] };
    if (first.statusCode !== 200 || parsed.nodes?.length !== nodes) {
      throw new Error(
        `uptime of ${nodes} nodes returned ${first.statusCode}: ${first.body.slice(0, 200)}`,
      );
    }
    // Today's figures grow with the clock, so the check is the shape, not the length.
    const complete = (response: HttpResult) => {
      const body = JSON.parse(bodyText(response)) as { nodes?: { days: unknown[] }[] };
      return body.nodes?.length === nodes && body.nodes.every((node) => node.days.length === days);
    };
    const subject = handlerSubject(handler, event, `uptime of ${nodes}x${days}`, {
      accept: complete,
      context: longContext,
    });
    const endedDays = lastDays(Date.now(), days).slice(0, -1);
    let itemsRead = 0;
    const floor = () => ({
      run: async () => {
        const [, bucketItems] = await Promise.all([
          queryPages(client, userPartitionQuery(tableName, READER)),
          queryPages(client, historyBucketQuery(tableName, bucketId)),
        ]);
        const historyItems = await Promise.all(
          endedDays.map((day) => queryPages(client, historyDayQuery(tableName, bucketId, day))),
        );
        // The bucket partition's META row is the owner, not a node row.
        itemsRead = bucketItems - 1 + historyItems.reduce((a, b) => a + b, 0);
      },
      check: () => {
        if (itemsRead !== nodes * days) {
          throw new Error(`floor read ${itemsRead} items for ${nodes}x${days}`);
        }
      },
    });
    const samples = await interleave(subject, floor, {
      warmup: 3,
      iterations: options.iterations,
      minIterations: 10,
      maxMs: options.maxMsPerSize,
    });
    results.push({ nodes, days, ...compare(samples), itemsRead });
  }
  client.destroy();
  return results;
}
