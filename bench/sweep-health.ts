// The sweep's health step per run: requests and time with K marked buckets (each with a node
// event since its checkpoint; some with an active maintenance window) among N buckets that
// all have a checkpoint (some others with a window whose boundary is not yet settled). The
// requests must be equal for every N: the step reads the sparse index of marks, so the
// buckets with nothing new cost it nothing.
import { randomUUID } from 'node:crypto';
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkpointItem, entryItem } from '../functions/data/bucket-health.ts';
import { createEventWriter } from '../functions/data/events.ts';
import { createHealthMarker } from '../functions/data/health-marks.ts';
import { HEALTH_STATE_SK, healthPk } from '../functions/data/keys.ts';
import { WINDOW_ATTR, windowSlotSk } from '../functions/data/maintenance-windows.ts';
import type { MaintenanceWindow } from '../functions/domain/health.ts';
import { initialCheckpoint } from '../functions/domain/health-timeline.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { createHealthStepPorts } from '../functions/sweep/health-ports.ts';
import { runHealthStep } from '../functions/sweep/health-step.ts';
import { ensureTable, startDynalite } from '../local/embedded-dynamodb.ts';
import { median, nowMs, round } from './stats.ts';
import { countRequests } from './sweep.ts';

export interface SweepHealthRow {
  buckets: number;
  markedBuckets: number;
  /** Buckets with a maintenance window (marked or not). */
  bucketsWithWindows: number;
  /** Health events one run writes (every marked bucket's verdict changes each run). */
  healthEvents: number;
  /** DynamoDB requests of one health step (every attempt counted). */
  requests: number;
  /** The same requests per operation. */
  operations: string;
  medianMs: number;
  runs: number;
}

export interface SweepHealthOptions {
  fleets: { buckets: number; markedBuckets: number }[];
  runs: number;
}

const STALE_MS = 90_000;
const HOUR_MS = 3_600_000;
/** Every WINDOW_EVERY-th bucket (marked or not) has an active window. */
const WINDOW_EVERY = 5;

async function putItems(
  client: DynamoDBClient,
  tableName: string,
  items: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>[],
) {
  for (let i = 0; i < items.length; i += 25) {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
        },
      }),
    );
  }
}

export async function benchSweepHealth(options: SweepHealthOptions): Promise<SweepHealthRow[]> {
  const engine = await startDynalite();
  const rows: SweepHealthRow[] = [];
  try {
    for (const fleet of options.fleets) {
      const client = createDynamoClient({ endpoint: engine.endpoint });
      const tableName = `bench-sweep-health-${randomUUID().slice(0, 8)}`;
      await ensureTable(client, tableName);
      // Settled instants of the runs: base + run seconds, all within one UTC day's hour.
      const base = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 12 * HOUR_MS;
      const createdAt = base - HOUR_MS;
      const bucketIds = Array.from({ length: fleet.buckets }, (_, i) => `b-${i}-${randomUUID()}`);
      const windowOf = (i: number): MaintenanceWindow[] =>
        i % WINDOW_EVERY === 0
          ? [{ id: `mw_bench${i}`, start: createdAt, end: base + 6 * HOUR_MS, createdAt }]
          : [];
      const items: Parameters<typeof putItems>[2] = [];
      for (const [i, bucketId] of bucketIds.entries()) {
        const windows = windowOf(i);
        const checkpoint = initialCheckpoint(createdAt, windows);
        items.push({
          pk: { S: healthPk(bucketId) },
          sk: { S: HEALTH_STATE_SK },
          // As create-bucket writes it: the checkpoint and its day's entry state.
          ...checkpointItem(checkpoint),
          ...entryItem(checkpoint),
          ver: { N: '0' },
        });
        for (const w of windows) {
          items.push({
            pk: { S: healthPk(bucketId) },
            sk: { S: windowSlotSk(0) },
            [WINDOW_ATTR.id]: { S: w.id },
            [WINDOW_ATTR.start]: { N: String(w.start) },
            [WINDOW_ATTR.end]: { N: String(w.end) },
            [WINDOW_ATTR.createdAt]: { N: String(w.createdAt) },
          });
        }
      }
      await putItems(client, tableName, items);
      const markHealth = createHealthMarker(client, tableName);
      // A window's end is a boundary the step must visit: its bucket is marked then (unsettled
      // for every run here, so never found).
      for (const [i, bucketId] of bucketIds.entries()) {
        for (const w of windowOf(i)) await markHealth(bucketId, w.end);
      }
      const recordEvents = createEventWriter(client, tableName, {
        retentionDays: 90,
        markHealth,
      });
      const marked = bucketIds.slice(0, fleet.markedBuckets);
      const ports = createHealthStepPorts(client, tableName, {
        eventRetentionDays: 90,
        historyRetentionDays: 400,
      });
      const counter = countRequests(client);
      const times: number[] = [];
      const requests: number[] = [];
      let healthEvents = 0;
      let operations = '';
      // Run 0 warms up and is not kept.
      for (let run = 0; run <= options.runs; run++) {
        const settled = base + (run + 1) * 10_000;
        // Untimed: one node event per marked bucket since the last run (it marks the bucket),
        // alternating so each run changes each bucket's verdict.
        const at = new Date(settled - 5_000).toISOString();
        const up = run % 2 === 0;
        await recordEvents(
          marked.map((bucketId) => ({
            bucketId,
            nodeId: 'bench-node',
            from: up ? 'DISCONNECTED' : 'ONLINE',
            to: up ? 'ONLINE' : 'DISCONNECTED',
            at,
            ...(run === 0 && { first: true }),
          })),
        );
        counter.take();
        const t = nowMs();
        const outcome = await runHealthStep(ports, settled, STALE_MS);
        const elapsed = nowMs() - t;
        operations = counter.operations();
        const sent = counter.take();
        if (
          outcome.found !== marked.length ||
          outcome.advanced !== marked.length ||
          outcome.failed
        ) {
          throw new Error(`sweep health bench: ${JSON.stringify(outcome)}`);
        }
        healthEvents = outcome.changes;
        if (run > 0) {
          times.push(elapsed);
          requests.push(sent);
        }
      }
      if (new Set(requests).size !== 1) {
        throw new Error(`sweep health bench: requests varied: ${requests}`);
      }
      rows.push({
        buckets: fleet.buckets,
        markedBuckets: fleet.markedBuckets,
        bucketsWithWindows: Math.ceil(fleet.buckets / WINDOW_EVERY),
        healthEvents,
        requests: requests[0] as number,
        operations,
        medianMs: round(median(times), 2),
        runs: times.length,
      });
      client.destroy();
    }
  } finally {
    await engine.close();
  }
  return rows;
}
