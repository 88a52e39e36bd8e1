// Lambda entry for GET /bucket/{bucketId}/status: wiring only, created once per cold start.
import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createBucketNodesReader } from '../data/bucket-nodes.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import {
  readDynamoEndpoint,
  readJwtConfig,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { createStatusHandler } from './status-handler.ts';

const env = process.env;
const tableName = requireTableName(env);
const client = createDynamoClient({ endpoint: readDynamoEndpoint(env) });

export const handler = createStatusHandler({
  verifyToken: createTokenVerifier(readJwtConfig(env)),
  loadUserAccess: createUserAccessReader(client, tableName),
  loadBucketWithNodes: createBucketNodesReader(client, tableName),
  staleAfterSeconds: readStaleAfterSeconds(env),
  logger: createLogger('bucket-status'),
});
