import { spawn } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { buildOptionsFor, FUNCTION_ENTRIES, type FunctionName } from '../infra/bundling.ts';
import { median, round } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUILD_DIR = join(ROOT, '.local', 'bench-build');
const FLOOR_ENTRY = 'bench/floor-entry.ts';

export interface ColdImportRow {
  function: FunctionName;
  bundleBytes: number;
  medianMs: number;
  floorMedianMs: number;
  ratio: number;
}

export interface ColdImportOptions {
  /** Fresh processes per bundle (at least 20). */
  processes: number;
}

/** Environment a handler module needs to initialise: config is read at import time. */
const HANDLER_ENV = {
  TABLE_NAME: 'bucket-status-bench',
  JWT_SECRET: 'cold-import-secret-at-least-32-bytes-long!',
  AWS_REGION: 'us-east-1',
};

// Runs in the fresh process: the time of `await import(bundle)` alone, not Node's own boot.
const PROBE = `
const { pathToFileURL } = await import('node:url');
const url = pathToFileURL(process.argv[1]).href;
const start = performance.now();
await import(url);
process.stdout.write(String(performance.now() - start));
`;

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  metafile: Metafile;
}

async function bundle(name: string, entry: string): Promise<Bundle> {
  const file = join(BUILD_DIR, name, 'index.mjs');
  const result = await build({
    ...buildOptionsFor(join(ROOT, entry), file),
    metafile: true,
    logLevel: 'warning',
  });
  return { name, file, bytes: (await stat(file)).size, metafile: result.metafile };
}

function importOnce(file: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, file], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = Number(out);
      if (code !== 0 || !Number.isFinite(ms)) {
        reject(new Error(`importing ${file} failed (${code}): ${err.slice(0, 500)}`));
      } else resolve(ms);
    });
  });
}

/**
 * Each function bundled exactly as the stack bundles it (infra/bundling.ts), then imported in
 * fresh Node processes, round-robin with the floor bundle so drift hits all alike.
 */
export async function benchColdImport(options: ColdImportOptions): Promise<ColdImportRow[]> {
  await rm(BUILD_DIR, { recursive: true, force: true });
  await mkdir(BUILD_DIR, { recursive: true });
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const bundles = await Promise.all([
    bundle('floor', FLOOR_ENTRY),
    ...names.map((name) => bundle(name, FUNCTION_ENTRIES[name])),
  ]);
  for (const b of bundles) {
    await writeFile(join(BUILD_DIR, b.name, 'meta.json'), JSON.stringify(b.metafile));
  }
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  // One discarded round (round -1) warms the file cache.
  for (let round = -1; round < Math.max(20, options.processes); round++) {
    // Each round starts with a different bundle, so no bundle always runs first or last.
    const start = (round + bundles.length) % bundles.length;
    for (const b of [...bundles.slice(start), ...bundles.slice(0, start)]) {
      const ms = await importOnce(
        b.file,
        b.name === 'floor' ? { AWS_REGION: 'us-east-1' } : HANDLER_ENV,
      );
      if (round >= 0) samples.get(b.name)?.push(ms);
    }
  }
  const floorMedianMs = median(samples.get('floor') ?? []);
  return names.map((name) => {
    const b = bundles.find((x) => x.name === name) as Bundle;
    const medianMs = median(samples.get(name) ?? []);
    return {
      function: name,
      bundleBytes: b.bytes,
      medianMs: round(medianMs),
      floorMedianMs: round(floorMedianMs),
      ratio: round(medianMs / floorMedianMs),
    };
  });
}
