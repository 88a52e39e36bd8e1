/**
 * The wire types of the bucket-status API (DESIGN.md sections 2, 8, 9 and 10), as the API
 * sends them. test/types/wire-types.test.ts ties each to the handlers' own types, so a change
 * on either side fails `npm run check`.
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
  /** ISO 8601 UTC server receive time of the node's last report; omitted if it never reported. */
  lastUpdated?: string;
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
  /** 0-100, 2 decimals; null when nothing was observed that day. */
  perc_uptime: number | null;
  online_seconds: number;
  observed_seconds: number;
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
  online_seconds: number;
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

/** One change of a node's state for the bucket (GET /bucket/{bucketId}/events). */
export interface NodeEvent {
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
  /** Only when there are more; pass it back as `cursor`. */
  nextCursor?: string;
}

export interface Webhook {
  id: string;
  url: string;
  description?: string;
  createdAt: string;
}

/** POST /workspace/{workspaceId}/webhooks: the secret is shown only here. */
export interface CreatedWebhook extends Webhook {
  /** `whsec_<base64 of 32 random bytes>`: verify deliveries with it (Standard Webhooks). */
  secret: string;
}

export interface WebhookList {
  webhooks: Webhook[];
}

export interface NewWebhook {
  /** https, no user info, at most 2,048 characters, not a private or loopback address. */
  url: string;
  /** At most 256 characters. */
  description?: string;
}

/** The body of every error the API itself returns. */
export interface ApiErrorBody {
  success: false;
  message: string;
}
