import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuthenticatedContext, bearerToken } from '../auth/bearer-token-middleware.ts';
import type { VerifyToken } from '../auth/token-verifier.ts';
import { conditionalGetResponses } from '../http/conditional-get-middleware.ts';
import { httpErrorHandler } from '../http/error-middleware.ts';
import { jsonBody } from '../http/json-body.ts';
import { httpHandlerPluginOptions } from '../http/middy-options.ts';
import { pathId } from '../http/path-params.ts';
import { emptyResponse, jsonResponse } from '../http/response.ts';
import type { Logger } from '../shared/logger.ts';
import {
  createApiKey,
  deleteApiKey,
  listApiKeys,
  type ManageApiKeysDeps,
} from './manage-api-keys.ts';

export const API_KEY_ROUTES = {
  create: 'POST /workspace/{workspaceId}/api-keys',
  list: 'GET /workspace/{workspaceId}/api-keys',
  delete: 'DELETE /workspace/{workspaceId}/api-keys/{keyId}',
} as const;

/** A description (<= 256 code points, each at most 12 bytes escaped) and a number: 8 KiB. */
export const MAX_API_KEY_BODY_BYTES = 8 * 1024;

export interface ApiKeysHandlerDeps extends ManageApiKeysDeps {
  /** The management function's bearer check: a valid API key is a 403 here. */
  verifyToken: VerifyToken;
  logger: Logger;
}

/** One API key route's middy chain: errors, ETag/304 (the list's GET), the bearer token. */
function apiKeyRoute(
  deps: ApiKeysHandlerDeps,
  respond: (
    event: APIGatewayProxyEventV2,
    principal: NonNullable<AuthenticatedContext['principal']>,
    workspaceId: string,
  ) => Promise<unknown>,
) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const principal = context.principal;
      if (principal === undefined) throw new Error('bearer middleware did not run');
      return respond(event, principal, pathId(event, 'workspaceId'));
    });
}

/** The management function's API key routes, each on its own handler. */
export function createApiKeyRoutes(deps: ApiKeysHandlerDeps) {
  return {
    /** 201 with the key (shown once). */
    [API_KEY_ROUTES.create]: apiKeyRoute(deps, async (event, principal, workspaceId) =>
      jsonResponse(
        201,
        await createApiKey(
          principal,
          workspaceId,
          jsonBody(event, MAX_API_KEY_BODY_BYTES, 'The body must be valid JSON'),
          deps,
        ),
      ),
    ),
    /** The workspace's keys, never a key or its hash. */
    [API_KEY_ROUTES.list]: apiKeyRoute(deps, async (_event, principal, workspaceId) =>
      jsonResponse(200, await listApiKeys(principal, workspaceId, deps)),
    ),
    /** 204; the key is refused from the next request on. */
    [API_KEY_ROUTES.delete]: apiKeyRoute(deps, async (event, principal, workspaceId) => {
      await deleteApiKey(principal, workspaceId, pathId(event, 'keyId'), deps);
      return emptyResponse(204);
    }),
  };
}
