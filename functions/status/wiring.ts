import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createBucketNodesReader } from '../data/bucket-nodes.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import type { Settings, WireDeps, WiredHttpFunction } from '../shared/wiring.ts';
import { createStatusHandler } from './status-handler.ts';

export type StatusSettings = Pick<Settings, 'tableName' | 'jwt' | 'staleAfterSeconds'>;

/**
 * The status function on its real adapters, one handler per route it serves: used by the
 * Lambda entry, the local runtime and the tests. `ready` is the token verifier's: unusable key
 * material (a JWT_SECRET_ARN secret that is too short or binary) fails the cold start.
 */
export function wire({ client, settings, logger, overrides }: WireDeps<StatusSettings>) {
  const { tableName } = settings;
  const verifyToken = createTokenVerifier(settings.jwt);
  const routes = {
    'GET /bucket/{bucketId}/status': createStatusHandler({
      verifyToken,
      loadUserAccess: createUserAccessReader(client, tableName),
      loadBucketWithNodes: createBucketNodesReader(client, tableName),
      staleAfterSeconds: settings.staleAfterSeconds,
      logger,
      ...(overrides?.now && { now: overrides.now }),
    }),
  };
  return { routes, ready: verifyToken.ready } satisfies WiredHttpFunction;
}
