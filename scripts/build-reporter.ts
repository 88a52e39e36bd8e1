// `npm run build:reporter`: the node reporter as one file, dist/bucket-status-reporter.mjs.
// One esbuild bundle of reporter/cli.ts: no runtime dependencies (node: built-ins only),
// syntax for Node 20, so a bridge node needs only its distribution's Node and this file.
import { chmod, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REPORTER_BUNDLE = `${ROOT}dist/bucket-status-reporter.mjs`;

export async function buildReporter(outfile = REPORTER_BUNDLE): Promise<{ bytes: number }> {
  const result = await build({
    entryPoints: [`${ROOT}reporter/cli.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    banner: {
      js: '#!/usr/bin/env node\n// bucket-status-reporter: the bucket-status node reporter (one file, no dependencies). --help for usage.',
    },
  });
  // Anything but node: built-ins left unbundled would be a runtime dependency.
  const external = Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((entry) => entry.external && !entry.path.startsWith('node:'));
  if (external.length > 0) {
    throw new Error(`the reporter bundle imports ${external.map((e) => e.path).join(', ')}`);
  }
  await chmod(outfile, 0o755);
  return { bytes: (await stat(outfile)).size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bytes } = await buildReporter();
  console.log(`dist/bucket-status-reporter.mjs: ${(bytes / 1024).toFixed(1)} KiB`);
}
