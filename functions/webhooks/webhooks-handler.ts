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
  createWebhook,
  deleteWebhook,
  listWebhooks,
  type ManageWebhooksDeps,
  updateWebhook,
} from './manage-webhooks.ts';

export const WEBHOOK_ROUTES = {
  create: 'POST /workspace/{workspaceId}/webhooks',
  list: 'GET /workspace/{workspaceId}/webhooks',
  update: 'PATCH /workspace/{workspaceId}/webhooks/{webhookId}',
  delete: 'DELETE /workspace/{workspaceId}/webhooks/{webhookId}',
} as const;

/** A webhook body is a URL (<= 2 KiB) and a description (<= 256 chars): 8 KiB is plenty. */
export const MAX_WEBHOOK_BODY_BYTES = 8 * 1024;

export interface WebhooksHandlerDeps extends ManageWebhooksDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

/**
 * One webhook route's middy chain: errors mapped in one place, ETag/304/gzip (the list's GET),
 * then the bearer token; the route gets the verified principal and the workspace id of its path.
 */
function webhookRoute(
  deps: WebhooksHandlerDeps,
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

/** POST /workspace/{workspaceId}/webhooks: parse, create, 201 with the secret (shown once). */
export function createCreateWebhookHandler(deps: WebhooksHandlerDeps) {
  return webhookRoute(deps, async (event, principal, workspaceId) =>
    jsonResponse(
      201,
      await createWebhook(
        principal,
        workspaceId,
        jsonBody(event, MAX_WEBHOOK_BODY_BYTES, 'The body must be valid JSON'),
        deps,
      ),
    ),
  );
}

/** GET /workspace/{workspaceId}/webhooks: the workspace's webhooks, never their secrets. */
export function createListWebhooksHandler(deps: WebhooksHandlerDeps) {
  return webhookRoute(deps, async (_event, principal, workspaceId) =>
    jsonResponse(200, await listWebhooks(principal, workspaceId, deps)),
  );
}

/** PATCH /workspace/{workspaceId}/webhooks/{webhookId}: 200 with the webhook, no secret. */
export function createUpdateWebhookHandler(deps: WebhooksHandlerDeps) {
  return webhookRoute(deps, async (event, principal, workspaceId) => {
    const webhookId = pathId(event, 'webhookId');
    return jsonResponse(
      200,
      await updateWebhook(
        principal,
        workspaceId,
        webhookId,
        jsonBody(event, MAX_WEBHOOK_BODY_BYTES, 'The body must be valid JSON'),
        deps,
      ),
    );
  });
}

/** DELETE /workspace/{workspaceId}/webhooks/{webhookId}: 204. */
export function createDeleteWebhookHandler(deps: WebhooksHandlerDeps) {
  return webhookRoute(deps, async (event, principal, workspaceId) => {
    const webhookId = pathId(event, 'webhookId');
    await deleteWebhook(principal, workspaceId, webhookId, deps);
    return emptyResponse(204);
  });
}

/** The webhooks function's routes on one set of deps, each on its own handler. */
export function createWebhookRoutes(deps: WebhooksHandlerDeps) {
  return {
    [WEBHOOK_ROUTES.create]: createCreateWebhookHandler(deps),
    [WEBHOOK_ROUTES.list]: createListWebhooksHandler(deps),
    [WEBHOOK_ROUTES.update]: createUpdateWebhookHandler(deps),
    [WEBHOOK_ROUTES.delete]: createDeleteWebhookHandler(deps),
  };
}
