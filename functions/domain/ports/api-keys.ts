import type { ApiKeyGrant } from '../access.ts';

/** An API key's lookup row as stored: the grant and when it ends (epoch ms). */
export interface StoredApiKey extends ApiKeyGrant {
  expiresAtMs: number;
}

/**
 * Port: the lookup row of a key hash (one consistent GetItem, no cache); undefined when there
 * is none. data/api-key-lookup.ts implements it.
 */
export type ResolveApiKey = (keyHash: string) => Promise<StoredApiKey | undefined>;
