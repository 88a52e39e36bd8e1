/**
 * The alert policy of webhooks (DESIGN.md section 16), pure: which event types a webhook
 * takes, how long a change must hold before it is delivered, and the rule that decides, at
 * `at + minDurationSeconds`, whether it held. docs/ARCHITECTURE.md ("Alerts") explains where
 * each part runs.
 */
import { inMaintenance, type MaintenanceWindow } from './health.ts';

export const WEBHOOK_EVENT_TYPES = ['node.status_changed', 'bucket.health_changed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A webhook without `events` (and every webhook created before the field) takes both. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventType[] = WEBHOOK_EVENT_TYPES;
/** The longest confirmation: SQS's largest DelaySeconds. */
export const MAX_MIN_DURATION_SECONDS = 900;

/** What the fan-out needs of a webhook to choose its deliveries. */
export interface AlertPolicy {
  events: readonly WebhookEventType[];
  minDurationSeconds: number;
}

const isEventType = (value: unknown): value is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(value);

/** `events` of a request body; throws an Error whose message is the 400's. */
export function parseEvents(value: unknown): WebhookEventType[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error('events must be a non-empty array of event types');
  }
  const seen = new Set<WebhookEventType>();
  for (const item of value) {
    if (!isEventType(item)) {
      throw new Error(`events may hold only ${WEBHOOK_EVENT_TYPES.join(' and ')}`);
    }
    if (seen.has(item)) throw new Error(`events lists ${item} twice`);
    seen.add(item);
  }
  return [...seen];
}

/** `minDurationSeconds` of a request body; throws an Error whose message is the 400's. */
export function parseMinDuration(value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_MIN_DURATION_SECONDS
  ) {
    throw new Error(`minDurationSeconds must be an integer 0-${MAX_MIN_DURATION_SECONDS}`);
  }
  return value;
}

/** A stored row's policy; anything missing or unreadable reads as the defaults. */
export function storedPolicy(events: readonly string[] | undefined, minDuration: unknown) {
  const kept = (events ?? []).filter(isEventType);
  return {
    events:
      kept.length > 0
        ? WEBHOOK_EVENT_TYPES.filter((t) => kept.includes(t))
        : [...DEFAULT_WEBHOOK_EVENTS],
    minDurationSeconds:
      typeof minDuration === 'number' &&
      Number.isInteger(minDuration) &&
      minDuration >= 0 &&
      minDuration <= MAX_MIN_DURATION_SECONDS
        ? minDuration
        : 0,
  } satisfies AlertPolicy;
}

/** Whether a webhook takes an event of `type`. */
export const subscribes = (policy: AlertPolicy, type: WebhookEventType) =>
  policy.events.includes(type);

/**
 * The queue delay of a delivery: none without a confirmation; otherwise until `at + D`, or
 * none when that moment has passed (a change recorded late is checked at once). Whole
 * seconds, rounded up (the check never runs before `at + D`), at most SQS's 900.
 */
export function confirmationDelaySeconds(
  atMs: number,
  minDurationSeconds: number,
  nowMs: number,
): number {
  if (minDurationSeconds <= 0) return 0;
  const wait = Math.ceil((atMs + minDurationSeconds * 1000 - nowMs) / 1000);
  return Math.min(MAX_MIN_DURATION_SECONDS, Math.max(0, wait));
}

/** A delivery that waits: what must still hold at `at + holdSeconds` for it to be sent. */
export type DeliveryCheck =
  | {
      subject: 'node';
      bucketId: string;
      nodeId: string;
      to: string;
      at: string;
      holdSeconds: number;
    }
  | { subject: 'bucket'; bucketId: string; to: string; at: string; holdSeconds: number };

/** The instant a check is about: `at + holdSeconds`, epoch ms. */
export const checkInstant = (check: DeliveryCheck) =>
  Date.parse(check.at) + check.holdSeconds * 1000;

/** The node's bucket row as the check reads it: the last accepted report. */
export interface NodeRowAtCheck {
  status: string;
  /** The timeline's instant of the last accepted report, epoch ms. */
  lastAtMs: number;
}

/**
 * Whether a node's change `from -> to` at `at` still holds at T = at + D, by section 8's
 * timeline (the state at T is the last report's status while T - lastAt <= stale, else
 * DISCONNECTED):
 *
 * - any recorded event of the node in the bucket with an instant in (at, T]: no;
 * - `to` DISCONNECTED: no report in (at, T] (the row's last report is not inside it; a report
 *   after T leaves the state at T alone, and one inside it records an event anyway);
 * - `to` ONLINE or OFFLINE: the row exists and, when its last report is at or before T, that
 *   report is `to` (or older than `at`) and not stale at T (lastAt + stale >= T). A last report
 *   after T says nothing about (at, T]: a silence there was recorded, by the sweep or by the
 *   report that ended it, as an event in (at, T]. A row gone (the node unassigned) cannot tell
 *   the state at T, and the change is not delivered.
 */
export function nodeChangeHolds(input: {
  to: string;
  atMs: number;
  holdSeconds: number;
  staleAfterSeconds: number;
  /** Instants (epoch ms) of the node's recorded events in the bucket after `at`. */
  laterEventsMs: readonly number[];
  row: NodeRowAtCheck | undefined;
}): boolean {
  const until = input.atMs + input.holdSeconds * 1000;
  if (input.laterEventsMs.some((t) => t > input.atMs && t <= until)) return false;
  const row = input.row;
  if (input.to === 'DISCONNECTED') {
    return row === undefined || row.lastAtMs <= input.atMs || row.lastAtMs > until;
  }
  if (row === undefined) return false;
  if (row.lastAtMs > until) return true;
  return (
    (row.lastAtMs <= input.atMs || row.status === input.to) &&
    row.lastAtMs + input.staleAfterSeconds * 1000 >= until
  );
}

/**
 * Whether a bucket's health change at `at` still holds at at + D: no recorded health event of
 * the bucket has an instant in (at, at + D].
 */
export function healthChangeHolds(input: {
  atMs: number;
  holdSeconds: number;
  laterEventsMs: readonly number[];
}): boolean {
  const until = input.atMs + input.holdSeconds * 1000;
  return !input.laterEventsMs.some((t) => t > input.atMs && t <= until);
}

/** A recorded change before the one checked: its instant and the state it left. */
export interface EarlierChange {
  atMs: number;
  from: string;
}

/**
 * Whether a change that held only brings its subject back to where it was before a run of
 * changes none of which held: walking back from the change over the subject's earlier
 * changes (newest first) while each is less than D before the next, the state before the
 * run is `to` again. Such a change is not delivered either: none of the run was, so the
 * receiver still knows that state (ONLINE -> OFFLINE -> ONLINE within D: nothing; ONLINE ->
 * OFFLINE -> DISCONNECTED within D: the DISCONNECTED, which held). `earlier` may be cut
 * short; its oldest entry then starts the run.
 */
export function returnsToStart(input: {
  to: string;
  atMs: number;
  holdSeconds: number;
  /** The subject's changes before `at`, newest first. */
  earlier: readonly EarlierChange[];
}): boolean {
  const hold = input.holdSeconds * 1000;
  let next = input.atMs;
  let start: string | undefined;
  for (const change of input.earlier) {
    if (change.atMs >= next) continue;
    if (next - change.atMs >= hold) break;
    start = change.from;
    next = change.atMs;
  }
  return start === input.to;
}

/** Node events inside an active window of their bucket are not delivered (section 15). */
export const silencedByMaintenance = (windows: readonly MaintenanceWindow[], atMs: number) =>
  inMaintenance(windows, atMs);
