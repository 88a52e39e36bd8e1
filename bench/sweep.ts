// The sweep's cost per run: requests and time of one run with 10 silent nodes
// among 100 and among 10,000 reporting ones. The requests must be equal: the sweep reads the
// sparse index, so the nodes that keep reporting cost it nothing.
import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createEventWriter } from '../functions/data/events.ts';
import { createHealthMarker } from '../functions/data/health-marks.ts';
import { bucketPk, nodeSk } from '../functions/data/keys.ts';
import {
  ALL_SWEEP_SHARDS,
  createSweepIndex,
  sweepAtOf,
  sweepShardOf,
} from '../functions/data/sweep-index.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { runSweep, SWEEP_GRACE_SECONDS } from '../functions/sweep/run-sweep.ts';
import { ensureTable, startDynalite } from '../local/embedded-dynamodb.ts';
import { median, nowMs, round } from './stats.ts';

export interface SweepRow {
  totalNodes: number;
  staleNodes: number;
  /** DynamoDB requests of one run (every attempt counted). */
  requests: number;
  medianMs: number;
  runs: number;
}

export interface SweepBenchOptions {
  fleets: { totalNodes: number; staleNodes: number }[];
  runs: number;
}

const STALE_S = 90;

function row(
  bucketId: string,
  nodeId: string,
  status: string,
  lastMs: number,
): Record<string, AttributeValue> {
  return {
    pk: { S: bucketPk(bucketId) },
    sk: { S: nodeSk(nodeId) },
    ip: { S: '203.0.113.7' },
    region: { S: 'us-east-1' },
    version: { S: '1.2.3' },
    status: { S: status },
    lastUpdated: { S: new Date(lastMs).toISOString() },
    lastAt: { N: String(lastMs) },
    reportedAt: { N: String(lastMs) },
    sweepShard: { S: sweepShardOf(bucketId, nodeId) },
    sweepAt: { S: sweepAtOf(lastMs, STALE_S) },
  };
}

async function putAll(
  client: DynamoDBClient,
  tableName: string,
  items: Record<string, AttributeValue>[],
) {
  const batches: Promise<unknown>[] = [];
  for (let i = 0; i < items.length; i += 25) {
    const chunk = items.slice(i, i + 25);
    batches.push(
      client.send(
        new BatchWriteItemCommand({
          RequestItems: { [tableName]: chunk.map((Item) => ({ PutRequest: { Item } })) },
        }),
      ),
    );
    if (batches.length >= 8) await Promise.all(batches.splice(0));
  }
  await Promise.all(batches);
}

export function countRequests(client: DynamoDBClient) {
  let count = 0;
  let byCommand = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      count++;
      const name = String(context.commandName).replace(/Command$/, '');
      byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchCountRequests', priority: 'low' },
  );
  return {
    take: () => {
      const n = count;
      count = 0;
      byCommand = new Map();
      return n;
    },
    /** The requests since the last take, per operation ("Query 58, GetItem 10"). */
    operations: () =>
      [...byCommand]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, n]) => `${name} ${n}`)
        .join(', '),
  };
}

export async function benchSweep(options: SweepBenchOptions): Promise<SweepRow[]> {
  const engine = await startDynalite();
  const rows: SweepRow[] = [];
  try {
    for (const fleet of options.fleets) {
      const client = createDynamoClient({ endpoint: engine.endpoint });
      const tableName = `bench-sweep-${randomUUID().slice(0, 8)}`;
      await ensureTable(client, tableName);
      const now = Date.now();
      // The same 10 buckets in every fleet: the silent nodes' events mark the same buckets.
      const bucketIds = Array.from({ length: 10 }, () => randomUUID());
      const fresh = Array.from({ length: fleet.totalNodes - fleet.staleNodes }, (_, i) =>
        row(bucketIds[i % bucketIds.length] as string, `node-${i}`, 'ONLINE', now - (i % 30_000)),
      );
      await putAll(client, tableName, fresh);
      const counter = countRequests(client);
      const index = createSweepIndex(client, tableName);
      // As the sweep function wires it: each recorded event marks its bucket's health.
      const recordEvents = createEventWriter(client, tableName, {
        retentionDays: 90,
        markHealth: createHealthMarker(client, tableName),
      });
      const times: number[] = [];
      const requests: number[] = [];
      // Run 0 warms up (JIT, connections) and is not kept.
      for (let run = 0; run <= options.runs; run++) {
        // Untimed: a new set of silent rows, each due, with instants no earlier run used.
        const silentMs = now - (STALE_S + SWEEP_GRACE_SECONDS) * 1000 - 1_000 - run * 1_000;
        const silent = Array.from({ length: fleet.staleNodes }, (_, i) =>
          row(bucketIds[i % bucketIds.length] as string, `silent-${i}`, 'ONLINE', silentMs - i),
        );
        await putAll(client, tableName, silent);
        counter.take();
        const t = nowMs();
        const outcome = await runSweep({
          index,
          shards: ALL_SWEEP_SHARDS,
          recordEvents,
          staleAfterSeconds: STALE_S,
          now: () => now,
        });
        const elapsed = nowMs() - t;
        const sent = counter.take();
        if (run > 0) {
          times.push(elapsed);
          requests.push(sent);
        }
        if (outcome.recorded !== fleet.staleNodes || outcome.failed !== 0) {
          throw new Error(`sweep bench: recorded ${outcome.recorded} of ${fleet.staleNodes}`);
        }
      }
      if (new Set(requests).size !== 1)
        throw new Error(`sweep bench: requests varied: ${requests}`);
      rows.push({
        totalNodes: fleet.totalNodes,
        staleNodes: fleet.staleNodes,
        requests: requests[0] as number,
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
