import { shareBucketRead } from '../domain/shares.ts';
import { parseUptimeDays } from '../domain/uptime.ts';
import { BADGE_MAX_AGE_SECONDS } from '../http/public-responses.ts';
import { type PublicRouteDeps, publicRoute } from '../http/public-route.ts';
import { SECURITY_HEADERS } from '../http/response.ts';
import { type ReadBucketHealthDeps, readBucketHealth } from '../reads/read-bucket-health.ts';
import { type ReadHistoryDeps, readBucketUptime } from '../reads/read-history.ts';
import {
  type BadgeFormat,
  parseBadgeShow,
  uptimeBadge,
  uptimePercent,
  verdictBadge,
} from './badge.ts';
import { renderBadge } from './render-badge.ts';

export type BadgeHandlerDeps = PublicRouteDeps & ReadBucketHealthDeps & ReadHistoryDeps;

/**
 * GET /public/{token}/badge.svg?show=health|uptime&days=N: an SVG badge, `bucket | <verdict>`
 * (GET health's verdict) or `uptime <N>d | <percent>%` (the bucket's availability over GET
 * uptime's days); cached for a minute. `days` (1-90,
 * default 30) is a 400 when out of range whatever `show` is. Drawn by badge-maker (Shields' own
 * library, render-badge.ts): the route has a function of its own so that the JSON routes of
 * the `public` function do not load it at cold start.
 */
export function createBadgeHandler(deps: BadgeHandlerDeps) {
  return publicRoute(deps, BADGE_MAX_AGE_SECONDS, async (event, share) => {
    const query = event.queryStringParameters;
    const show = parseBadgeShow(query?.show);
    // Checked whatever `show` is: CloudFront keys the badge by show and days
    // (infra/constructs/public-cdn.ts), so an unchecked days would make each value a cache miss.
    const days = parseUptimeDays(query?.days);
    const decide = shareBucketRead(share);
    let format: BadgeFormat;
    if (show === 'uptime') {
      format = uptimeBadge(
        days,
        uptimePercent(await readBucketUptime(decide, share.bucketId, days, deps)),
      );
    } else {
      format = verdictBadge((await readBucketHealth(decide, share.bucketId, deps)).verdict);
    }
    return {
      statusCode: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': 'image/svg+xml; charset=utf-8' },
      body: renderBadge(format),
    };
  });
}
