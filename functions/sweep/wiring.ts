import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEventWriter, type EventWriterOptions } from '../data/events.ts';
import { createHealthMarker } from '../data/health-marks.ts';
import { ALL_SWEEP_SHARDS, createSweepIndex } from '../data/sweep-index.ts';
import {
  readEventRetentionDays,
  readHistoryRetentionDays,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import type { ServiceMetrics } from '../shared/metrics.ts';
import type {
  SettingReaders,
  SettingsOf,
  WireDeps,
  WiredEventFunction,
  WireOverrides,
} from '../shared/wiring.ts';
import { createHealthStepPorts, recordedHealthEvent } from './health-ports.ts';
import { type HealthStepOutcome, runHealthStep } from './health-step.ts';
import { runSweep, SWEEP_GRACE_SECONDS, type SweepOutcome } from './run-sweep.ts';

export interface SweepWiring {
  client: DynamoDBClient;
  tableName: string;
  staleAfterSeconds: number;
  eventRetentionDays: number;
  historyRetentionDays: number;
  logger: Logger;
  /** The event writer's publish port: none deployed (the stream), the local queue locally. */
  onEventsRecorded?: EventWriterOptions['onEventsRecorded'];
  /** The health step's publish port: none deployed (the stream), the local queue locally. */
  onHealthRecorded?: WireOverrides['onHealthRecorded'];
  /** Per run: SweepRowsFound, EventsRecorded, SweepRowsFailed (the Lambda entry's metrics). */
  metrics?: ServiceMetrics | undefined;
  now?: () => number;
}

/**
 * One sweep run on its real adapters: used by the Lambda entry (every minute) and the local
 * runtime's timer. Logs one line per run; a run with failed rows rejects after finishing the
 * others (the rows stay in the index for the next run).
 */
export function wireSweep(
  wiring: SweepWiring,
): () => Promise<SweepOutcome & { health?: HealthStepOutcome }> {
  const { logger } = wiring;
  const index = createSweepIndex(wiring.client, wiring.tableName);
  const recordEvents = createEventWriter(wiring.client, wiring.tableName, {
    retentionDays: wiring.eventRetentionDays,
    markHealth: createHealthMarker(wiring.client, wiring.tableName),
    ...(wiring.onEventsRecorded && { onEventsRecorded: wiring.onEventsRecorded }),
    onPublishError: (error) =>
      logger.error('publishing recorded events failed', {
        error: error instanceof Error ? error : String(error),
      }),
    ...(wiring.now && { now: wiring.now }),
  });
  const healthPorts = createHealthStepPorts(wiring.client, wiring.tableName, {
    eventRetentionDays: wiring.eventRetentionDays,
    historyRetentionDays: wiring.historyRetentionDays,
  });
  const publishHealth = wiring.onHealthRecorded;
  if (publishHealth !== undefined) {
    healthPorts.onChangesRecorded = (bucketId, changes) => {
      try {
        publishHealth(changes.map((change) => recordedHealthEvent(bucketId, change)));
      } catch (error) {
        logger.error('publishing recorded health events failed', {
          error: error instanceof Error ? error : String(error),
        });
      }
    };
  }
  const clock = wiring.now ?? Date.now;
  return async function sweep() {
    const started = Date.now();
    // The run's instant: once it has left no row over, every silence before runAt - grace is
    // recorded, and every report received before then has its events written.
    const runAt = clock();
    let outcome: SweepOutcome;
    try {
      outcome = await runSweep({
        index,
        shards: ALL_SWEEP_SHARDS,
        recordEvents,
        staleAfterSeconds: wiring.staleAfterSeconds,
        ...(wiring.now && { now: wiring.now }),
      });
    } catch (error) {
      // The index Query itself failed (an outage, or a table without the sweep index).
      logger.error('sweep run failed', { error: error instanceof Error ? error : String(error) });
      throw error;
    }
    const { error, ...counts } = outcome;
    wiring.metrics?.count('SweepRowsFound', outcome.found);
    wiring.metrics?.count('EventsRecorded', outcome.recorded);
    wiring.metrics?.count('SweepRowsFailed', outcome.failed);
    const summary = { ...counts, durationMs: Date.now() - started };
    if (outcome.failed > 0) {
      logger.error('sweep run left rows for the next run', {
        ...summary,
        error: error instanceof Error ? error : String(error),
      });
      throw new Error(`sweep: ${outcome.failed} rows failed; the next run retries them`, {
        cause: error,
      });
    }
    // The health step (docs/ARCHITECTURE.md, "Bucket health"): every input up to `settled` is
    // on record now; the buckets marked up to then are advanced to it.
    const settled = runAt - SWEEP_GRACE_SECONDS * 1000 - 1000;
    const health = await runHealthStep(healthPorts, settled, wiring.staleAfterSeconds * 1000);
    wiring.metrics?.count('HealthBucketsAdvanced', health.advanced);
    wiring.metrics?.count('HealthEventsRecorded', health.changes);
    const { error: healthError, ...healthCounts } = health;
    if (health.failed > 0) {
      logger.error('health step left buckets for the next run', {
        ...healthCounts,
        error: healthError instanceof Error ? healthError : String(healthError),
      });
      throw new Error(`sweep: ${health.failed} buckets' health failed; the next run retries them`, {
        cause: healthError,
      });
    }
    const line = { ...summary, health: healthCounts, durationMs: Date.now() - started };
    if (outcome.found > 0 || health.found > 0) logger.info('sweep run', line);
    else logger.debug('sweep run', line);
    return { ...outcome, health };
  };
}

export type SweepSettings = SettingsOf<'sweep'>;

/** The readers of the settings the table names for sweep (its Lambda entry reads these). */
export const settingReaders = {
  tableName: requireTableName,
  staleAfterSeconds: readStaleAfterSeconds,
  eventRetentionDays: readEventRetentionDays,
  historyRetentionDays: readHistoryRetentionDays,
} satisfies SettingReaders<'sweep'>;

/** The sweep function of the route table: the common `wire(deps)` shape over wireSweep. */
export function wire({ client, settings, logger, metrics, overrides }: WireDeps<SweepSettings>) {
  const sweep = wireSweep({
    client,
    tableName: settings.tableName,
    staleAfterSeconds: settings.staleAfterSeconds,
    eventRetentionDays: settings.eventRetentionDays,
    historyRetentionDays: settings.historyRetentionDays,
    logger,
    metrics,
    ...(overrides?.onEventsRecorded && { onEventsRecorded: overrides.onEventsRecorded }),
    ...(overrides?.onHealthRecorded && { onHealthRecorded: overrides.onHealthRecorded }),
    ...(overrides?.now && { now: overrides.now }),
  });
  const handler = async (): Promise<void> => {
    await sweep();
  };
  return { handler } satisfies WiredEventFunction;
}
