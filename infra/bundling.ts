/**
 * How every Lambda function is bundled. Plain esbuild options with no aws-cdk-lib import, so
 * the house NodejsFunction construct and the benchmark suite (which builds each function
 * exactly as the stack ships it, through the esbuild JS API) share one definition.
 */
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../functions/route-table.ts';

export type { FunctionName };

/** The Lambda handler sources (from the route table), relative to the repository root. */
export const FUNCTION_ENTRIES = Object.fromEntries(
  FUNCTION_NAMES.map((name) => [name, FUNCTIONS[name].entry]),
) as { readonly [N in FunctionName]: (typeof FUNCTIONS)[N]['entry'] };

/** ESM output has no `require`; some bundled CommonJS dependencies still call it. */
export const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The handler file inside the deployed artifact (NodejsFunction names it index.mjs for ESM). */
export const BUNDLED_HANDLER_FILE = 'index.mjs';

/** The repository root: esbuild's working directory, where it resolves the aliases below. */
export const BUNDLING_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Imports the bundles take from elsewhere, as esbuild's `alias` (paths from BUNDLING_ROOT).
 * badge-maker imports anafanafo, which loads four font-width tables (about 0.9 MB) at import;
 * `flat` badges measure in one font, which functions/badge/text-width.ts serves from
 * anafanafo's widths of only the characters a badge draws (verdana-11px-widths.ts, written by
 * `npm run badge-widths`), not from any of anafanafo's tables. A bundle without badge-maker is
 * unchanged.
 */
export const HOUSE_ALIASES = {
  anafanafo: './functions/badge/text-width.ts',
} as const;

export const HOUSE_BUNDLING = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Prefer the ESM builds of dependencies: better tree shaking, smaller cold start.
  mainFields: ['module', 'main'],
  // Whitespace and syntax minified, identifiers kept: class and function names survive without
  // esbuild's keepNames, whose `__name(fn, "fn")` call per function runs at import and cost the
  // status bundle about 8% of its cold import (docs/evidence/performance.md, "Bundling options").
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  keepNames: false,
  // A map beside each bundle, for decoding a logged stack offline (without the sources inside
  // it). The functions do not load it: NODE_OPTIONS=--enable-source-maps parses the map at
  // import, about 20 ms of the status bundle's cold start, and with identifiers kept a stack
  // already reads by function name.
  sourcemap: true,
  sourcesContent: false,
  banner: { js: ESM_REQUIRE_SHIM },
  alias: HOUSE_ALIASES,
  // Nothing external: the AWS SDK is bundled, pinned by our lock file instead of whatever
  // version the Lambda runtime happens to ship, and tree-shaken to what we use.
  external: [],
} as const satisfies BuildOptions;

/** Complete esbuild options for one function, e.g. `await build(buildOptionsFor(...))`. */
export function buildOptionsFor(entryPoint: string, outfile: string): BuildOptions {
  return {
    ...HOUSE_BUNDLING,
    mainFields: [...HOUSE_BUNDLING.mainFields],
    banner: { ...HOUSE_BUNDLING.banner },
    external: [...HOUSE_BUNDLING.external],
    alias: { ...HOUSE_BUNDLING.alias },
    absWorkingDir: BUNDLING_ROOT,
    entryPoints: [entryPoint],
    outfile,
  };
}
