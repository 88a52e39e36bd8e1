import { createBearerCheck } from '../auth/bearer-check.ts';
import { createApiKeyStore } from '../data/api-keys.ts';
import { createBucketOwnerReader } from '../data/bucket-owner.ts';
import { createHealthMarker } from '../data/health-marks.ts';
import { createHealthPolicyStore } from '../data/health-policy.ts';
import { createMaintenanceWindowStore } from '../data/maintenance-windows.ts';
import { createShareStore } from '../data/shares.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import {
  readHistoryRetentionDays,
  readJwtConfig,
  readStatusPageUrl,
  requireTableName,
} from '../shared/config.ts';
import type {
  RouteHandlers,
  SettingReaders,
  SettingsOf,
  WireDeps,
  WiredHttpFunction,
} from '../shared/wiring.ts';
import { createApiKeyRoutes } from './api-keys-handler.ts';
import { createHealthManagementRoutes } from './health-handler.ts';
import { createShareRoutes } from './shares-handler.ts';

export type ManageSettings = SettingsOf<'manage'>;

/** The readers of the settings the table names for manage (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  jwt: readJwtConfig,
  statusPageUrl: readStatusPageUrl,
  historyRetentionDays: readHistoryRetentionDays,
} satisfies SettingReaders<'manage'>;

/**
 * The management routes (a bucket's maintenance windows, health policy and shares; a
 * workspace's API keys) on their real adapters: Lambda entry, local runtime and tests.
 */
export function wire({ client, settings, logger, overrides }: WireDeps<ManageSettings>) {
  const { tableName } = settings;
  // Every route here changes something: a valid API key (read-only) is a 403 on each.
  const verifyToken = createBearerCheck(client, tableName, settings.jwt, {
    apiKeys: 'refuse',
    ...(overrides?.now && { now: overrides.now }),
  });
  const loadUserAccess = createUserAccessReader(client, tableName);
  const loadBucketOwner = createBucketOwnerReader(client, tableName);
  const now = overrides?.now && { now: overrides.now };
  const markHealth = createHealthMarker(client, tableName);
  const health = createHealthManagementRoutes({
    verifyToken,
    loadUserAccess,
    loadBucketOwner,
    windows: createMaintenanceWindowStore(client, tableName, { markHealth }),
    policies: createHealthPolicyStore(client, tableName, {
      historyRetentionDays: settings.historyRetentionDays,
      markHealth,
    }),
    logger,
    ...now,
  });
  const shares = createShareRoutes({
    verifyToken,
    loadUserAccess,
    loadBucketOwner,
    shares: createShareStore(client, tableName),
    statusPageUrl: settings.statusPageUrl,
    logger,
    ...now,
  });
  const apiKeys = createApiKeyRoutes({
    verifyToken,
    loadUserAccess,
    apiKeys: createApiKeyStore(client, tableName),
    logger,
    ...now,
  });
  // Each route by its key, so the route table and this list are checked against each other.
  const routes = {
    'POST /bucket/{bucketId}/maintenance': health['POST /bucket/{bucketId}/maintenance'],
    'DELETE /bucket/{bucketId}/maintenance/{windowId}':
      health['DELETE /bucket/{bucketId}/maintenance/{windowId}'],
    'PUT /bucket/{bucketId}/health/policy': health['PUT /bucket/{bucketId}/health/policy'],
    'POST /bucket/{bucketId}/shares': shares['POST /bucket/{bucketId}/shares'],
    'GET /bucket/{bucketId}/shares': shares['GET /bucket/{bucketId}/shares'],
    'DELETE /bucket/{bucketId}/shares/{shareId}':
      shares['DELETE /bucket/{bucketId}/shares/{shareId}'],
    'POST /workspace/{workspaceId}/api-keys': apiKeys['POST /workspace/{workspaceId}/api-keys'],
    'GET /workspace/{workspaceId}/api-keys': apiKeys['GET /workspace/{workspaceId}/api-keys'],
    'DELETE /workspace/{workspaceId}/api-keys/{keyId}':
      apiKeys['DELETE /workspace/{workspaceId}/api-keys/{keyId}'],
  } satisfies RouteHandlers<'manage'>;
  return { routes, ready: verifyToken.ready } satisfies WiredHttpFunction;
}
