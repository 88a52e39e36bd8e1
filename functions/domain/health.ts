/**
 * The bucket's health verdict (DESIGN.md section 13), pure. The verdict timeline over time is
 * `functions/domain/health-timeline.ts`; this module is the rule at one instant.
 */
import type { NodeStatus } from './node-status.ts';

export const VERDICTS = [
  'OPERATIONAL',
  'DEGRADED',
  'PARTIAL_OUTAGE',
  'MAJOR_OUTAGE',
  'MAINTENANCE',
  'UNKNOWN',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The policy's bounds and default (`minOnlinePercent`). */
export const MIN_ONLINE_PERCENT = { min: 1, max: 100, fallback: 50 } as const;

/**
 * The counted nodes at an instant: `counted` nodes count toward the verdict (from their first
 * accepted report since their assignment until they are unassigned); `online` of them are
 * ONLINE.
 */
export interface HealthCounts {
  counted: number;
  online: number;
}

/** `q = max(1, ceil(n * minOnlinePercent / 100))`, in integers (no floating-point rounding). */
export const minOnline = (counted: number, minOnlinePercent: number): number =>
  Math.max(1, Math.ceil((counted * minOnlinePercent) / 100));

/** The verdict at one instant, given the counts, the policy and whether a window is active. */
export function verdictOf(
  counts: HealthCounts,
  minOnlinePercent: number,
  inMaintenance: boolean,
): Verdict {
  if (inMaintenance) return 'MAINTENANCE';
  const { counted, online } = counts;
  if (counted === 0) return 'UNKNOWN';
  if (online === counted) return 'OPERATIONAL';
  if (online === 0) return 'MAJOR_OUTAGE';
  return online >= minOnline(counted, minOnlinePercent) ? 'DEGRADED' : 'PARTIAL_OUTAGE';
}

/** A maintenance window (DESIGN.md section 15): active on [start, end), epoch ms. */
export interface MaintenanceWindow {
  id: string;
  start: number;
  end: number;
  reason?: string | undefined;
  createdAt: number;
}

/** Whether any window is active at `t` (their union counts). */
export const inMaintenance = (windows: readonly MaintenanceWindow[], t: number): boolean =>
  windows.some((w) => w.start <= t && t < w.end);

/**
 * What changes the verdict, besides windows, each at its exact instant (epoch ms):
 * - `node`: a node event of section 9 (`from` -> `to`); `first` when it is the node's first
 *   accepted report since its assignment (the node starts to count: `from` is DISCONNECTED);
 * - `uncount`: a counted node was unassigned at `at` (it is DISCONNECTED then: the change to
 *   DISCONNECTED is a `node` input of its own, at the same instant or before);
 * - `policy`: the bucket's `minOnlinePercent` from `at` on.
 */
export type HealthInput =
  | { kind: 'node'; at: number; nodeId: string; from: NodeStatus; to: NodeStatus; first: boolean }
  | { kind: 'uncount'; at: number; nodeId: string }
  | { kind: 'policy'; at: number; minOnlinePercent: number };
