import { createBucketNodesReader, createHealthBucketReader } from '../data/bucket-nodes.ts';
import { createHistoryDayReader } from '../data/history-days.ts';
import { createHistoryBucketReader } from '../data/history-nodes.ts';
import { createShareStore } from '../data/shares.ts';
import { createTimelineReads } from '../reads/timeline-reads.ts';
import {
  readEventRetentionDays,
  readEventsCursorKeySource,
  readHistoryRetentionDays,
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
import {
  createPublicHealthEventsHandler,
  createPublicHealthHandler,
  createPublicStatusHandler,
  createPublicUptimeHandler,
} from './public-handlers.ts';

export type PublicSettings = SettingsOf<'public'>;

/** The readers of the settings the table names for public (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  staleAfterSeconds: readStaleAfterSeconds,
  historyRetentionDays: readHistoryRetentionDays,
  eventRetentionDays: readEventRetentionDays,
  eventsCursorKey: readEventsCursorKeySource,
} satisfies SettingReaders<'public'>;

/**
 * The public function on its real adapters: the share-token JSON reads of DESIGN.md section 17
 * (the badge is the `badge` function's).
 * No token verifier and no user partition: the token's lookup row is the access decision.
 * `ready` is the health events cursor's key (EVENTS_CURSOR_SECRET_ARN, fetched at init).
 */
export function wire({ client, settings, logger, overrides }: WireDeps<PublicSettings>) {
  const { tableName } = settings;
  const shares = createShareStore(client, tableName);
  const cursorKey = createCursorKey(settings.eventsCursorKey);
  const deps = {
    findShare: (tokenHash: string) => shares.findShare(tokenHash),
    // The verdict timeline's reads, as the status function's (GET uptime's bucket figures).
    ...createTimelineReads(client, tableName, settings),
    openBucket: createBucketNodesReader(client, tableName),
    openHealthBucket: createHealthBucketReader(client, tableName),
    cursorKey: cursorKey.get,
    eventRetentionDays: settings.eventRetentionDays,
    loadHistoryBucket: createHistoryBucketReader(client, tableName),
    loadHistoryDays: createHistoryDayReader(client, tableName),
    historyRetentionDays: settings.historyRetentionDays,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  };
  const routes = {
    'GET /public/{token}/status': createPublicStatusHandler(deps),
    'GET /public/{token}/uptime': createPublicUptimeHandler(deps),
    'GET /public/{token}/health': createPublicHealthHandler(deps),
    'GET /public/{token}/health/events': createPublicHealthEventsHandler(deps),
  } satisfies RouteHandlers<'public'>;
  return { routes, ready: cursorKey.ready } satisfies WiredHttpFunction;
}
