import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createApiKeyResolver } from '../data/api-key-lookup.ts';
import type { JwtConfig } from '../shared/config.ts';
import { acceptingApiKeys, refusingApiKeys } from './api-keys.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

export interface BearerCheckOptions {
  /**
   * `accept`: a `bsk_` value is a workspace API key, READ on exactly its workspace (the read
   * functions); `refuse`: a valid key is a 403 (the functions that change something).
   */
  apiKeys: 'accept' | 'refuse';
  /** The server clock, epoch ms (an API key's expiry). */
  now?: () => number;
}

/**
 * The bearer check of an HTTP function's routes, on its real adapters: the JWT verifier of
 * `jwt`, and API keys looked up in the table (one consistent GetItem).
 */
export function createBearerCheck(
  client: DynamoDBClient,
  tableName: string,
  jwt: JwtConfig,
  { apiKeys, now }: BearerCheckOptions,
): TokenVerifier {
  const wrap = apiKeys === 'accept' ? acceptingApiKeys : refusingApiKeys;
  return wrap(createTokenVerifier(jwt), {
    resolve: createApiKeyResolver(client, tableName),
    ...(now && { now }),
  });
}
