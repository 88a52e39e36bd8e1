import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { DomainError } from '../domain/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { errorResponse, type HttpResult } from './response.ts';

/**
 * First middleware of every chain: tags logs with the request ids, and turns any error into
 * the contract's `{ success: false, message }` response (functions/http/response.ts). 4xx are
 * logged as info without request material; 5xx with the error for operators (the client sees
 * none of it).
 */
export function httpErrorHandler(
  logger: Logger,
): MiddlewareObj<APIGatewayProxyEventV2, HttpResult, Error, Context> {
  return {
    before: ({ event, context }) => {
      logger.resetKeys();
      logger.addContext(context);
      logger.appendKeys({
        apiRequestId: event.requestContext?.requestId,
        route: event.routeKey,
      });
    },
    onError: (request) => {
      const error = request.error;
      const response = errorResponse(error);
      if (response.statusCode >= 500) {
        logger.error('request failed', {
          statusCode: response.statusCode,
          error: error instanceof Error ? error : String(error),
          cause: error instanceof DomainError ? describeCause(error.cause) : undefined,
        });
      } else {
        logger.info('request rejected', {
          statusCode: response.statusCode,
          reason: error instanceof Error ? error.message : undefined,
        });
      }
      request.response = response;
    },
  };
}

function describeCause(cause: unknown) {
  return cause instanceof Error ? { name: cause.name, message: cause.message } : undefined;
}
