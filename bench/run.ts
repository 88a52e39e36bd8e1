// npm run bench [-- --quick] [--only=readPath,ingest,...] [--engine=in-process|child]: the
// benchmark suite (docs/PERFORMANCE.md). Prints tables, writes
// .local/bench.json, exits 1 when a budget fails.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAlertStorm } from './alert-storm.ts';
import { checkBudgets } from './budgets.ts';
import { benchColdImport } from './cold-import.ts';
import { startBenchEngine } from './engine.ts';
import { benchHealthRead } from './health-read.ts';
import { benchHistory } from './history.ts';
import { benchHttp } from './http.ts';
import { benchIngest } from './ingest.ts';
import { benchMetricsRead } from './metrics-read.ts';
import { benchOverview } from './overview.ts';
import { benchGzip, benchPage } from './page.ts';
import { benchPublicRead } from './public-read.ts';
import { benchReadPath } from './read-path.ts';
import type { BenchReport } from './report.ts';
import { nowMs } from './stats.ts';
import { benchSweep } from './sweep.ts';
import { benchSweepHealth } from './sweep-health.ts';
import { benchWarmOverhead } from './warm-overhead.ts';

const SECTIONS = [
  'readPath',
  'healthRead',
  'metricsRead',
  'overview',
  'publicRead',
  'ingest',
  'history',
  'coldImport',
  'warmOverhead',
  'http',
  'sweep',
  'sweepHealth',
  'page',
  'gzip',
  'alertStorm',
] as const;
type Section = (typeof SECTIONS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flagValue = (name: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const onlyArg = flagValue('only');
const only = new Set(onlyArg ? onlyArg.split(',') : SECTIONS);
const engineArg = flagValue('engine') ?? 'in-process';
const unknown = [...only].filter((s) => !(SECTIONS as readonly string[]).includes(s));
const known = (a: string) =>
  a === '--quick' || a.startsWith('--only=') || a.startsWith('--engine=');
if (
  unknown.length > 0 ||
  !['in-process', 'child'].includes(engineArg) ||
  args.some((a) => !known(a))
) {
  console.error(
    `usage: npm run bench [-- --quick] [--only=${SECTIONS.join(',')}] [--engine=in-process|child]`,
  );
  process.exit(2);
}
const runs = (section: Section) => only.has(section);

process.env.AWS_REGION ??= 'us-east-1';
// Nothing is logged on the success paths measured here; keep any failure readable.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

/** 10 silent nodes among 100 and among 10,000: the requests must be equal. */
const SWEEP_FLEETS = [
  { totalNodes: 100, staleNodes: 10 },
  { totalNodes: 10_000, staleNodes: 10 },
];

/** 10 marked buckets among 100 and among 1,000 (a window on every fifth): equal requests. */
const SWEEP_HEALTH_FLEETS = [
  { buckets: 100, markedBuckets: 10 },
  { buckets: 1000, markedBuckets: 10 },
];

/** Section 16's storm: one node flipping 10 buckets, 10 webhooks with D = 0, then with D = 5. */
const ALERT_STORM = [
  { buckets: 10, minDurationSeconds: 0 },
  { buckets: 10, minDurationSeconds: 5 },
];

const plan = quick
  ? {
      readPath: {
        sizes: [10, 1000],
        iterations: 5_000,
        maxMsPerSize: 4_000,
        maxMsBySize: { 1000: 8_000 },
      },
      healthRead: {
        sizes: [10, 1000],
        iterations: 5_000,
        maxMsPerSize: 4_000,
        maxMsBySize: { 1000: 8_000 },
      },
      metricsRead: {
        sizes: [10, 1000],
        iterations: 5_000,
        maxMsPerSize: 4_000,
        maxMsBySize: { 1000: 8_000 },
      },
      overview: { buckets: 50, sizes: [10, 1000], iterations: 20, maxMsPerSize: 20_000 },
      publicRead: { nodes: [10], iterations: 5_000, maxMsPerRoute: 4_000 },
      ingest: { sizes: [10], stateChangeBuckets: 10, iterations: 2_000, maxMsPerSize: 8_000 },
      history: { sizes: [{ nodes: 100, days: 30 }], iterations: 500, maxMsPerSize: 8_000 },
      coldImport: { processes: 40 },
      warmOverhead: { statusNodes: [10], ingestBuckets: [10], batches: 11, batchMs: 60 },
      http: { connections: 10, durationSeconds: 3, reportingNodes: 30 },
      sweep: { fleets: SWEEP_FLEETS, runs: 5 },
      sweepHealth: { fleets: SWEEP_HEALTH_FLEETS, runs: 5 },
      page: { runs: 3 },
      gzip: { nodes: [10_000] },
      alertStorm: { scenarios: ALERT_STORM, flips: 12 },
    }
  : {
      readPath: { sizes: [1, 10, 100, 1000, 5000], iterations: 5_000, maxMsPerSize: 20_000 },
      healthRead: { sizes: [10, 1000], iterations: 5_000, maxMsPerSize: 20_000 },
      metricsRead: { sizes: [10, 1000], iterations: 5_000, maxMsPerSize: 20_000 },
      overview: { buckets: 50, sizes: [10, 1000], iterations: 100, maxMsPerSize: 60_000 },
      publicRead: { nodes: [10, 1000], iterations: 5_000, maxMsPerRoute: 10_000 },
      ingest: {
        sizes: [1, 10, 100],
        stateChangeBuckets: 10,
        iterations: 5_000,
        maxMsPerSize: 25_000,
      },
      history: {
        sizes: [
          { nodes: 100, days: 30 },
          { nodes: 1000, days: 90 },
        ],
        iterations: 1_000,
        maxMsPerSize: 30_000,
      },
      coldImport: { processes: 100 },
      warmOverhead: { statusNodes: [10, 1000], ingestBuckets: [10], batches: 31, batchMs: 100 },
      http: { connections: 10, durationSeconds: 15, reportingNodes: 50 },
      sweep: { fleets: SWEEP_FLEETS, runs: 15 },
      sweepHealth: { fleets: SWEEP_HEALTH_FLEETS, runs: 15 },
      page: { runs: 9 },
      gzip: { nodes: [10_000, 50_000] },
      alertStorm: { scenarios: ALERT_STORM, flips: 60 },
    };

const report: BenchReport = {
  readPath: [],
  healthRead: [],
  metricsRead: [],
  overview: [],
  publicRead: [],
  ingest: [],
  coldImport: [],
  warmOverhead: [],
  http: [],
  history: [],
  sweep: [],
  sweepHealth: [],
  alertStorm: [],
};
const started = nowMs();
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `bench (${quick ? 'quick' : 'full'}, dynalite ${engineArg}): Node ${process.version}, ` +
    `${cpus().length} x ${cpu.trim()}, ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
);

const section = async <T>(name: Section, run: () => Promise<T[]>, into: T[]) => {
  if (!runs(name)) return;
  const t = nowMs();
  into.push(...(await run()));
  console.log(`\n${name} (${((nowMs() - t) / 1000).toFixed(1)} s)`);
  console.table(into);
};

if (
  runs('readPath') ||
  runs('healthRead') ||
  runs('metricsRead') ||
  runs('overview') ||
  runs('publicRead') ||
  runs('ingest') ||
  runs('history')
) {
  // In-process by default: the handler, its floor and dynalite share one thread, so the ratio
  // compares total work and a loaded machine's scheduling cannot favour either side.
  const engine = await startBenchEngine({ inProcess: engineArg === 'in-process' });
  try {
    await section('readPath', () => benchReadPath(engine, plan.readPath), report.readPath);
    await section('healthRead', () => benchHealthRead(engine, plan.healthRead), report.healthRead);
    await section(
      'metricsRead',
      () => benchMetricsRead(engine, plan.metricsRead),
      report.metricsRead,
    );
    await section('overview', () => benchOverview(engine, plan.overview), report.overview);
    await section('publicRead', () => benchPublicRead(engine, plan.publicRead), report.publicRead);
    await section('ingest', () => benchIngest(engine, plan.ingest), report.ingest);
    await section('history', () => benchHistory(engine, plan.history), report.history);
  } finally {
    await engine.stop();
  }
}
await section('warmOverhead', () => benchWarmOverhead(plan.warmOverhead), report.warmOverhead);
await section('coldImport', () => benchColdImport(plan.coldImport), report.coldImport);
await section('http', () => benchHttp(plan.http), report.http);
await section('sweep', () => benchSweep(plan.sweep), report.sweep);
await section('sweepHealth', () => benchSweepHealth(plan.sweepHealth), report.sweepHealth);
await section('alertStorm', () => benchAlertStorm(plan.alertStorm), report.alertStorm);
if (runs('page')) {
  const t = nowMs();
  const page = await benchPage(plan.page);
  if ('skipped' in page) {
    console.log(`\npage: left out (${page.skipped})`);
  } else {
    report.page = page.row;
    console.log(`\npage (${((nowMs() - t) / 1000).toFixed(1)} s)`);
    console.table([page.row]);
  }
}
if (runs('gzip')) {
  const t = nowMs();
  const rows = await benchGzip(plan.gzip);
  report.gzip = rows.find((r) => r.nodes === 10_000);
  report.bigBucket = rows.find((r) => r.nodes === 50_000);
  console.log(`\ngzip (${((nowMs() - t) / 1000).toFixed(1)} s)`);
  console.table(rows);
}

const outFile = join(fileURLToPath(new URL('..', import.meta.url)), '.local', 'bench.json');
await mkdir(join(outFile, '..'), { recursive: true });
await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);

const checks = checkBudgets(report).filter((c) => {
  // A partial run (--only) checks only what it measured.
  if (c.name.startsWith('read path')) return runs('readPath');
  if (c.name.startsWith('health read')) return runs('healthRead');
  if (c.name.startsWith('metrics read')) return runs('metricsRead');
  if (c.name.startsWith('public read')) return runs('publicRead');
  if (c.name.startsWith('overview')) return runs('overview');
  if (c.name.startsWith('ingest')) return runs('ingest');
  if (c.name.startsWith('uptime')) return runs('history');
  if (c.name.startsWith('cold import')) return runs('coldImport');
  if (c.name.startsWith('sweep health')) return runs('sweepHealth');
  if (c.name.startsWith('alert storm')) return runs('alertStorm');
  if (c.name.startsWith('sweep')) return runs('sweep');
  if (c.name.startsWith('page')) return runs('page');
  if (c.name.startsWith('gzip') || c.name.startsWith('50,000')) return runs('gzip');
  return runs('http');
});
console.log('\nbudgets');
console.table(checks);
const failed = checks.filter((c) => !c.ok);
console.log(`\nwrote ${outFile} in ${((nowMs() - started) / 1000).toFixed(1)} s`);
if (failed.length > 0) {
  console.error(
    `budget failed: ${failed.map((c) => `${c.name} (${c.actual}, limit ${c.limit})`).join('; ')}`,
  );
  process.exit(1);
}
console.log('all budgets met');
