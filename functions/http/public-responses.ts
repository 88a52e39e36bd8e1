import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** How long a cache (CloudFront, a browser) may keep a public answer (DESIGN.md section 17). */
export const PUBLIC_MAX_AGE_SECONDS = 30;
export const BADGE_MAX_AGE_SECONDS = 60;

interface Result {
  statusCode?: number;
  headers?: Record<string, string>;
}

/**
 * The public routes' response headers, on every answer (first in the chain, so it sees what the
 * error mapping and the conditional GET made): `Access-Control-Allow-Origin: *` (the token, not
 * the origin, is the credential; no cookies are involved), and for a 200 or 304
 * `Cache-Control: public, max-age=<maxAge>`. Errors keep `no-store`: a revoked token's 404 is
 * never cached, and neither is a 503.
 */
export function publicResponses(
  maxAgeSeconds: number,
): MiddlewareObj<APIGatewayProxyEventV2, unknown> {
  const apply = (response: unknown) => {
    const result = response as Result | undefined;
    if (typeof result !== 'object' || result === null) return;
    const headers: Record<string, string> = { ...result.headers };
    headers['access-control-allow-origin'] = '*';
    if (result.statusCode === 200 || result.statusCode === 304) {
      headers['cache-control'] = `public, max-age=${maxAgeSeconds}`;
    }
    result.headers = headers;
  };
  return {
    after: (request) => apply(request.response),
    onError: (request) => apply(request.response),
  };
}
