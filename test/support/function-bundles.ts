// Every function of the route table built exactly as the stack ships it (infra/bundling.ts
// buildOptionsFor), into a temporary folder: what esbuild's metafile says went into each bundle,
// and where each bundle is, for the tests of what the shipped bundles carry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../../functions/route-table.ts';
import { buildOptionsFor } from '../../infra/bundling.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface FunctionBundles {
  /** Each function's bundle inputs (paths from the repository root), in route-table order. */
  inputs: Map<FunctionName, string[]>;
  /**
   * The inputs of which some code is in the bundle: those esbuild parsed and then tree-shook to
   * nothing (a module imported for one function of many) are left out.
   */
  shipped: Map<FunctionName, string[]>;
  /** The built bundle of `name` (its index.mjs). */
  fileOf(name: FunctionName): string;
  /** Deletes the folder. */
  remove(): void;
}

export async function bundleEveryFunction(prefix: string): Promise<FunctionBundles> {
  const outdir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const fileOf = (name: FunctionName) => path.join(outdir, name, 'index.mjs');
  const inputs = new Map<FunctionName, string[]>();
  const shipped = new Map<FunctionName, string[]>();
  for (const name of FUNCTION_NAMES) {
    const result = await build({
      ...buildOptionsFor(path.join(ROOT, FUNCTIONS[name].entry), fileOf(name)),
      metafile: true,
      logLevel: 'warning',
    });
    const metafile = result.metafile as Metafile;
    inputs.set(name, Object.keys(metafile.inputs));
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
    shipped.set(
      name,
      Object.entries(output?.inputs ?? {})
        .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
        .map(([file]) => file),
    );
  }
  return {
    inputs,
    shipped,
    fileOf,
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
