import { createBearerCheck } from '../auth/bearer-check.ts';
import { createBucketNodesReader, createHealthBucketReader } from '../data/bucket-nodes.ts';
import { createBucketOwnerReader } from '../data/bucket-owner.ts';
import { createHistoryDayReader } from '../data/history-days.ts';
import { createHistoryBucketReader } from '../data/history-nodes.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import { createTimelineReads } from '../reads/timeline-reads.ts';
import {
  readEventRetentionDays,
  readEventsCursorKeySource,
  readHistoryRetentionDays,
  readJwtConfig,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { createCursorKey } from '../shared/cursor-key.ts';
import type {
  RouteHandlers,
  SettingReaders,
  SettingsOf,
  WireDeps,
  WiredHttpFunction,
} from '../shared/wiring.ts';
import { createHealthEventsHandler, createHealthHandler } from './health-handlers.ts';
import { createStatsHandler, createUptimeHandler } from './history-handlers.ts';
import { createMaintenanceListHandler } from './maintenance-handler.ts';
import { createStatusHandler } from './status-handler.ts';

export type StatusSettings = SettingsOf<'status'>;

/** The readers of the settings the table names for status (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  jwt: readJwtConfig,
  staleAfterSeconds: readStaleAfterSeconds,
  historyRetentionDays: readHistoryRetentionDays,
  eventRetentionDays: readEventRetentionDays,
  eventsCursorKey: readEventsCursorKeySource,
} satisfies SettingReaders<'status'>;

/**
 * The status function on its real adapters, one handler per route it serves: used by the
 * Lambda entry, the local runtime and the tests. `ready` covers the token key and the cursor
 * key of the health events (both may be Secrets Manager secrets fetched at init): unusable key
 * material fails the cold start.
 */
export function wire({ client, settings, logger, overrides }: WireDeps<StatusSettings>) {
  const { tableName } = settings;
  // A `bsk_` bearer value is a workspace API key: READ on exactly its workspace.
  const verifyToken = createBearerCheck(client, tableName, settings.jwt, {
    apiKeys: 'accept',
    ...(overrides?.now && { now: overrides.now }),
  });
  const loadUserAccess = createUserAccessReader(client, tableName);
  const cursorKey = createCursorKey(settings.eventsCursorKey);
  // The verdict timeline's reads, shared by health, health/events, uptime and stats.
  const timeline = createTimelineReads(client, tableName, settings);
  const healthDeps = {
    ...timeline,
    verifyToken,
    loadUserAccess,
    openHealthBucket: createHealthBucketReader(client, tableName),
    eventRetentionDays: settings.eventRetentionDays,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  };
  const history = {
    ...timeline,
    verifyToken,
    loadUserAccess,
    loadHistoryBucket: createHistoryBucketReader(client, tableName),
    loadHistoryDays: createHistoryDayReader(client, tableName),
    historyRetentionDays: settings.historyRetentionDays,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  };
  const routes = {
    'GET /bucket/{bucketId}/status': createStatusHandler({
      verifyToken,
      loadUserAccess,
      openBucket: createBucketNodesReader(client, tableName),
      staleAfterSeconds: settings.staleAfterSeconds,
      logger,
      ...(overrides?.now && { now: overrides.now }),
    }),
    'POST /bucket/{bucketId}/stats': createStatsHandler(history),
    'GET /bucket/{bucketId}/uptime': createUptimeHandler(history),
    'GET /bucket/{bucketId}/health': createHealthHandler(healthDeps),
    'GET /bucket/{bucketId}/health/events': createHealthEventsHandler({
      ...healthDeps,
      cursorKey: cursorKey.get,
    }),
    'GET /bucket/{bucketId}/maintenance': createMaintenanceListHandler({
      verifyToken,
      loadUserAccess,
      loadBucketOwner: createBucketOwnerReader(client, tableName),
      loadWindows: timeline.loadWindows,
      logger,
      ...(overrides?.now && { now: overrides.now }),
    }),
  } satisfies RouteHandlers<'status'>;
  return {
    routes,
    ready: Promise.all([verifyToken.ready, cursorKey.ready]),
  } satisfies WiredHttpFunction;
}
