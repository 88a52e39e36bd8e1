/**
 * The status page's logic without the DOM: reading the address, wording, counting. The view
 * (app.tsx) renders what these return; the unit tests run them in Node.
 */
import type { BucketUptimeResponse, NodeState, NodeStatus, UptimeDay } from '../../client/index.ts';

export const TOKEN_STORAGE_KEY = 'bucket-status.token';
export const BUCKET_STORAGE_KEY = 'bucket-status.bucket';
export const SHARE_STORAGE_KEY = 'bucket-status.share';
export const REFRESH_MS = 5_000;
export const EVENTS_SHOWN = 10;
export const STATES: readonly NodeState[] = ['ONLINE', 'OFFLINE', 'DISCONNECTED'];

/** What `#bucket=<id>&token=<jwt>` or `#share=<token>` carries; any may be absent. */
export function parseFragment(hash: string): { bucketId?: string; token?: string; share?: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const bucketId = params.get('bucket')?.trim() || undefined;
  const token = params.get('token')?.trim() || undefined;
  const share = params.get('share')?.trim() || undefined;
  return { ...(bucketId && { bucketId }), ...(token && { token }), ...(share && { share }) };
}

/** The fragment to leave in the address bar: the bucket only, never the token. */
export const fragmentWithoutToken = (bucketId: string | undefined): string =>
  bucketId === undefined ? '' : `#bucket=${encodeURIComponent(bucketId)}`;

export const isBucketId = (id: string): boolean => /^[A-Za-z0-9_-]{1,128}$/.test(id);

/**
 * Each node's uptime days, found by identity, never by position: GET status lists no `host`,
 * so the identity both answers carry is the `ip`, used only when exactly one node of each
 * answer has it. A node that never reported (no ip), or whose ip is shared or not in the uptime
 * answer (assigned or moved since it was read), gets no bars rather than another node's.
 */
export function pairUptime(
  uptime: BucketUptimeResponse | undefined,
  nodes: readonly NodeStatus[],
): (UptimeDay[] | undefined)[] {
  if (uptime === undefined) return nodes.map(() => undefined);
  const countIps = (ips: (string | undefined)[]) => {
    const counts = new Map<string, number>();
    for (const ip of ips) if (ip !== undefined) counts.set(ip, (counts.get(ip) ?? 0) + 1);
    return counts;
  };
  const inStatus = countIps(nodes.map((node) => node.ip));
  const inUptime = countIps(uptime.nodes.map((entry) => entry.ip));
  const daysByIp = new Map(uptime.nodes.map((entry) => [entry.ip, entry.days]));
  return nodes.map((node) =>
    node.ip !== undefined && inStatus.get(node.ip) === 1 && inUptime.get(node.ip) === 1
      ? daysByIp.get(node.ip)
      : undefined,
  );
}

/** The nodes' identities in a status answer: when it changes, the uptime answer is read again. */
export const nodeSetKey = (nodes: readonly NodeStatus[]): string =>
  JSON.stringify(nodes.map((node) => node.ip ?? null));

/** "just now", "12 s ago", "3 min ago", "5 h ago", "4 d ago". */
export function timeAgo(iso: string | undefined, nowMs: number): string {
  if (iso === undefined) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'unknown';
  const seconds = Math.floor((nowMs - then) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

export const latencyText = (latency: number | undefined): string =>
  latency === undefined ? 'no latency' : `${latency} ms`;

export function countByStatus(nodes: readonly NodeStatus[]): Record<NodeState, number> {
  const counts: Record<NodeState, number> = { ONLINE: 0, OFFLINE: 0, DISCONNECTED: 0 };
  for (const node of nodes) counts[node.status] = (counts[node.status] ?? 0) + 1;
  return counts;
}

/** A bar's colour class: by uptime, grey for a day with nothing observed. */
export function uptimeLevel(perc: number | null): 'none' | 'full' | 'high' | 'mid' | 'low' {
  if (perc === null) return 'none';
  if (perc >= 99.95) return 'full';
  if (perc >= 99) return 'high';
  if (perc >= 90) return 'mid';
  return 'low';
}

/** What a bar says on hover and focus; `noun` names the figure (a node's uptime, a bucket's availability). */
export function uptimeText(day: UptimeDay, noun = 'uptime'): string {
  if (day.perc_uptime === null) return `${day.day}: no data`;
  const latency = day.avg_latency_ms === undefined ? '' : `, ${day.avg_latency_ms} ms average`;
  return `${day.day}: ${day.perc_uptime}% ${noun}${latency}`;
}

/** Overall uptime over the shown days (observed time only), or null with nothing observed. */
export function overallUptime(days: readonly UptimeDay[]): number | null {
  let online = 0;
  let observed = 0;
  for (const day of days) {
    online += day.online_seconds;
    observed += day.observed_seconds;
  }
  return observed === 0 ? null : Math.round((10_000 * online) / observed) / 100;
}

export type ProblemKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'unavailable'
  | 'malformed'
  | 'unsupported'
  | 'other';

/** A link whose bucket id cannot be one: nothing is sent, nothing retried. */
export const MALFORMED_BUCKET: { kind: ProblemKind; title: string; detail: string } = {
  kind: 'malformed',
  title: 'The bucket id in this link is malformed',
  detail:
    'A bucket id is 1-128 characters of letters, digits, _ or -. Check the link, or enter the id below.',
};

/** The message the page shows for an error answer to GET status. */
export function problemFor(
  status: number | 'network',
  retryAfterSeconds?: number,
): { kind: ProblemKind; title: string; detail: string } {
  switch (status) {
    case 401:
      return {
        kind: 'unauthorized',
        title: 'Your token was not accepted',
        detail:
          'It may have expired, been revoked or been mistyped. Paste a new token to continue.',
      };
    case 403:
      return {
        kind: 'forbidden',
        title: 'No access to this bucket',
        detail:
          'Your token is valid, but your user may not read this bucket (or is disabled). Ask an admin of its workspace for access.',
      };
    case 404:
      return {
        kind: 'not-found',
        title: 'Bucket not found',
        detail: 'No bucket has this id, or your user does not exist. Check the link.',
      };
    case 503:
      return {
        kind: 'unavailable',
        title: 'The service is temporarily unavailable',
        detail: `The status store is busy or down. Retrying${
          retryAfterSeconds === undefined ? ' shortly' : ` in ${retryAfterSeconds} s`
        }; the page keeps trying.`,
      };
    case 'network':
      return {
        kind: 'other',
        title: 'Cannot reach the API',
        detail: 'The network or the API is down. The page keeps trying.',
      };
    default:
      return {
        kind: 'other',
        title: `The API answered ${status}`,
        detail: 'Something went wrong on the server. The page keeps trying.',
      };
  }
}

/** Each verdict as words (the verdict is never told by colour alone). */
export const VERDICT_WORDS: Record<string, string> = {
  OPERATIONAL: 'Operational',
  DEGRADED: 'Degraded',
  PARTIAL_OUTAGE: 'Partial outage',
  MAJOR_OUTAGE: 'Major outage',
  MAINTENANCE: 'Maintenance',
  UNKNOWN: 'Unknown',
};

/** An instant as the page writes it: `2026-12-06 10:11 UTC` (the same for every reader). */
export function formatInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "in 12 s", "in 3 min", "in 5 h", "in 4 d": how long until an instant. */
export function timeUntil(iso: string, nowMs: number): string {
  const seconds = Math.ceil((Date.parse(iso) - nowMs) / 1000);
  if (Number.isNaN(seconds) || seconds <= 0) return 'now';
  if (seconds < 60) return `in ${seconds} s`;
  if (seconds < 3600) return `in ${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `in ${Math.floor(seconds / 3600)} h`;
  return `in ${Math.floor(seconds / 86_400)} d`;
}

/** A maintenance window as the page lists it. */
export interface WindowShown {
  id: string;
  start: string;
  end: string;
  reason?: string;
  active: boolean;
}

/**
 * The windows that are active or upcoming at `nowMs` (a window is active on [start, end)), by
 * start; ended ones are left out.
 */
export function currentWindows(
  windows: readonly { id: string; start: string; end: string; reason?: string }[],
  nowMs: number,
): WindowShown[] {
  return windows
    .filter((w) => Date.parse(w.end) > nowMs)
    .map((w) => ({
      id: w.id,
      start: w.start,
      end: w.end,
      ...(w.reason !== undefined && w.reason !== '' && { reason: w.reason }),
      active: Date.parse(w.start) <= nowMs,
    }))
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
}

/** A day of the bucket's verdict figures (GET uptime's `bucket.days`), as an availability bar. */
export interface BucketDayFigures {
  day: string;
  operational_seconds: number;
  degraded_seconds: number;
  maintenance_seconds: number;
  unknown_seconds: number;
  observed_seconds: number;
  perc_available: number | null;
}

/**
 * The bucket's days as the bars show a node's: available (operational or degraded) time over
 * the time that counts (observed, less maintenance and unknown), `perc_available` as the day's
 * figure.
 */
export const availabilityDays = (days: readonly BucketDayFigures[]): UptimeDay[] =>
  days.map((day) => ({
    day: day.day,
    perc_uptime: day.perc_available,
    online_seconds: day.operational_seconds + day.degraded_seconds,
    observed_seconds: Math.max(
      0,
      day.observed_seconds - day.maintenance_seconds - day.unknown_seconds,
    ),
  }));

/** The message of an error answer to a public route: any 404 is a link that opens nothing. */
export function shareProblemFor(
  status: number | 'network',
  retryAfterSeconds?: number,
): { kind: ProblemKind; title: string; detail: string } {
  if (status === 404) {
    return {
      kind: 'not-found',
      title: 'This shared link does not open anything',
      detail:
        'It may have been revoked by the bucket’s admins, or mistyped. Ask whoever shared it for a new link.',
    };
  }
  return problemFor(status, retryAfterSeconds);
}

/** The message of an error answer to GET /me (the overview): whose token, which user. */
export function overviewProblemFor(
  status: number | 'network',
  retryAfterSeconds?: number,
): { kind: ProblemKind; title: string; detail: string } {
  switch (status) {
    case 403:
      return {
        kind: 'forbidden',
        title: 'No access to the overview',
        detail:
          'Your token is valid, but your user is disabled, or the token is an API key (which has no user: open a bucket link instead). Ask an admin of your organisation.',
      };
    case 404:
      return {
        kind: 'not-found',
        title: 'User not found',
        detail: 'Your token is valid, but no user has its id any more. Ask an admin for access.',
      };
    default:
      return problemFor(status, retryAfterSeconds);
  }
}

/** The message of an error answer to one workspace's buckets, shown in that workspace. */
export function workspaceProblemFor(
  status: number | 'network',
  retryAfterSeconds?: number,
): { kind: ProblemKind; title: string; detail: string } {
  switch (status) {
    case 403:
      return {
        kind: 'forbidden',
        title: 'No access to this workspace',
        detail: 'Your user may no longer read its buckets. Ask an admin of the workspace.',
      };
    case 404:
      return {
        kind: 'not-found',
        title: 'Workspace not found',
        detail: 'It no longer exists.',
      };
    default:
      return problemFor(status, retryAfterSeconds);
  }
}

/** A workspace role as words. */
export const ROLE_WORDS: Record<string, string> = {
  READ: 'read',
  WRITE: 'write',
  ADMIN: 'admin',
  ORG_OWNER: 'organisation owner',
  ORG_ADMIN: 'organisation admin',
};

/** The verdicts in the order the overview counts them: the worst first. */
export const VERDICT_ORDER = [
  'MAJOR_OUTAGE',
  'PARTIAL_OUTAGE',
  'DEGRADED',
  'MAINTENANCE',
  'UNKNOWN',
  'OPERATIONAL',
] as const;

/** "2 major outage, 1 degraded, 5 operational": the buckets per verdict, worst first, none left out. */
export function verdictSummary(verdicts: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const verdict of verdicts) counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
  const known: readonly string[] = VERDICT_ORDER;
  const order = [...known, ...[...counts.keys()].filter((v) => !known.includes(v)).sort()];
  return order
    .filter((verdict) => counts.has(verdict))
    .map((verdict) => `${counts.get(verdict)} ${(VERDICT_WORDS[verdict] ?? verdict).toLowerCase()}`)
    .join(', ');
}
