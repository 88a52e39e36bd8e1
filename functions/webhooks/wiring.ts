import { refusingApiKeys } from '../auth/api-keys.ts';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createApiKeyResolver } from '../data/api-key-lookup.ts';
import { createApiKeyStore } from '../data/api-keys.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import { createWebhookStore } from '../data/webhooks.ts';
import { systemResolve } from '../shared/system-resolve.ts';
import type { RouteHandlers, Settings, WireDeps, WiredHttpFunction } from '../shared/wiring.ts';
import { createApiKeyRoutes } from './api-keys-handler.ts';
import { createWebhookRoutes } from './webhooks-handler.ts';

/** WEBHOOK_ALLOW_LOOPBACK is true only in the local runtime; the stack never sets it. */
export type WebhooksSettings = Pick<Settings, 'tableName' | 'jwt' | 'webhookAllowLoopback'>;

/** The webhook routes on their real adapters: Lambda entry, local runtime and tests. */
export function wire({ client, settings, logger, overrides }: WireDeps<WebhooksSettings>) {
  // Every route here changes something: a valid API key (read-only) is a 403 on each.
  const verifyToken = refusingApiKeys(createTokenVerifier(settings.jwt), {
    resolve: createApiKeyResolver(client, settings.tableName),
    ...(overrides?.now && { now: overrides.now }),
  });
  const loadUserAccess = createUserAccessReader(client, settings.tableName);
  const webhookRoutes = createWebhookRoutes({
    verifyToken,
    loadUserAccess,
    store: createWebhookStore(client, settings.tableName),
    urlPolicy: { allowLoopback: settings.webhookAllowLoopback },
    resolveHost: overrides?.resolveHost ?? systemResolve,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  });
  const routes = {
    ...webhookRoutes,
    ...createApiKeyRoutes({
      verifyToken,
      loadUserAccess,
      apiKeys: createApiKeyStore(client, settings.tableName),
      logger,
      ...(overrides?.now && { now: overrides.now }),
    }),
  } satisfies RouteHandlers<'webhooks'>;
  return { routes, ready: verifyToken.ready } satisfies WiredHttpFunction;
}
