// Lambda entry of the status function (functions/route-table.ts): settings and clients, once
// per cold start; the routes' handlers come from the function's wiring.
import {
  readDynamoEndpoint,
  readJwtConfig,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { dispatchByRoute } from '../shared/wiring.ts';
import { wire } from './wiring.ts';

const env = process.env;

export const handler = dispatchByRoute(
  wire({
    client: createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
    settings: {
      tableName: requireTableName(env),
      jwt: readJwtConfig(env),
      staleAfterSeconds: readStaleAfterSeconds(env),
    },
    logger: createLogger('bucket-status'),
  }),
);
