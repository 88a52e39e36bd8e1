/**
 * What a share's badge says (DESIGN.md section 17), pure: the label, the message and the colour
 * of a Shields-style badge, drawn by badge-maker (badge-handler.ts).
 */
import { ValidationError } from '../domain/errors.ts';
import type { Verdict } from '../domain/health.ts';
import type { UptimeResponse } from '../wire/history.ts';

export interface BadgeFormat {
  label: string;
  message: string;
  color: string;
}

export const BADGE_SHOWS = ['health', 'uptime'] as const;
export type BadgeShow = (typeof BADGE_SHOWS)[number];

/** `show`: `health` (default) or `uptime`; anything else is a 400 naming the parameter. */
export function parseBadgeShow(raw: string | undefined): BadgeShow {
  if (raw === undefined) return 'health';
  if ((BADGE_SHOWS as readonly string[]).includes(raw)) return raw as BadgeShow;
  throw new ValidationError('show must be health or uptime');
}

/** Each verdict's word and colour (Shields' named colours); the word says it, not the colour. */
const VERDICT_BADGES: Record<Verdict, { message: string; color: string }> = {
  OPERATIONAL: { message: 'operational', color: 'brightgreen' },
  DEGRADED: { message: 'degraded', color: 'yellow' },
  PARTIAL_OUTAGE: { message: 'partial outage', color: 'orange' },
  MAJOR_OUTAGE: { message: 'major outage', color: 'red' },
  MAINTENANCE: { message: 'maintenance', color: 'blue' },
  UNKNOWN: { message: 'unknown', color: 'lightgrey' },
};

export function verdictBadge(verdict: Verdict): BadgeFormat {
  return { label: 'bucket', ...VERDICT_BADGES[verdict] };
}

/**
 * The bucket's availability over the answer's days (section 13's perc_available over the whole
 * window): operational and degraded time over the observed time less maintenance and unknown,
 * as a percentage rounded down to 2 decimals (so 99.999 never reads 100); undefined when
 * nothing counts.
 */
export function uptimePercent(uptime: UptimeResponse): number | undefined {
  let available = 0;
  let counted = 0;
  for (const day of uptime.bucket.days) {
    available += day.operational_seconds + day.degraded_seconds;
    counted += day.observed_seconds - day.maintenance_seconds - day.unknown_seconds;
  }
  if (counted <= 0) return undefined;
  return Math.floor((10_000 * Math.min(available, counted)) / counted) / 100;
}

/** Shields' thresholds for availability, best first. */
const UPTIME_COLOURS: readonly [number, string][] = [
  [99.9, 'brightgreen'],
  [99, 'green'],
  [95, 'yellow'],
  [90, 'orange'],
];

export function uptimeBadge(days: number, percent: number | undefined): BadgeFormat {
  const label = `uptime ${days}d`;
  if (percent === undefined) return { label, message: 'no data', color: 'lightgrey' };
  const color = UPTIME_COLOURS.find(([min]) => percent >= min)?.[1] ?? 'red';
  return { label, message: `${percent}%`, color };
}
