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
  /** A function of the stack, or a measurement variant (not shipped, not budgeted). */
  function: FunctionName | string;
  variant?: boolean;
  bundleBytes: number;
  medianMs: number;
  floorMedianMs: number;
  /** Wall-clock median over the floor's: what the budget checks. */
  ratio: number;
  /**
   * CPU time (user + system) of the import over the floor's: less disturbed by other processes
   * on a shared machine, reported beside the ratio, not budgeted.
   */
  cpuRatio: number;
}

export interface ColdImportOptions {
  /** Fresh processes per bundle (at least 20). */
  processes: number;
}

/**
 * Informational bundles, imported round-robin with the others and reported beside them but not
 * budgeted: what an alternative would cost (docs/evidence/performance.md, "Metrics and tracing at
 * cold import").
 */
const VARIANTS = [
  { name: 'status + Powertools Tracer', entry: 'bench/variants/status-with-powertools-tracer.ts' },
];

/**
 * Environment a handler module initialises with, as in Lambda: config is read at import time,
 * and active tracing sets the daemon address (the function name, service and namespace too).
 */
export const HANDLER_ENV = {
  TABLE_NAME: 'bucket-status-bench',
  JWT_SECRET: 'cold-import-secret-at-least-32-bytes-long!',
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bucket-status-bench',
  AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
  POWERTOOLS_SERVICE_NAME: 'bucket-status',
  POWERTOOLS_METRICS_NAMESPACE: 'BucketStatus',
  _HANDLER: 'index.handler',
  // The page a share link opens (the manage function; the stack passes its URL).
  STATUS_PAGE_URL: 'https://status.example.com/',
  // The alert functions' queue (the stack passes its URL).
  DELIVERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bucket-status-bench',
};

// Runs in the fresh process: the time of `await import(bundle)` alone, not Node's own boot.
const PROBE = `
const { pathToFileURL } = await import('node:url');
const url = pathToFileURL(process.argv[1]).href;
const cpu = process.cpuUsage();
const start = performance.now();
await import(url);
const wall = performance.now() - start;
const used = process.cpuUsage(cpu);
process.stdout.write(wall + ' ' + (used.user + used.system) / 1000);
`;

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  metafile: Metafile;
}

async function bundle(name: string, entry: string): Promise<Bundle> {
  const file = join(BUILD_DIR, name.replace(/[^A-Za-z0-9-]+/g, '-'), 'index.mjs');
  const result = await build({
    ...buildOptionsFor(join(ROOT, entry), file),
    metafile: true,
    logLevel: 'warning',
  });
  return { name, file, bytes: (await stat(file)).size, metafile: result.metafile };
}

/** Wall-clock and CPU milliseconds of one import in a fresh process. */
function importOnce(
  file: string,
  env: Record<string, string>,
): Promise<{ wall: number; cpu: number }> {
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
      const [wall, cpu] = out.split(' ').map(Number);
      if (code !== 0 || !Number.isFinite(wall) || !Number.isFinite(cpu)) {
        reject(new Error(`importing ${file} failed (${code}): ${err.slice(0, 500)}`));
      } else resolve({ wall: wall as number, cpu: cpu as number });
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
    ...VARIANTS.map((v) => bundle(v.name, v.entry)),
  ]);
  for (const b of bundles) {
    await writeFile(join(b.file, '..', 'meta.json'), JSON.stringify(b.metafile));
  }
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const cpuSamples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  // One discarded round (round -1) warms the file cache.
  for (let round = -1; round < Math.max(20, options.processes); round++) {
    // Each round starts with a different bundle, so no bundle always runs first or last.
    const start = (round + bundles.length) % bundles.length;
    for (const b of [...bundles.slice(start), ...bundles.slice(0, start)]) {
      const ms = await importOnce(
        b.file,
        b.name === 'floor' ? { AWS_REGION: 'us-east-1' } : HANDLER_ENV,
      );
      if (round >= 0) {
        samples.get(b.name)?.push(ms.wall);
        cpuSamples.get(b.name)?.push(ms.cpu);
      }
    }
  }
  const floorMedianMs = median(samples.get('floor') ?? []);
  const floorCpuMs = median(cpuSamples.get('floor') ?? []);
  const row = (name: string, variant: boolean): ColdImportRow => {
    const b = bundles.find((x) => x.name === name) as Bundle;
    const medianMs = median(samples.get(name) ?? []);
    return {
      function: name,
      ...(variant && { variant }),
      bundleBytes: b.bytes,
      medianMs: round(medianMs),
      floorMedianMs: round(floorMedianMs),
      ratio: round(medianMs / floorMedianMs),
      cpuRatio: round(median(cpuSamples.get(name) ?? []) / floorCpuMs),
    };
  };
  return [...names.map((name) => row(name, false)), ...VARIANTS.map((v) => row(v.name, true))];
}
