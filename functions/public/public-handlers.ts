import { shareBucketRead } from '../domain/shares.ts';
import { parseUptimeDays } from '../domain/uptime.ts';
import { PUBLIC_MAX_AGE_SECONDS } from '../http/public-responses.ts';
import { type PublicRouteDeps, publicRoute } from '../http/public-route.ts';
import { jsonResponse } from '../http/response.ts';
import {
  type ReadBucketHealthDeps,
  type ReadHealthEventsDeps,
  readBucketHealth,
  readBucketHealthEvents,
} from '../reads/read-bucket-health.ts';
import { type ReadBucketStatusDeps, readBucketStatus } from '../reads/read-bucket-status.ts';
import { type ReadHistoryDeps, readBucketUptime } from '../reads/read-history.ts';

/** GET /public/{token}/status: section 2's body, `ip` only when the share shows it. */
export function createPublicStatusHandler(deps: PublicRouteDeps & ReadBucketStatusDeps) {
  return publicRoute(deps, PUBLIC_MAX_AGE_SECONDS, async (_event, share) =>
    jsonResponse(200, await readBucketStatus(shareBucketRead(share), share.bucketId, deps)),
  );
}

/** GET /public/{token}/uptime?days=N: section 8's body, `ip` only when the share shows it. */
export function createPublicUptimeHandler(deps: PublicRouteDeps & ReadHistoryDeps) {
  return publicRoute(deps, PUBLIC_MAX_AGE_SECONDS, async (event, share) => {
    const days = parseUptimeDays(event.queryStringParameters?.days);
    return jsonResponse(
      200,
      await readBucketUptime(shareBucketRead(share), share.bucketId, days, deps),
    );
  });
}

/** GET /public/{token}/health: section 13's body of the share's bucket. */
export function createPublicHealthHandler(deps: PublicRouteDeps & ReadBucketHealthDeps) {
  return publicRoute(deps, PUBLIC_MAX_AGE_SECONDS, async (_event, share) =>
    jsonResponse(200, await readBucketHealth(shareBucketRead(share), share.bucketId, deps)),
  );
}

/** GET /public/{token}/health/events?limit&cursor: the share's bucket's health events. */
export function createPublicHealthEventsHandler(deps: PublicRouteDeps & ReadHealthEventsDeps) {
  return publicRoute(deps, PUBLIC_MAX_AGE_SECONDS, async (event, share) => {
    const query = event.queryStringParameters ?? {};
    return jsonResponse(
      200,
      await readBucketHealthEvents(
        shareBucketRead(share),
        { bucketId: share.bucketId, limit: query.limit, cursor: query.cursor },
        deps,
      ),
    );
  });
}
