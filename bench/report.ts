import type { AlertStormRow } from './alert-storm.ts';
import type { ColdImportRow } from './cold-import.ts';
import type { HealthReadRow } from './health-read.ts';
import type { HistoryRow } from './history.ts';
import type { HttpRow } from './http.ts';
import type { IngestRow } from './ingest.ts';
import type { MetricsReadRow } from './metrics-read.ts';
import type { OverviewRow } from './overview.ts';
import type { GzipRow, PageRow } from './page.ts';
import type { PublicReadRow } from './public-read.ts';
import type { ReadPathRow } from './read-path.ts';
import type { SweepRow } from './sweep.ts';
import type { SweepHealthRow } from './sweep-health.ts';
import type { WarmOverheadRow } from './warm-overhead.ts';

/** What `npm run bench` measures (bench/run.ts) and writes to .local/bench.json. */
export interface BenchReport {
  readPath: ReadPathRow[];
  /** GET /bucket/{bucketId}/health against its floor. */
  healthRead: HealthReadRow[];
  /** GET /workspace/{workspaceId}/metrics of one bucket against its floor. */
  metricsRead: MetricsReadRow[];
  /** One page of GET /workspace/{workspaceId}/buckets: 50 buckets of 10 and of 1,000 nodes. */
  overview: OverviewRow[];
  /** A public GET (share token) against the authenticated GET of the same route and bucket. */
  publicRead: PublicReadRow[];
  ingest: IngestRow[];
  coldImport: ColdImportRow[];
  warmOverhead: WarmOverheadRow[];
  http: HttpRow[];
  history: HistoryRow[];
  sweep: SweepRow[];
  /** The sweep's health step: K marked buckets among N. */
  sweepHealth: SweepHealthRow[];
  /** Section 16's storm: deliveries and writes of a node flipping its buckets every second. */
  alertStorm: AlertStormRow[];
  /** The status page in Chromium; absent when Chromium is not installed (said at run time). */
  page?: PageRow;
  /** GET status of a 10,000-node bucket: raw and gzip bytes. */
  gzip?: GzipRow;
  /** Full run: a 50,000-node bucket against Lambda's 6 MB response limit. */
  bigBucket?: GzipRow;
}
