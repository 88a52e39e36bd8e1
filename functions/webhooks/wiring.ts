import { createTokenVerifier } from '../auth/token-verifier.ts';
import { createBucketOwnerReader } from '../data/bucket-owner.ts';
import { createShareStore } from '../data/shares.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import { createWebhookStore } from '../data/webhooks.ts';
import { systemResolve } from '../shared/system-resolve.ts';
import type { RouteHandlers, Settings, WireDeps, WiredHttpFunction } from '../shared/wiring.ts';
import { createShareRoutes } from './shares-handler.ts';
import { createWebhookRoutes } from './webhooks-handler.ts';

/** WEBHOOK_ALLOW_LOOPBACK is true only in the local runtime; the stack never sets it. */
export type WebhooksSettings = Pick<
  Settings,
  'tableName' | 'jwt' | 'webhookAllowLoopback' | 'statusPageUrl'
>;

/** The webhook and share routes on their real adapters: Lambda entry, local runtime and tests. */
export function wire({ client, settings, logger, overrides }: WireDeps<WebhooksSettings>) {
  const verifyToken = createTokenVerifier(settings.jwt);
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
  const shareRoutes = createShareRoutes({
    verifyToken,
    loadUserAccess,
    loadBucketOwner: createBucketOwnerReader(client, settings.tableName),
    shares: createShareStore(client, settings.tableName),
    statusPageUrl: settings.statusPageUrl,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  });
  const routes = { ...webhookRoutes, ...shareRoutes } satisfies RouteHandlers<'webhooks'>;
  return { routes, ready: verifyToken.ready } satisfies WiredHttpFunction;
}
