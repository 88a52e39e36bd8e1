/**
 * The health checkpoint of a bucket whose timeline has no stored start (a bucket created
 * before health was recorded), at an instant `at` from which every later input is on record:
 * each assigned node's state at `at` follows from its row (the last report) and its recorded
 * node inputs after `at` (the earliest one's `from` is the state it left). Pure.
 */
import {
  type HealthInput,
  inMaintenance,
  type MaintenanceWindow,
  MIN_ONLINE_PERCENT,
  verdictOf,
} from './health.ts';
import { type HealthCheckpoint, type HealthPoint, initialCheckpoint } from './health-timeline.ts';
import type { ReportedStatus } from './node-status.ts';

/** A NODE# row as the bootstrap needs it: the last report since the assignment, if any. */
export interface BootstrapRow {
  nodeId: string;
  last?: { at: number; status: ReportedStatus } | undefined;
}

export function bootstrapCheckpoint(
  at: number,
  rows: readonly BootstrapRow[],
  laterInputs: readonly HealthInput[],
  windows: readonly MaintenanceWindow[],
  staleMs: number,
  minOnlinePercent: number = MIN_ONLINE_PERCENT.fallback,
): { checkpoint: HealthCheckpoint; entry: HealthPoint } {
  const earliest = new Map<string, Extract<HealthInput, { kind: 'node' }>>();
  for (const input of laterInputs) {
    if (input.kind !== 'node' || input.at <= at) continue;
    const known = earliest.get(input.nodeId);
    if (known === undefined || input.at < known.at) earliest.set(input.nodeId, input);
  }
  let counted = 0;
  let online = 0;
  for (const row of rows) {
    const next = earliest.get(row.nodeId);
    if (next !== undefined) {
      // The state it left; a first report means it did not count yet.
      if (next.first) continue;
      counted++;
      if (next.from === 'ONLINE') online++;
      continue;
    }
    if (row.last === undefined) continue; // never reported since its assignment
    // No recorded change after `at`: a report after `at` changed nothing, so it had a fresh
    // predecessor of the same status at `at`; otherwise the last report decides.
    counted++;
    // (A report holds on [r, r + stale): the change to DISCONNECTED is at r + stale, as the
    // node's event says, so the node is DISCONNECTED at exactly that instant.)
    const state = row.last.at > at || at - row.last.at < staleMs ? row.last.status : 'DISCONNECTED';
    if (state === 'ONLINE') online++;
  }
  // No `offline`: the rows of a bucket this old are not all in the overview index.
  const { offline: _, ...base } = initialCheckpoint(at, windows, minOnlinePercent);
  const counts = { counted, online };
  const checkpoint: HealthCheckpoint = {
    ...base,
    counts,
    verdict: verdictAt(counts, minOnlinePercent, windows, at),
  };
  // Nothing before `at` is observed: the entry of its day is the state at `at`.
  const entry: HealthPoint = {
    counts: { ...counts },
    minOnlinePercent,
    verdict: checkpoint.verdict,
  };
  return { checkpoint, entry };
}

const verdictAt = (
  counts: { counted: number; online: number },
  percent: number,
  windows: readonly MaintenanceWindow[],
  t: number,
) => verdictOf(counts, percent, inMaintenance(windows, t));
