import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  Conflict,
  type Credential,
  DomainError,
  Forbidden,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  Unauthenticated,
  Unavailable,
  ValidationError,
} from '../domain/errors.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/** DESIGN.md section 7: on every API response, success or error, Lambda and local alike. */
export const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
} as const;

const BASE_HEADERS = { 'content-type': 'application/json', ...SECURITY_HEADERS } as const;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** A 200 of a text body in the given media type (the Prometheus text of GET metrics). */
export function textResponse(body: string, contentType: string): HttpResult {
  return { statusCode: 200, headers: { 'content-type': contentType, ...SECURITY_HEADERS }, body };
}

/** A response without a body (204), with the same security headers. */
export function emptyResponse(statusCode: number): HttpResult {
  return { statusCode, headers: { ...SECURITY_HEADERS }, body: '' };
}

/** RFC 7235: every 401 carries a challenge for the credential that failed. */
const CHALLENGES: Record<Credential, string> = {
  // RFC 6750
  'bearer-token': 'Bearer error="invalid_token"',
  'node-signature': 'NodeSignature realm="bucket-status"',
};

/** The one mapping from domain errors to HTTP status codes and headers. */
export function httpStatusOf(error: DomainError): {
  statusCode: number;
  headers: Record<string, string>;
} {
  if (error instanceof ValidationError) return { statusCode: 400, headers: {} };
  if (error instanceof Unauthenticated) {
    return { statusCode: 401, headers: { 'www-authenticate': CHALLENGES[error.credential] } };
  }
  if (error instanceof Forbidden) return { statusCode: 403, headers: {} };
  if (error instanceof NotFound) return { statusCode: 404, headers: {} };
  if (error instanceof Conflict) return { statusCode: 409, headers: {} };
  if (error instanceof PayloadTooLarge) return { statusCode: 413, headers: {} };
  if (error instanceof RateLimited) {
    return { statusCode: 429, headers: { 'retry-after': String(error.retryAfterSeconds) } };
  }
  if (error instanceof Unavailable) {
    return { statusCode: 503, headers: { 'retry-after': String(error.retryAfterSeconds) } };
  }
  return { statusCode: 500, headers: {} };
}

/**
 * The one mapping from errors to HTTP responses. Only domain error messages reach a client;
 * anything else becomes a generic 500 so no stack trace or internal detail leaks.
 */
export function errorResponse(error: unknown): HttpResult {
  if (error instanceof DomainError) {
    const { statusCode, headers } = httpStatusOf(error);
    if (statusCode !== 500) {
      return jsonResponse(
        statusCode,
        { success: false, message: error.message, ...error.details },
        headers,
      );
    }
  }
  return jsonResponse(500, { success: false, message: 'Internal server error' });
}
