import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { VerifiedToken, VerifyToken } from './token-verifier.ts';
import { invalidBearerToken } from './token-verifier.ts';

/** Tokens above this size are refused before any parsing (DESIGN.md section 2). */
export const MAX_TOKEN_BYTES = 8 * 1024;

export type AuthenticatedContext = Context & { principal?: VerifiedToken };

/**
 * The token of `Authorization: Bearer <token>`. An absent, empty, oversized or malformed header
 * throws the 401 of an invalid bearer token (`invalidBearerToken`).
 */
export function extractBearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '') {
    throw invalidBearerToken('A bearer token is required');
  }
  // Checked on the raw header, before any parsing work is spent on an oversized value. It also
  // bounds the token: at most the header less "Bearer ", so no second check is needed.
  if (authorization.length > MAX_TOKEN_BYTES + 'Bearer '.length) {
    throw invalidBearerToken('The bearer token is too long');
  }
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  if (match === null) throw invalidBearerToken('The Authorization header must be "Bearer <token>"');
  return match[1] as string;
}

/**
 * Verifies the bearer token inside the Lambda (no API Gateway authorizer) and puts the
 * verified principal on the context for the handler.
 */
export function bearerToken(
  verifyToken: VerifyToken,
): MiddlewareObj<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext> {
  return {
    before: async ({ event, context }) => {
      const token = extractBearerToken(event.headers?.authorization);
      context.principal = await verifyToken(token);
    },
  };
}
