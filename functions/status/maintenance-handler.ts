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
import { type ReadMaintenanceDeps, readMaintenance } from './read-maintenance.ts';

export interface MaintenanceHandlerDeps extends ReadMaintenanceDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

/** GET /bucket/{bucketId}/maintenance: the status route's chain (token, errors, ETag). */
export function createMaintenanceListHandler(deps: MaintenanceHandlerDeps) {
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
      return jsonResponse(200, await readMaintenance(principal, bucketId, deps));
    });
}
