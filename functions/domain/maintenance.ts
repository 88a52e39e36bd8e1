/**
 * Maintenance windows (DESIGN.md section 15) and the health policy's input (section 13), pure:
 * what a window request may be, which windows a listing shows, what a deletion does. The
 * rows are functions/data/maintenance-windows.ts and functions/data/health-policy.ts.
 */
import { firstIssue, type Issue } from '../wire/check.ts';
import { HealthPolicyRequest } from '../wire/health-policy.ts';
import {
  MAX_REASON_LENGTH,
  NewMaintenanceWindow,
  type MaintenanceWindow as WindowView,
} from '../wire/maintenance.ts';
import { Conflict, NotFound, ValidationError } from './errors.ts';
import type { MaintenanceWindow } from './health.ts';
import { MIN_ONLINE_PERCENT } from './health.ts';
import { textProblem } from './ids.ts';

export { MAX_REASON_LENGTH };

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;

/** At most this many active or upcoming windows per bucket (the next one: 409). */
export const MAX_OPEN_WINDOWS = 20;
/** A window may start at most this long before the request (clock skew, a slow client). */
export const MAX_START_IN_PAST_MS = 60 * SECOND_MS;
/** A window lasts at most 7 days. */
export const MAX_WINDOW_MS = 7 * DAY_MS;
/** A window starts at most 90 days after the request. */
export const MAX_START_AHEAD_MS = 90 * DAY_MS;
/** The listing shows windows that ended at most this long ago. */
export const LISTED_AFTER_END_MS = 30 * DAY_MS;
/** An ended window's row is kept this long after its end (a day beyond the listing's reach). */
export const KEPT_AFTER_END_MS = 31 * DAY_MS;
/**
 * At most this many windows per bucket are kept at once: active, upcoming, and ended within the
 * last 31 days (KEPT_AFTER_END_MS). The next one: 409.
 */
export const MAX_KEPT_WINDOWS = 100;
/** At most this many policy changes per bucket and UTC day (the next one: 409). */
export const MAX_POLICY_CHANGES_PER_DAY = 50;

/** A validated window request: instants in epoch ms, reason absent when empty. */
export interface WindowRequest {
  start: number;
  end: number;
  reason: string | undefined;
}

/** Where a window is at `now`: [start, end) is active. */
export type WindowPhase = 'upcoming' | 'active' | 'ended';

export const windowPhase = (window: MaintenanceWindow, now: number): WindowPhase =>
  now < window.start ? 'upcoming' : now < window.end ? 'active' : 'ended';

/** Active or upcoming: it holds one of the bucket's MAX_OPEN_WINDOWS places. */
export const isOpenWindow = (window: MaintenanceWindow, now: number): boolean => now < window.end;

// A date-time with seconds and a zone; at most milliseconds (what is stored), nothing looser.
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,3})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * An ISO 8601 instant, strictly: `YYYY-MM-DDTHH:MM:SS[.mmm]` and `Z` or `+HH:MM`, a real
 * calendar date from 1970 on; undefined for anything else (no date alone, no local time, no
 * `2026-02-30`, no leap second).
 */
export function parseInstant(value: string): number | undefined {
  const match = INSTANT.exec(value);
  if (match === null) return undefined;
  const [, year, month, day] = match as unknown as [string, string, string, string];
  if (Number(year) < 1970) return undefined;
  const date = `${year}-${month}-${day}`;
  const midnight = Date.parse(`${date}T00:00:00.000Z`);
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date) {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

const INSTANT_HINT = 'an ISO 8601 instant such as "2026-12-06T10:00:00Z"';

/** The reason's length counts code points (textProblem), not the UTF-16 units a schema counts. */
const checkedLater = (issue: Issue) =>
  issue.path[0] === 'reason' && issue.error.type === 'StringMaxLength';

function windowBodyMessage(issue: Issue): string {
  const [field] = issue.path;
  if (field === undefined) {
    return 'The body must be a JSON object { "start", "end", "reason"? }';
  }
  if (issue.kind === 'unknown') return `unknown field: ${field.slice(0, 64)}`;
  if (field === 'reason') return 'reason must be a string';
  if (issue.kind === 'missing') return `${field} is required (${INSTANT_HINT})`;
  return `${field} must be ${INSTANT_HINT}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The body of POST /bucket/{bucketId}/maintenance (and add-maintenance's options): 400 for a
 * malformed body, a start more than 60 s before `now`, an end not after the start, a window
 * longer than 7 days, or a start more than 90 days after `now`.
 */
export function parseWindowRequest(body: unknown, now: number): WindowRequest {
  // A null reason is no reason.
  const value =
    typeof body === 'object' && body !== null && 'reason' in body && body.reason === null
      ? { ...body, reason: undefined }
      : body;
  const issue = firstIssue(NewMaintenanceWindow, value, { ignore: checkedLater });
  if (issue !== undefined) throw new ValidationError(windowBodyMessage(issue));
  const raw = value as NewMaintenanceWindow;
  const start = parseInstant(raw.start);
  if (start === undefined) throw new ValidationError(`start must be ${INSTANT_HINT}`);
  const end = parseInstant(raw.end);
  if (end === undefined) throw new ValidationError(`end must be ${INSTANT_HINT}`);
  if (raw.reason !== undefined) {
    const problem = textProblem(raw.reason, 'reason', 0, MAX_REASON_LENGTH);
    if (problem !== undefined) throw new ValidationError(problem);
  }
  if (start < now - MAX_START_IN_PAST_MS) {
    throw new ValidationError(
      `start ${iso(start)} is more than 60 seconds in the past (now ${iso(now)})`,
    );
  }
  if (end <= start) throw new ValidationError('end must be after start');
  if (end - start > MAX_WINDOW_MS) throw new ValidationError('a window lasts at most 7 days');
  if (start > now + MAX_START_AHEAD_MS) {
    throw new ValidationError(`start ${iso(start)} is more than 90 days ahead (now ${iso(now)})`);
  }
  const reason = raw.reason === undefined || raw.reason === '' ? undefined : raw.reason;
  return { start, end, reason };
}

/**
 * What GET maintenance lists: the active and upcoming windows and those that ended within the
 * last 30 days, by start (then end, then id: a stable order).
 */
export function listedWindows(
  windows: readonly MaintenanceWindow[],
  now: number,
): MaintenanceWindow[] {
  return windows
    .filter((w) => w.end > now - LISTED_AFTER_END_MS)
    .sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * What DELETE does to the window with `windowId` at `now`: an upcoming one is removed, an
 * active one ends at `now`; an ended one is a conflict (409); an unknown one 404.
 */
export function deletionOf(window: MaintenanceWindow | undefined, now: number): 'remove' | 'end' {
  if (window === undefined) throw new NotFound('Maintenance window not found');
  const phase = windowPhase(window, now);
  if (phase === 'ended') throw new Conflict('The maintenance window has already ended');
  return phase === 'upcoming' ? 'remove' : 'end';
}

/**
 * The windows a bucket keeps at `now`, by id, each with the instant it stops counting (its
 * end + 31 days): those of the ledger (`ledger`, id to that instant) and those stored
 * (`stored`, whose own end wins), without any whose instant has passed.
 */
export function keptWindows(
  ledger: ReadonlyMap<string, number>,
  stored: readonly MaintenanceWindow[],
  now: number,
): Map<string, number> {
  const kept = new Map<string, number>();
  for (const [id, until] of ledger) if (until > now) kept.set(id, until);
  for (const window of stored) {
    const until = window.end + KEPT_AFTER_END_MS;
    if (until > now) kept.set(window.id, until);
    else kept.delete(window.id);
  }
  return kept;
}

/** 409 when `kept` (keptWindows) leaves no room for one more window. */
export function assertRoomForWindow(kept: ReadonlyMap<string, number>): void {
  if (kept.size < MAX_KEPT_WINDOWS) return;
  const next = Math.min(...kept.values());
  throw new Conflict(
    `A bucket keeps at most ${MAX_KEPT_WINDOWS} maintenance windows (active, upcoming, and ended within the last 31 days); the next one stops counting at ${iso(next)}`,
  );
}

/** 409: the bucket's policy changed MAX_POLICY_CHANGES_PER_DAY times this UTC day. */
export const tooManyPolicyChanges = (now: number) =>
  new Conflict(
    `A bucket's health policy changes at most ${MAX_POLICY_CHANGES_PER_DAY} times per UTC day; try again after ${iso(Math.floor(now / DAY_MS) * DAY_MS + DAY_MS)}`,
  );

export const tooManyWindows = () =>
  new Conflict(`A bucket has at most ${MAX_OPEN_WINDOWS} active or upcoming maintenance windows`);

export { MIN_ONLINE_PERCENT };

const POLICY_MESSAGE = `minOnlinePercent must be an integer ${MIN_ONLINE_PERCENT.min}-${MIN_ONLINE_PERCENT.max}`;

/** The body of PUT /bucket/{bucketId}/health/policy: `{ "minOnlinePercent": 1-100 }`. */
export function parsePolicyRequest(body: unknown): number {
  const issue = firstIssue(HealthPolicyRequest, body);
  if (issue === undefined) return (body as HealthPolicyRequest).minOnlinePercent;
  const [field] = issue.path;
  if (field === undefined) {
    throw new ValidationError('The body must be a JSON object { "minOnlinePercent" }');
  }
  if (issue.kind === 'unknown') throw new ValidationError(`unknown field: ${field.slice(0, 64)}`);
  throw new ValidationError(POLICY_MESSAGE);
}

/** The policy's percent as the admin CLI gives it (a decimal integer string). */
export function parsePolicyPercent(raw: string): number {
  if (!/^(?:[1-9]\d{0,2})$/.test(raw)) throw new ValidationError(POLICY_MESSAGE);
  return parsePolicyRequest({ minOnlinePercent: Number(raw) });
}

/** A window as the API shows it (DESIGN.md section 15): instants in ISO 8601 UTC. */
export const windowView = (bucketId: string, window: MaintenanceWindow): WindowView => ({
  id: window.id,
  bucketId,
  start: iso(window.start),
  end: iso(window.end),
  ...(window.reason !== undefined && { reason: window.reason }),
  createdAt: iso(window.createdAt),
});
