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
}

export interface Webhook {
  id: string;
  url: string;
  description?: string;
  createdAt: string;
}

/** POST /workspace/{workspaceId}/webhooks: the secret is shown only here. */
export interface CreatedWebhook {
  id: string;
  url: string;
  description?: string;
  createdAt: string;
  /** `whsec_` + base64 of 32 random bytes; shown only in this response. */
  secret: string;
}

export interface WebhookList {
  webhooks: Webhook[];
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
