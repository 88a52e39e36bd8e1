/**
 * docs/grafana/bucket-status.json is a Grafana dashboard over the metrics GET
 * /workspace/{workspaceId}/metrics emits: valid JSON of a dashboard's shape (panels with ids,
 * types, grid positions, a Prometheus data source), the four views DESIGN.md section 18 and
 * its issue ask for, every query naming only metric families the route writes, and every query
 * valid PromQL by Prometheus's own parser (`promtool check rules`, each query a recording rule).
 */

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METRIC_FAMILIES } from '../../functions/domain/workspace-metrics.ts';
import { PROMTOOL_PATH, promtoolAvailability } from '../support/promtool.ts';

const DASHBOARD = fileURLToPath(new URL('../../docs/grafana/bucket-status.json', import.meta.url));
const promtool = promtoolAvailability();
const itPromtool = promtool.available ? it : it.skip;

type Json = Record<string, unknown>;
const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Json;
const panels = dashboard.panels as Json[];
const targets = panels.flatMap((panel) =>
  ((panel.targets as Json[] | undefined) ?? []).map((target) => ({
    panel: panel.title as string,
    expr: target.expr as string,
  })),
);
const variables = ((dashboard.templating as Json).list as Json[]).filter((v) => v.type === 'query');
/** Every PromQL text of the dashboard: the panels' queries and the variables' queries. */
const queries = [
  ...targets,
  ...variables.map((v) => ({ panel: `variable ${v.name}`, expr: v.definition as string })),
];
const FAMILY = /\bbucket_status_[a-z_]+\b/g;

describe('docs/grafana/bucket-status.json', () => {
  it('is a dashboard: title, uid, schemaVersion, panels each with an id, a type, a grid position and Prometheus', () => {
    expect(dashboard.title).toBe('Bucket status');
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(panels.length).toBeGreaterThanOrEqual(4);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(['state-timeline', 'table', 'timeseries', 'bargauge', 'stat']).toContain(panel.type);
      expect(panel.gridPos).toEqual({
        h: expect.any(Number),
        w: expect.any(Number),
        x: expect.any(Number),
        y: expect.any(Number),
      });
      expect((panel.datasource as Json).type).toBe('prometheus');
      expect((panel.targets as Json[]).length).toBeGreaterThan(0);
    }
    expect((dashboard.__inputs as Json[])[0]).toMatchObject({
      name: 'DS_PROMETHEUS',
      type: 'datasource',
      pluginId: 'prometheus',
    });
  });

  it('every query names metric families, each one the route emits', () => {
    expect(queries.length).toBeGreaterThan(5);
    for (const { panel, expr } of queries) {
      const named = expr.match(FAMILY) ?? [];
      expect(named.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const family of named) expect(METRIC_FAMILIES, `${panel}: ${family}`).toContain(family);
    }
  });

  it('shows the verdict per bucket, nodes up, latency and last report age', () => {
    const usedBy = (family: string) =>
      targets.filter((t) => t.expr.includes(family)).map((t) => t.panel);
    expect(usedBy('bucket_status_bucket_health')).toContain('Verdict per bucket');
    expect(usedBy('bucket_status_node_up')).toContain('Nodes up');
    expect(usedBy('bucket_status_node_latency_seconds')).toContain('Node latency');
    expect(usedBy('bucket_status_node_last_report_timestamp_seconds')).toContain('Last report age');
    // Every family is on the dashboard.
    for (const family of METRIC_FAMILIES) expect(usedBy(family).length, family).toBeGreaterThan(0);
  });

  itPromtool('every query is valid PromQL (promtool check rules)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bucket-status-grafana-'));
    try {
      const rules = queries.map(({ expr }, i) => ({
        record: `dashboard:query_${i}`,
        // Grafana's variables as the "All" choice substitutes them; its label_values(m, l)
        // (a Grafana function, not PromQL) by the selector it queries.
        expr: expr.replaceAll('$bucket', '.*').replace(/^label_values\((.+), \w+\)$/, '$1'),
      }));
      const file = join(dir, 'rules.json');
      // YAML is a superset of JSON: promtool reads the rule file as it is.
      await writeFile(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const result = spawnSync(PROMTOOL_PATH, ['check', 'rules', file], { encoding: 'utf8' });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
