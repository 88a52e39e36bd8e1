import { acceptingApiKeys } from '../auth/api-keys.ts';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createApiKeyResolver } from '../data/api-key-lookup.ts';
import { createHealthReader } from '../data/bucket-health.ts';
import { createBucketNodesReader, createHealthBucketReader } from '../data/bucket-nodes.ts';
import { createBucketOwnerReader } from '../data/bucket-owner.ts';
import { createHealthTailReader } from '../data/health-tail.ts';
import { createHistoryDayReader } from '../data/history-days.ts';
import { createHistoryBucketReader } from '../data/history-nodes.ts';
import { createWindowLoader } from '../data/maintenance-windows.ts';
import { createUserAccessReader } from '../data/user-access.ts';
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
  const verifyToken = acceptingApiKeys(createTokenVerifier(settings.jwt), {
    resolve: createApiKeyResolver(client, tableName),
    ...(overrides?.now && { now: overrides.now }),
  });
  const loadUserAccess = createUserAccessReader(client, tableName);
  const cursorKey = createCursorKey(settings.eventsCursorKey);
  const health = createHealthReader(client, tableName);
  const loadWindows = createWindowLoader(client, tableName);
  // The verdict timeline's reads, shared by health, health/events, uptime and stats.
  const timeline = {
    loadHealthState: health.loadHealthState,
    loadWindows,
    loadHealthTail: createHealthTailReader(client, tableName, {
      retentionDays: settings.historyRetentionDays,
    }),
    staleAfterSeconds: settings.staleAfterSeconds,
  };
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
    loadClosedDays: health.loadClosedDays,
    loadHistoryBucket: createHistoryBucketReader(client, tableName),
    loadHistoryDays: createHistoryDayReader(client, tableName),
    staleAfterSeconds: settings.staleAfterSeconds,
    historyRetentionDays: settings.historyRetentionDays,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  };
  const loadBucketOwner = createBucketOwnerReader(client, tableName);
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
      loadHealthEventsPage: health.loadHealthEventsPage,
      cursorKey: cursorKey.get,
    }),
    'GET /bucket/{bucketId}/maintenance': createMaintenanceListHandler({
      verifyToken,
      loadUserAccess,
      loadBucketOwner,
      loadWindows,
      logger,
      ...(overrides?.now && { now: overrides.now }),
    }),
  } satisfies RouteHandlers<'status'>;
  return {
    routes,
    ready: Promise.all([verifyToken.ready, cursorKey.ready]),
  } satisfies WiredHttpFunction;
}
