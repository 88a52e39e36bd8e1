import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import { createWebhookStore } from '../data/webhooks.ts';
import type { ResolveHost } from '../domain/webhook-url.ts';
import type { JwtConfig } from '../shared/config.ts';
import { systemResolve } from '../shared/system-resolve.ts';
import { createWebhooksHandler } from './webhooks-handler.ts';

export interface WebhooksWiring {
  client: DynamoDBClient;
  tableName: string;
  jwt: JwtConfig;
  /** WEBHOOK_ALLOW_LOOPBACK: the local runtime only; the stack never sets it. */
  allowLoopback: boolean;
  logger: Logger;
  resolveHost?: ResolveHost;
}

/** The webhook routes on their real adapters: Lambda entry, local runtime and tests. */
export const wireWebhooksHandler = ({
  client,
  tableName,
  jwt,
  allowLoopback,
  logger,
  resolveHost,
}: WebhooksWiring) =>
  createWebhooksHandler({
    verifyToken: createTokenVerifier(jwt),
    loadUserAccess: createUserAccessReader(client, tableName),
    store: createWebhookStore(client, tableName),
    urlPolicy: { allowLoopback },
    resolveHost: resolveHost ?? systemResolve,
    logger,
  });
