import type { NodeStatus } from '../domain/node-status.ts';
import type { PendingEvent } from '../domain/ports/ingest.ts';
import { ATTR, type Item } from './attributes.ts';

/**
 * The row's pending events (`ATTR.pendingEvents`, a list of strings
 * `<from>|<to>|<at ms>|<ip>|<region>`, with a 6th field `1` when the transition is the node's
 * first report since its assignment; 5 fields: not first): every write that makes transitions
 * appends them in the same conditional write, and they stay until the event writer has recorded
 * them (docs/ARCHITECTURE.md, "History"), so an event write that fails after the row landed is
 * recorded by the next write to the row (a report's, or the sweep's, which records them with the
 * DISCONNECTED event and removes them). `ATTR.pendingHistory` is set (N 1) by a rollover: the
 * row's closed slot (and spill) are not yet known to be in HIST# rows; the next write writes them
 * again until the use case, after a landed flush, clears it.
 */
const STATE_NAMES: ReadonlySet<string> = new Set(['ONLINE', 'OFFLINE', 'DISCONNECTED']);
const FIRST = '1';
export function encodePendingEvent(event: PendingEvent): string {
  const fields = [event.from, event.to, event.at, event.ip ?? '', event.region ?? ''];
  // A 6th field `1` for the node's first report since its assignment (absent: not first).
  if (event.first === true) fields.push(FIRST);
  return fields.join('|');
}
export function decodePendingEvents(item: Item | undefined): PendingEvent[] {
  const list = item?.[ATTR.pendingEvents]?.L ?? [];
  const events: PendingEvent[] = [];
  for (const entry of list) {
    const [from, to, at, ip, region, first] = (entry.S ?? '').split('|');
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
      ...(first === FIRST && { first: true }),
    });
  }
  return events;
}
