import { assertBucketReadable, type Principal } from '../domain/bucket-read-access.ts';
import { Unavailable, ValidationError } from '../domain/errors.ts';
import { parseEventsLimit, toEventView } from '../domain/events.ts';
import { decodeCursor, encodeCursor } from '../domain/events-cursor.ts';
import { inMaintenance } from '../domain/health.ts';
import type { LoadBucketOwner, LoadUserAccess } from '../domain/ports/bucket-reads.ts';
import type { LoadEventsPage } from '../domain/ports/events.ts';
import type { LoadWindows } from '../domain/ports/health.ts';
import type { BucketEventsPage } from '../wire/events.ts';

export type BucketEventsResponse = BucketEventsPage;

export interface ReadBucketEventsDeps {
  loadUserAccess: LoadUserAccess;
  loadBucketOwner: LoadBucketOwner;
  loadEventsPage: LoadEventsPage;
  /** The bucket's maintenance windows: an event inside one is shown `maintenance: true`. */
  loadWindows: LoadWindows;
  /** The cursor's HMAC key (functions/shared/cursor-key.ts). */
  cursorKey: () => Promise<Uint8Array>;
  eventRetentionDays: number;
  now?: () => number;
}

export interface EventsQuery {
  bucketId: string;
  limit: string | undefined;
  cursor: string | undefined;
}

const DAY_MS = 86_400_000;

async function keyOf(deps: ReadBucketEventsDeps): Promise<Uint8Array> {
  try {
    return await deps.cursorKey();
  } catch (error) {
    throw new Unavailable('Events are temporarily unavailable; retry shortly', 1, { cause: error });
  }
}

/**
 * GET /bucket/{bucketId}/events: the query checked first (limit, then the cursor's MAC, both
 * pure), then the user's partition, the bucket's META row, one page of events and the bucket's
 * maintenance windows read in parallel (one round trip), then the access rule of GET status,
 * then the page (an event inside a window flagged `maintenance: true`).
 */
export async function readBucketEvents(
  principal: Principal,
  query: EventsQuery,
  deps: ReadBucketEventsDeps,
): Promise<BucketEventsResponse> {
  const { bucketId } = query;
  const limit = parseEventsLimit(query.limit);
  const key = await keyOf(deps);
  let before: string | undefined;
  if (query.cursor !== undefined) {
    before = decodeCursor(key, bucketId, query.cursor);
    if (before === undefined) {
      throw new ValidationError("cursor is not a cursor of this bucket's events");
    }
  }
  const nowMs = (deps.now ?? Date.now)();
  const oldestAt = new Date(nowMs - deps.eventRetentionDays * DAY_MS).toISOString();
  const [user, owner, page, windows] = await Promise.all([
    deps.loadUserAccess(principal.userId),
    deps.loadBucketOwner(bucketId),
    deps.loadEventsPage({ bucketId, limit, before, oldestAt }),
    deps.loadWindows(bucketId),
  ]);
  // The status route's access rule, the one function every bucket read calls.
  assertBucketReadable(principal, user, owner);
  const response: BucketEventsResponse = {
    bucketId,
    events: page.events.map((event) => {
      const view = toEventView(event);
      if (inMaintenance(windows, Date.parse(event.at))) view.maintenance = true;
      return view;
    }),
  };
  const last = page.events.at(-1);
  if (page.more && last !== undefined) {
    response.nextCursor = encodeCursor(key, bucketId, last.position);
  }
  return response;
}
