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
import { createShare, listShares, type ManageSharesDeps, revokeShare } from './manage-shares.ts';

export const SHARE_ROUTES = {
  create: 'POST /bucket/{bucketId}/shares',
  list: 'GET /bucket/{bucketId}/shares',
  delete: 'DELETE /bucket/{bucketId}/shares/{shareId}',
} as const;

/** A share body is a label (<= 256 code points) and a boolean: 4 KiB is plenty. */
export const MAX_SHARE_BODY_BYTES = 4 * 1024;

export interface SharesHandlerDeps extends ManageSharesDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

/**
 * One share route's middy chain: errors mapped in one place, ETag/304/gzip (the list's GET),
 * then the bearer token; the route gets the verified principal and the bucket id of its path.
 */
function shareRoute(
  deps: SharesHandlerDeps,
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
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const principal = context.principal;
      if (principal === undefined) throw new Error('bearer middleware did not run');
      return respond(event, principal, pathId(event, 'bucketId'));
    });
}

/** The body of POST shares: every field is optional, so no body at all is `{}`. */
function shareBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === '') return {};
  return jsonBody(event, MAX_SHARE_BODY_BYTES, 'The body must be valid JSON');
}

/** POST /bucket/{bucketId}/shares: 201 with the token (shown once) and the page's link. */
export function createCreateShareHandler(deps: SharesHandlerDeps) {
  return shareRoute(deps, async (event, principal, bucketId) =>
    jsonResponse(201, await createShare(principal, bucketId, shareBody(event), deps)),
  );
}

/** GET /bucket/{bucketId}/shares: the bucket's shares, never their tokens. */
export function createListSharesHandler(deps: SharesHandlerDeps) {
  return shareRoute(deps, async (_event, principal, bucketId) =>
    jsonResponse(200, await listShares(principal, bucketId, deps)),
  );
}

/** DELETE /bucket/{bucketId}/shares/{shareId}: 204; the token is refused from then on. */
export function createDeleteShareHandler(deps: SharesHandlerDeps) {
  return shareRoute(deps, async (event, principal, bucketId) => {
    await revokeShare(principal, bucketId, pathId(event, 'shareId'), deps);
    return emptyResponse(204);
  });
}

/** The share routes on one set of deps, each on its own handler. */
export function createShareRoutes(deps: SharesHandlerDeps) {
  return {
    [SHARE_ROUTES.create]: createCreateShareHandler(deps),
    [SHARE_ROUTES.list]: createListSharesHandler(deps),
    [SHARE_ROUTES.delete]: createDeleteShareHandler(deps),
  };
}
