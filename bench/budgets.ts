import type { BenchReport } from './run.ts';

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

/** The first goals of the performance issue, checked against one run's report. */
export function checkBudgets(report: BenchReport): BudgetCheck[] {
  const read = (nodes: number) => report.readPath.find((r) => r.nodes === nodes)?.ratio;
  const ingest = (buckets: number) =>
    report.ingest.find((r) => r.buckets === buckets && r.report !== 'state change')?.ratio;
  const cold = (fn: string) => report.coldImport.find((r) => r.function === fn)?.ratio;
  const checks = [
    ratioCheck('read path ratio, 10 nodes', 1.15, read(10)),
    ratioCheck('read path ratio, 1000 nodes', 1.1, read(1000)),
    ratioCheck('ingest ratio, 10 buckets', 1.2, ingest(10)),
    ratioCheck('cold import ratio, status', 1.15, cold('status')),
    ratioCheck('cold import ratio, ingest', 1.15, cold('ingest')),
  ];
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
  return checks;
}
