import { defineConfig } from 'vitest/config';
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
      'test/security/authorization-http.test.ts',
      'test/perf/node-views.test.ts',
      'test/perf/token-cache.test.ts',
    ],
    reporters: ['default'],
  },
});
