import type { NodeEvent } from '../domain/events.ts';
import type { HistoryDaysWrite, TimelineWritten } from '../domain/ports/ingest.ts';
import type { Transition } from '../domain/timeline.ts';

/** The bucket row a write landed on, and the report's ip and region. */
export interface BucketRow {
  bucketId: string;
  nodeId: string;
  ip: string;
  region: string;
}

/**
 * What a landed bucket write leaves to record (round trip 3, docs/ARCHITECTURE.md, "History"):
 * the ended days for history rows, and the events.
 */
export interface FollowUp {
  history: HistoryDaysWrite | undefined;
  events: NodeEvent[];
}

type Source = { ip?: string | undefined; region?: string | undefined } | undefined;

/** The follow-up of a landed write; undefined when it ended no day and made no event. */
export function followUpOf(row: BucketRow, written: TimelineWritten): FollowUp | undefined {
  const history: HistoryDaysWrite | undefined =
    written.closedDays.length > 0
      ? {
          bucketId: row.bucketId,
          nodeId: row.nodeId,
          assignedAt: written.assignedAt,
          days: written.closedDays,
        }
      : undefined;
  const events = eventsOf(row, written);
  if (history === undefined && events.length === 0) return undefined;
  return { history, events };
}

/**
 * Earlier reports' transitions the row still holds as pending (their event write failed), then
 * this report's own; one event per instant and target state (the event key). A change to
 * DISCONNECTED describes the predecessor: its ip and region. The first report since the
 * assignment (no predecessor) makes an event marked `first`. A change to DISCONNECTED the sweep
 * recorded already is left out.
 */
export function eventsOf(row: BucketRow, written: TimelineWritten): NodeEvent[] {
  const event = (t: Transition, source: Source): NodeEvent => ({
    bucketId: row.bucketId,
    nodeId: row.nodeId,
    ip: source?.ip ?? row.ip,
    region: source?.region ?? row.region,
    from: t.from,
    to: t.to,
    at: new Date(t.at).toISOString(),
    // The node's first report since its assignment: it starts to count toward health.
    ...(t.first && { first: true }),
  });
  const byKey = new Map<string, NodeEvent>();
  for (const t of written.pending ?? []) byKey.set(`${t.at}#${t.to}`, event(t, t));
  for (const t of written.transitions) {
    // On record, and marked, by the sweep: recording it again would mark the bucket's health at
    // an instant long settled, for nothing.
    if (t.to === 'DISCONNECTED' && written.silenceRecorded === true) continue;
    const key = `${t.at}#${t.to}`;
    if (!byKey.has(key)) {
      byKey.set(key, event(t, t.to === 'DISCONNECTED' ? written.predecessor : undefined));
    }
  }
  return [...byKey.values()];
}
