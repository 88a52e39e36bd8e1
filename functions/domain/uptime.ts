/**
 * The history routes' inputs and wire shapes (DESIGN.md section 8), pure. The figures come
 * from functions/domain/timeline.ts#dayFigures.
 */
import { firstIssue, type Issue } from '../wire/check.ts';
import { type NodeStats, StatsRequest, type UptimeDay } from '../wire/history.ts';
import { ValidationError } from './errors.ts';
import { parseIntegerParam } from './query-params.ts';
import { addDays, type DayFigures, dayOf, dayStartMs } from './timeline.ts';

/** `GET /bucket/{bucketId}/uptime?days=N`: 1-90, default 30. */
export const UPTIME_DAYS = { min: 1, max: 90, fallback: 30 } as const;

export const parseUptimeDays = (raw: string | undefined): number =>
  parseIntegerParam('days', raw, UPTIME_DAYS);

/**
 * The most history rows (nodes x ended days) one GET uptime may read: 1,000 nodes over 90 days
 * (89 ended days, 89,000 rows) fit; each day's Query may read its share of it.
 * A bucket's node count has no bound, so without this a reader could make one request read
 * hundreds of thousands of rows (6,000 nodes x 89 days: about 12,000 read units and a Lambda
 * timeout). Today's figures come from the bucket rows, so today costs no history row.
 */
export const MAX_UPTIME_NODE_DAYS = 90_000;

/**
 * 400 when reading `historyDays` ended days for `nodeCount` nodes would pass `maxNodeDays`,
 * naming the largest `days` this bucket allows (today is free, so at least 1).
 */
export function assertUptimeReadBounded(
  nodeCount: number,
  days: number,
  historyDays: number,
  maxNodeDays = MAX_UPTIME_NODE_DAYS,
): void {
  if (nodeCount * historyDays <= maxNodeDays) return;
  const allowed = Math.floor(maxNodeDays / nodeCount) + 1;
  throw new ValidationError(
    `days=${days} would read ${nodeCount} nodes x ${historyDays} days of history, over the ` +
      `${maxNodeDays} a request may read; ask for days=${allowed} or fewer`,
  );
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** Whether `date`, of the shape `dddd-dd-dd`, is a real calendar date (no 2026-02-30), 1970-9999. */
function isCalendarDate(date: string): boolean {
  if (Number(date.slice(0, 4)) < 1970) return false;
  const ms = Date.parse(`${date}T00:00:00.000Z`);
  return !Number.isNaN(ms) && dayOf(ms) === date;
}

function statsBodyMessage(issue: Issue): string {
  const [field] = issue.path;
  if (field === undefined) return 'The body must be a JSON object { "day": "YYYY-MM-DD" }';
  if (issue.kind === 'unknown') return `The body has an unknown field "${field.slice(0, 64)}"`;
  if (issue.kind === 'missing') return 'day is required ("YYYY-MM-DD")';
  return 'day must be a date "YYYY-MM-DD" or an ISO 8601 date-time';
}

/** The oldest day history still holds: today and the `retentionDays - 1` days before. */
export const oldestKeptDay = (nowMs: number, retentionDays: number): string =>
  addDays(dayOf(nowMs), -(retentionDays - 1));

/**
 * The body of `POST /bucket/{bucketId}/stats`: `{ "day": "YYYY-MM-DD" }` or an ISO 8601
 * date-time (its UTC day). 400 for anything else, a future day, or a day past the retention.
 */
export function parseStatsDay(body: unknown, nowMs: number, retentionDays: number): string {
  const issue = firstIssue(StatsRequest, body);
  if (issue !== undefined) throw new ValidationError(statsBodyMessage(issue));
  // No further length bound needed: both patterns are anchored and match in linear time.
  const raw = (body as StatsRequest).day;
  let day: string;
  if (DATE.test(raw)) {
    if (!isCalendarDate(raw)) throw new ValidationError(`day is not a valid date: ${raw}`);
    day = raw;
  } else {
    const match = DATE_TIME.exec(raw);
    const ms = Date.parse(raw);
    if (match === null || !isCalendarDate(match[1] as string) || Number.isNaN(ms)) {
      throw new ValidationError('day must be a date "YYYY-MM-DD" or an ISO 8601 date-time');
    }
    day = dayOf(ms);
  }
  const today = dayOf(nowMs);
  if (day > today) throw new ValidationError(`day ${day} is in the future (today is ${today})`);
  const oldest = oldestKeptDay(nowMs, retentionDays);
  if (day < oldest) {
    throw new ValidationError(
      `day ${day} is older than the history retention (${retentionDays} days; oldest ${oldest})`,
    );
  }
  return day;
}

/** The last `n` days, today included, ascending. */
export function lastDays(nowMs: number, n: number): string[] {
  const today = dayOf(nowMs);
  return Array.from({ length: n }, (_, i) => addDays(today, i - (n - 1)));
}

const seconds = (ms: number) => ms / 1000;
export const percUptime = (onlineMs: number, observedMs: number): number | null =>
  observedMs === 0 ? null : Math.round((10_000 * onlineMs) / observedMs) / 100;
const avgLatency = (f: DayFigures) =>
  f.latCount === 0 ? undefined : Math.round(f.latSum / f.latCount);

/** The node fields both routes show, from the bucket row (absent until the node reported). */
export interface HistoryNode {
  nodeId: string;
  ip?: string | undefined;
  region?: string | undefined;
  version?: string | undefined;
}

export type StatsEntry = NodeStats;

/** One `nodeStats` entry of POST stats, in the contract's field order. */
export function toStatsEntry(node: HistoryNode, figures: DayFigures): StatsEntry {
  const entry = { host: node.nodeId } as StatsEntry;
  if (node.ip !== undefined) entry.ip = node.ip;
  if (node.region !== undefined) entry.region = node.region;
  if (node.version !== undefined) entry.version = node.version;
  entry.perc_uptime = percUptime(figures.onlineMs, figures.observedMs);
  entry.online_seconds = seconds(figures.onlineMs);
  entry.observed_seconds = seconds(figures.observedMs);
  const avg = avgLatency(figures);
  if (avg !== undefined) entry.avg_latency_ms = avg;
  if (figures.lastLatencyMs !== undefined) entry.last_latency_ms = figures.lastLatencyMs;
  entry.node_status = figures.endStatus;
  if (figures.lastAt !== undefined) entry.last_updated = new Date(figures.lastAt).toISOString();
  return entry;
}

export type { UptimeDay };

/** One entry of a node's `days` in GET uptime. */
export function toUptimeDay(figures: DayFigures): UptimeDay {
  const entry: UptimeDay = {
    day: figures.day,
    perc_uptime: percUptime(figures.onlineMs, figures.observedMs),
    online_seconds: seconds(figures.onlineMs),
    observed_seconds: seconds(figures.observedMs),
  };
  const avg = avgLatency(figures);
  if (avg !== undefined) entry.avg_latency_ms = avg;
  return entry;
}

/** The instant the retention window starts: nothing before it is shown. */
export const retentionStartMs = (nowMs: number, retentionDays: number): number =>
  dayStartMs(oldestKeptDay(nowMs, retentionDays));
