import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { httpErrorHandler } from '../../functions/http/error-middleware.ts';
import { httpHandlerPluginOptions, TIMEOUT_EARLY_MS } from '../../functions/http/middy-options.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';

/** The shared middy options: a request about to hit the Lambda timeout gets our 503. */

describe('httpHandlerPluginOptions', () => {
  it('answers 503 with Retry-After before the Lambda timeout, and aborts the handler', async () => {
    let aborted = false;
    const handler = middy<APIGatewayProxyEventV2, unknown>(
      // A dependency that never answers: the handler only sees middy abort it.
      (_event: unknown, _context: unknown, { signal }: { signal: AbortSignal }) =>
        new Promise(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
      httpHandlerPluginOptions,
    ).use(httpErrorHandler(createLogger('middy-options-test', { logLevel: 'SILENT' })));
    // Exactly TIMEOUT_EARLY_MS left: the early response is due now.
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => TIMEOUT_EARLY_MS };
    const result = (await handler(
      httpApiEvent({
        method: 'GET',
        path: '/bucket/b-1/status',
        routeKey: 'GET /bucket/{bucketId}/status',
      }),
      context,
    )) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toBe('1');
    expect(JSON.parse(result.body)).toEqual({
      success: false,
      message: 'The request took too long; retry shortly',
    });
    expect(aborted).toBe(true);
  });
});
