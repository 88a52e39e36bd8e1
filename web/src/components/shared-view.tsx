import { useMemo } from 'preact/hooks';
import type {
  BucketHealth,
  BucketUptimeResponse,
  HealthEventsPage,
  StorageBucketStatusResponse,
} from '../../../client/index.ts';
import { currentWindows, timeAgo, VERDICT_WORDS } from '../view-model.ts';
import { BucketHealthView } from './bucket-health.tsx';
import { StatusView } from './status-view.tsx';

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
  const windows = useMemo(
    () => currentWindows(health?.maintenance === undefined ? [] : [health.maintenance], now),
    [health, now],
  );
  return (
    <>
      <BucketHealthView health={health} uptime={uptime} windows={windows} now={now} />
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
