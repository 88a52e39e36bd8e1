import { useMemo } from 'preact/hooks';
import type { BucketHealth, BucketUptimeResponse, UptimeDay } from '../../../client/index.ts';
import {
  availabilityDays,
  formatInstant,
  timeAgo,
  timeUntil,
  type WindowShown,
} from '../view-model.ts';
import { UptimeBars } from './uptime-bars.tsx';
import { VerdictBadge } from './verdict-badge.tsx';

/**
 * What a bucket's page leads with, above its nodes (the bucket view and the shared view): the
 * verdict with its counts and `since`, the 30-day availability bars, and any active or upcoming
 * maintenance.
 */
export function BucketHealthView(props: {
  health: BucketHealth | undefined;
  uptime: BucketUptimeResponse | undefined;
  windows: WindowShown[];
  now: number;
}) {
  const { health, uptime, windows, now } = props;
  const days = useMemo(
    () => (uptime?.bucket === undefined ? [] : availabilityDays(uptime.bucket.days)),
    [uptime],
  );
  return (
    <>
      {health !== undefined && <VerdictSection health={health} now={now} />}
      {days.length > 0 && <Availability days={days} />}
      {windows.length > 0 && <Maintenance windows={windows} now={now} />}
    </>
  );
}

function VerdictSection({ health, now }: { health: BucketHealth; now: number }) {
  const { nodes } = health;
  return (
    <section aria-labelledby="verdict-title" class="verdict">
      <h2 id="verdict-title">
        <span class="visually-hidden">Bucket health: </span>
        <VerdictBadge verdict={health.verdict} />
      </h2>
      <p class="verdict-facts">
        {nodes.online} of {nodes.assigned} node{nodes.assigned === 1 ? '' : 's'} online
        {health.since !== undefined && (
          <>
            {' '}
            · since{' '}
            <time dateTime={health.since} title={health.since}>
              {formatInstant(health.since)}
            </time>{' '}
            ({timeAgo(health.since, now)})
          </>
        )}
      </p>
    </section>
  );
}

/** The bucket's availability bars, and the same figures as a table (the bars' text form). */
function Availability({ days }: { days: UptimeDay[] }) {
  return (
    <section aria-labelledby="availability-title" class="availability">
      <h2 id="availability-title">Availability</h2>
      <UptimeBars days={days} nodeName="the bucket" noun="available" />
      <details class="days-table">
        <summary>Availability by day, as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Available</th>
            </tr>
          </thead>
          <tbody>
            {days
              .slice()
              .reverse()
              .map((day) => (
                <tr key={day.day}>
                  <td>{day.day}</td>
                  <td>{day.perc_uptime === null ? 'no data' : `${day.perc_uptime}%`}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

function Maintenance({ windows, now }: { windows: WindowShown[]; now: number }) {
  return (
    <section aria-labelledby="maintenance-title" class="maintenance">
      <h2 id="maintenance-title">Maintenance</h2>
      <ul>
        {windows.map((w) => (
          <li key={w.id} class={w.active ? 'window-active' : 'window-upcoming'}>
            <strong>{w.active ? 'Now' : 'Upcoming'}</strong>
            {w.active ? (
              <>
                , until <time dateTime={w.end}>{formatInstant(w.end)}</time> (ends{' '}
                {timeUntil(w.end, now)})
              </>
            ) : (
              <>
                : <time dateTime={w.start}>{formatInstant(w.start)}</time> to{' '}
                <time dateTime={w.end}>{formatInstant(w.end)}</time> (starts{' '}
                {timeUntil(w.start, now)})
              </>
            )}
            {w.reason !== undefined && <span class="window-reason">: {w.reason}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
