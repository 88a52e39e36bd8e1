import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { BucketStatusClient } from '../../client/index.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { parseReporterArgs } from '../../reporter/options.ts';
import { checkedFetch, temporaryDirectory } from './support.ts';

/**
 * The two commands as a user runs them: `node local/start.ts` (npm start) and
 * `node reporter/cli.ts` (npm run reporter), as child processes with signals and exit codes.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const checked = checkedFetch();
let directory: Awaited<ReturnType<typeof temporaryDirectory>>;

beforeAll(async () => {
  directory = await temporaryDirectory('cli');
});
afterAll(async () => {
  await directory.remove();
  expect(checked.violations).toEqual([]);
});

/** The environment of a fresh shell: none of the runtime's settings inherited from this one. */
function cleanEnv(extra: Record<string, string> = {}) {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(JWT_|DYNAMODB_|TABLE_NAME$|PORT$|NODE_MIN_|STALE_)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(script: string, args: string[], env = cleanEnv()): Running {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitForOutput(running: Running, pattern: RegExp, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(running.stdout());
    if (match) return match;
    if (running.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `no ${pattern} in output\nstdout: ${running.stdout()}\nstderr: ${running.stderr()}`,
  );
}

async function exitWithin(running: Running, ms: number) {
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms));
  const result = await Promise.race([running.exited, timer]);
  if (result === 'timeout') {
    running.child.kill('SIGKILL');
    throw new Error(`did not exit within ${ms} ms\nstdout: ${running.stdout()}`);
  }
  return result;
}

describe('npm start (local/start.ts)', () => {
  it('prints a curl line that answers 200 with three nodes, and exits 0 on Ctrl-C', async () => {
    const demoFile = join(directory.path, 'start-demo.json');
    const started = Date.now();
    const running = run('local/start.ts', ['--demo-file', demoFile], cleanEnv({ PORT: '0' }));
    try {
      const [, token, url] = await waitForOutput(
        running,
        /^curl -s -H "Authorization: Bearer ([^"]+)" (http:\/\/localhost:\d+\/bucket\/[^/\s]+\/status)$/m,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      const response = await checked.fetch(url as string, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      const { nodeStatus } = (await response.json()) as {
        nodeStatus: { status: string; lastUpdated?: string }[];
      };
      expect(nodeStatus).toHaveLength(3);
      const fresh = nodeStatus.filter(
        (node) =>
          node.status === 'ONLINE' && Date.now() - Date.parse(node.lastUpdated ?? '') < 30_000,
      );
      expect(fresh.length).toBeGreaterThanOrEqual(1);
      // The status page: printed and recorded, the demo bucket and token in the fragment.
      const [, pageUrl] = await waitForOutput(running, /^statusPageUrl (\S+)$/m);
      const page = new URL(pageUrl as string);
      expect(page.origin).toBe(new URL(url as string).origin);
      expect(page.hash).toMatch(new RegExp(`^#bucket=[^&]+&token=${token}$`));
      const demo = JSON.parse(await readFile(demoFile, 'utf8')) as { statusPageUrl?: string };
      expect(demo.statusPageUrl).toBe(pageUrl);
      const html = await fetch(`${page.origin}/`);
      expect(html.status).toBe(200);
      expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
    } finally {
      running.child.kill('SIGINT');
    }
    // The process exits by itself: no timer, socket or engine left open (else exit code 1).
    expect(await exitWithin(running, 6_000)).toEqual({ code: 0, signal: null });
    expect(running.stderr()).toBe('');
  });

  it('reports a port in use in one line and exits non-zero', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const running = run(
        'local/start.ts',
        ['--demo-file', join(directory.path, 'unused.json')],
        cleanEnv({ PORT: String(port) }),
      );
      const { code } = await exitWithin(running, 10_000);
      expect(code).toBe(1);
      expect(running.stderr()).toBe(
        `npm start: port ${port} is already in use (set PORT or --port)\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it('refuses bad configuration in one line naming the setting, exit 1', async () => {
    const running = run(
      'local/start.ts',
      ['--demo-file', join(directory.path, 'never-written.json')],
      cleanEnv({ JWT_SECRET: 'too-short' }),
    );
    expect((await exitWithin(running, 10_000)).code).toBe(1);
    expect(running.stderr()).toBe('npm start: JWT_SECRET must be at least 32 bytes for HS256\n');
    expect(running.stdout()).toBe('');
  });

  // The same errors in process (the CLI prints their message, as above).
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DYNAMODB_ENDPOINT: 'not a url' }, 'DYNAMODB_ENDPOINT'],
    [{ TABLE_NAME: 'x' }, 'TABLE_NAME'],
    [{ STALE_AFTER_SECONDS: '-1' }, 'STALE_AFTER_SECONDS'],
    [{ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }, 'JWT_PUBLIC_KEY'],
    [{ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' }, 'cannot reach DynamoDB at http://127.0.0.1:1'],
  ])('refuses %j with an error naming %s', async (env, name) => {
    const port = 'PORT' in env ? {} : { port: 0 };
    const error = await startLocalRuntime({ env, ...port, simulateNodes: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('npm run reporter (reporter/cli.ts)', () => {
  let runtime: LocalRuntime;
  let keyFile: string;
  let nodeId: string;

  beforeAll(async () => {
    runtime = await startLocalRuntime({ env: {}, port: 0, simulateNodes: false });
    const dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
    try {
      const store = createAdminStore(dynamo, runtime.tableName);
      const registered = await store.registerNode({ nodeId: 'cli-node' });
      await store.assignNode({ bucketId: runtime.demo.bucketId, nodeId: 'cli-node' });
      nodeId = registered.nodeId;
      keyFile = join(directory.path, 'cli-node.key');
      await writeFile(keyFile, `${registered.privateKey}\n`, { mode: 0o600 });
    } finally {
      dynamo.destroy();
    }
  });
  afterAll(() => runtime?.stop());

  const cliNode = async () => {
    const client = new BucketStatusClient({
      baseUrl: runtime.apiUrl,
      authToken: runtime.demo.token,
      fetch: checked.fetch,
    });
    const { nodeStatus } = await client.getStorageBucketStatus(runtime.demo.bucketId);
    return nodeStatus.find((node) => node.ip === '192.0.2.77');
  };

  it('reports every interval, one line per report, and stops cleanly on SIGTERM', async () => {
    const probe: Server = createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const probeUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/health`;
    const running = run('reporter/cli.ts', [
      ...['--api', runtime.apiUrl, '--node-id', nodeId, '--key-file', keyFile],
      ...['--bucket', `${runtime.demo.bucketId}=${probeUrl}`, '--bucket', 'not-my-bucket'],
      ...['--interval', '1.2', '--ip', '192.0.2.77', '--region', 'eu-north-1'],
    ]);
    try {
      await waitForOutput(
        running,
        /node cli-node: accepted 1, rejected 1[^\n]*\n[^\n]*node cli-node: accepted 1/,
      );
      const line = running
        .stdout()
        .split('\n')
        .find((l) => l.includes('node cli-node:'));
      expect(line).toMatch(
        new RegExp(
          `^\\S+Z node cli-node: accepted 1, rejected 1 \\[not-my-bucket: not assigned\\] \\| ${runtime.demo.bucketId}=ONLINE/\\d+ms not-my-bucket=ONLINE$`,
        ),
      );
      expect(await cliNode()).toMatchObject({
        ip: '192.0.2.77',
        region: 'eu-north-1',
        status: 'ONLINE',
        latency_ms: expect.any(Number),
      });
    } finally {
      running.child.kill('SIGTERM');
      probe.close();
    }
    expect(await exitWithin(running, 5_000)).toEqual({ code: 0, signal: null });
    expect(running.stdout()).toContain('stopped on SIGTERM');
    expect(running.stderr()).toBe('');
  });

  it('--once sends one report and exits 0', async () => {
    const running = run('reporter/cli.ts', [
      ...['--api', runtime.apiUrl, '--node-id', nodeId, '--key-file', keyFile, '--once'],
      ...['--bucket', runtime.demo.bucketId, '--ip', '192.0.2.77'],
    ]);
    expect(await exitWithin(running, 10_000)).toEqual({ code: 0, signal: null });
    expect(running.stdout().trim().split('\n')).toHaveLength(1);
  });

  it("--once exits 1 when the report is refused (a key that is not the node's)", async () => {
    const otherKey = join(directory.path, 'other.key');
    await writeFile(otherKey, `${Buffer.alloc(32, 9).toString('base64')}\n`, { mode: 0o600 });
    const running = run('reporter/cli.ts', [
      ...['--api', runtime.apiUrl, '--node-id', nodeId, '--key-file', otherKey, '--once'],
      ...['--bucket', runtime.demo.bucketId],
    ]);
    expect((await exitWithin(running, 10_000)).code).toBe(1);
    expect(running.stdout()).toContain('FAILED: report refused with 401');
  });

  it('refuses invalid arguments with exit 2 and one line', async () => {
    const running = run('reporter/cli.ts', ['--node-id', 'n', '--bogus']);
    expect((await exitWithin(running, 10_000)).code).toBe(2);
    expect(running.stderr()).toBe("reporter: Unknown option '--bogus'\n");
  });

  const valid = ['--api', 'http://x', '--node-id', 'n', '--key-file', 'k', '--bucket', 'b'];
  it.each([
    [['--node-id', 'n'], '--api is required'],
    [['--api', 'ftp://x', ...valid.slice(2)], '--api must be an http(s) URL'],
    [[...valid, '--interval', '0'], '--interval must be a number of seconds from 1 to 3600'],
    [[...valid, '--probe-timeout', '60'], '--probe-timeout'],
    [[...valid, '--region', 'EU'], '--region: region must be 1-64 characters'],
    [[...valid, '--node-version', '1.2'], '--node-version: version must be a semantic version'],
    [[...valid, '--ip', 'localhost'], '--ip: ip must be an IPv4 or IPv6'],
    [[...valid, '--bucket', 'a/b'], '--bucket id must be'],
    [[...valid, '--bucket', 'b'], 'given twice'],
    [[...valid, '--bucket', 'c=file:///etc/passwd'], 'probe URL must be an http(s) URL'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseReporterArgs(args, {})).toThrow(message);
  });

  it('fills in defaults for what a node may leave out', () => {
    const parsed = parseReporterArgs(valid, { AWS_REGION: 'eu-west-3' });
    expect(parsed).toMatchObject({
      help: false,
      options: {
        intervalMs: 30_000,
        probeTimeoutMs: 5_000,
        identity: { region: 'eu-west-3', version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
        buckets: [{ bucketId: 'b' }],
        once: false,
      },
    });
  });
});
