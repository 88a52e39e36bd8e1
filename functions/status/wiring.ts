import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createBucketNodesReader } from '../data/bucket-nodes.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import type { HttpRouteHandlers, Settings, WireDeps } from '../shared/wiring.ts';
import { createStatusHandler } from './status-handler.ts';

export type StatusSettings = Pick<Settings, 'tableName' | 'jwt' | 'staleAfterSeconds'>;

/**
 * The status function on its real adapters, one handler per route it serves: used by the
 * Lambda entry, the local runtime and the tests.
 */
export function wire({ client, settings, logger, overrides }: WireDeps<StatusSettings>) {
  const { tableName } = settings;
  return {
    'GET /bucket/{bucketId}/status': createStatusHandler({
      verifyToken: createTokenVerifier(settings.jwt),
      loadUserAccess: createUserAccessReader(client, tableName),
      loadBucketWithNodes: createBucketNodesReader(client, tableName),
      staleAfterSeconds: settings.staleAfterSeconds,
      logger,
      ...(overrides?.now && { now: overrides.now }),
    }),
  } satisfies HttpRouteHandlers;
}
