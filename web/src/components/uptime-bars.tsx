import { useRef, useState } from 'preact/hooks';
import type { UptimeDay } from '../../../client/index.ts';
import { overallUptime, uptimeLevel, uptimeText } from '../view-model.ts';

/**
 * One bar per day, one tab stop per node (roving tabindex: arrows move between days). The
 * focused or hovered day's figure is shown as text under the bars, and as each bar's name.
 */
export function UptimeBars({
  days,
  nodeName,
  noun = 'uptime',
}: {
  days: UptimeDay[];
  nodeName: string;
  /** What the figure is: a node's uptime, a bucket's availability (`available`). */
  noun?: 'uptime' | 'available';
}) {
  const text = (day: UptimeDay) => uptimeText(day, noun);
  const title = noun === 'uptime' ? 'uptime' : 'availability';
  const [active, setActive] = useState(days.length - 1);
  const [shown, setShown] = useState<number>();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const activeIndex = Math.min(active, days.length - 1);
  const overall = overallUptime(days);
  const detailDay = days[shown ?? activeIndex];
  const move = (to: number) => {
    const next = Math.max(0, Math.min(days.length - 1, to));
    setActive(next);
    setShown(next);
    refs.current[next]?.focus();
  };
  return (
    <div class="uptime">
      <p class="uptime-title">
        {days.length}-day {title}: {overall === null ? 'no data' : `${overall}%`}
      </p>
      <fieldset class="bars" onMouseLeave={() => setShown(undefined)}>
        <legend class="visually-hidden">
          Daily {title} of {nodeName}; arrow keys move between days
        </legend>
        {days.map((day, i) => (
          <button
            type="button"
            key={day.day}
            ref={(el) => {
              refs.current[i] = el;
            }}
            class={`bar bar-${uptimeLevel(day.perc_uptime)}`}
            tabIndex={i === activeIndex ? 0 : -1}
            aria-label={text(day)}
            title={text(day)}
            onFocus={() => {
              setActive(i);
              setShown(i);
            }}
            onBlur={() => setShown(undefined)}
            onMouseEnter={() => setShown(i)}
            onKeyDown={(e) => {
              const keys: Record<string, number> = {
                ArrowLeft: i - 1,
                ArrowRight: i + 1,
                Home: 0,
                End: days.length - 1,
              };
              const to = keys[e.key];
              if (to !== undefined) {
                e.preventDefault();
                move(to);
              }
            }}
          />
        ))}
      </fieldset>
      <p class={`uptime-detail${shown === undefined ? ' idle' : ''}`} aria-hidden="true">
        {detailDay === undefined ? '' : text(detailDay)}
      </p>
    </div>
  );
}
