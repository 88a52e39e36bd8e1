import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import { createTokenVerifier } from '../../functions/auth/token-verifier.ts';
import { createBucketNodesReader } from '../../functions/data/bucket-nodes.ts';
import { createUserAccessReader } from '../../functions/data/user-access.ts';
import type { JwtConfig } from '../../functions/shared/config.ts';
import type { HttpResult } from '../../functions/shared/http-response.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { createStatusHandler } from '../../functions/status/status-handler.ts';
import { lambdaContext, statusEvent } from './events.ts';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';

/** The status handler wired as functions/status/handler.ts wires it, on a test table. */
export function buildStatusHandler(
  client: DynamoDBClient,
  tableName: string,
  options: { jwt?: JwtConfig; now?: () => number; staleAfterSeconds?: number } = {},
) {
  const handler = createStatusHandler({
    verifyToken: createTokenVerifier(
      options.jwt ?? { source: { kind: 'secret', secret: TEST_SECRET } },
    ),
    loadUserAccess: createUserAccessReader(client, tableName),
    loadBucketWithNodes: createBucketNodesReader(client, tableName),
    staleAfterSeconds: options.staleAfterSeconds ?? 90,
    logger: createLogger('bucket-status-test'),
    ...(options.now && { now: options.now }),
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
