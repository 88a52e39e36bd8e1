// Lambda entry for GET /bucket/{bucketId}/status: configuration and clients, once per cold start.
import {
  readDynamoEndpoint,
  readJwtConfig,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { wireStatusHandler } from './wiring.ts';

const env = process.env;

export const handler = wireStatusHandler({
  client: createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
  tableName: requireTableName(env),
  jwt: readJwtConfig(env),
  staleAfterSeconds: readStaleAfterSeconds(env),
  logger: createLogger('bucket-status'),
});

// JWT_SECRET_ARN: the secret is fetched during init; one that cannot work fails the cold start.
await handler.ready;
