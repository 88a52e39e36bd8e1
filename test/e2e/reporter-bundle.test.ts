import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { buildReporter } from '../../scripts/build-reporter.ts';
import { cleanEnv, runCommand } from '../support/run-command.ts';
import { temporaryDirectory } from './support.ts';

/**
 * The reporter as a node operator meets it: the single built file, copied into a folder that
 * holds nothing else (no node_modules, no package.json), run by the machine's own Node
 * (/usr/bin/node, v20 here, not the project's Node 24) against a running local API.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SYSTEM_NODE = process.env.SYSTEM_NODE ?? '/usr/bin/node';
const FILE = 'bucket-status-reporter.mjs';
let runtime: LocalRuntime;
let folder: Awaited<ReturnType<typeof temporaryDirectory>>;

const systemNode = (args: string[]) =>
  runCommand(SYSTEM_NODE, [FILE, ...args], { cwd: folder.path, env: cleanEnv() });

beforeAll(async () => {
  const dist = join(ROOT, 'dist', FILE);
  await buildReporter(dist);
  folder = await temporaryDirectory('reporter-bundle');
  await copyFile(dist, join(folder.path, FILE));
  // The API's default per-node rate limit (one report per second), as deployed.
  runtime = await startLocalRuntime({ env: {}, port: 0, simulateNodes: false });
  const [first, second, third] = runtime.demo.nodes as [
    { nodeId: string; privateKey: string },
    { nodeId: string; privateKey: string },
    { nodeId: string; privateKey: string },
  ];
  await writeFile(join(folder.path, 'third.key'), `${third.privateKey}\n`, { mode: 0o600 });
  await writeFile(join(folder.path, 'node.key'), `${first.privateKey}\n`, { mode: 0o600 });
  await writeFile(join(folder.path, 'second.key'), `${second.privateKey}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await runtime?.stop();
  await folder?.remove();
});

async function statusOf(ip: string) {
  const response = await fetch(`${runtime.apiUrl}/bucket/${runtime.demo.bucketId}/status`, {
    headers: { authorization: `Bearer ${runtime.demo.token}` },
  });
  const { nodeStatus } = (await response.json()) as { nodeStatus: { ip?: string }[] };
  return nodeStatus.find((node) => node.ip === ip);
}

describe('the single-file reporter on the system Node', () => {
  it('is one ES module that imports node: built-ins only', async () => {
    const text = await readFile(join(folder.path, FILE), 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const specifiers = [...text.matchAll(/\bfrom\s*"([^"]+)"|\bimport\(\s*"([^"]+)"/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s?.startsWith('node:'))).toEqual([]);
    expect(text).not.toMatch(/\brequire\(/);
  });

  it('runs --help with nothing beside it', async () => {
    const version = await runCommand(SYSTEM_NODE, ['--version']);
    expect(Number(/^v(\d+)\./.exec(version.stdout)?.[1])).toBeGreaterThanOrEqual(20);
    const result = await systemNode(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: bucket-status-reporter --api URL/);
    expect(await readdir(folder.path)).toEqual(
      expect.arrayContaining([FILE, 'node.key', 'second.key']),
    );
  });

  it('reports once from a config file (a flag overriding it) and the API shows the node', async () => {
    const node = runtime.demo.nodes[0] as { nodeId: string };
    await writeFile(
      join(folder.path, 'reporter.json'),
      JSON.stringify({
        api: runtime.apiUrl,
        'node-id': node.nodeId,
        'key-file': 'node.key',
        bucket: [runtime.demo.bucketId],
        ip: '192.0.2.201',
        region: 'eu-west-1',
      }),
    );
    const result = await systemNode([
      '--config',
      'reporter.json',
      '--region',
      'eu-north-1',
      '--once',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      new RegExp(`^\\S+Z node ${node.nodeId}: accepted 1, rejected 0 \\| `),
    );
    expect(result.code).toBe(0);
    expect(await statusOf('192.0.2.201')).toMatchObject({ region: 'eu-north-1', status: 'ONLINE' });
  });

  it('keeps the same exit codes: 2 for a bad config, 1 for a report not accepted in full', async () => {
    await writeFile(join(folder.path, 'bad.json'), JSON.stringify({ api: 'ftp://x' }));
    const bad = await systemNode(['--config', 'bad.json']);
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'reporter: --api must be an http(s) URL (got "ftp://x")\n',
    });
    const node = runtime.demo.nodes[0] as { nodeId: string };
    const rejected = await systemNode([
      ...['--api', runtime.apiUrl, '--node-id', node.nodeId, '--key-file', 'node.key'],
      ...['--bucket', runtime.demo.bucketId, '--bucket', 'not-assigned-here', '--once'],
    ]);
    expect(rejected.stdout).toContain('rejected 1 [not-assigned-here: not assigned]');
    expect(rejected.code).toBe(1);
  });

  it('runs the loop with --log-format json: one JSON object per line, clean stop on SIGTERM', async () => {
    const node = runtime.demo.nodes[1] as { nodeId: string };
    const child: ChildProcess = spawn(
      SYSTEM_NODE,
      [
        FILE,
        ...['--api', runtime.apiUrl, '--node-id', node.nodeId, '--key-file', 'second.key'],
        ...['--bucket', runtime.demo.bucketId, '--interval', '1', '--ip', '192.0.2.202'],
        ...['--log-format', 'json'],
      ],
      { cwd: folder.path, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = once(child, 'exit');
    try {
      // The start line and two reports.
      await expect
        .poll(() => stdout.split('\n').filter((l) => l.includes('"accepted 1')).length, {
          timeout: 15_000,
        })
        .toBeGreaterThanOrEqual(2);
    } finally {
      child.kill('SIGTERM');
    }
    const [code, signal] = await exited;
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: expect.stringContaining(`reporting for node ${node.nodeId}`),
      buckets: 1,
    });
    expect(lines[1]).toMatchObject({
      level: 'info',
      nodeId: node.nodeId,
      ok: true,
      fullyAccepted: true,
      accepted: [runtime.demo.bucketId],
    });
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'stopped on SIGTERM' });
    for (const line of lines) expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(await statusOf('192.0.2.202')).toMatchObject({ status: 'ONLINE' });
  });

  it('sends 150 buckets as two reports, spaced so the rate limit refuses neither', async () => {
    const node = runtime.demo.nodes[2] as { nodeId: string };
    const extra = Array.from({ length: 149 }, (_, i) => ['--bucket', `elsewhere-${i}`]).flat();
    const result = await systemNode([
      ...['--api', runtime.apiUrl, '--node-id', node.nodeId, '--key-file', 'third.key'],
      ...['--bucket', runtime.demo.bucketId, ...extra, '--ip', '192.0.2.203'],
      ...['--once', '--log-format', 'json'],
    ]);
    const reports = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // Both answered 200 at the first attempt (no 429 waited out); 149 buckets are not
    // assigned to the node, so the round is not accepted in full: exit 1.
    expect(
      reports.map((r) => [r.part, r.parts, r.ok, r.attempts, (r.buckets as unknown[]).length]),
    ).toEqual([
      [1, 2, true, 1, 100],
      [2, 2, true, 1, 50],
    ]);
    expect(reports[0]?.accepted).toEqual([runtime.demo.bucketId]);
    expect(reports[1]?.rejected).toHaveLength(50);
    expect(result.code).toBe(1);
    expect(await statusOf('192.0.2.203')).toMatchObject({ status: 'ONLINE' });
  });

  it('prints a signed report with --dry-run and sends nothing', async () => {
    const result = await systemNode([
      ...['--api', 'http://127.0.0.1:9/', '--node-id', 'dry-node', '--key-file', 'node.key'],
      ...['--bucket', 'b1', '--ip', '192.0.2.9', '--dry-run', '--log-format', 'json'],
    ]);
    expect(result.code).toBe(0);
    const line = JSON.parse(result.stdout) as {
      url: string;
      headers: Record<string, string>;
      body: string;
    };
    expect(line.url).toBe('http://127.0.0.1:9/node/status');
    expect(line.headers['X-Node-Signature']).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(JSON.parse(line.body)).toMatchObject({ ip: '192.0.2.9', buckets: [{ bucketId: 'b1' }] });
  });
});

describe('deploy/bucket-status-reporter.service', () => {
  it('runs the documented file as a dedicated user with the hardening options', async () => {
    const unit = await readFile(join(ROOT, 'deploy/bucket-status-reporter.service'), 'utf8');
    const settings = new Set(unit.split('\n').filter((line) => /^\w+=/.test(line)));
    for (const expected of [
      'User=bucket-status',
      'Restart=on-failure',
      'RestartPreventExitStatus=2',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=',
      'ExecStart=/usr/bin/node /usr/local/lib/bucket-status/bucket-status-reporter.mjs --config /etc/bucket-status/reporter.json --log-format json',
    ]) {
      expect(settings).toContain(expected);
    }
    const guide = await readFile(join(ROOT, 'docs/NODE-OPERATORS.md'), 'utf8');
    expect(guide).toContain('/usr/local/lib/bucket-status/bucket-status-reporter.mjs');
    expect(guide).toContain('/etc/bucket-status/reporter.json');
  });

  const analyze = '/usr/bin/systemd-analyze';
  it.runIf(process.platform === 'linux')('passes systemd-analyze verify', async () => {
    const result = await runCommand(analyze, ['verify', 'deploy/bucket-status-reporter.service'], {
      cwd: ROOT,
    }).catch((error: unknown) => ({ code: -1, stdout: '', stderr: String(error) }));
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });
});
