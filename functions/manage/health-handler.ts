import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuthenticatedContext, bearerToken } from '../auth/bearer-token-middleware.ts';
import type { VerifyToken } from '../auth/token-verifier.ts';
import { httpErrorHandler } from '../http/error-middleware.ts';
import { jsonBody } from '../http/json-body.ts';
import { httpHandlerPluginOptions } from '../http/middy-options.ts';
import { pathId } from '../http/path-params.ts';
import { emptyResponse, jsonResponse } from '../http/response.ts';
import type { Logger } from '../shared/logger.ts';
import {
  createMaintenanceWindow,
  deleteMaintenanceWindow,
  type ManageHealthDeps,
  putHealthPolicy,
} from './manage-health.ts';

export const HEALTH_MANAGEMENT_ROUTES = {
  createWindow: 'POST /bucket/{bucketId}/maintenance',
  deleteWindow: 'DELETE /bucket/{bucketId}/maintenance/{windowId}',
  putPolicy: 'PUT /bucket/{bucketId}/health/policy',
} as const;

/** A window is two instants and a reason (<= 256 characters); a policy one number: 4 KiB. */
export const MAX_HEALTH_BODY_BYTES = 4 * 1024;

export interface HealthManagementHandlerDeps extends ManageHealthDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

/**
 * One route's middy chain: errors mapped in one place, then the bearer token; the route gets
 * the verified principal and the bucket id of its path. No ETag: these routes change state.
 */
function bucketRoute(
  deps: HealthManagementHandlerDeps,
  respond: (
    event: APIGatewayProxyEventV2,
    principal: NonNullable<AuthenticatedContext['principal']>,
    bucketId: string,
  ) => Promise<unknown>,
) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const principal = context.principal;
      if (principal === undefined) throw new Error('bearer middleware did not run');
      return respond(event, principal, pathId(event, 'bucketId'));
    });
}

const body = (event: APIGatewayProxyEventV2) =>
  jsonBody(event, MAX_HEALTH_BODY_BYTES, 'The body must be valid JSON');

/** The bucket health settings' routes of the webhooks (management) function. */
export function createHealthManagementRoutes(deps: HealthManagementHandlerDeps) {
  return {
    [HEALTH_MANAGEMENT_ROUTES.createWindow]: bucketRoute(deps, async (event, principal, bucketId) =>
      jsonResponse(201, await createMaintenanceWindow(principal, bucketId, body(event), deps)),
    ),
    [HEALTH_MANAGEMENT_ROUTES.deleteWindow]: bucketRoute(
      deps,
      async (event, principal, bucketId) => {
        const windowId = pathId(event, 'windowId');
        await deleteMaintenanceWindow(principal, bucketId, windowId, deps);
        return emptyResponse(204);
      },
    ),
    [HEALTH_MANAGEMENT_ROUTES.putPolicy]: bucketRoute(deps, async (event, principal, bucketId) =>
      jsonResponse(200, await putHealthPolicy(principal, bucketId, body(event), deps)),
    ),
  };
}
