import type { RecordEvents } from '../data/events.ts';
import { type IndexedRow, SWEEP_GRACE_SECONDS, type SweepIndex } from '../data/sweep-index.ts';
import type { NodeEvent } from '../domain/events.ts';
import type { ReportedStatus } from '../domain/node-status.ts';
import { disconnectedAt } from '../domain/timeline.ts';

export { SWEEP_GRACE_SECONDS };

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
  /** Rows not due yet, or changed by a report (or taken by another sweep) meanwhile. */
  skipped: number;
  /** Rows left for the next run after a transient fault (the first fault is `error`). */
  failed: number;
  error?: unknown;
}

const REPORTED: ReadonlySet<string | undefined> = new Set(['ONLINE', 'OFFLINE']);

/**
 * One sweep run: for every row of the sweep index whose last report is older than
 * stale + grace, record the change to DISCONNECTED at (last report + stale), then take the row
 * out of the index. Every step is conditional or idempotent, so overlapping runs and late
 * reports neither duplicate an event nor record one that did not happen.
 */
export async function runSweep(deps: SweepDeps): Promise<SweepOutcome> {
  const nowMs = (deps.now ?? Date.now)();
  const staleMs = deps.staleAfterSeconds * 1000;
  const graceMs = (deps.graceSeconds ?? SWEEP_GRACE_SECONDS) * 1000;
  // Slots that started by then hold every row that is due (and some that soon will be).
  const cutoff = new Date(nowMs - staleMs - graceMs).toISOString();
  const outcome: SweepOutcome = { found: 0, recorded: 0, skipped: 0, failed: 0 };

  const pages = await Promise.all(
    deps.shards.map((shard) => deps.index.findSilentRows(shard, cutoff)),
  );
  const rows = pages.flat();
  outcome.found = rows.length;

  async function sweepRow(candidate: IndexedRow): Promise<void> {
    // The index is keys-only and eventually consistent: the row itself decides.
    const row = await deps.index.readRow(candidate.bucketId, candidate.nodeId);
    if (row === undefined || !row.indexed) {
      outcome.skipped++;
      return;
    }
    // The timeline's instant of the last report: history's lastAt (which a report received
    // before its predecessor's instant is moved to), else the receive time itself.
    const lastMs = row.lastAt ?? Date.parse(row.lastUpdated);
    if (Number.isFinite(lastMs) && lastMs + staleMs + graceMs >= nowMs) {
      outcome.skipped++; // not yet past stale + grace: a later run takes it
      return;
    }
    // Transitions a report's failed event write left on the row: recorded here, with the same
    // deterministic keys, before clearRow drops them (docs/ARCHITECTURE.md, "History").
    const events: NodeEvent[] = row.pending.map((t) => ({
      bucketId: row.bucketId,
      nodeId: row.nodeId,
      ip: t.ip,
      region: t.region,
      from: t.from,
      to: t.to,
      at: new Date(t.at).toISOString(),
      ...(t.first && { first: true }),
    }));
    if (Number.isFinite(lastMs) && REPORTED.has(row.status)) {
      const last = { at: lastMs, status: row.status as ReportedStatus };
      events.push({
        bucketId: row.bucketId,
        nodeId: row.nodeId,
        ip: row.ip,
        region: row.region,
        from: last.status,
        to: 'DISCONNECTED',
        at: new Date(disconnectedAt(last, staleMs)).toISOString(),
      });
    }
    // (No events: the writer sends nothing.) Awaited before the += reads the count.
    const inserted = await deps.recordEvents(events);
    outcome.recorded += inserted.length;
    // Only after the event is stored: a crash before this leaves the row for the next run.
    // A report that landed since the read changed lastUpdated: its index entry stays.
    if ((await deps.index.clearRow(row.bucketId, row.nodeId, row.lastUpdated)) === 'changed') {
      outcome.skipped++;
    }
  }

  const concurrency = Math.max(1, deps.concurrency ?? 16);
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++] as IndexedRow;
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
