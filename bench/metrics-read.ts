// GET /workspace/{workspaceId}/metrics on the production wiring versus its floor: the reads it
// must make (the user's partition Query, the workspace's META GetItem and bucket listing Query,
// then the bucket's GET health reads: its partition Query with its pages, the STATE GetItem,
// the windows Query, the tail Queries) issued directly, all at once, interleaved. What the
// route adds over its floor is the views, the verdict and the Prometheus text of every node.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
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
import { initialCheckpoint } from '../functions/domain/health-timeline.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { wire as wireStatus } from '../functions/status/wiring.ts';
import { httpApiEvent, lambdaContext } from '../test/support/events.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import { floorOf, handlerSubject, recordCommands } from './health-read.ts';
import { BENCH_JWT_SECRET, reportedRow } from './read-path.ts';
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
  await putRows(client, tableName, [
    { pk: userPk(READER), sk: PROFILE_SK, orgId: ORG, orgRole: 'MEMBER', status: 'ACTIVE' },
  ]);
  const handler = wireStatus({
    client,
    settings: {
      tableName,
      jwt: { source: { kind: 'secret', secret: BENCH_JWT_SECRET } },
      // Long enough that seeded reports stay fresh for the whole run (same work per read).
      staleAfterSeconds: 86_400,
      historyRetentionDays: 400,
      eventRetentionDays: 90,
      eventsCursorKey: { kind: 'secret', secret: BENCH_JWT_SECRET, setting: 'JWT_SECRET' },
    },
    logger: createLogger('bucket-status-bench'),
  }).routes['GET /workspace/{workspaceId}/metrics'];
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(READER)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));
  const recorder = recordCommands(client, 'benchRecordMetricsCommands');

  const rows: MetricsReadRow[] = [];
  for (const nodes of options.sizes) {
    // A workspace of its own per size, holding one bucket of `nodes` nodes.
    const workspaceId = `bench-metrics-ws-${nodes}`;
    const bucketId = `bench-metrics-${nodes}`;
    const now = Date.now();
    const seeded: Row[] = [
      { pk: userPk(READER), sk: workspaceSk(workspaceId), role: 'READ' },
      { pk: workspacePk(workspaceId), sk: META_SK, orgId: ORG, name: workspaceId },
      {
        pk: workspaceBucketsPk(workspaceId),
        sk: listingSk(bucketId, bucketId),
        bucketId,
        name: bucketId,
      },
      { pk: bucketPk(bucketId), sk: META_SK, workspaceId, orgId: ORG },
    ];
    const lastUpdated = new Date(now).toISOString();
    for (let i = 0; i < nodes; i++) {
      const row = reportedRow(bucketId, `node-${String(i).padStart(5, '0')}`, i, lastUpdated);
      seeded.push({ ...row, lastAt: now });
    }
    await putRows(client, tableName, seeded);
    // A checkpoint a minute old (the sweep keeps it that fresh): the read's tail is one round trip.
    const checkpoint = initialCheckpoint(now - 60_000, []);
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
