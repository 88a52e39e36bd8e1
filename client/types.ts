/**
 * The wire types of the bucket-status API (DESIGN.md sections 2, 8, 9 and 10), as the API
 * sends them. Generated from the wire shapes (functions/wire/) by `npm run wire`: edit the
 * shapes, not this file. test/types/wire-types.test.ts ties each to the handler types.
 */

export type NodeState = 'ONLINE' | 'OFFLINE' | 'DISCONNECTED';

/** One node connected to the bucket (GET /bucket/{bucketId}/status). */
export interface NodeStatus {
  /** Omitted only for a node that never reported (like region and version). */
  ip?: string;
  region?: string;
  version?: string;
  /** DISCONNECTED: no report from the node for this bucket recently, or never. */
  status: NodeState;
  /** Integer milliseconds; omitted when unknown. */
  latency_ms?: number;
  /** The server's receive time of the node's last accepted report, ISO 8601 UTC. */
  lastUpdated?: string;
}

/** One change of a node's state for the bucket (GET /bucket/{bucketId}/events). */
export interface NodeEvent {
  /** Stable per event (the same change always has the same id). */
  id: string;
  host: string;
  ip?: string;
  region?: string;
  from: NodeState;
  to: NodeState;
  /** The instant of the change, ISO 8601 UTC. */
  at: string;
  /** Present when `at` is inside one of the bucket's maintenance windows. */
  maintenance?: true;
}

export interface BucketEventsPage {
  bucketId: string;
  /** Newest first. */
  events: NodeEvent[];
  /** Present only when older events remain; pass it as `cursor`. */
  nextCursor?: string;
}

export interface BucketStatusResponse {
  bucketId: string;
  nodeStatus: NodeStatus[];
}

/** One node's figures for one UTC day (POST /bucket/{bucketId}/stats). */
export interface NodeDayStats {
  /** The node's id. */
  host: string;
  ip?: string;
  region?: string;
  version?: string;
  /** 100 * online / observed, 2 decimals; null when nothing was observed. */
  perc_uptime: number | null;
  /** Seconds, millisecond precision. */
  online_seconds: number;
  /** Seconds, millisecond precision. */
  observed_seconds: number;
  /** Mean latency of the day's reports that carried one; omitted when none. */
  avg_latency_ms?: number;
  last_latency_ms?: number;
  /** The state at the end of the day's observed window. */
  node_status: NodeState;
  last_updated?: string;
}

export interface BucketStatsResponse {
  success: true;
  bucketId: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  nodeStats: NodeDayStats[];
  /** The bucket's verdict figures for the day. */
  bucket: BucketDay;
}

export interface UptimeDay {
  day: string;
  perc_uptime: number | null;
  /** Seconds, millisecond precision. */
  online_seconds: number;
  /** Seconds, millisecond precision. */
  observed_seconds: number;
  avg_latency_ms?: number;
}

export interface NodeUptime {
  host: string;
  ip?: string;
  region?: string;
  /** One entry per day, ascending. */
  days: UptimeDay[];
}

/** GET /bucket/{bucketId}/uptime?days=N. */
export interface BucketUptimeResponse {
  bucketId: string;
  from: string;
  to: string;
  nodes: NodeUptime[];
  /** The bucket's verdict figures, one entry per day. */
  bucket: BucketUptime;
}

export type Verdict =
  | 'OPERATIONAL'
  | 'DEGRADED'
  | 'PARTIAL_OUTAGE'
  | 'MAJOR_OUTAGE'
  | 'MAINTENANCE'
  | 'UNKNOWN';

/** The assigned nodes as GET /bucket/{bucketId}/status shows them at the same instant. */
export interface HealthNodeCounts {
  assigned: number;
  /** Assigned nodes with an accepted report since their assignment. */
  counted: number;
  online: number;
  offline: number;
  disconnected: number;
}

export interface HealthPolicyView {
  minOnlinePercent: number;
  /** q = max(1, ceil(counted * minOnlinePercent / 100)). */
  minOnline: number;
}

/** The active maintenance window. */
export interface ActiveMaintenance {
  id: string;
  start: string;
  end: string;
  reason?: string;
}

/** GET /bucket/{bucketId}/health. */
export interface BucketHealth {
  bucketId: string;
  verdict: Verdict;
  /** The instant the current verdict began; omitted when no change is on record within the event retention. */
  since?: string;
  /** The assigned nodes as GET /bucket/{bucketId}/status shows them at the same instant. */
  nodes: HealthNodeCounts;
  policy: HealthPolicyView;
  /** The active maintenance window. */
  maintenance?: ActiveMaintenance;
}

/** One change of the bucket's verdict (GET /bucket/{bucketId}/health/events). */
export interface HealthEvent {
  /** Stable per health event (the same change always has the same id). */
  id: string;
  from: Verdict;
  to: Verdict;
  /** The instant of the change, ISO 8601 UTC. */
  at: string;
  /** The counts just after the change. */
  nodes: {
    counted: number;
    online: number;
  };
}

export interface HealthEventsPage {
  bucketId: string;
  /** Newest first. */
  events: HealthEvent[];
  /** Present only when older health events remain; pass it as `cursor`. */
  nextCursor?: string;
}

/** The bucket's verdict figures for one UTC day (GET uptime, POST stats). */
export interface BucketDay {
  day: string;
  /** Seconds, millisecond precision. */
  operational_seconds: number;
  /** Seconds, millisecond precision. */
  degraded_seconds: number;
  /** Seconds, millisecond precision. */
  partial_outage_seconds: number;
  /** Seconds, millisecond precision. */
  major_outage_seconds: number;
  /** Seconds, millisecond precision. */
  maintenance_seconds: number;
  /** Seconds, millisecond precision. */
  unknown_seconds: number;
  /** Seconds, millisecond precision. */
  observed_seconds: number;
  /** 100 * (operational + degraded) / (observed - maintenance - unknown), 2 decimals; null when that is 0. */
  perc_available: number | null;
}

export interface BucketUptime {
  /** One entry per day, ascending. */
  days: BucketDay[];
}

/** A workspace whose buckets the caller may read. */
export interface MeWorkspace {
  workspaceId: string;
  name: string;
  /** The membership role, or for an org OWNER/ADMIN (who reads every workspace of the org) ORG_<orgRole>. */
  role: 'READ' | 'WRITE' | 'ADMIN' | 'ORG_OWNER' | 'ORG_ADMIN';
}

/** GET /me: who the caller is and the workspaces it reads. */
export interface Me {
  userId: string;
  orgId: string;
  orgRole: 'OWNER' | 'ADMIN' | 'MEMBER';
  /** By name (code point order), then id. */
  workspaces: MeWorkspace[];
}

/** One bucket of the overview: what GET /bucket/{bucketId}/health answers at the same instant (but its policy), with the bucket name. */
export interface WorkspaceBucket {
  bucketId: string;
  name: string;
  verdict: Verdict;
  /** The instant the current verdict began; omitted when no change is on record within the event retention. */
  since?: string;
  /** The assigned nodes as GET /bucket/{bucketId}/status shows them at the same instant. */
  nodes: HealthNodeCounts;
  /** The active maintenance window. */
  maintenance?: ActiveMaintenance;
}

/** GET /workspace/{workspaceId}/buckets: one page of the overview. */
export interface WorkspaceBucketsPage {
  workspaceId: string;
  /** By name (code point order), then id. */
  buckets: WorkspaceBucket[];
  /** Present only when more buckets follow; pass it as `cursor`. */
  nextCursor?: string;
}

export interface NewWebhook {
  /** An https URL of a public host (see the URL rules above). */
  url: string;
  /** At most 256 printable characters, counted in code points: no character of general category Cc, Cf, Cs, Co, Cn, Zl or Zp (controls, bidirectional and zero-width characters, U+FEFF, tag characters, lone surrogates, private-use and unassigned code points, line and paragraph separators). Empty or null: no description. */
  description?: string;
  /** The event types this webhook receives: a non-empty subset, no duplicates. Default: both. */
  events?: ('node.status_changed' | 'bucket.health_changed')[];
  /** A change is delivered only if its subject (the node in that bucket, or the bucket) is still in the new state this many seconds after `at`; it is then sent within 10 s of that moment (or of the moment the change was recorded, when later), carrying the original `at`. A change undone or superseded within that time is never delivered to this webhook. Default 0: every change, at once. */
  minDurationSeconds?: number;
}

/** PATCH /workspace/{workspaceId}/webhooks/{webhookId}: the fields it changes. */
export interface WebhookPatch {
  /** As on POST: checked by the same URL rules; the secret stays. */
  url?: string;
  /** As on POST; empty or null removes the description. */
  description?: string;
  /** The event types this webhook receives: a non-empty subset, no duplicates. Default: both. */
  events?: ('node.status_changed' | 'bucket.health_changed')[];
  /** A change is delivered only if its subject (the node in that bucket, or the bucket) is still in the new state this many seconds after `at`; it is then sent within 10 s of that moment (or of the moment the change was recorded, when later), carrying the original `at`. A change undone or superseded within that time is never delivered to this webhook. Default 0: every change, at once. */
  minDurationSeconds?: number;
}

export interface Webhook {
  id: string;
  url: string;
  description?: string;
  createdAt: string;
  /** The event types this webhook receives: a non-empty subset, no duplicates. Default: both. */
  events: ('node.status_changed' | 'bucket.health_changed')[];
  /** A change is delivered only if its subject (the node in that bucket, or the bucket) is still in the new state this many seconds after `at`; it is then sent within 10 s of that moment (or of the moment the change was recorded, when later), carrying the original `at`. A change undone or superseded within that time is never delivered to this webhook. Default 0: every change, at once. */
  minDurationSeconds: number;
}

/** POST /workspace/{workspaceId}/webhooks: the secret is shown only here. */
export interface CreatedWebhook {
  id: string;
  url: string;
  description?: string;
  createdAt: string;
  /** The event types this webhook receives: a non-empty subset, no duplicates. Default: both. */
  events: ('node.status_changed' | 'bucket.health_changed')[];
  /** A change is delivered only if its subject (the node in that bucket, or the bucket) is still in the new state this many seconds after `at`; it is then sent within 10 s of that moment (or of the moment the change was recorded, when later), carrying the original `at`. A change undone or superseded within that time is never delivered to this webhook. Default 0: every change, at once. */
  minDurationSeconds: number;
  /** `whsec_` + base64 of 32 random bytes; shown only in this response. */
  secret: string;
}

export interface WebhookList {
  webhooks: Webhook[];
}

export interface NewShare {
  /** At most 256 printable characters, counted in code points (the rule of every stored text: no character of general category Cc, Cf, Cs, Co, Cn, Zl or Zp). Empty or null: no label. */
  label?: string;
  /** Whether the public routes show the nodes' `ip` (default false). */
  showIps?: boolean;
}

export interface Share {
  id: string;
  /** At most 256 printable characters, counted in code points (the rule of every stored text: no character of general category Cc, Cf, Cs, Co, Cn, Zl or Zp). Empty or null: no label. */
  label?: string;
  showIps: boolean;
  createdAt: string;
}

/** POST /bucket/{bucketId}/shares: the token is shown only here. */
export interface CreatedShare {
  id: string;
  /** At most 256 printable characters, counted in code points (the rule of every stored text: no character of general category Cc, Cf, Cs, Co, Cn, Zl or Zp). Empty or null: no label. */
  label?: string;
  showIps: boolean;
  createdAt: string;
  /** `bss_` + base64url of 32 random bytes: the credential of the public routes. Shown only in this response; stored only as a hash. */
  token: string;
  /** The status page opened on the shared view: `<status page>#share=<token>`. */
  pageUrl: string;
}

export interface ShareList {
  shares: Share[];
}

/** POST /bucket/{bucketId}/maintenance. */
export interface NewMaintenanceWindow {
  /** ISO 8601 instant with seconds and a zone (`Z` or `+HH:MM`), at most milliseconds; at most 60 s in the past and at most 90 days ahead. */
  start: string;
  /** ISO 8601 instant, after `start`, at most 7 days after it. */
  end: string;
  /** At most 256 printable characters, counted in code points: no character of general category Cc, Cf, Cs, Co, Cn, Zl or Zp. Empty or null: no reason. */
  reason?: string;
}

/** One of a bucket's maintenance windows: active on [start, end). */
export interface MaintenanceWindow {
  /** `mw_` + 22 base64url characters. */
  id: string;
  bucketId: string;
  /** The window is active from `start` (inclusive)... */
  start: string;
  /** ...to `end` (exclusive). A window deleted while active ends at the deletion instant. */
  end: string;
  reason?: string;
  createdAt: string;
}

/** GET /bucket/{bucketId}/maintenance. */
export interface MaintenanceWindowList {
  /** Active and upcoming windows and those ended within the last 30 days, by start. */
  windows: MaintenanceWindow[];
}

/** PUT /bucket/{bucketId}/health/policy. */
export interface HealthPolicyRequest {
  /** The verdict is DEGRADED rather than PARTIAL_OUTAGE while at least max(1, ceil(counted * minOnlinePercent / 100)) counted nodes are ONLINE. Default 50. */
  minOnlinePercent: number;
}

/** The bucket's health policy, as PUT /bucket/{bucketId}/health/policy answers it. */
export interface BucketHealthPolicy {
  bucketId: string;
  /** The verdict is DEGRADED rather than PARTIAL_OUTAGE while at least max(1, ceil(counted * minOnlinePercent / 100)) counted nodes are ONLINE. Default 50. */
  minOnlinePercent: number;
}

export interface NewApiKey {
  /** At most 256 printable characters, counted in code points (a webhook description's rule). Empty or null: no description. */
  description?: string;
  /** Days until the key stops working: 1-365, default 90. */
  expiresInDays?: number;
}

export interface ApiKey {
  id: string;
  description?: string;
  createdAt: string;
  /** From this instant on the key is refused (401). */
  expiresAt: string;
}

/** POST /workspace/{workspaceId}/api-keys: the key is shown only here. */
export interface CreatedApiKey {
  id: string;
  description?: string;
  createdAt: string;
  /** From this instant on the key is refused (401). */
  expiresAt: string;
  /** `bsk_` + base64url of 32 random bytes; shown only in this response. Send it as `Authorization: Bearer bsk_...` to the read routes of the workspace. */
  key: string;
}

export interface ApiKeyList {
  keys: ApiKey[];
}

/** The body of every error the API itself returns. */
export interface ApiErrorBody {
  success: false;
  message: string;
}
