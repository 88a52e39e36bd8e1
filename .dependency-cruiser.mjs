// Import rules between folders, checked by `npm run check` (docs/ARCHITECTURE.md, "Layout").
// A function folder is any folder under functions/ other than the libraries below; each one
// is one Lambda function (functions/route-table.ts) and imports libraries only.
const LIBRARIES = '^functions/(auth|domain|data|http|reads|shared|wire)/';
const FUNCTION_FOLDER = '^functions/(?!(auth|domain|data|http|reads|shared|wire)/)[^/]+/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No module imports itself through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment: 'No folder imports itself through others (a cycle between folders).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'library-imports-no-function',
      comment: 'Libraries shared by functions never import from a function folder.',
      severity: 'error',
      from: { path: LIBRARIES },
      to: { path: FUNCTION_FOLDER },
    },
    {
      name: 'function-imports-no-other-function',
      comment: 'A function folder imports libraries and itself, never another function folder.',
      severity: 'error',
      from: { path: '^functions/([^/]+)/', pathNot: LIBRARIES },
      to: { path: FUNCTION_FOLDER, pathNot: '^functions/$1/' },
    },
    {
      name: 'functions-import-no-tooling',
      comment: 'Deployed code never imports the operator CLI, the local runtime, tests or benches.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(admin|local|test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      path: '^(node_modules|cdk\\.out|\\.local|coverage|dist|client/dist|web/dist|reports)/',
    },
    // TypeScript 7 has no JavaScript API, so swc parses the .ts sources.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
