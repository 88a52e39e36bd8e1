import { randomBytes } from 'node:crypto';
import { API_KEY_PREFIX, apiKeyHash } from '../auth/api-keys.ts';
import type { VerifiedToken } from '../auth/token-verifier.ts';
import type { ApiKeyStore, ApiKeySummary } from '../data/api-keys.ts';
import { MAX_API_KEYS_PER_WORKSPACE } from '../data/api-keys.ts';
import { isTokenRevoked, type UserAccess } from '../domain/access.ts';
import { parseNewApiKey } from '../domain/api-key-request.ts';
import {
  Conflict,
  Forbidden,
  NotFound,
  Unauthenticated,
  ValidationError,
} from '../domain/errors.ts';
import { mayManageWebhooks } from '../domain/webhook-access.ts';
import type { ApiKey, ApiKeyList, CreatedApiKey } from '../wire/api-keys.ts';

/** The use cases of the API key routes (DESIGN.md section 18), over the ports they declare. */
export interface ManageApiKeysDeps {
  loadUserAccess: (principal: VerifiedToken) => Promise<UserAccess | undefined>;
  apiKeys: Pick<
    ApiKeyStore,
    'loadWorkspaceApiKeys' | 'putApiKeySlot' | 'putApiKeyLookup' | 'deleteApiKey'
  >;
  now?: () => number;
  newApiKeyId?: () => string;
}

const DAY_MS = 86_400_000;

export const newApiKeyId = () => `ak_${randomBytes(16).toString('hex')}`;
/** `bsk_` + base64url of 32 random bytes (43 characters): secret scanners match the prefix. */
export const newApiKey = () => `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;

const view = (key: ApiKeySummary): ApiKey => ({
  id: key.keyId,
  ...(key.description !== undefined && { description: key.description }),
  createdAt: key.createdAt,
  expiresAt: new Date(key.expiresAtMs).toISOString(),
});

const limitMessage = `A workspace has at most ${MAX_API_KEYS_PER_WORKSPACE} API keys`;

/**
 * The user's and the workspace's partitions in parallel (one round trip), then, in order:
 * user missing 404, revoked 401, disabled 403, workspace missing 404, access rule 403 (the
 * webhooks' rule: workspace ADMIN, or org OWNER/ADMIN). An API key never gets here: the
 * management function's bearer check refuses it (functions/auth/api-keys.ts).
 */
async function authorize(principal: VerifiedToken, workspaceId: string, deps: ManageApiKeysDeps) {
  const [user, loaded] = await Promise.all([
    deps.loadUserAccess(principal),
    deps.apiKeys.loadWorkspaceApiKeys(workspaceId),
  ]);
  if (user === undefined) throw new NotFound('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw new Unauthenticated('The token has been revoked', 'bearer-token');
  }
  if (user.status !== 'ACTIVE') throw new Forbidden('The user is disabled');
  const orgId = loaded.workspace?.orgId;
  if (loaded.workspace === undefined) throw new NotFound('Workspace not found');
  if (principal.apiKey !== undefined || !mayManageWebhooks(user, { workspaceId, orgId })) {
    throw new Forbidden('Managing API keys needs workspace ADMIN or org OWNER/ADMIN');
  }
  return { keys: loaded.keys, orgId: orgId as string };
}

export async function listApiKeys(
  principal: VerifiedToken,
  workspaceId: string,
  deps: ManageApiKeysDeps,
): Promise<ApiKeyList> {
  const { keys } = await authorize(principal, workspaceId, deps);
  return {
    keys: [...keys].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(view),
  };
}

export async function createApiKey(
  principal: VerifiedToken,
  workspaceId: string,
  body: unknown,
  deps: ManageApiKeysDeps,
): Promise<CreatedApiKey> {
  let input: ReturnType<typeof parseNewApiKey>;
  try {
    input = parseNewApiKey(body);
  } catch (error) {
    throw new ValidationError((error as Error).message);
  }
  const { keys, orgId } = await authorize(principal, workspaceId, deps);
  if (keys.length >= MAX_API_KEYS_PER_WORKSPACE) throw new Conflict(limitMessage);
  const now = (deps.now ?? Date.now)();
  const key = newApiKey();
  const row = {
    keyId: (deps.newApiKeyId ?? newApiKeyId)(),
    description: input.description,
    createdAt: new Date(now).toISOString(),
    expiresAtMs: now + input.expiresInDays * DAY_MS,
    keyHash: apiKeyHash(key),
    orgId,
  };
  // Free slots first; a slot taken by a concurrent creator makes us try the next one.
  const taken = new Set(keys.map((k) => k.slot));
  for (let slot = 0; slot < MAX_API_KEYS_PER_WORKSPACE; slot++) {
    if (taken.has(slot)) continue;
    if (!(await deps.apiKeys.putApiKeySlot(workspaceId, { ...row, slot }))) continue;
    // Only now does the key work; a failure here leaves a listed key that never worked.
    await deps.apiKeys.putApiKeyLookup(workspaceId, { ...row, slot });
    return { ...view({ ...row, slot }), key };
  }
  throw new Conflict(limitMessage);
}

export async function deleteApiKey(
  principal: VerifiedToken,
  workspaceId: string,
  keyId: string,
  deps: ManageApiKeysDeps,
): Promise<void> {
  const { keys } = await authorize(principal, workspaceId, deps);
  const target = keys.find((k) => k.keyId === keyId);
  if (target === undefined || !(await deps.apiKeys.deleteApiKey(workspaceId, target))) {
    throw new NotFound('API key not found');
  }
}
