// Lambda entry for the webhook routes (POST/GET/DELETE /workspace/{workspaceId}/webhooks...).
// The stack never sets WEBHOOK_ALLOW_LOOPBACK: deployed, only public https targets are accepted.
import {
  readDynamoEndpoint,
  readJwtConfig,
  readWebhookAllowLoopback,
  requireTableName,
} from '../shared/config.ts';
import { createDynamoClient } from '../shared/dynamo-client.ts';
import { createLogger } from '../shared/logger.ts';
import { wireWebhooksHandler } from './wiring.ts';

const env = process.env;

export const handler = wireWebhooksHandler({
  client: createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
  tableName: requireTableName(env),
  jwt: readJwtConfig(env),
  allowLoopback: readWebhookAllowLoopback(env),
  logger: createLogger('bucket-status'),
});
