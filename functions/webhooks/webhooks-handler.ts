import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuthenticatedContext, bearerToken } from '../auth/bearer-token-middleware.ts';
import type { VerifyToken } from '../auth/token-verifier.ts';
import { NotFound, PayloadTooLarge, ValidationError } from '../domain/errors.ts';
import { httpErrorHandler } from '../http/error-middleware.ts';
import { httpHandlerPluginOptions } from '../http/middy-options.ts';
import { pathId } from '../http/path-params.ts';
import { emptyResponse, jsonResponse } from '../http/response.ts';
import {
  createWebhook,
  deleteWebhook,
  listWebhooks,
  type ManageWebhooksDeps,
} from './manage-webhooks.ts';

export const WEBHOOK_ROUTES = {
  create: 'POST /workspace/{workspaceId}/webhooks',
  list: 'GET /workspace/{workspaceId}/webhooks',
  delete: 'DELETE /workspace/{workspaceId}/webhooks/{webhookId}',
} as const;

/** A webhook body is a URL (<= 2 KiB) and a description (<= 256 chars): 8 KiB is plenty. */
export const MAX_WEBHOOK_BODY_BYTES = 8 * 1024;

export interface WebhooksHandlerDeps extends ManageWebhooksDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length > MAX_WEBHOOK_BODY_BYTES) {
    throw new PayloadTooLarge(`The body must be at most ${MAX_WEBHOOK_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('The body must be valid JSON');
  }
}

/**
 * The three webhook routes in one function (they share the token check and the workspace
 * read): parse, call, respond; errors are mapped in one place.
 */
export function createWebhooksHandler(deps: WebhooksHandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const principal = context.principal;
      if (principal === undefined) throw new Error('bearer middleware did not run');
      const workspaceId = pathId(event, 'workspaceId');
      switch (event.routeKey) {
        case WEBHOOK_ROUTES.list:
          return jsonResponse(200, await listWebhooks(principal, workspaceId, deps));
        case WEBHOOK_ROUTES.create:
          return jsonResponse(
            201,
            await createWebhook(principal, workspaceId, jsonBody(event), deps),
          );
        case WEBHOOK_ROUTES.delete: {
          const webhookId = pathId(event, 'webhookId');
          await deleteWebhook(principal, workspaceId, webhookId, deps);
          return emptyResponse(204);
        }
        default:
          throw new NotFound('No such route');
      }
    });
}
