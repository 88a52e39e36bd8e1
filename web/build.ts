// `npm run build:web`: bundles the status page (web/src) with esbuild into web/dist (gitignored).
// `npm start` runs it; the local runtime, the browser tests and the bench build the page in
// memory with bundleWeb, and the stack's asset with buildWebSync, so a fresh clone needs no
// extra step.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const WEB_DIR = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST_DIR = join(WEB_DIR, 'dist');

/** The files of the built page, by name (`index.html`, `app.js`, `app.css`, `favicon.svg`). */
export type WebBundle = Map<string, Uint8Array>;

export function bundleWeb(): WebBundle {
  const files: WebBundle = new Map();
  const common = {
    bundle: true,
    minify: true,
    write: false,
    logLevel: 'error',
    outdir: '/',
  } as const;
  const js = buildSync({
    ...common,
    entryPoints: { app: join(WEB_DIR, 'src', 'app.tsx') },
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(WEB_DIR, 'tsconfig.json'),
  });
  const css = buildSync({ ...common, entryPoints: { app: join(WEB_DIR, 'src', 'app.css') } });
  for (const output of [...js.outputFiles, ...css.outputFiles]) {
    files.set(output.path.replace(/^.*[\\/]/, ''), output.contents);
  }
  for (const file of ['index.html', 'favicon.svg']) {
    files.set(file, readFileSync(join(WEB_DIR, file)));
  }
  return files;
}

/** Writes the built page into `outDir` (emptied first) and returns it. */
export function buildWebSync(outDir: string = WEB_DIST_DIR): string {
  const files = bundleWeb();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [name, contents] of files) writeFileSync(join(outDir, name), contents);
  return outDir;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = buildWebSync(process.argv[2] === undefined ? WEB_DIST_DIR : resolve(process.argv[2]));
  console.log(`status page built in ${out}`);
}
