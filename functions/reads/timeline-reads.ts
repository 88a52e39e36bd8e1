import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHealthReader } from '../data/bucket-health.ts';
import { createHealthTailReader } from '../data/health-tail.ts';
import { createWindowLoader } from '../data/maintenance-windows.ts';

/**
 * The verdict timeline's reads of a bucket, on their real adapters: its health STATE and closed
 * days, its maintenance windows and the tail of its node events, with the two settings the
 * timeline is computed under. Shared by every function that computes a bucket's verdicts (GET
 * health and health/events, uptime and stats, the overview, the metrics, a share's reads).
 */
export function createTimelineReads(
  client: DynamoDBClient,
  tableName: string,
  settings: { staleAfterSeconds: number; historyRetentionDays: number },
) {
  const health = createHealthReader(client, tableName);
  return {
    loadHealthState: health.loadHealthState,
    loadClosedDays: health.loadClosedDays,
    loadHealthEventsPage: health.loadHealthEventsPage,
    loadWindows: createWindowLoader(client, tableName),
    loadHealthTail: createHealthTailReader(client, tableName, {
      retentionDays: settings.historyRetentionDays,
    }),
    staleAfterSeconds: settings.staleAfterSeconds,
  };
}
