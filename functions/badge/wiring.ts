import { createHealthBucketReader } from '../data/bucket-nodes.ts';
import { createHistoryDayReader } from '../data/history-days.ts';
import { createHistoryBucketReader } from '../data/history-nodes.ts';
import { createShareStore } from '../data/shares.ts';
import { createTimelineReads } from '../reads/timeline-reads.ts';
import {
  readEventRetentionDays,
  readHistoryRetentionDays,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import type {
  RouteHandlers,
  SettingReaders,
  SettingsOf,
  WireDeps,
  WiredHttpFunction,
} from '../shared/wiring.ts';
import { createBadgeHandler } from './badge-handler.ts';

export type BadgeSettings = SettingsOf<'badge'>;

/** The readers of the settings the table names for badge (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  staleAfterSeconds: readStaleAfterSeconds,
  historyRetentionDays: readHistoryRetentionDays,
  eventRetentionDays: readEventRetentionDays,
} satisfies SettingReaders<'badge'>;

/**
 * The badge function on its real adapters (DESIGN.md section 17): the share's lookup row, then
 * the reads of GET health's verdict or of GET uptime's bucket figures. No token verifier, no
 * user partition, no events cursor and so no secret.
 */
export function wire({ client, settings, logger, overrides }: WireDeps<BadgeSettings>) {
  const { tableName } = settings;
  const shares = createShareStore(client, tableName);
  const deps = {
    findShare: (tokenHash: string) => shares.findShare(tokenHash),
    ...createTimelineReads(client, tableName, settings),
    openHealthBucket: createHealthBucketReader(client, tableName),
    eventRetentionDays: settings.eventRetentionDays,
    loadHistoryBucket: createHistoryBucketReader(client, tableName),
    loadHistoryDays: createHistoryDayReader(client, tableName),
    historyRetentionDays: settings.historyRetentionDays,
    logger,
    ...(overrides?.now && { now: overrides.now }),
  };
  const routes = {
    'GET /public/{token}/badge.svg': createBadgeHandler(deps),
  } satisfies RouteHandlers<'badge'>;
  return { routes } satisfies WiredHttpFunction;
}
