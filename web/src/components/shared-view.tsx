import type {
  BucketHealth,
  BucketUptimeResponse,
  HealthEventsPage,
  StorageBucketStatusResponse,
} from '../../../client/index.ts';
import { availabilityDays, timeAgo, VERDICT_WORDS } from '../view-model.ts';
import { StatusView } from './status-view.tsx';
import { UptimeBars } from './uptime-bars.tsx';

/**
 * A bucket shown through a share link: its verdict, the 30-day availability bars, the nodes
 * (addresses only when the share shows them) and the latest health events. No token, no form.
 */
export function SharedView(props: {
  health: BucketHealth | undefined;
  status: StorageBucketStatusResponse | undefined;
  uptime: BucketUptimeResponse | undefined;
  events: HealthEventsPage | undefined;
  fetchedAt: number | undefined;
  now: number;
}) {
  const { health, status, uptime, events, now } = props;
  const days = uptime?.bucket === undefined ? [] : availabilityDays(uptime.bucket.days);
  return (
    <>
      {health !== undefined && (
        <section aria-labelledby="verdict-title" class="verdict">
          <h2 id="verdict-title">
            <span class={`verdict-word verdict-${health.verdict.toLowerCase()}`}>
              {VERDICT_WORDS[health.verdict] ?? health.verdict}
            </span>
          </h2>
          <p>
            {health.nodes.online} of {health.nodes.assigned} node
            {health.nodes.assigned === 1 ? '' : 's'} online
            {health.since !== undefined && (
              <>
                {' '}
                · since{' '}
                <time dateTime={health.since} title={health.since}>
                  {timeAgo(health.since, now)}
                </time>
              </>
            )}
          </p>
          {health.maintenance !== undefined && (
            <p class="maintenance">
              Maintenance until {health.maintenance.end}
              {health.maintenance.reason !== undefined && `: ${health.maintenance.reason}`}
            </p>
          )}
        </section>
      )}
      {days.length > 0 && (
        <section aria-labelledby="availability-title" class="availability">
          <h2 id="availability-title">Availability</h2>
          <UptimeBars days={days} nodeName="the bucket" />
        </section>
      )}
      {status !== undefined && (
        <StatusView status={status} uptime={uptime} fetchedAt={props.fetchedAt} now={now} />
      )}
      {events !== undefined && (
        <section aria-labelledby="health-events-title" class="events">
          <h2 id="health-events-title">Latest health changes</h2>
          {events.events.length === 0 ? (
            <p>No change of the bucket's health recorded yet.</p>
          ) : (
            <ol>
              {events.events.map((event) => (
                <li key={event.id}>
                  <time dateTime={event.at} title={event.at}>
                    {timeAgo(event.at, now)}
                  </time>
                  : {VERDICT_WORDS[event.from] ?? event.from} <span aria-hidden="true">→</span>
                  <span class="visually-hidden">to</span> {VERDICT_WORDS[event.to] ?? event.to} (
                  {event.nodes.online} of {event.nodes.counted} online)
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </>
  );
}
