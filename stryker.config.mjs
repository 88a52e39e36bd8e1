// Mutation testing: `npm run test:mutation`. Not part of `.ci/run` (too slow); how to run it is
// in docs/RELIABILITY.md, the scores and the accepted equivalent mutants in
// docs/evidence/mutation-testing.md.
//
// Narrow runs while working on one file (the machine is shared, so one worker):
//   npm run test:mutation -- --concurrency 1 --mutate functions/auth/token-verifier.ts
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  // No type checker: TypeScript 7 has no JavaScript API, so @stryker-mutator/typescript-checker
  // crashes (`ts.parseConfigFileTextToJson is not a function`). `checkers` stays empty and
  // `tsconfigFile` names a file that does not exist, which makes Stryker skip its tsconfig
  // rewriting too. Mutants that would not type-check run anyway and are killed by the tests
  // or show up as survivors; `npx tsc` stays the type check of the real code.
  checkers: [],
  tsconfigFile: 'tsconfig.stryker-none.json',
  // Which tests cover which mutant is measured once in the dry run; each mutant then runs only
  // the tests that reach it.
  coverageAnalysis: 'perTest',
  // Static mutants (run only at module load) are left out: they run every test for each
  // mutant (22% of the mutants, 75% of a full run's time here). With vitest 5, mutants of
  // module-level constants are not activated at all (Stryker reports `MAX_TOKEN_BYTES = 8 / 1024`
  // surviving a test that asserts 8192); docs/evidence/mutation-testing.md counts the scores
  // without them.
  ignoreStatic: true,
  concurrency: 2,
  // A rerun reuses every result whose mutant and covering tests did not change.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // Pure or adapter-level logic under functions/: authentication, the
  // domain (access, reports, signatures, status, the timeline and uptime, events, webhook
  // signing and URLs), the data layer, the HTTP layer (error mapping, conditional GETs), the
  // events cursor and the sweep; and the operator CLI's store.
  mutate: [
    'functions/auth/**/*.ts',
    'functions/domain/**/*.ts',
    'functions/data/**/*.ts',
    'functions/http/**/*.ts',
    'functions/events/**/*.ts',
    'functions/sweep/**/*.ts',
    // Sharing: the public routes' token lookup, chain, headers and badge rules.
    'functions/public/**/*.ts',
    'functions/badge/**/*.ts',
    'functions/reads/open-share.ts',
    'functions/shared/ttl-cache.ts',
    // GET metrics' read (its writer and families are in functions/domain).
    'functions/reads/read-workspace-metrics.ts',
    'functions/shared/cursor-key.ts',
    // The house logger and EMF metrics (checked against Powertools in test/unit).
    'functions/shared/logger.ts',
    'functions/shared/metrics.ts',
    // GetSecretValue from the SDK's signing, credential and HTTP pieces.
    'functions/shared/secret-string.ts',
    // Signed AWS JSON-protocol calls (SQS, EventBridge, Secrets Manager) and their adapters.
    'functions/shared/aws-json-call.ts',
    'functions/shared/sqs.ts',
    'functions/fan-out/aws-adapters.ts',
    'functions/delivery/sqs-visibility.ts',
    // An overview entry from the bucket's log (the overview's listing and wiring are glue).
    'functions/workspace/read-overview-entry.ts',
    // Request validation: the walker of the request shapes and the order of its issues.
    'functions/wire/issues.ts',
    'functions/wire/check.ts',
    // The operator store: the CLI's data layer.
    'admin/operator-store.ts',
    // Entries and wiring: glue, run by the bundle and end-to-end tests.
    '!functions/**/handler.ts',
    '!functions/**/wiring.ts',
    // The table's definition: constants the stack and the local engines read.
    '!functions/data/table-definition.ts',
    // Generated data (npm run badge-widths), whose test compares the file with what it writes.
    '!functions/badge/verdana-11px-widths.ts',
  ],
  ignorePatterns: ['cdk.out', '.local', 'coverage', 'reports', 'web/dist'],
  tempDirName: '.local/stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true },
  thresholds: { high: 90, low: 80, break: null },
  // Added to 1.5 times the covering tests' own time: a mutant that makes a retry loop or a
  // poll spin is a Timeout (counted as detected) after at most that.
  timeoutMS: 5_000,
};
