/**
 * The metric families of GET metrics (functions/domain/workspace-metrics.ts) from buckets as
 * GET health and GET status show them, the series count the bound is checked against, and the
 * use case's pure parts (functions/reads/read-workspace-metrics.ts): the `bucket` filter and
 * the answer over the bound.
 */
import { describe, expect, it } from 'vitest';
import { NotFound, ValidationError } from '../../functions/domain/errors.ts';
import { writeTextFormat } from '../../functions/domain/prometheus-text.ts';
import {
  type BucketMetricsInput,
  METRIC_FAMILIES,
  metricFamilies,
  NODE_STATES,
  seriesOf,
} from '../../functions/domain/workspace-metrics.ts';
import {
  MAX_SERIES,
  parseBucketFilter,
  selectBuckets,
  tooManySeries,
} from '../../functions/reads/read-workspace-metrics.ts';

const health = (
  verdict: BucketMetricsInput['health']['verdict'],
  nodes: { online: number; offline: number; disconnected: number },
): BucketMetricsInput['health'] => ({
  bucketId: 'ignored',
  verdict,
  nodes: {
    assigned: nodes.online + nodes.offline + nodes.disconnected,
    counted: nodes.online + nodes.offline,
    ...nodes,
  },
  policy: { minOnlinePercent: 50, minOnline: 1 },
});

const ALPHA: BucketMetricsInput = {
  bucketId: 'alpha',
  health: health('DEGRADED', { online: 1, offline: 1, disconnected: 1 }),
  nodes: [
    {
      nodeId: 'n1',
      view: {
        ip: '203.0.113.7',
        region: 'eu-west-1',
        version: '1',
        status: 'ONLINE',
        latency_ms: 45,
        lastUpdated: '2026-12-06T10:00:00.250Z',
      },
    },
    {
      nodeId: 'n2',
      view: { region: 'us-east-1', status: 'OFFLINE', lastUpdated: '2026-12-06T10:00:01.000Z' },
    },
    { nodeId: 'n3', view: { status: 'DISCONNECTED' } },
  ],
};
const EMPTY: BucketMetricsInput = {
  bucketId: 'empty',
  health: health('UNKNOWN', { online: 0, offline: 0, disconnected: 0 }),
  nodes: [],
};

describe('metricFamilies', () => {
  it('writes the six families, in order, from the views and the health body', () => {
    expect(writeTextFormat(metricFamilies([ALPHA, EMPTY]))).toBe(
      [
        '# HELP bucket_status_node_up Whether the node is ONLINE (1) or not (0), as GET /bucket/{bucketId}/status shows it.',
        '# TYPE bucket_status_node_up gauge',
        'bucket_status_node_up{bucket_id="alpha",node_id="n1",region="eu-west-1"} 1',
        'bucket_status_node_up{bucket_id="alpha",node_id="n2",region="us-east-1"} 0',
        'bucket_status_node_up{bucket_id="alpha",node_id="n3",region=""} 0',
        "# HELP bucket_status_node_state The node's state: 1 for the current one of ONLINE, OFFLINE, DISCONNECTED, else 0.",
        '# TYPE bucket_status_node_state gauge',
        'bucket_status_node_state{bucket_id="alpha",node_id="n1",state="ONLINE"} 1',
        'bucket_status_node_state{bucket_id="alpha",node_id="n1",state="OFFLINE"} 0',
        'bucket_status_node_state{bucket_id="alpha",node_id="n1",state="DISCONNECTED"} 0',
        'bucket_status_node_state{bucket_id="alpha",node_id="n2",state="ONLINE"} 0',
        'bucket_status_node_state{bucket_id="alpha",node_id="n2",state="OFFLINE"} 1',
        'bucket_status_node_state{bucket_id="alpha",node_id="n2",state="DISCONNECTED"} 0',
        'bucket_status_node_state{bucket_id="alpha",node_id="n3",state="ONLINE"} 0',
        'bucket_status_node_state{bucket_id="alpha",node_id="n3",state="OFFLINE"} 0',
        'bucket_status_node_state{bucket_id="alpha",node_id="n3",state="DISCONNECTED"} 1',
        '# HELP bucket_status_node_latency_seconds The latency the node last reported, in seconds, while its report is fresh.',
        '# TYPE bucket_status_node_latency_seconds gauge',
        'bucket_status_node_latency_seconds{bucket_id="alpha",node_id="n1"} 0.045',
        "# HELP bucket_status_node_last_report_timestamp_seconds The server's receive time of the node's last accepted report, in Unix seconds.",
        '# TYPE bucket_status_node_last_report_timestamp_seconds gauge',
        'bucket_status_node_last_report_timestamp_seconds{bucket_id="alpha",node_id="n1"} 1796551200.25',
        'bucket_status_node_last_report_timestamp_seconds{bucket_id="alpha",node_id="n2"} 1796551201',
        "# HELP bucket_status_bucket_health The bucket's health verdict: 1 for the current one, else 0 (GET /bucket/{bucketId}/health).",
        '# TYPE bucket_status_bucket_health gauge',
        'bucket_status_bucket_health{bucket_id="alpha",verdict="OPERATIONAL"} 0',
        'bucket_status_bucket_health{bucket_id="alpha",verdict="DEGRADED"} 1',
        'bucket_status_bucket_health{bucket_id="alpha",verdict="PARTIAL_OUTAGE"} 0',
        'bucket_status_bucket_health{bucket_id="alpha",verdict="MAJOR_OUTAGE"} 0',
        'bucket_status_bucket_health{bucket_id="alpha",verdict="MAINTENANCE"} 0',
        'bucket_status_bucket_health{bucket_id="alpha",verdict="UNKNOWN"} 0',
        'bucket_status_bucket_health{bucket_id="empty",verdict="OPERATIONAL"} 0',
        'bucket_status_bucket_health{bucket_id="empty",verdict="DEGRADED"} 0',
        'bucket_status_bucket_health{bucket_id="empty",verdict="PARTIAL_OUTAGE"} 0',
        'bucket_status_bucket_health{bucket_id="empty",verdict="MAJOR_OUTAGE"} 0',
        'bucket_status_bucket_health{bucket_id="empty",verdict="MAINTENANCE"} 0',
        'bucket_status_bucket_health{bucket_id="empty",verdict="UNKNOWN"} 1',
        "# HELP bucket_status_bucket_nodes The bucket's assigned nodes by state (their sum is the assigned nodes).",
        '# TYPE bucket_status_bucket_nodes gauge',
        'bucket_status_bucket_nodes{bucket_id="alpha",state="ONLINE"} 1',
        'bucket_status_bucket_nodes{bucket_id="alpha",state="OFFLINE"} 1',
        'bucket_status_bucket_nodes{bucket_id="alpha",state="DISCONNECTED"} 1',
        'bucket_status_bucket_nodes{bucket_id="empty",state="ONLINE"} 0',
        'bucket_status_bucket_nodes{bucket_id="empty",state="OFFLINE"} 0',
        'bucket_status_bucket_nodes{bucket_id="empty",state="DISCONNECTED"} 0',
        '',
      ].join('\n'),
    );
  });

  it('names the families METRIC_FAMILIES lists, in its order, and the states NODE_STATES lists', () => {
    expect(metricFamilies([]).map((f) => f.name)).toEqual([...METRIC_FAMILIES]);
    expect(NODE_STATES).toEqual(['ONLINE', 'OFFLINE', 'DISCONNECTED']);
  });

  it('writes the counts of the health body, not its own count of the views', () => {
    const counts = metricFamilies([
      { ...EMPTY, health: health('MAJOR_OUTAGE', { online: 7, offline: 8, disconnected: 9 }) },
    ]).find((f) => f.name === 'bucket_status_bucket_nodes');
    expect(counts?.samples.map((s) => s.value)).toEqual([7, 8, 9]);
  });
});

describe('seriesOf', () => {
  it('counts what metricFamilies writes for the bucket', () => {
    for (const bucket of [ALPHA, EMPTY]) {
      const written = metricFamilies([bucket]).reduce((sum, f) => sum + f.samples.length, 0);
      expect(seriesOf(bucket), bucket.bucketId).toBe(written);
    }
    // 6 verdicts + 3 counts; 4 per node; a latency and two last reports.
    expect(seriesOf(EMPTY)).toBe(9);
    expect(seriesOf(ALPHA)).toBe(9 + 12 + 1 + 2);
  });
});

describe('the bucket filter', () => {
  it('absent: every bucket', () => {
    expect(parseBucketFilter(undefined)).toBeUndefined();
    expect(selectBuckets(['a', 'b'], undefined)).toEqual(['a', 'b']);
  });

  it('API Gateway’s comma-joined repeats, each id checked, repeats dropped', () => {
    expect(parseBucketFilter('b1')).toEqual(['b1']);
    expect(parseBucketFilter('b1,b2,b1')).toEqual(['b1', 'b2']);
    for (const value of ['', 'b1,', ',b1', 'b1,,b2', 'bad id', 'a'.repeat(129), 'b#1']) {
      expect(() => parseBucketFilter(value), value).toThrow(
        new ValidationError('bucket must be 1-128 characters of A-Z, a-z, 0-9, _ or -'),
      );
    }
  });

  it('keeps the listed buckets it names, in listing order', () => {
    expect(selectBuckets(['a', 'b', 'c'], ['c', 'a'])).toEqual(['a', 'c']);
    expect(selectBuckets(['a', 'b', 'c'], [])).toEqual([]);
  });

  it('a name that is not listed is a 404, whoever owns it', () => {
    expect(() => selectBuckets(['a', 'b'], ['a', 'x'])).toThrow(
      new NotFound('No bucket x in this workspace'),
    );
    expect(() => selectBuckets([], ['a'])).toThrow(NotFound);
  });
});

describe('the series bound', () => {
  it('is 50,000 and its 400 names the filter', () => {
    expect(MAX_SERIES).toBe(50_000);
    const error = tooManySeries(MAX_SERIES);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'The metrics would be more than 50000 series; narrow them with the bucket filter (?bucket=<bucketId>, repeatable)',
    );
  });
});
