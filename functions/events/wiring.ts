import { createBearerCheck } from '../auth/bearer-check.ts';
import { createBucketOwnerReader } from '../data/bucket-owner.ts';
import { createEventsReader } from '../data/events.ts';
import { createWindowLoader } from '../data/maintenance-windows.ts';
import { createUserAccessReader } from '../data/user-access.ts';
import {
  readEventRetentionDays,
  readEventsCursorKeySource,
  readJwtConfig,
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
import { createEventsHandler } from './events-handler.ts';

export type EventsSettings = SettingsOf<'events'>;

/** The readers of the settings the table names for events (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  jwt: readJwtConfig,
  eventRetentionDays: readEventRetentionDays,
  eventsCursorKey: readEventsCursorKeySource,
} satisfies SettingReaders<'events'>;

/**
 * The events function on its real adapters: used by the Lambda entry, the local runtime and
 * the tests. `ready` covers the token key and the cursor key (both may be Secrets Manager
 * secrets fetched at init): unusable key material fails the cold start.
 */
export function wire({ client, settings, logger, overrides }: WireDeps<EventsSettings>) {
  const { tableName } = settings;
  // A `bsk_` bearer value is a workspace API key: READ on exactly its workspace.
  const verifyToken = createBearerCheck(client, tableName, settings.jwt, {
    apiKeys: 'accept',
    ...(overrides?.now && { now: overrides.now }),
  });
  const cursorKey = createCursorKey(settings.eventsCursorKey);
  const routes = {
    'GET /bucket/{bucketId}/events': createEventsHandler({
      verifyToken,
      loadUserAccess: createUserAccessReader(client, tableName),
      loadBucketOwner: createBucketOwnerReader(client, tableName),
      loadEventsPage: createEventsReader(client, tableName),
      loadWindows: createWindowLoader(client, tableName),
      cursorKey: cursorKey.get,
      eventRetentionDays: settings.eventRetentionDays,
      logger,
      ...(overrides?.now && { now: overrides.now }),
    }),
  } satisfies RouteHandlers<'events'>;
  return {
    routes,
    ready: Promise.all([verifyToken.ready, cursorKey.ready]),
  } satisfies WiredHttpFunction;
}
