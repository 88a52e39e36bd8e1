/**
 * The reference model of DESIGN.md section 8: a plain function from a list of accepted reports
 * (receive times, statuses, latencies) and an assignment time to a day's figures. It shares no
 * code with functions/: it walks every report and measures ONLINE intervals directly, so the
 * property tests compare the stored, incremental arithmetic with the definition itself.
 */

export type Reported = 'ONLINE' | 'OFFLINE';
export type State = Reported | 'DISCONNECTED';

export interface ModelReport {
  /** Server receive time, epoch ms. */
  at: number;
  status: Reported;
  latencyMs?: number | undefined;
}

export interface ModelDay {
  day: string;
  online_seconds: number;
  observed_seconds: number;
  perc_uptime: number | null;
  avg_latency_ms?: number;
  last_latency_ms?: number;
  last_updated?: string;
  node_status: State;
}

const DAY = 86_400_000;

/**
 * Figures of `day` for one node and bucket. `reports` are the accepted reports since the
 * current assignment, in acceptance order; a receive time earlier than the one before it
 * counts as that one (the timeline never goes backwards).
 */
export function modelDay(
  reports: readonly ModelReport[],
  assignedAt: number | undefined,
  day: string,
  nowMs: number,
  staleMs: number,
): ModelDay {
  const timeline: ModelReport[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (const report of reports) {
    previous = Math.max(previous, report.at);
    timeline.push({ ...report, at: previous });
  }
  const dayStart = Date.parse(`${day}T00:00:00.000Z`);
  const dayEnd = dayStart + DAY;
  const start = Math.max(dayStart, assignedAt ?? dayStart);
  const end = Math.max(start, Math.min(dayEnd, nowMs));

  let online = 0;
  for (let i = 0; i < timeline.length; i++) {
    const report = timeline[i] as ModelReport;
    if (report.status !== 'ONLINE') continue;
    const next = timeline[i + 1];
    const until = Math.min(report.at + staleMs, next === undefined ? Infinity : next.at);
    online += Math.max(0, Math.min(until, end) - Math.max(report.at, start));
  }
  const observed = end - start;
  const result: ModelDay = {
    day,
    online_seconds: online / 1000,
    observed_seconds: observed / 1000,
    perc_uptime: observed === 0 ? null : Math.round((10_000 * online) / observed) / 100,
    node_status: 'DISCONNECTED',
  };
  if (observed === 0) return result;

  const ofDay = timeline.filter((r) => r.at >= dayStart && r.at < dayEnd && r.at <= nowMs);
  const latencies = ofDay.flatMap((r) => (r.latencyMs === undefined ? [] : [r.latencyMs]));
  if (latencies.length > 0) {
    result.avg_latency_ms = Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length);
  }
  const lastOfDay = ofDay.at(-1);
  if (lastOfDay !== undefined) {
    if (lastOfDay.latencyMs !== undefined) result.last_latency_ms = lastOfDay.latencyMs;
    result.last_updated = new Date(lastOfDay.at).toISOString();
  }
  const before = timeline.filter((r) => r.at <= end && r.at < dayEnd).at(-1);
  if (before !== undefined && end - before.at <= staleMs) result.node_status = before.status;
  return result;
}

/** The days `from`..`to` inclusive, ascending. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (
    let t = Date.parse(`${from}T00:00:00.000Z`);
    t <= Date.parse(`${to}T00:00:00.000Z`);
    t += DAY
  ) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}
