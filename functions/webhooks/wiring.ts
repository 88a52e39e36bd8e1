import { createBearerCheck } from '../auth/bearer-check.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import { createWebhookStore } from '../data/webhooks.ts';
import { readJwtConfig, readWebhookAllowLoopback, requireTableName } from '../shared/config.ts';
import { systemResolve } from '../shared/system-resolve.ts';
import type {
  RouteHandlers,
  SettingReaders,
  SettingsOf,
  WireDeps,
  WiredHttpFunction,
} from '../shared/wiring.ts';
import { createWebhookRoutes } from './webhooks-handler.ts';

/** WEBHOOK_ALLOW_LOOPBACK is true only in the local runtime; the stack never sets it. */
export type WebhooksSettings = SettingsOf<'webhooks'>;

/** The readers of the settings the table names for webhooks (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  jwt: readJwtConfig,
  webhookAllowLoopback: readWebhookAllowLoopback,
} satisfies SettingReaders<'webhooks'>;

/** A workspace's webhook routes on their real adapters: Lambda entry, local runtime and tests. */
export function wire({ client, settings, logger, overrides }: WireDeps<WebhooksSettings>) {
  const { tableName } = settings;
  // Every route here changes something: a valid API key (read-only) is a 403 on each.
  const verifyToken = createBearerCheck(client, tableName, settings.jwt, {
    apiKeys: 'refuse',
    ...(overrides?.now && { now: overrides.now }),
  });
  const webhooks = createWebhookRoutes({
    verifyToken,
    loadUserAccess: createUserAccessReader(client, tableName),
    store: createWebhookStore(client, tableName),
    urlPolicy: { allowLoopback: settings.webhookAllowLoopback },
    resolveHost: overrides?.resolveHost ?? systemResolve,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  });
  // Each route by its key, so the route table and this list are checked against each other.
  const routes = {
    'POST /workspace/{workspaceId}/webhooks': webhooks['POST /workspace/{workspaceId}/webhooks'],
    'GET /workspace/{workspaceId}/webhooks': webhooks['GET /workspace/{workspaceId}/webhooks'],
    'PATCH /workspace/{workspaceId}/webhooks/{webhookId}':
      webhooks['PATCH /workspace/{workspaceId}/webhooks/{webhookId}'],
    'DELETE /workspace/{workspaceId}/webhooks/{webhookId}':
      webhooks['DELETE /workspace/{workspaceId}/webhooks/{webhookId}'],
  } satisfies RouteHandlers<'webhooks'>;
  return { routes, ready: verifyToken.ready } satisfies WiredHttpFunction;
}
