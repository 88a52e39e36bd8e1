import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError } from './errors.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

const BASE_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** Body fields an error may add next to success/message (e.g. ingestion's per-bucket outcome). */
export class ApiErrorWithDetails extends ApiError {
  readonly details: Record<string, unknown>;
  constructor(error: ApiError, details: Record<string, unknown>) {
    super(error.statusCode, error.message, { ...error.headers });
    this.details = details;
  }
}

/**
 * The one mapping from errors to HTTP responses. Only ApiError messages reach a client;
 * anything else becomes a generic 500 so no stack trace or internal detail leaks.
 */
export function errorResponse(error: unknown): HttpResult {
  if (error instanceof ApiError) {
    const details = error instanceof ApiErrorWithDetails ? error.details : {};
    return jsonResponse(
      error.statusCode,
      { success: false, message: error.message, ...details },
      { ...error.headers },
    );
  }
  return jsonResponse(500, { success: false, message: 'Internal server error' });
}
