import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { eventsPk } from '../../functions/data/events.ts';
import { sweepAtOf, sweepShardOf } from '../../functions/data/sweep-index.ts';
import type { Seeder } from '../support/seed.ts';
import { partitionRows } from '../support/table.ts';

export const STALE_S = 90;
export const STALE_MS = STALE_S * 1000;
export const GRACE_MS = 10_000;
export const iso = (ms: number) => new Date(ms).toISOString();

/** A NODE# row holding a stored report, in the index as every bucket-row write leaves it. */
export function reportedRow(
  seed: Seeder,
  bucketId: string,
  nodeId: string,
  report: {
    status: string;
    lastUpdatedMs: number;
    /** history's lastAt (the timeline's instant), when it differs from the receive time */
    lastAtMs?: number;
    ip?: string;
    region?: string;
  },
) {
  return seed.assignmentRow(bucketId, nodeId, {
    ip: report.ip ?? '203.0.113.7',
    region: report.region ?? 'us-east-1',
    version: '1.2.3',
    status: report.status,
    lastUpdated: iso(report.lastUpdatedMs),
    reportedAt: report.lastUpdatedMs,
    lastAt: report.lastAtMs ?? report.lastUpdatedMs,
    sweepShard: sweepShardOf(bucketId, nodeId),
    sweepAt: sweepAtOf(report.lastUpdatedMs, STALE_S),
  });
}

export interface StoredEventRow {
  sk: string;
  id: string;
  nodeId: string;
  from: string;
  to: string;
  at: string;
  ip?: string;
  region?: string;
  expiresAt: number;
}

/** Every event row of a bucket, oldest first, as stored (consistent read). */
export async function eventRows(
  client: DynamoDBClient,
  tableName: string,
  bucketId: string,
): Promise<StoredEventRow[]> {
  return (await partitionRows(client, tableName, eventsPk(bucketId))).map((item) => {
    const text = (name: string) => item[name]?.S;
    return {
      sk: text('sk') as string,
      id: text('id') as string,
      nodeId: text('nodeId') as string,
      from: text('from') as string,
      to: text('to') as string,
      at: text('at') as string,
      ...(text('ip') !== undefined && { ip: text('ip') as string }),
      ...(text('region') !== undefined && { region: text('region') as string }),
      expiresAt: Number(item.expiresAt?.N),
    };
  });
}

/** Counts the requests a client sends, by operation (below the SDK's retries: every attempt). */
export function countRequests(client: DynamoDBClient) {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests', priority: 'low' },
  );
  return {
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
  };
}
