/**
 * The reference model of the bucket's health verdict (DESIGN.md sections 8, 13 and 15): plain
 * functions from a bucket's raw facts (its creation, each node's assignments with their accepted
 * reports and unassignment, the policy changes, the maintenance windows) to the verdict at any
 * instant, the health events, each day's figures and `perc_available`. It shares no code with
 * functions/domain/health*.ts: it evaluates the table of section 13 at each instant straight
 * from the facts, so the property tests compare the incremental checkpoint arithmetic with the
 * definition itself. Deliberately naive: every instant is evaluated from scratch.
 *
 * A node's state for the verdict (sections 8, 9 and 13): the status of its latest report at or
 * before t, on [report, report + stale); DISCONNECTED from report + stale on ("a node's change to
 * DISCONNECTED counts at last report + STALE_AFTER_SECONDS", section 13; section 8 counts a
 * report's ONLINE time as [at, at + stale), test/support/uptime-model.ts). GET status's reading at
 * the single instant at + stale (`stateAt`, inclusive) is a point read and not the timeline's.
 *
 * `healthInputsOf` is the one part that is not the definition but the records storage keeps: the
 * node events of section 9 (functions/domain/timeline.ts `transitionsOf`, section 9's tested
 * definition), uncount records and policy records, as `HealthInput`s.
 */
import type { HealthInput } from '../../functions/domain/health.ts';
import { transitionsOf } from '../../functions/domain/timeline.ts';

export type Reported = 'ONLINE' | 'OFFLINE';
export type ModelVerdict =
  | 'OPERATIONAL'
  | 'DEGRADED'
  | 'PARTIAL_OUTAGE'
  | 'MAJOR_OUTAGE'
  | 'MAINTENANCE'
  | 'UNKNOWN';

export interface ModelHealthReport {
  /** Server receive time, epoch ms; strictly increasing within an assignment. */
  at: number;
  status: Reported;
}

/** One assignment of a node to the bucket: reports lie in [assignedAt, unassignedAt). */
export interface ModelAssignment {
  assignedAt: number;
  reports: ModelHealthReport[];
  unassignedAt?: number | undefined;
}

export interface ModelNode {
  nodeId: string;
  /** In time order, not overlapping. */
  assignments: ModelAssignment[];
}

export interface HealthScenario {
  createdAt: number;
  staleMs: number;
  nodes: ModelNode[];
  /** The policy from `at` on. */
  policies: { at: number; minOnlinePercent: number }[];
  /** Active on [start, end). */
  windows: { start: number; end: number }[];
  /** The policy at creation (default 50). */
  initialPercent?: number | undefined;
}

export interface ModelCounts {
  counted: number;
  online: number;
}

export interface ModelPoint {
  counts: ModelCounts;
  minOnlinePercent: number;
  verdict: ModelVerdict;
  since?: number | undefined;
}

export interface ModelChange {
  from: ModelVerdict;
  to: ModelVerdict;
  at: number;
  counts: ModelCounts;
}

export interface ModelDurations {
  operationalMs: number;
  degradedMs: number;
  partialOutageMs: number;
  majorOutageMs: number;
  maintenanceMs: number;
  unknownMs: number;
  observedMs: number;
}

const DAY = 86_400_000;
const dayOfMs = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const startOfDay = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);

/** `q`: the least integer q >= 1 with 100 q >= n * percent (ceil without division). */
export function modelMinOnline(counted: number, percent: number): number {
  let q = 1;
  while (100 * q < counted * percent) q++;
  return q;
}

/** The section 13 table, row by row. */
export function modelVerdict(
  counted: number,
  online: number,
  percent: number,
  maintenance: boolean,
): ModelVerdict {
  if (maintenance) return 'MAINTENANCE';
  if (counted === 0) return 'UNKNOWN';
  if (online === counted) return 'OPERATIONAL';
  const q = modelMinOnline(counted, percent);
  if (q <= online && online < counted) return 'DEGRADED';
  if (1 <= online && online < q) return 'PARTIAL_OUTAGE';
  return 'MAJOR_OUTAGE';
}

/** Counted and ONLINE nodes at t (every fact with instant <= t applied). */
export function countsAt(s: HealthScenario, t: number): ModelCounts {
  let counted = 0;
  let online = 0;
  for (const node of s.nodes) {
    for (const a of node.assignments) {
      const first = a.reports[0];
      if (first === undefined || first.at > t) continue;
      if (a.unassignedAt !== undefined && t >= a.unassignedAt) continue;
      counted++;
      const last = a.reports.filter((r) => r.at <= t).at(-1) as ModelHealthReport;
      if (last.status === 'ONLINE' && t < last.at + s.staleMs) online++;
    }
  }
  return { counted, online };
}

export function percentAt(s: HealthScenario, t: number): number {
  let percent = s.initialPercent ?? 50;
  let latest = Number.NEGATIVE_INFINITY;
  for (const p of s.policies) {
    if (p.at <= t && p.at >= latest) {
      latest = p.at;
      percent = p.minOnlinePercent;
    }
  }
  return percent;
}

export const maintenanceAt = (s: HealthScenario, t: number): boolean =>
  s.windows.some((w) => w.start <= t && t < w.end);

export function verdictAt(s: HealthScenario, t: number): ModelVerdict {
  const { counted, online } = countsAt(s, t);
  return modelVerdict(counted, online, percentAt(s, t), maintenanceAt(s, t));
}

/**
 * Every instant at which some fact starts or stops holding: the verdict is constant between
 * two consecutive ones. Each with its neighbours (+/- 1 ms), sorted, unique.
 */
export function candidateInstants(s: HealthScenario): number[] {
  const points: number[] = [s.createdAt];
  for (const node of s.nodes) {
    for (const a of node.assignments) {
      points.push(a.assignedAt);
      if (a.unassignedAt !== undefined) points.push(a.unassignedAt);
      for (const r of a.reports) points.push(r.at, r.at + s.staleMs);
    }
  }
  for (const p of s.policies) points.push(p.at);
  for (const w of s.windows) points.push(w.start, w.end);
  const all = points.flatMap((p) => [p - 1, p, p + 1]);
  return [...new Set(all)].sort((a, b) => a - b);
}

/** The health events in (after, to]: every t where verdict(t) differs from verdict(t - 1). */
export function modelChanges(s: HealthScenario, after: number, to: number): ModelChange[] {
  const changes: ModelChange[] = [];
  const from = Math.max(after, s.createdAt);
  for (const t of candidateInstants(s)) {
    if (t <= from || t > to) continue;
    const before = verdictAt(s, t - 1);
    const now = verdictAt(s, t);
    if (before !== now) changes.push({ from: before, to: now, at: t, counts: countsAt(s, t) });
  }
  return changes;
}

/** The state at t >= createdAt; `since` is the last health event at or before t. */
export function modelPointAt(s: HealthScenario, t: number): ModelPoint {
  const point: ModelPoint = {
    counts: countsAt(s, t),
    minOnlinePercent: percentAt(s, t),
    verdict: verdictAt(s, t),
  };
  const last = modelChanges(s, s.createdAt, t).at(-1);
  if (last !== undefined) point.since = last.at;
  return point;
}

const zero = (): ModelDurations => ({
  operationalMs: 0,
  degradedMs: 0,
  partialOutageMs: 0,
  majorOutageMs: 0,
  maintenanceMs: 0,
  unknownMs: 0,
  observedMs: 0,
});

const FIELD: Record<ModelVerdict, keyof ModelDurations> = {
  OPERATIONAL: 'operationalMs',
  DEGRADED: 'degradedMs',
  PARTIAL_OUTAGE: 'partialOutageMs',
  MAJOR_OUTAGE: 'majorOutageMs',
  MAINTENANCE: 'maintenanceMs',
  UNKNOWN: 'unknownMs',
};

/** Milliseconds of [a, b) under each verdict: each ms [t, t + 1) counts toward verdict(t). */
export function modelDurations(s: HealthScenario, a: number, b: number): ModelDurations {
  const d = zero();
  if (b <= a) return d;
  const cuts = [a, ...candidateInstants(s).filter((t) => t > a && t < b), b];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const t0 = cuts[i] as number;
    const t1 = cuts[i + 1] as number;
    d[FIELD[verdictAt(s, t0)]] += t1 - t0;
    d.observedMs += t1 - t0;
  }
  return d;
}

/** The same, one millisecond at a time (for checking the model itself on short spans). */
export function modelDurationsByMs(s: HealthScenario, a: number, b: number): ModelDurations {
  const d = zero();
  for (let t = a; t < b; t++) {
    d[FIELD[verdictAt(s, t)]] += 1;
    d.observedMs += 1;
  }
  return d;
}

/** A day's figures up to `now`: [max(dayStart, createdAt), min(dayEnd, now)). */
export function modelDay(s: HealthScenario, day: string, now: number): ModelDurations {
  const start = startOfDay(day);
  return modelDurations(s, Math.max(start, s.createdAt), Math.min(start + DAY, now));
}

/** `perc_available`: 100 (op + degraded) / (observed - maintenance - unknown), 2 decimals. */
export function modelPercAvailable(d: ModelDurations): number | null {
  const denominator = d.observedMs - d.maintenanceMs - d.unknownMs;
  if (denominator === 0) return null;
  return Math.round((10_000 * (d.operationalMs + d.degradedMs)) / denominator) / 100;
}

/** The UTC days from the one of `a` to the one of `b`, inclusive. */
export function modelDaysFrom(a: number, b: number): string[] {
  const days: string[] = [];
  for (let t = startOfDay(dayOfMs(a)); t <= b; t += DAY) days.push(dayOfMs(t));
  return days;
}

export { dayOfMs as modelDayOf, startOfDay as modelDayStart };

/**
 * The records storage keeps for these facts, as the timeline's inputs: each report's node
 * events as section 9 records them (first report since assignment DISCONNECTED -> s with
 * `first`, flips, a gap of more than stale s -> DISCONNECTED at prev + stale then
 * DISCONNECTED -> s), the silence after an assignment's last report (at last + stale, whether or
 * not it is later than any instant of interest), an unassignment's change to DISCONNECTED at its
 * instant when the last report still held, and its `uncount`; one `policy` input per change.
 */
export function healthInputsOf(s: HealthScenario): HealthInput[] {
  const inputs: HealthInput[] = [];
  for (const node of s.nodes) {
    for (const a of node.assignments) {
      let previous: ModelHealthReport | undefined;
      for (const report of a.reports) {
        for (const change of transitionsOf(previous, report, s.staleMs)) {
          inputs.push({
            kind: 'node',
            at: change.at,
            nodeId: node.nodeId,
            from: change.from,
            to: change.to,
            first: previous === undefined,
          });
        }
        previous = report;
      }
      if (previous === undefined) continue;
      const silence = previous.at + s.staleMs;
      const u = a.unassignedAt;
      inputs.push({
        kind: 'node',
        at: u === undefined ? silence : Math.min(u, silence),
        nodeId: node.nodeId,
        from: previous.status,
        to: 'DISCONNECTED',
        first: false,
      });
      if (u !== undefined) inputs.push({ kind: 'uncount', at: u, nodeId: node.nodeId });
    }
  }
  for (const p of s.policies) {
    inputs.push({ kind: 'policy', at: p.at, minOnlinePercent: p.minOnlinePercent });
  }
  return inputs;
}
