import type { BucketEventsPage } from '../../../client/index.ts';
import { EVENTS_SHOWN, timeAgo } from '../view-model.ts';
import { StatusBadge } from './status-badge.tsx';

/** The latest status changes, newest first. */
export function EventsView({ events, now }: { events: BucketEventsPage; now: number }) {
  return (
    <section aria-labelledby="events-title" class="events">
      <h2 id="events-title">Latest events</h2>
      {events.events.length === 0 ? (
        <p>No status change recorded yet.</p>
      ) : (
        <ol>
          {events.events.slice(0, EVENTS_SHOWN).map((event) => (
            <li key={event.id}>
              <time dateTime={event.at} title={event.at}>
                {timeAgo(event.at, now)}
              </time>{' '}
              <span class="event-node">{event.ip ?? event.host}</span>
              {event.region !== undefined && <span class="event-region"> ({event.region})</span>}:{' '}
              <StatusBadge state={event.from} /> <span aria-hidden="true">→</span>
              <span class="visually-hidden">to</span>
              <StatusBadge state={event.to} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
