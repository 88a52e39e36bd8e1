import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { bucketRowUpdate } from '../functions/data/bucket-node-reports.ts';
import { eventPut } from '../functions/data/events.ts';
import { createHealthMarker } from '../functions/data/health-marks.ts';
import { bucketPk, META_SK, nodePk, nodeSk } from '../functions/data/keys.ts';
import { reportGuardUpdate } from '../functions/data/node-registry.ts';
import type { BucketReport } from '../functions/domain/node-report.ts';
import {
  generateNodeKeyPair,
  privateKeyFromSeed,
  signNodeReport,
} from '../functions/domain/node-signature.ts';
import { wire as wireIngest } from '../functions/ingest/wiring.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { ingestEvent } from '../test/support/events.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import { handlerSubject } from './read-setup.ts';
import { type Comparison, compare, interleave } from './stats.ts';

export interface IngestRow extends Comparison {
  buckets: number;
  /** steady: a report that changes no state; state change: every bucket flips. */
  report: 'steady' | 'state change';
}

const NODE = 'bench-reporter';
const FLIPPER = 'bench-flipper';
const STALE_MS = 90_000;
const REPORT = { ip: '203.0.113.7', region: 'us-east-1', version: '1.2.3' };

/** Node timestamps shared by handler and floor: strictly increasing, close to the clock. */
function timestampClock() {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };
}

export const bucketReports = (count: number): BucketReport[] =>
  Array.from({ length: count }, (_, i) => ({
    bucketId: `bench-ingest-${String(i).padStart(3, '0')}`,
    status: i % 5 === 0 ? 'OFFLINE' : 'ONLINE',
    latencyMs: 10 + i,
  }));

export const reportBody = (buckets: BucketReport[]) =>
  JSON.stringify({
    ...REPORT,
    buckets: buckets.map((b) => ({
      bucketId: b.bucketId,
      status: b.status,
      latency_ms: b.latencyMs,
    })),
  });

export interface IngestOptions {
  sizes: number[];
  /** Also measure a state-changing report of this many buckets (its own row). */
  stateChangeBuckets?: number;
  iterations: number;
  maxMsPerSize: number;
}

/**
 * A signed report through the ingest handler (key cache warm, as on a warm container) versus
 * its floor: the report's conditional writes (the replay guard on the node's META row and
 * every bucket row, from the same builders) all in flight at once. The handler must order the
 * guard before the bucket writes; that extra round trip and our own code are what the ratio
 * measures. minReportIntervalMs is 0 so back-to-back reports are accepted.
 */
export async function benchIngest(
  engine: BenchEngine,
  options: IngestOptions,
): Promise<IngestRow[]> {
  const { client, tableName } = engine;
  const keys = generateNodeKeyPair();
  const privateKey = privateKeyFromSeed(keys.privateKey);
  const allBuckets = bucketReports(Math.max(...options.sizes));
  const rows: Row[] = [
    { pk: nodePk(NODE), sk: META_SK, publicKey: keys.publicKey, status: 'ACTIVE' },
    { pk: nodePk(FLIPPER), sk: META_SK, publicKey: keys.publicKey, status: 'ACTIVE' },
  ];
  for (const bucket of allBuckets) {
    rows.push({ pk: bucketPk(bucket.bucketId), sk: META_SK, workspaceId: 'w', orgId: 'o' });
    rows.push({ pk: bucketPk(bucket.bucketId), sk: nodeSk(NODE), assignedAt: 0 });
    rows.push({ pk: bucketPk(bucket.bucketId), sk: nodeSk(FLIPPER), assignedAt: 0 });
  }
  await putRows(client, tableName, rows);

  // The production wiring, history on: the timeline writer, history rows and the event writer.
  const handler = wireIngest({
    client,
    settings: {
      tableName,
      nodeKeyCacheSeconds: 3600,
      nodeMinReportIntervalMs: 0,
      staleAfterSeconds: STALE_MS / 1000,
      historyRetentionDays: 400,
      eventRetentionDays: 90,
    },
    logger: createLogger('bucket-status-bench'),
  }).routes['POST /node/status'];
  const nextTimestamp = timestampClock();

  // One signed report through the handler; check: every one of its `count` buckets accepted.
  const sendReport = (nodeId: string, body: string, count: number, label: string) =>
    handlerSubject(
      handler,
      () => ingestEvent(body, { ...signNodeReport(nodeId, privateKey, body, nextTimestamp()) }),
      `${label} of ${count} buckets`,
      {
        accept: (response) =>
          (JSON.parse(response.body) as { accepted: string[] }).accepted.length === count,
      },
    )();

  const results: IngestRow[] = [];
  for (const count of options.sizes) {
    const buckets = allBuckets.slice(0, count);
    const body = reportBody(buckets);
    const subject = () => sendReport(NODE, body, count, 'report');
    const floor = () => {
      const timestamp = nextTimestamp();
      const receivedAt = new Date().toISOString();
      return {
        run: async () => {
          await floorWrites(client, tableName, buckets, timestamp, receivedAt);
        },
      };
    };
    const samples = await interleave(subject, floor, {
      warmup: 10,
      iterations: options.iterations,
      minIterations: 20,
      maxMs: options.maxMsPerSize,
    });
    results.push({ buckets: count, report: 'steady', ...compare(samples) });
  }
  if (options.stateChangeBuckets !== undefined) {
    const count = options.stateChangeBuckets;
    const buckets = allBuckets.slice(0, count);
    let flips = 0;
    const subject = () => {
      // Every bucket's status flips: a state change each time (events after the bucket writes).
      const status = flips++ % 2 === 0 ? 'OFFLINE' : 'ONLINE';
      return sendReport(FLIPPER, reportBody(buckets.map((b) => ({ ...b, status }))), count, 'flip');
    };
    // Its floor: the same writes (guard, bucket rows, one event and one health mark per bucket)
    // all at once.
    const markHealth = createHealthMarker(client, tableName);
    const floor = () => {
      const timestamp = nextTimestamp();
      const receivedAt = new Date().toISOString();
      return {
        run: async () => {
          await Promise.all([
            ...buckets.map((bucket) => markHealth(bucket.bucketId, Date.parse(receivedAt))),
            floorWrites(client, tableName, buckets, timestamp, receivedAt),
            ...buckets.map((bucket) =>
              client.send(
                new PutItemCommand(
                  eventPut(
                    tableName,
                    {
                      bucketId: bucket.bucketId,
                      nodeId: `floor-${randomUUID()}`,
                      from: 'ONLINE',
                      to: 'OFFLINE',
                      at: receivedAt,
                      ...REPORT,
                    },
                    { retentionDays: 90, writer: randomUUID(), recordedAt: receivedAt },
                  ),
                ),
              ),
            ),
          ]);
        },
      };
    };
    const samples = await interleave(subject, floor, {
      warmup: 10,
      iterations: options.iterations,
      minIterations: 20,
      maxMs: options.maxMsPerSize,
    });
    results.push({ buckets: count, report: 'state change', ...compare(samples) });
  }
  return results;
}

/** The floor: the handler's writes, built by the same functions, all in flight at once. */
function floorWrites(
  client: DynamoDBClient,
  tableName: string,
  buckets: BucketReport[],
  timestamp: number,
  receivedAt: string,
) {
  const guard = reportGuardUpdate(
    tableName,
    {
      nodeId: NODE,
      timestamp,
      receivedAtMs: Date.parse(receivedAt),
      minIntervalMs: 0,
      ...REPORT,
      buckets,
    },
    randomUUID(),
  );
  return Promise.all([
    client.send(new UpdateItemCommand(guard)),
    ...buckets.map((bucket) =>
      client.send(
        new UpdateItemCommand(
          bucketRowUpdate(
            tableName,
            { nodeId: NODE, bucket, ...REPORT, timestamp, receivedAtMs: Date.parse(receivedAt) },
            STALE_MS,
          ),
        ),
      ),
    ),
  ]);
}
