import { createBearerCheck } from '../auth/bearer-check.ts';
import { createHealthBucketReader } from '../data/bucket-nodes.ts';
import { createBucketOwnerReader } from '../data/bucket-owner.ts';
import { createOverviewRowsReader } from '../data/overview-index.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import {
  createOrgWorkspacesReader,
  createWorkspaceBucketsReader,
  createWorkspaceReader,
  createWorkspacesReader,
} from '../data/workspace-overview.ts';
import { createTimelineReads } from '../reads/timeline-reads.ts';
import {
  readEventRetentionDays,
  readEventsCursorKeySource,
  readHistoryRetentionDays,
  readJwtConfig,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { createCursorKey } from '../shared/cursor-key.ts';
import type {
  RouteHandlers,
  SettingReaders,
  SettingsOf,
  WireDeps,
  WiredHttpFunction,
} from '../shared/wiring.ts';
import { createMetricsHandler } from './metrics-handler.ts';
import { createMeHandler, createWorkspaceBucketsHandler } from './overview-handlers.ts';

export type WorkspaceSettings = SettingsOf<'workspace'>;

/** The readers of the settings the table names for workspace (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  jwt: readJwtConfig,
  staleAfterSeconds: readStaleAfterSeconds,
  historyRetentionDays: readHistoryRetentionDays,
  eventRetentionDays: readEventRetentionDays,
  eventsCursorKey: readEventsCursorKeySource,
} satisfies SettingReaders<'workspace'>;

/**
 * The workspace function on its real adapters (GET /me, a workspace's overview and its
 * metrics): used by the Lambda entry, the local runtime and the tests. `ready` covers the token
 * key and the overview's cursor key (both may be Secrets Manager secrets fetched at init).
 */
export function wire({ client, settings, logger, overrides }: WireDeps<WorkspaceSettings>) {
  const { tableName } = settings;
  // A `bsk_` bearer value is a workspace API key: READ on exactly its workspace (GET /me
  // refuses it: a key has no user).
  const verifyToken = createBearerCheck(client, tableName, settings.jwt, {
    apiKeys: 'accept',
    ...(overrides?.now && { now: overrides.now }),
  });
  const loadUserAccess = createUserAccessReader(client, tableName);
  const cursorKey = createCursorKey(settings.eventsCursorKey);
  // Each bucket's verdict, computed as GET health computes it.
  const healthDeps = {
    ...createTimelineReads(client, tableName, settings),
    verifyToken,
    loadUserAccess,
    openHealthBucket: createHealthBucketReader(client, tableName),
    eventRetentionDays: settings.eventRetentionDays,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  };
  // The workspace's META row and its bucket listing: the overview's and the metrics' reads.
  const loadWorkspace = createWorkspaceReader(client, tableName);
  const loadWorkspaceBucketsPage = createWorkspaceBucketsReader(client, tableName);
  const routes = {
    'GET /me': createMeHandler({
      verifyToken,
      loadUserAccess,
      loadWorkspaces: createWorkspacesReader(client, tableName),
      listOrgWorkspaces: createOrgWorkspacesReader(client, tableName),
      logger,
    }),
    'GET /workspace/{workspaceId}/buckets': createWorkspaceBucketsHandler({
      ...healthDeps,
      loadWorkspace,
      loadWorkspaceBucketsPage,
      loadBucketOwner: createBucketOwnerReader(client, tableName),
      loadOverviewRows: createOverviewRowsReader(client, tableName, settings.staleAfterSeconds),
      cursorKey: cursorKey.get,
    }),
    'GET /workspace/{workspaceId}/metrics': createMetricsHandler({
      ...healthDeps,
      loadWorkspace,
      loadWorkspaceBucketsPage,
      ...(overrides?.maxMetricsSeries !== undefined && {
        maxSeries: overrides.maxMetricsSeries,
      }),
    }),
  } satisfies RouteHandlers<'workspace'>;
  return {
    routes,
    ready: Promise.all([verifyToken.ready, cursorKey.ready]),
  } satisfies WiredHttpFunction;
}
