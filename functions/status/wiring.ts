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

/** The status handler on its real adapters: used by the Lambda entry and the local runtime. */
export const wireStatusHandler = ({
  client,
  tableName,
  jwt,
  staleAfterSeconds,
  logger,
}: StatusWiring) =>
  createStatusHandler({
    verifyToken: createTokenVerifier(jwt),
    loadUserAccess: createUserAccessReader(client, tableName),
    loadBucketWithNodes: createBucketNodesReader(client, tableName),
    staleAfterSeconds,
    logger,
  });
