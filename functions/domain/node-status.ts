/** Status derivation for the bucket status response (DESIGN.md section 2), pure. */
export const REPORTED_STATUSES = ['ONLINE', 'OFFLINE'] as const;
export type ReportedStatus = (typeof REPORTED_STATUSES)[number];
export type NodeStatus = ReportedStatus | 'DISCONNECTED';

/** What the bucket's NODE# row holds: the assignment plus the node's latest report. */
export interface NodeRow {
  nodeId: string;
  ip?: string | undefined;
  region?: string | undefined;
  version?: string | undefined;
  status?: string | undefined;
  latencyMs?: number | undefined;
  lastUpdated?: string | undefined;
}

/** The response's node entry: exactly the contract's fields, in the contract's order. */
export interface NodeStatusView {
  ip?: string;
  region?: string;
  version?: string;
  status: NodeStatus;
  latency_ms?: number;
  lastUpdated?: string;
}

const isReported = (s: string | undefined): s is ReportedStatus =>
  s === 'ONLINE' || s === 'OFFLINE';

/**
 * ONLINE/OFFLINE as last reported while the report is at most `staleAfterMs` old; otherwise,
 * or when the node never reported, DISCONNECTED. A stale report's latency is not shown: it
 * no longer describes the node. Reports from the future (clock skew between writers) count
 * as fresh.
 */
export function toNodeStatusView(
  row: NodeRow,
  nowMs: number,
  staleAfterMs: number,
): NodeStatusView {
  const updatedMs = row.lastUpdated === undefined ? Number.NaN : Date.parse(row.lastUpdated);
  const fresh = !Number.isNaN(updatedMs) && nowMs - updatedMs <= staleAfterMs;
  const reported = fresh && isReported(row.status) ? row.status : undefined;
  // Built by assignment in the contract's field order rather than by spreading optional
  // parts: no temporary objects per field (about a quarter off building 1,000 views).
  const view = {} as NodeStatusView;
  if (row.ip !== undefined) view.ip = row.ip;
  if (row.region !== undefined) view.region = row.region;
  if (row.version !== undefined) view.version = row.version;
  view.status = reported ?? 'DISCONNECTED';
  if (reported !== undefined && row.latencyMs !== undefined) view.latency_ms = row.latencyMs;
  if (!Number.isNaN(updatedMs)) view.lastUpdated = row.lastUpdated as string;
  return view;
}
