import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCommand } from '../support/run-command.ts';
import { temporaryDirectory } from './support.ts';

/**
 * The client package's timeouts and aborts on the oldest supported Node (the system Node, v20
 * here), where a signal combined by AbortSignal.any stops firing once a garbage collection has
 * run. The client is built as the package is (tsc -p client/tsconfig.json); the script
 * (node20/client-timeouts.ts) is bundled for Node 20 importing that build, and run with
 * --expose-gc. It first makes the client serve WARM_UP quick answers (a long-running page's
 * client, whose code V8 has optimized: only then does the combined signal lose its timeout),
 * then calls servers that never answer with a GC forced every 50 ms.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const SYSTEM_NODE = process.env.SYSTEM_NODE ?? '/usr/bin/node';
const SCRIPT = fileURLToPath(new URL('./node20/client-timeouts.ts', import.meta.url));
const CLIENT = join(ROOT, 'client/index.ts');
const TIMEOUT_MS = 500;
const WARM_UP = 1_000;
// Each request is allowed its timeout: the script has ten times that (and 25 s to start and
// warm up) before it is killed, which the exit code then shows.
const DEADLINE_MS = TIMEOUT_MS * 10 + 25_000;
// The client's timeout: a DOMException named TimeoutError (its message is the runtime's).
const timedOut = { name: 'TimeoutError', message: expect.any(String) };

let folder: Awaited<ReturnType<typeof temporaryDirectory>>;
let bundle: string;

beforeAll(async () => {
  folder = await temporaryDirectory('client-node20');
  const dist = join(folder.path, 'dist');
  const tsc = await runCommand(TSC, ['-p', join(ROOT, 'client/tsconfig.json'), '--outDir', dist], {
    timeoutMs: 60_000,
  });
  expect(tsc, tsc.stdout).toMatchObject({ code: 0 });
  bundle = join(folder.path, 'client-timeouts.mjs');
  await build({
    entryPoints: [SCRIPT],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'built-client',
        setup(esbuild) {
          // The script's import of the client's source becomes an import of its build.
          esbuild.onResolve({ filter: /client\/index\.ts$/ }, (args) => {
            const path = join(args.resolveDir, args.path);
            if (path !== CLIENT) return undefined;
            return { path: pathToFileURL(join(dist, 'index.js')).href, external: true };
          });
        },
      },
    ],
  });
}, 90_000);
afterAll(async () => {
  await folder?.remove();
});

describe('the client package on the system Node', () => {
  it('is Node 20 or newer', async () => {
    const version = await runCommand(SYSTEM_NODE, ['--version']);
    expect(Number(/^v(\d+)\./.exec(version.stdout)?.[1])).toBeGreaterThanOrEqual(20);
  });

  it.each([
    ['a silent server', timedOut],
    ['a silent server, with a signal', timedOut],
    ['a server that never sends the body, with a signal', timedOut],
    ['a silent server, aborted by the caller', { name: 'Error', message: 'caller gave up' }],
  ])(
    'after a GC, %s: the request ends as it should',
    async (name, expected) => {
      const result = await runCommand(
        SYSTEM_NODE,
        ['--expose-gc', bundle, String(TIMEOUT_MS), String(WARM_UP), name],
        { env: cleanEnv(), timeoutMs: DEADLINE_MS },
      );
      const outcomes = result.stdout
        .trimEnd()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { case: string; outcome: unknown });
      expect(outcomes).toEqual([{ case: name, outcome: expected }]);
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    },
    DEADLINE_MS + 10_000,
  );
});
