import { createBucketReportWriter } from '../data/bucket-node-reports.ts';
import { createPendingEventsClearer } from '../data/bucket-timeline.ts';
import { createEventWriter } from '../data/events.ts';
import { createHealthMarker } from '../data/health-marks.ts';
import { createHistoryDayWriter } from '../data/history-days.ts';
import {
  createHintForgetter,
  createNodeKeyReader,
  createReportGuard,
} from '../data/node-registry.ts';
import type { RegisteredNode } from '../domain/ports/ingest.ts';
import {
  readEventRetentionDays,
  readHistoryRetentionDays,
  readNodeKeyCacheSeconds,
  readNodeMinReportIntervalMs,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
import type {
  RouteHandlers,
  SettingReaders,
  SettingsOf,
  WireDeps,
  WiredHttpFunction,
} from '../shared/wiring.ts';
import { createIngestHandler } from './ingest-handler.ts';

export type IngestSettings = SettingsOf<'ingest'>;

/** The readers of the settings the table names for ingest (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  nodeKeyCacheSeconds: readNodeKeyCacheSeconds,
  nodeMinReportIntervalMs: readNodeMinReportIntervalMs,
  staleAfterSeconds: readStaleAfterSeconds,
  historyRetentionDays: readHistoryRetentionDays,
  eventRetentionDays: readEventRetentionDays,
} satisfies SettingReaders<'ingest'>;

/** Upper bound on cached node keys per container. */
const MAX_CACHED_NODE_KEYS = 10_000;

/**
 * The ingest function on its real adapters, one handler per route it serves: used by the
 * Lambda entry, the local runtime and the tests.
 */
export function wire({ client, settings, logger, metrics, overrides }: WireDeps<IngestSettings>) {
  const { tableName } = settings;
  const routes = {
    'POST /node/status': createIngestHandler({
      getRegisteredNode: createNodeKeyReader(
        client,
        tableName,
        new TtlCache<RegisteredNode>(settings.nodeKeyCacheSeconds * 1000, MAX_CACHED_NODE_KEYS),
      ),
      acceptReportTimestamp: createReportGuard(client, tableName),
      writeBucketReport: createBucketReportWriter(client, tableName, {
        staleAfterMs: settings.staleAfterSeconds * 1000,
      }),
      writeHistoryDays: createHistoryDayWriter(client, tableName, {
        retentionDays: settings.historyRetentionDays,
      }),
      recordTransitions: createEventWriter(client, tableName, {
        retentionDays: settings.eventRetentionDays,
        markHealth: createHealthMarker(client, tableName),
        ...(overrides?.onEventsRecorded && { onEventsRecorded: overrides.onEventsRecorded }),
      }),
      clearPendingEvents: createPendingEventsClearer(client, tableName),
      forgetHints: createHintForgetter(client, tableName),
      minReportIntervalMs: settings.nodeMinReportIntervalMs,
      logger,
      ...(metrics && { metrics }),
      ...(overrides?.now && { now: overrides.now }),
    }),
  } satisfies RouteHandlers<'ingest'>;
  return { routes } satisfies WiredHttpFunction;
}
