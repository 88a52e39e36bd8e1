import type { RecordEvents } from '../data/events.ts';
import type { SilentRow, SweepIndex } from '../data/sweep-index.ts';
import type { NodeEvent } from '../domain/events.ts';
import type { ReportedStatus } from '../domain/node-status.ts';
import { disconnectedAt } from '../domain/timeline.ts';

/**
 * Bounds the time from a report's receive time to its last write landing: the ingest
 * function's timeout. The sweep looks only at rows whose change to DISCONNECTED is older than
 * this, so no report received before that change can still be on its way (no phantom event).
 */
export const SWEEP_GRACE_SECONDS = 10;

export interface SweepDeps {
  index: Pick<SweepIndex, 'findSilentRows' | 'readRow' | 'clearRow'>;
  shards: readonly string[];
  recordEvents: RecordEvents;
  staleAfterSeconds: number;
  graceSeconds?: number;
  now?: () => number;
  /** Rows handled at once (each takes three small requests). */
  concurrency?: number;
}

export interface SweepOutcome {
  /** Rows the index returned. */
  found: number;
  /** Events this run inserted (another writer may have recorded some of the others). */
  recorded: number;
  /** Rows a report changed (or another sweep took) after the index was read. */
  skipped: number;
  /** Rows left for the next run after a transient fault (the first fault is `error`). */
  failed: number;
  error?: unknown;
}

const REPORTED = new Set(['ONLINE', 'OFFLINE']);

/**
 * One sweep run: for every row of the sweep index whose last report is older than
 * stale + grace, record the change to DISCONNECTED at lastUpdated + stale, then take the row
 * out of the index. Every step is conditional or idempotent, so overlapping runs and late
 * reports neither duplicate an event nor record one that did not happen.
 */
export async function runSweep(deps: SweepDeps): Promise<SweepOutcome> {
  const nowMs = (deps.now ?? Date.now)();
  const staleMs = deps.staleAfterSeconds * 1000;
  const graceMs = (deps.graceSeconds ?? SWEEP_GRACE_SECONDS) * 1000;
  const before = new Date(nowMs - staleMs - graceMs).toISOString();
  const outcome: SweepOutcome = { found: 0, recorded: 0, skipped: 0, failed: 0 };

  const pages = await Promise.all(
    deps.shards.map((shard) => deps.index.findSilentRows(shard, before)),
  );
  const rows = pages.flat();
  outcome.found = rows.length;

  async function sweepRow(seen: SilentRow): Promise<void> {
    // The index is eventually consistent: confirm on the row itself.
    const row = await deps.index.readRow(seen.bucketId, seen.nodeId);
    if (row === undefined || !row.indexed || row.lastUpdated !== seen.lastUpdated) {
      outcome.skipped++;
      return;
    }
    // The timeline's instant of the last report: history's lastAt (which a report received
    // before its predecessor's instant is moved to), else the receive time itself.
    const lastMs = row.lastAt ?? Date.parse(row.lastUpdated);
    if (!Number.isFinite(lastMs) || lastMs + staleMs + graceMs >= nowMs) {
      outcome.skipped++; // not yet past stale + grace: a later run takes it
      return;
    }
    if (row.status !== undefined && REPORTED.has(row.status)) {
      const last = { at: lastMs, status: row.status as ReportedStatus };
      const event: NodeEvent = {
        bucketId: row.bucketId,
        nodeId: row.nodeId,
        ip: row.ip,
        region: row.region,
        from: last.status,
        to: 'DISCONNECTED',
        at: new Date(disconnectedAt(last, staleMs)).toISOString(),
      };
      const inserted = await deps.recordEvents([event]);
      outcome.recorded += inserted.length;
    }
    // Only after the event is stored: a crash before this leaves the row for the next run.
    if ((await deps.index.clearRow(row.bucketId, row.nodeId, row.lastUpdated)) === 'changed') {
      outcome.skipped++;
    }
  }

  const concurrency = Math.max(1, deps.concurrency ?? 16);
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++] as SilentRow;
      try {
        await sweepRow(row);
      } catch (error) {
        // The row stays in the index; the next run takes it again, idempotently.
        outcome.failed++;
        outcome.error ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
  return outcome;
}
