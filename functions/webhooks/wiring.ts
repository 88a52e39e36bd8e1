import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import { createWebhookStore } from '../data/webhooks.ts';
import { systemResolve } from '../shared/system-resolve.ts';
import type { Settings, WireDeps, WiredHttpFunction } from '../shared/wiring.ts';
import { createWebhookRoutes } from './webhooks-handler.ts';

/** WEBHOOK_ALLOW_LOOPBACK is true only in the local runtime; the stack never sets it. */
export type WebhooksSettings = Pick<Settings, 'tableName' | 'jwt' | 'webhookAllowLoopback'>;

/** The webhook routes on their real adapters: Lambda entry, local runtime and tests. */
export function wire({ client, settings, logger, overrides }: WireDeps<WebhooksSettings>) {
  const verifyToken = createTokenVerifier(settings.jwt);
  const routes = createWebhookRoutes({
    verifyToken,
    loadUserAccess: createUserAccessReader(client, settings.tableName),
    store: createWebhookStore(client, settings.tableName),
    urlPolicy: { allowLoopback: settings.webhookAllowLoopback },
    resolveHost: overrides?.resolveHost ?? systemResolve,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  });
  return { routes, ready: verifyToken.ready } satisfies WiredHttpFunction;
}
