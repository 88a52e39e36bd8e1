import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  conditionalGet,
  type GetResponse,
  LAMBDA_RESPONSE_LIMIT_BYTES,
} from './conditional-get.ts';

/**
 * Where GET responses get their ETag, 304 and gzip (DESIGN.md section 7): in the chain of every
 * handler that serves a GET route, right after httpErrorHandler, so its `after` runs last. It
 * acts on the 200 of a GET and leaves everything else alone (errors never reach it: middy skips
 * `after` once a request failed). A body that would not fit Lambda's 6 MB response limit becomes
 * a clear error here instead of a Lambda failure (a bare 502 from API Gateway): 406 when gzip
 * would fit it (the client should send Accept-Encoding: gzip), 500 otherwise.
 */
export function conditionalGetResponses(
  limitBytes = LAMBDA_RESPONSE_LIMIT_BYTES,
): MiddlewareObj<APIGatewayProxyEventV2, unknown> {
  return {
    after: (request) => {
      const method = request.event.requestContext?.http?.method;
      const response = request.response as Partial<GetResponse> | undefined;
      if (method !== 'GET' || !isTextResult(response)) return;
      const outcome = conditionalGet(request.event, response, limitBytes);
      if (outcome.kind === 'response') {
        request.response = outcome.response;
        return;
      }
      const { etag: _e, vary: _v, ...headers } = response.headers;
      const mb = (limitBytes / 1024 / 1024).toFixed(0);
      const message = outcome.fitsWithGzip
        ? `The response is ${outcome.rawBytes} bytes, over the API's ${mb} MB response limit; request it with Accept-Encoding: gzip`
        : `The response is ${outcome.rawBytes} bytes, over the API's ${mb} MB response limit even compressed`;
      request.response = {
        statusCode: outcome.fitsWithGzip ? 406 : 500,
        headers: { ...headers, 'content-type': 'application/json', vary: 'accept-encoding' },
        body: JSON.stringify({ success: false, message }),
      };
    },
  };
}

/** A result with a text body and headers; conditionalGet leaves any status but 200 alone. */
function isTextResult(response: Partial<GetResponse> | undefined): response is GetResponse {
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof response.body === 'string' &&
    typeof response.headers === 'object' &&
    response.headers !== null
  );
}
