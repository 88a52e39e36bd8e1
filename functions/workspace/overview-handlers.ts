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
import {
  type ReadMeDeps,
  type ReadWorkspaceBucketsDeps,
  readMe,
  readWorkspaceBuckets,
} from './read-overview.ts';

interface HandlerDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

function principalOf(context: AuthenticatedContext) {
  if (context.principal === undefined) throw new Error('bearer middleware did not run');
  return context.principal;
}

/** GET /me: the status route's chain (token, errors, ETag). */
export function createMeHandler(deps: ReadMeDeps & HandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (_event, context) =>
      jsonResponse(200, await readMe(principalOf(context), deps)),
    );
}

/** GET /workspace/{workspaceId}/buckets?limit&cursor. */
export function createWorkspaceBucketsHandler(deps: ReadWorkspaceBucketsDeps & HandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const workspaceId = pathId(event, 'workspaceId');
      const query = event.queryStringParameters ?? {};
      return jsonResponse(
        200,
        await readWorkspaceBuckets(
          principalOf(context),
          { workspaceId, limit: query.limit, cursor: query.cursor },
          deps,
        ),
      );
    });
}
