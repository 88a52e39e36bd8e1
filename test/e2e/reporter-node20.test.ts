import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCommand } from '../support/run-command.ts';
import { temporaryDirectory } from './support.ts';

/**
 * The reporter's timeouts on the oldest supported Node (the system Node, v20 here), where a
 * signal combined by AbortSignal.any stops firing once a garbage collection has run. The
 * script (node20/reporter-timeouts.ts) is bundled for Node 20 as the reporter is, and run with
 * --expose-gc and a GC forced every 50 ms against servers that never answer.
 */

const SYSTEM_NODE = process.env.SYSTEM_NODE ?? '/usr/bin/node';
const SCRIPT = fileURLToPath(new URL('./node20/reporter-timeouts.ts', import.meta.url));
const TIMEOUT_MS = 500;
// Six requests run one after the other, each allowed its timeout: the script has ten times
// that (and a few seconds to start) before it is killed, which the exit code then shows.
const DEADLINE_MS = 6 * TIMEOUT_MS * 10 + 5_000;

let folder: Awaited<ReturnType<typeof temporaryDirectory>>;
let bundle: string;

beforeAll(async () => {
  folder = await temporaryDirectory('reporter-node20');
  bundle = join(folder.path, 'reporter-timeouts.mjs');
  await build({
    entryPoints: [SCRIPT],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await folder?.remove();
});

describe('the reporter on the system Node', () => {
  it('is Node 20 or newer', async () => {
    const version = await runCommand(SYSTEM_NODE, ['--version']);
    expect(Number(/^v(\d+)\./.exec(version.stdout)?.[1])).toBeGreaterThanOrEqual(20);
  });

  it(
    'ends every request within its timeout after a GC, with the timeout as the reason',
    async () => {
      const result = await runCommand(SYSTEM_NODE, ['--expose-gc', bundle, String(TIMEOUT_MS)], {
        env: cleanEnv(),
        timeoutMs: DEADLINE_MS,
      });
      const outcomes = result.stdout
        .trimEnd()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { case: string; outcome: unknown });
      const timedOut = {
        name: 'ReportError',
        message: 'report failed after 2 attempts (last: request timed out)',
      };
      expect(outcomes).toEqual([
        { case: 'report to a silent server', outcome: timedOut },
        { case: 'report to a server that never sends the body', outcome: timedOut },
        { case: 'probe of a silent server', outcome: { status: 'OFFLINE' } },
        {
          case: 'a reporter round against a silent server',
          outcome: [
            {
              ok: false,
              buckets: [{ bucketId: 'b1', status: 'OFFLINE' }],
              error: 'report failed after 1 attempts (last: request timed out)',
            },
          ],
        },
      ]);
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    },
    DEADLINE_MS + 10_000,
  );
});
