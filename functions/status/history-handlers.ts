import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuthenticatedContext, bearerToken } from '../auth/bearer-token-middleware.ts';
import type { VerifyToken } from '../auth/token-verifier.ts';
import { userBucketRead } from '../domain/bucket-read-access.ts';
import type { LoadUserAccess } from '../domain/ports/bucket-reads.ts';
import { parseUptimeDays } from '../domain/uptime.ts';
import { conditionalGetResponses } from '../http/conditional-get-middleware.ts';
import { httpErrorHandler } from '../http/error-middleware.ts';
import { jsonBody } from '../http/json-body.ts';
import { httpHandlerPluginOptions } from '../http/middy-options.ts';
import { pathId } from '../http/path-params.ts';
import { jsonResponse } from '../http/response.ts';
import { type ReadHistoryDeps, readBucketStats, readBucketUptime } from '../reads/read-history.ts';
import type { Logger } from '../shared/logger.ts';

export interface HistoryHandlerDeps extends ReadHistoryDeps {
  loadUserAccess: LoadUserAccess;
  verifyToken: VerifyToken;
  logger: Logger;
}

/** The stats body is `{ "day": ... }`: anything near this size is not of that shape. */
export const MAX_STATS_BODY_BYTES = 1024;

/** The access decision of the verified token's user. */
function decisionOf(context: AuthenticatedContext, deps: HistoryHandlerDeps) {
  if (context.principal === undefined) throw new Error('bearer middleware did not run');
  return userBucketRead(context.principal, deps.loadUserAccess);
}

/** POST /bucket/{bucketId}/stats: token, path, body, then the use case; errors mapped once. */
export function createStatsHandler(deps: HistoryHandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const bucketId = pathId(event, 'bucketId');
      const body = jsonBody(
        event,
        MAX_STATS_BODY_BYTES,
        'The body must be JSON: { "day": "YYYY-MM-DD" }',
      );
      return jsonResponse(
        200,
        await readBucketStats(decisionOf(context, deps), bucketId, body, deps),
      );
    });
}

/** GET /bucket/{bucketId}/uptime?days=N: ETag/304/gzip like every GET (conditionalGetResponses). */
export function createUptimeHandler(deps: HistoryHandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const bucketId = pathId(event, 'bucketId');
      const days = parseUptimeDays(event.queryStringParameters?.days);
      return jsonResponse(
        200,
        await readBucketUptime(decisionOf(context, deps), bucketId, days, deps),
      );
    });
}
