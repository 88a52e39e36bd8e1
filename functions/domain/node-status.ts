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
  return {
    ...(row.ip !== undefined && { ip: row.ip }),
    ...(row.region !== undefined && { region: row.region }),
    ...(row.version !== undefined && { version: row.version }),
    status: reported ?? 'DISCONNECTED',
    ...(reported !== undefined && row.latencyMs !== undefined && { latency_ms: row.latencyMs }),
    ...(!Number.isNaN(updatedMs) && { lastUpdated: row.lastUpdated as string }),
  };
}
