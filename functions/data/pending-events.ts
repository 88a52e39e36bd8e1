import type { NodeStatus } from '../domain/node-status.ts';
import type { PendingEvent } from '../domain/ports/ingest.ts';
import { ATTR, type Item } from './attributes.ts';

/**
 * The row's pending events (`ATTR.pendingEvents`, a list of strings
 * `<from>|<to>|<at ms>|<ip>|<region>`): every write that makes transitions appends them in the
 * same conditional write, and they stay until the event writer has recorded them
 * (docs/ARCHITECTURE.md, "History"), so an event write that fails after the row landed is
 * recorded by the next write to the row (a report's, or the sweep's, which records them with the
 * DISCONNECTED event and removes them). `ATTR.pendingHistory` is set (N 1) by a rollover: the
 * row's closed slot (and spill) are not yet known to be in HIST# rows; the next write writes them
 * again until the use case, after a landed flush, clears it.
 */
const STATE_NAMES: ReadonlySet<string> = new Set(['ONLINE', 'OFFLINE', 'DISCONNECTED']);
export const encodePendingEvent = (event: PendingEvent) =>
  [event.from, event.to, event.at, event.ip ?? '', event.region ?? ''].join('|');
export function decodePendingEvents(item: Item | undefined): PendingEvent[] {
  const list = item?.[ATTR.pendingEvents]?.L ?? [];
  const events: PendingEvent[] = [];
  for (const entry of list) {
    const [from, to, at, ip, region] = (entry.S ?? '').split('|');
    if (from === undefined || to === undefined || !STATE_NAMES.has(from) || !STATE_NAMES.has(to)) {
      continue;
    }
    if (at === undefined || !/^\d{1,16}$/.test(at)) continue;
    events.push({
      from: from as NodeStatus,
      to: to as NodeStatus,
      at: Number(at),
      ...(ip && { ip }),
      ...(region && { region }),
    });
  }
  return events;
}
