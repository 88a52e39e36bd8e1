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
import { type ReadBucketStatusDeps, readBucketStatus } from '../reads/read-bucket-status.ts';
import type { Logger } from '../shared/logger.ts';

export interface StatusHandlerDeps extends ReadBucketStatusDeps {
  loadUserAccess: LoadUserAccess;
  verifyToken: VerifyToken;
  logger: Logger;
}

/** GET /bucket/{bucketId}/status: parse, call, respond; errors are mapped in one place. */
export function createStatusHandler(deps: StatusHandlerDeps) {
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
      const decide = userBucketRead(principal, deps.loadUserAccess);
      return jsonResponse(200, await readBucketStatus(decide, bucketId, deps));
    });
}
