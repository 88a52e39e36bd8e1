import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createBucketNodesReader } from '../data/bucket-nodes.ts';
import { createBucketOwnerQueryReader } from '../data/bucket-owner.ts';
import { createHistoryDayReader } from '../data/history-days.ts';
import { createHistoryBucketReader } from '../data/history-nodes.ts';
import { createWindowLoader } from '../data/maintenance-windows.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import type { RouteHandlers, Settings, WireDeps, WiredHttpFunction } from '../shared/wiring.ts';
import { createStatsHandler, createUptimeHandler } from './history-handlers.ts';
import { createMaintenanceListHandler } from './maintenance-handler.ts';
import { createStatusHandler } from './status-handler.ts';

export type StatusSettings = Pick<
  Settings,
  'tableName' | 'jwt' | 'staleAfterSeconds' | 'historyRetentionDays'
>;

/**
 * The status function on its real adapters, one handler per route it serves: used by the
 * Lambda entry, the local runtime and the tests. `ready` is the token verifier's: unusable key
 * material (a JWT_SECRET_ARN secret that is too short or binary) fails the cold start.
 */
export function wire({ client, settings, logger, overrides }: WireDeps<StatusSettings>) {
  const { tableName } = settings;
  const verifyToken = createTokenVerifier(settings.jwt);
  const loadUserAccess = createUserAccessReader(client, tableName);
  const history = {
    verifyToken,
    loadUserAccess,
    loadHistoryBucket: createHistoryBucketReader(client, tableName),
    loadHistoryDays: createHistoryDayReader(client, tableName),
    staleAfterSeconds: settings.staleAfterSeconds,
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
    'GET /bucket/{bucketId}/maintenance': createMaintenanceListHandler({
      verifyToken,
      loadUserAccess,
      loadBucketOwner: createBucketOwnerQueryReader(client, tableName),
      loadWindows: createWindowLoader(client, tableName),
      logger,
      ...(overrides?.now && { now: overrides.now }),
    }),
  } satisfies RouteHandlers<'status'>;
  return { routes, ready: verifyToken.ready } satisfies WiredHttpFunction;
}
