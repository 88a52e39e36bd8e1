import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotFound, Unavailable, ValidationError } from '../../functions/domain/errors.ts';
import { strongEtag } from '../../functions/http/conditional-get.ts';
import { conditionalGetResponses } from '../../functions/http/conditional-get-middleware.ts';
import { httpErrorHandler } from '../../functions/http/error-middleware.ts';
import { jsonResponse } from '../../functions/http/response.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';

/**
 * The first middleware of every HTTP chain (functions/http/error-middleware.ts): what the
 * client gets for an error and what operators get in the logs; and a GET route's chain, with
 * conditionalGetResponses after it, tagging its 200s on the way out. A real logger (functions/shared/logger.ts);
 * its JSON lines are read from stdout and stderr.
 */

afterEach(() => vi.restoreAllMocks());

/** Every log line written while `run` runs, parsed. */
async function logsOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n'));
      return true;
    });
  }
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

const logger = () => createLogger('error-middleware-test', { logLevel: 'INFO' });
const getEvent = (headers: Record<string, string> = {}) =>
  httpApiEvent({ method: 'GET', path: '/thing/t-1', routeKey: 'GET /thing/{id}', headers });

function handlerThrowing(error: unknown, log = logger()) {
  return middy<APIGatewayProxyEventV2, unknown>(async () => {
    throw error;
  }).use(httpErrorHandler(log));
}

interface Result {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

describe('httpErrorHandler', () => {
  it('logs a 5xx as an error with its cause, tagged with the request; the client sees none of it', async () => {
    const event = getEvent();
    const context = lambdaContext();
    const cause = new Error('ECONNRESET 10.0.0.7:8000');
    let result: Result | undefined;
    const logs = await logsOf(async () => {
      result = (await handlerThrowing(new Unavailable('Try again', 2, { cause }))(
        event,
        context,
      )) as Result;
    });
    expect(result?.statusCode).toBe(503);
    expect(result?.headers['retry-after']).toBe('2');
    expect(JSON.parse(result?.body ?? '')).toEqual({ success: false, message: 'Try again' });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'ERROR',
      message: 'request failed',
      statusCode: 503,
      cause: { name: 'Error', message: 'ECONNRESET 10.0.0.7:8000' },
      apiRequestId: event.requestContext.requestId,
      route: 'GET /thing/{id}',
      function_request_id: context.awsRequestId,
    });
    expect(logs[0]?.error).toMatchObject({ name: 'Unavailable', message: 'Try again' });
  });

  it('an unexpected error is a generic 500, logged as an error', async () => {
    let result: Result | undefined;
    const logs = await logsOf(async () => {
      result = (await handlerThrowing(new Error('table pk=USER#x is corrupt'))(
        getEvent(),
        lambdaContext(),
      )) as Result;
    });
    expect(result?.statusCode).toBe(500);
    expect(result?.body).not.toContain('corrupt');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'ERROR', message: 'request failed', statusCode: 500 });
    expect(logs[0]?.error).toMatchObject({ message: 'table pk=USER#x is corrupt' });
    expect(logs[0]?.cause).toBeUndefined();
  });

  it('logs a 4xx as info with its reason only', async () => {
    let result: Result | undefined;
    const logs = await logsOf(async () => {
      result = (await handlerThrowing(new ValidationError('bucketId must be short'))(
        getEvent(),
        lambdaContext(),
      )) as Result;
    });
    expect(result?.statusCode).toBe(400);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'INFO',
      message: 'request rejected',
      statusCode: 400,
      reason: 'bucketId must be short',
      route: 'GET /thing/{id}',
    });
    expect(logs[0]?.error).toBeUndefined();
  });

  it("does not carry one request's ids into the logs of the next", async () => {
    const log = logger();
    const first = getEvent();
    const logs = await logsOf(async () => {
      await handlerThrowing(new NotFound('no such thing'), log)(first, lambdaContext());
      const bare = { rawPath: '/' } as unknown as APIGatewayProxyEventV2;
      await handlerThrowing(new NotFound('no such thing'), log)(bare, lambdaContext());
    });
    expect(logs).toHaveLength(2);
    expect(logs[0]?.apiRequestId).toBe(first.requestContext.requestId);
    expect(logs[1]?.apiRequestId).toBeUndefined();
    expect(logs[1]?.route).toBeUndefined();
  });

  it('answers an event without a request context (a direct invocation)', async () => {
    const bare = {} as unknown as APIGatewayProxyEventV2;
    const result = (await handlerThrowing(new ValidationError('bad'))(
      bare,
      lambdaContext(),
    )) as Result;
    expect(result.statusCode).toBe(400);
  });

  it("a GET route's chain tags its 200 on the way out: ETag, and 304 to a matching If-None-Match", async () => {
    const handler = middy<APIGatewayProxyEventV2, unknown>(async () =>
      jsonResponse(200, { ok: true }),
    )
      .use(httpErrorHandler(logger()))
      .use(conditionalGetResponses());
    const sent = (await handler(getEvent(), lambdaContext())) as Result;
    expect(sent.statusCode).toBe(200);
    expect(sent.headers.etag).toBe(strongEtag(sent.body));
    const again = (await handler(
      getEvent({ 'if-none-match': sent.headers.etag ?? '' }),
      lambdaContext(),
    )) as Result;
    expect(again.statusCode).toBe(304);
  });
});
