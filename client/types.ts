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

/** The body of every error the API itself returns. */
export interface ApiErrorBody {
  success: false;
  message: string;
}
