import type { BenchReport } from './report.ts';

export interface BudgetCheck {
  name: string;
  limit: string;
  actual: string;
  /** How far below the limit, e.g. "11.3% headroom"; negative when over. */
  margin: string;
  ok: boolean;
}

const ratioCheck = (name: string, limit: number, ratio: number | undefined): BudgetCheck => {
  if (ratio === undefined) {
    return { name, limit: `<= ${limit}`, actual: 'not measured', margin: '-', ok: false };
  }
  return {
    name,
    limit: `<= ${limit.toFixed(2)}`,
    actual: ratio.toFixed(3),
    // Headroom in overhead terms: of the 15% (say) allowed above the floor, how much is unused.
    margin: `${(((limit - ratio) / (limit - 1)) * 100).toFixed(0)}% of the allowance unused`,
    ok: ratio <= limit,
  };
};

/**
 * GET metrics of one bucket of 1,000 nodes over its floor (its reads issued directly): the
 * health read's work plus a status view and six series per node and the text of ~6,000 lines.
 */
const METRICS_READ_BUDGET = 1.35;

/** The first goals of the performance issue, checked against one run's report. */
export function checkBudgets(report: BenchReport): BudgetCheck[] {
  const read = (nodes: number) => report.readPath.find((r) => r.nodes === nodes)?.ratio;
  const health = (nodes: number) => report.healthRead?.find((r) => r.nodes === nodes)?.ratio;
  const metrics = (nodes: number) => report.metricsRead?.find((r) => r.nodes === nodes)?.ratio;
  const ingest = (buckets: number) =>
    report.ingest.find((r) => r.buckets === buckets && r.report !== 'state change')?.ratio;
  const checks = [
    ratioCheck('read path ratio, 10 nodes', 1.15, read(10)),
    ratioCheck('read path ratio, 1000 nodes', 1.1, read(1000)),
    ratioCheck('ingest ratio, 10 buckets', 1.2, ingest(10)),
    ratioCheck('health read ratio, 10 nodes', 1.2, health(10)),
    ratioCheck('health read ratio, 1000 nodes', 1.1, health(1000)),
    ratioCheck('metrics read ratio, 1000 nodes', METRICS_READ_BUDGET, metrics(1000)),
  ];
  // A public GET reads no more than the authenticated GET of the same bucket (issue 24).
  for (const row of report.publicRead ?? []) {
    const what = `public read ${row.route}, ${row.nodes} nodes`;
    checks.push({
      name: `${what}: requests and items vs authenticated`,
      limit: `<= ${row.authRequests} / ${row.authItems}`,
      actual: `${row.publicRequests} / ${row.publicItems}`,
      margin: `${row.authRequests - row.publicRequests} / ${row.authItems - row.publicItems} fewer`,
      ok: row.publicRequests <= row.authRequests && row.publicItems <= row.authItems,
    });
  }
  // A page of the overview reads and takes about the same whatever its buckets' nodes (section 14).
  for (const row of (report.overview ?? []).slice(1)) {
    const size = `${row.buckets} buckets of ${row.nodesPerBucket} nodes`;
    checks.push(ratioCheck(`overview items ratio, ${size}`, 1.2, row.itemsRatio));
    checks.push(ratioCheck(`overview time ratio, ${size}`, 1.2, row.timeRatio));
  }
  for (const row of report.history ?? []) {
    const size = `${row.nodes} nodes x ${row.days} days`;
    checks.push(ratioCheck(`uptime ratio, ${size}`, 1.2, row.ratio));
    checks.push({
      name: `uptime items read, ${size}`,
      limit: `<= ${row.nodes * row.days}`,
      actual: String(row.itemsRead),
      margin: `${row.nodes * row.days - row.itemsRead} under`,
      ok: row.itemsRead <= row.nodes * row.days,
    });
  }
  // Every shipped function's bundle, whatever functions the stack has (variants are not shipped).
  const shipped = report.coldImport.filter((r) => !r.variant);
  for (const row of shipped) {
    checks.push(ratioCheck(`cold import ratio, ${row.function}`, 1.15, row.ratio));
  }
  if (shipped.length === 0) checks.push(ratioCheck('cold import ratio', 1.15, undefined));
  for (const route of report.http) {
    checks.push({
      name: `non-2xx under load, ${route.route}`,
      limit: '0',
      actual: String(route.non2xx),
      margin: route.non2xx === 0 ? 'none failed' : `${route.non2xx} failed`,
      ok: route.non2xx === 0,
    });
  }
  if (report.http.length < 2) {
    checks.push({
      name: 'http: both routes',
      limit: '2',
      actual: String(report.http.length),
      margin: '-',
      ok: false,
    });
  }
  // The sweep's cost grows with the silent nodes only: equal requests at 100 and 10,000 nodes.
  const sweepRequests = report.sweep.map((r) => r.requests);
  checks.push({
    name: 'sweep requests per run, 10 silent among 100 and 10,000',
    limit: 'equal',
    actual: sweepRequests.join(' / ') || 'not measured',
    margin: '-',
    ok: sweepRequests.length >= 2 && new Set(sweepRequests).size === 1,
  });
  // The health step's cost grows with the marked buckets only: equal at 100 and 1,000 buckets.
  const healthRequests = (report.sweepHealth ?? []).map((r) => r.requests);
  checks.push({
    name: 'sweep health requests per run, 10 marked among 100 and 1,000 buckets',
    limit: 'equal',
    actual: healthRequests.join(' / ') || 'not measured',
    margin: '-',
    ok: healthRequests.length >= 2 && new Set(healthRequests).size === 1,
  });
  checks.push(...pageBudgets(report));
  return checks;
}

/** Issue 13: the page's weight, and how well a big status body compresses. */
function pageBudgets(report: BenchReport): BudgetCheck[] {
  const checks: BudgetCheck[] = [];
  const limitBytes = 50 * 1024;
  if (report.page !== undefined) {
    const total = report.page.jsBytesGzip + report.page.cssBytesGzip;
    checks.push({
      name: 'page JS+CSS gzip',
      limit: `<= ${limitBytes} B`,
      actual: `${total} B`,
      margin: `${(((limitBytes - total) / limitBytes) * 100).toFixed(0)}% headroom`,
      ok: total <= limitBytes,
    });
  }
  const gzip = report.gzip;
  checks.push({
    name: 'gzip ratio, 10,000-node status body',
    limit: '<= 0.15',
    actual: gzip === undefined ? 'not measured' : gzip.ratio.toFixed(3),
    margin:
      gzip === undefined ? '-' : `${(((0.15 - gzip.ratio) / 0.15) * 100).toFixed(0)}% headroom`,
    ok: gzip !== undefined && gzip.ratio <= 0.15,
  });
  if (report.bigBucket !== undefined) {
    const big = report.bigBucket;
    checks.push({
      name: '50,000-node bucket returned in full with gzip',
      limit: '200',
      actual: String(big.statusGzip),
      margin: `${big.lambdaPayloadGzip} of ${6 * 1024 * 1024} B`,
      ok: big.statusGzip === 200,
    });
  }
  checks.push(...alertStormChecks(report));
  return checks;
}

/**
 * Section 16's storm bound: with minDurationSeconds 5 nothing is delivered while the flipping
 * lasts and one delivery per subject (each bucket, and the node in each bucket) after it; with
 * 0 every event reaches every webhook. The writes of a flipping report stay at their per-bucket
 * cost (row, history day, event, health mark: 5 or 6 per bucket, as an earlier mark holds or not,
 * and the guard's one per report) and the sweep's at most 2 per bucket flip.
 */
function alertStormChecks(report: BenchReport): BudgetCheck[] {
  const rows = report.alertStorm ?? [];
  const exact = (name: string, want: number, got: number): BudgetCheck => ({
    name,
    limit: `= ${want}`,
    actual: String(got),
    margin: got === want ? 'exact' : `${got - want} off`,
    ok: got === want,
  });
  const atMost = (name: string, limit: number, got: number): BudgetCheck => ({
    name,
    limit: `<= ${limit}`,
    actual: String(got),
    margin: `${round1(limit - got)} under`,
    ok: got <= limit,
  });
  const checks: BudgetCheck[] = [];
  for (const row of rows) {
    const label = `alert storm, ${row.buckets} buckets, D = ${row.minDurationSeconds} s`;
    const total = row.deliveriesDuringMinute + row.deliveriesAfter;
    if (row.minDurationSeconds === 0) {
      checks.push(
        exact(
          `${label}: every event to every webhook`,
          (row.nodeEvents + row.healthEvents) * row.webhooks,
          total,
        ),
      );
    } else {
      checks.push(exact(`${label}: deliveries while flipping`, 0, row.deliveriesDuringMinute));
      checks.push(
        exact(`${label}: one per subject after, per webhook`, 2 * row.buckets, row.perWebhookAfter),
      );
    }
    checks.push(
      atMost(
        `${label}: report writes per flip`,
        6 * row.buckets + 1,
        row.reportWriteRequestsPerFlip,
      ),
    );
    checks.push(
      atMost(`${label}: sweep writes per flip`, 2 * row.buckets, row.sweepWriteRequestsPerFlip),
    );
  }
  if (rows.length === 0) {
    checks.push({
      name: 'alert storm',
      limit: 'measured',
      actual: 'not measured',
      margin: '-',
      ok: false,
    });
  }
  return checks;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
