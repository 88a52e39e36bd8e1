import { acceptingApiKeys } from '../auth/api-keys.ts';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createApiKeyResolver } from '../data/api-key-lookup.ts';
import { createBucketNodesReader } from '../data/bucket-nodes.ts';
import { createHistoryDayReader } from '../data/history-days.ts';
import { createHistoryBucketReader } from '../data/history-nodes.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import type { RouteHandlers, Settings, WireDeps, WiredHttpFunction } from '../shared/wiring.ts';
import { createStatsHandler, createUptimeHandler } from './history-handlers.ts';
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
  // A `bsk_` bearer value is a workspace API key: READ on exactly its workspace.
  const verifyToken = acceptingApiKeys(createTokenVerifier(settings.jwt), {
    resolve: createApiKeyResolver(client, tableName),
    ...(overrides?.now && { now: overrides.now }),
  });
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
  } satisfies RouteHandlers<'status'>;
  return { routes, ready: verifyToken.ready } satisfies WiredHttpFunction;
}
