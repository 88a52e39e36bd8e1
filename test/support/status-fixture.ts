import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import type { HttpResult } from '../../functions/http/response.ts';
import type { JwtConfig } from '../../functions/shared/config.ts';
import { lambdaContext, statusEvent } from './events.ts';
import { statusHandlerFor, testSettings } from './wiring.ts';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

/** The status handler through the production wiring (functions/status/wiring.ts), on a test table. */
export function buildStatusHandler(
  client: DynamoDBClient,
  tableName: string,
  options: { jwt?: JwtConfig; now?: () => number; staleAfterSeconds?: number } = {},
) {
  const handler = statusHandlerFor({
    client,
    settings: testSettings(tableName, TEST_SECRET, {
      ...(options.jwt && { jwt: options.jwt }),
      ...(options.staleAfterSeconds !== undefined && {
        staleAfterSeconds: options.staleAfterSeconds,
      }),
    }),
    ...(options.now && { overrides: { now: options.now } }),
  });
  return async (bucketId: string, headers: Record<string, string> = {}) => {
    const result = (await handler(statusEvent(bucketId, headers), lambdaContext())) as HttpResult;
    return { ...result, json: JSON.parse(result.body) as Record<string, unknown> };
  };
}

export async function hs256Token(
  sub: string,
  options: {
    secret?: string;
    iat?: number;
    expiresIn?: string | number;
    claims?: Record<string, unknown>;
  } = {},
) {
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(options.iat)
    .setExpirationTime(options.expiresIn ?? '1h');
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
