import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The suites Stryker runs against each mutant (stryker.config.mjs): unit, handler and
 * authorization tests over dynalite. End-to-end, infrastructure, bundle and fault-injection
 * suites spawn processes or synthesize the stack: minutes per run, and they reach nothing in
 * the mutated files that these do not. (Spread, not mergeConfig: that would append to
 * `include` instead of replacing it.)
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/unit/**/*.test.ts',
      'test/auth/**/*.test.ts',
      'test/domain/**/*.test.ts',
      'test/status/**/*.test.ts',
      'test/ingest/**/*.test.ts',
      'test/events/**/*.test.ts',
      'test/webhooks/**/*.test.ts',
      'test/history/**/*.test.ts',
      'test/health/**/*.test.ts',
      // The operator store (admin/operator-store.ts) in-process; end-to-end.test.ts spawns the CLI.
      'test/admin/operator.test.ts',
      'test/admin/cli.test.ts',
      'test/admin/health.test.ts',
      'test/security/authorization-http.test.ts',
      // Sharing through the wiring on the engine (public-routes.test.ts runs the local runtime).
      'test/shares/public-handlers.test.ts',
      'test/shares/public-cost.test.ts',
      'test/shares/management.test.ts',
      'test/shares/admin-cli.test.ts',
      'test/perf/node-views.test.ts',
      'test/perf/token-cache.test.ts',
      // GET metrics: the writer, the families and the route over HTTP (promtool when installed).
      'test/metrics/**/*.test.ts',
      // An overview entry against GET health (the overview's paging runs no mutated code).
      'test/overview/overview-entry.test.ts',
      'test/overview/overview-equals-health.test.ts',
    ],
    // The local-runtime alert test waits out a real stale interval (13 s), which every mutant it
    // reaches would pay; the webhook, event and sweep suites reach the same code directly.
    exclude: [...configDefaults.exclude, 'test/webhooks/local-alerts.test.ts'],
    // The history model test runs 10 random sequences per mutant, not 50: a mutant of the
    // timeline breaks the first few (50 in `npm test`). The health model test likewise 100, not
    // 400, the overview's 3 random workspaces, not 6, and the request-validation model 300 values
    // per shape, not 1,500.
    env: {
      ...base.test?.env,
      HISTORY_PROPERTY_RUNS: '10',
      HEALTH_PROPERTY_RUNS: '100',
      OVERVIEW_RUNS: '3',
      WIRE_ISSUES_RUNS: '300',
    },
    reporters: ['default'],
  },
});
