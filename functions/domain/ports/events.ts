import type { NodeEvent } from '../events.ts';

/** The events read's ports (functions/events/read-bucket-events.ts); data/events.ts implements them. */

export interface StoredEvent extends NodeEvent {
  /** The row's sort key: the position a cursor carries. */
  position: string;
}

export interface EventsPageRequest {
  bucketId: string;
  limit: number;
  /** Only events strictly older (in sort-key order) than this position. */
  before?: string | undefined;
  /** The retention cut-off: events before this instant are not returned. */
  oldestAt: string;
}

export interface EventsPage {
  /** Newest first, at most `limit`. */
  events: StoredEvent[];
  /** True when at least one more event is older than the last one returned. */
  more: boolean;
}

/** Port: one page of the bucket's events, newest first. */
export type LoadEventsPage = (request: EventsPageRequest) => Promise<EventsPage>;
