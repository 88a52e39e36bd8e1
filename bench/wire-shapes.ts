// node bench/wire-shapes.ts [extra-entry.ts ...]: what a wire-shape library adds to a cold
// start. Each probe (bench/wire-shapes/*.ts) is the cold-start floor (bench/floor-entry.ts)
// plus the ingest and status shapes; each is bundled like a function (infra/bundling.ts) and
// imported in fresh processes, round-robin with the floor. Extra entries (a function's
// handler.ts, here or in another checkout) join the same rounds, so an A/B comparison sees the
// same machine load. Figures: docs/evidence/wire-shapes.md.
import { spawn } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildOptionsFor } from '../infra/bundling.ts';
import { HANDLER_ENV } from './cold-import.ts';
import { median, round } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, '.local', 'bench-wire-shapes');
const ROUNDS = Number(process.env.ROUNDS ?? 30);

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

function importOnce(file: string): Promise<{ wall: number; cpu: number }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, file], {
      env: { PATH: process.env.PATH ?? '', ...HANDLER_ENV },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0
        ? done({ wall: Number(out.split(' ')[0]), cpu: Number(out.split(' ')[1]) })
        : fail(new Error(`${file} exited ${code}`)),
    );
  });
}

const entries = [
  join(ROOT, 'bench/floor-entry.ts'),
  // PROBES=0: the floor and the given entries only.
  ...(process.env.PROBES === '0'
    ? []
    : ['typebox-compiler', 'typebox-value'].map((p) => join(ROOT, `bench/wire-shapes/${p}.ts`))),
  ...process.argv.slice(2).map((p) => resolve(p)),
];
await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
const bundles = await Promise.all(
  entries.map(async (entry) => {
    // A checkout's handler.ts is named by its checkout and folder.
    const name = entry.endsWith('/handler.ts')
      ? entry
          .split('/')
          .slice(-4, -1)
          .filter((p) => p !== 'functions')
          .join('/')
      : basename(entry, '.ts');
    const file = join(OUT, name.replaceAll('/', '-'), 'index.mjs');
    await build({ ...buildOptionsFor(entry, file), logLevel: 'warning' });
    return {
      name,
      file,
      bytes: (await stat(file)).size,
      wall: [] as number[],
      cpu: [] as number[],
    };
  }),
);
for (let round = -1; round < ROUNDS; round++) {
  const start = (round + bundles.length) % bundles.length;
  for (const b of [...bundles.slice(start), ...bundles.slice(0, start)]) {
    const ms = await importOnce(b.file);
    if (round >= 0) {
      b.wall.push(ms.wall);
      b.cpu.push(ms.cpu);
    }
  }
}
const floor = bundles[0] as (typeof bundles)[number];
const [floorWall, floorCpu] = [median(floor.wall), median(floor.cpu)];
console.log(`${ROUNDS} imports each; medians`);
console.log(
  '| probe | bundle bytes | over the floor | wall ms | wall ratio | CPU ms | CPU ratio |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const b of bundles) {
  const [wall, cpu] = [median(b.wall), median(b.cpu)];
  console.log(
    `| ${b.name} | ${b.bytes} | ${b.bytes - floor.bytes} | ${round(wall, 1)} | ` +
      `${round(wall / floorWall)} | ${round(cpu, 1)} | ${round(cpu / floorCpu)} |`,
  );
}
