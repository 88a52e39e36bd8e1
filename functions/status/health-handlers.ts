import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuthenticatedContext, bearerToken } from '../auth/bearer-token-middleware.ts';
import type { VerifyToken } from '../auth/token-verifier.ts';
import { userBucketRead } from '../domain/bucket-read-access.ts';
import type { LoadUserAccess } from '../domain/ports/bucket-reads.ts';
import { conditionalGetResponses } from '../http/conditional-get-middleware.ts';
import { httpErrorHandler } from '../http/error-middleware.ts';
import { httpHandlerPluginOptions } from '../http/middy-options.ts';
import { pathId } from '../http/path-params.ts';
import { jsonResponse } from '../http/response.ts';
import {
  type ReadBucketHealthDeps,
  type ReadHealthEventsDeps,
  readBucketHealth,
  readBucketHealthEvents,
} from '../reads/read-bucket-health.ts';
import type { Logger } from '../shared/logger.ts';

interface HandlerDeps {
  loadUserAccess: LoadUserAccess;
  verifyToken: VerifyToken;
  logger: Logger;
}

/** The access decision of the verified token's user. */
function decisionOf(context: AuthenticatedContext, deps: HandlerDeps) {
  if (context.principal === undefined) throw new Error('bearer middleware did not run');
  return userBucketRead(context.principal, deps.loadUserAccess);
}

/** GET /bucket/{bucketId}/health: ETag/304/gzip like GET status (conditionalGetResponses). */
export function createHealthHandler(deps: ReadBucketHealthDeps & HandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const bucketId = pathId(event, 'bucketId');
      return jsonResponse(200, await readBucketHealth(decisionOf(context, deps), bucketId, deps));
    });
}

/** GET /bucket/{bucketId}/health/events?limit&cursor. */
export function createHealthEventsHandler(deps: ReadHealthEventsDeps & HandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const bucketId = pathId(event, 'bucketId');
      const query = event.queryStringParameters ?? {};
      return jsonResponse(
        200,
        await readBucketHealthEvents(
          decisionOf(context, deps),
          { bucketId, limit: query.limit, cursor: query.cursor },
          deps,
        ),
      );
    });
}
