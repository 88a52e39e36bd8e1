import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuthenticatedContext, bearerToken } from '../auth/bearer-token-middleware.ts';
import type { VerifyToken } from '../auth/token-verifier.ts';
import { conditionalGetResponses } from '../http/conditional-get-middleware.ts';
import { httpErrorHandler } from '../http/error-middleware.ts';
import { httpHandlerPluginOptions } from '../http/middy-options.ts';
import { pathId } from '../http/path-params.ts';
import { jsonResponse } from '../http/response.ts';
import type { Logger } from '../shared/logger.ts';
import { type ReadBucketEventsDeps, readBucketEvents } from './read-bucket-events.ts';

export interface EventsHandlerDeps extends ReadBucketEventsDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

/** GET /bucket/{bucketId}/events: the status route's chain (token, errors, ETag); parse, call, respond. */
export function createEventsHandler(deps: EventsHandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const bucketId = pathId(event, 'bucketId');
      const principal = context.principal;
      if (principal === undefined) throw new Error('bearer middleware did not run');
      const query = event.queryStringParameters ?? {};
      const result = await readBucketEvents(
        principal,
        { bucketId, limit: query.limit, cursor: query.cursor },
        deps,
      );
      return jsonResponse(200, result);
    });
}
