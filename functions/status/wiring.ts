import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createBucketNodesReader } from '../data/bucket-nodes.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import type { JwtConfig } from '../shared/config.ts';
import { createStatusHandler } from './status-handler.ts';

export interface StatusWiring {
  client: DynamoDBClient;
  tableName: string;
  jwt: JwtConfig;
  staleAfterSeconds: number;
  logger: Logger;
}

/**
 * The status handler on its real adapters: used by the Lambda entry and the local runtime.
 * `ready` is the token verifier's: the Lambda entry awaits it so that unusable key material
 * (a JWT_SECRET_ARN secret that is too short or binary) fails the cold start.
 */
export const wireStatusHandler = ({
  client,
  tableName,
  jwt,
  staleAfterSeconds,
  logger,
}: StatusWiring) => {
  const verifyToken = createTokenVerifier(jwt);
  const handler = createStatusHandler({
    verifyToken,
    loadUserAccess: createUserAccessReader(client, tableName),
    loadBucketWithNodes: createBucketNodesReader(client, tableName),
    staleAfterSeconds,
    logger,
  });
  return Object.assign(handler, { ready: verifyToken.ready });
};
