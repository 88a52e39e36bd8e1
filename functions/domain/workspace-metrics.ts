/**
 * The metric families of GET /workspace/{workspaceId}/metrics (DESIGN.md section 18), pure:
 * each bucket's GET health body and GET status node views (read at one instant by
 * functions/reads/read-workspace-metrics.ts) in, gauge families out. Nothing here derives a
 * state: a node's state, latency and last report are its status view's, a bucket's verdict and
 * counts its health body's.
 */
import type { BucketHealth } from '../wire/health.ts';
import type { NodeStatus } from '../wire/status.ts';
import { VERDICTS } from './health.ts';
import type { GaugeFamily, Sample } from './prometheus-text.ts';

/** A node's states, as GET status shows them. */
export const NODE_STATES = ['ONLINE', 'OFFLINE', 'DISCONNECTED'] as const;

/** One bucket as the metrics see it: GET health's body, GET status's views with their ids. */
export interface BucketMetricsInput {
  bucketId: string;
  health: BucketHealth;
  nodes: readonly { nodeId: string; view: NodeStatus }[];
}

/** The families, in the order they are written. */
export const METRIC_FAMILIES = [
  'bucket_status_node_up',
  'bucket_status_node_state',
  'bucket_status_node_latency_seconds',
  'bucket_status_node_last_report_timestamp_seconds',
  'bucket_status_bucket_health',
  'bucket_status_bucket_nodes',
] as const;

/** Series per bucket: one per verdict and one per node state. */
const BUCKET_SERIES = VERDICTS.length + NODE_STATES.length;
/** Series per node: up, and one per state. */
const NODE_SERIES = 1 + NODE_STATES.length;

/** How many series the bucket adds to the text (latency and last report only where known). */
export function seriesOf(bucket: BucketMetricsInput): number {
  let series = BUCKET_SERIES + NODE_SERIES * bucket.nodes.length;
  for (const { view } of bucket.nodes) {
    if (view.latency_ms !== undefined) series++;
    if (view.lastUpdated !== undefined) series++;
  }
  return series;
}

const flag = (on: boolean) => (on ? 1 : 0);

/** The six families over the buckets, in the buckets' order and each bucket's node order. */
export function metricFamilies(buckets: readonly BucketMetricsInput[]): GaugeFamily[] {
  const up: Sample[] = [];
  const state: Sample[] = [];
  const latency: Sample[] = [];
  const lastReport: Sample[] = [];
  const health: Sample[] = [];
  const counts: Sample[] = [];
  for (const bucket of buckets) {
    const { bucketId } = bucket;
    for (const { nodeId, view } of bucket.nodes) {
      up.push({
        labelValues: [bucketId, nodeId, view.region ?? ''],
        value: flag(view.status === 'ONLINE'),
      });
      for (const s of NODE_STATES) {
        state.push({ labelValues: [bucketId, nodeId, s], value: flag(view.status === s) });
      }
      if (view.latency_ms !== undefined) {
        latency.push({ labelValues: [bucketId, nodeId], value: view.latency_ms / 1000 });
      }
      if (view.lastUpdated !== undefined) {
        lastReport.push({
          labelValues: [bucketId, nodeId],
          value: Date.parse(view.lastUpdated) / 1000,
        });
      }
    }
    for (const verdict of VERDICTS) {
      health.push({
        labelValues: [bucketId, verdict],
        value: flag(bucket.health.verdict === verdict),
      });
    }
    const { online, offline, disconnected } = bucket.health.nodes;
    counts.push(
      { labelValues: [bucketId, 'ONLINE'], value: online },
      { labelValues: [bucketId, 'OFFLINE'], value: offline },
      { labelValues: [bucketId, 'DISCONNECTED'], value: disconnected },
    );
  }
  return [
    {
      name: 'bucket_status_node_up',
      help: 'Whether the node is ONLINE (1) or not (0), as GET /bucket/{bucketId}/status shows it.',
      labelNames: ['bucket_id', 'node_id', 'region'],
      samples: up,
    },
    {
      name: 'bucket_status_node_state',
      help: "The node's state: 1 for the current one of ONLINE, OFFLINE, DISCONNECTED, else 0.",
      labelNames: ['bucket_id', 'node_id', 'state'],
      samples: state,
    },
    {
      name: 'bucket_status_node_latency_seconds',
      help: 'The latency the node last reported, in seconds, while its report is fresh.',
      labelNames: ['bucket_id', 'node_id'],
      samples: latency,
    },
    {
      name: 'bucket_status_node_last_report_timestamp_seconds',
      help: "The server's receive time of the node's last accepted report, in Unix seconds.",
      labelNames: ['bucket_id', 'node_id'],
      samples: lastReport,
    },
    {
      name: 'bucket_status_bucket_health',
      help: "The bucket's health verdict: 1 for the current one, else 0 (GET /bucket/{bucketId}/health).",
      labelNames: ['bucket_id', 'verdict'],
      samples: health,
    },
    {
      name: 'bucket_status_bucket_nodes',
      help: "The bucket's assigned nodes by state (their sum is the assigned nodes).",
      labelNames: ['bucket_id', 'state'],
      samples: counts,
    },
  ];
}
