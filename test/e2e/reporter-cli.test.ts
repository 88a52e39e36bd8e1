import { createPublicKey } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyFromSeed, verifyNodeSignature } from '../../functions/domain/node-signature.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { readPrivateKeyFile } from '../../reporter/key-file.ts';
import { configToOptions, parseReporterArgs, UsageError } from '../../reporter/options.ts';
import { cleanEnv, runCommand } from '../support/run-command.ts';
import { temporaryDirectory } from './support.ts';

/**
 * The reporter command's second-release behaviour, run from source as `npm run reporter`
 * runs it: exit codes of --once, refused URLs and key files, --dry-run, --config and
 * --log-format json, against the local API or small servers that record what they receive.
 * The bundled file is run the same way in reporter-bundle.test.ts.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let runtime: LocalRuntime;
let directory: Awaited<ReturnType<typeof temporaryDirectory>>;
let keyFiles: string[];
const servers: Server[] = [];

const reporter = (args: string[]) =>
  runCommand(process.execPath, ['reporter/cli.ts', ...args], { cwd: ROOT, env: cleanEnv() });

/** A server that answers every request with `body` (200) and counts what it received. */
async function recordingServer(contentType: string, body: string) {
  const received: { method: string; url: string }[] = [];
  const server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

beforeAll(async () => {
  directory = await temporaryDirectory('reporter-cli');
  // No rate limit: the tests below send reports for the same demo nodes back to back.
  runtime = await startLocalRuntime({
    env: { NODE_MIN_REPORT_INTERVAL_MS: '0' },
    port: 0,
    simulateNodes: false,
  });
  keyFiles = await Promise.all(
    runtime.demo.nodes.map(async (node, index) => {
      const path = join(directory.path, `node-${index}.key`);
      await writeFile(path, `${node.privateKey}\n`, { mode: 0o600 });
      return path;
    }),
  );
});
afterAll(async () => {
  for (const server of servers) server.close();
  await runtime?.stop();
  await directory?.remove();
});

const nodeArgs = (index: number) => [
  ...['--api', runtime.apiUrl, '--node-id', runtime.demo.nodes[index]?.nodeId as string],
  ...['--key-file', keyFiles[index] as string],
];

describe('--once', () => {
  it('exits 0 when every bucket was accepted', async () => {
    const result = await reporter([...nodeArgs(0), '--bucket', runtime.demo.bucketId, '--once']);
    expect(result.stdout).toMatch(/node \S+: accepted 1, rejected 0/);
    expect(result.code).toBe(0);
  });

  it('exits 1 when a bucket was rejected (accepted, but not in full)', async () => {
    const result = await reporter([
      ...nodeArgs(0),
      ...['--bucket', runtime.demo.bucketId, '--bucket', 'not-my-bucket', '--once'],
    ]);
    expect(result.stdout).toContain('accepted 1, rejected 1 [not-my-bucket: not assigned]');
    expect(result.code).toBe(1);
  });

  it("exits 1 on a 200 that is not the API's JSON (a captive portal)", async () => {
    const portal = await recordingServer('text/html', '<html>Sign in to the Wi-Fi</html>');
    const result = await reporter([
      ...['--api', portal.url, '--node-id', 'n1', '--key-file', keyFiles[0] as string],
      ...['--bucket', 'b1', '--once'],
    ]);
    expect(result.stdout).toContain("FAILED: report answered 200 without the API's JSON body");
    expect(result.code).toBe(1);
    expect(portal.received).toHaveLength(1); // not retried
  });
});

describe('refused before anything is sent (exit 2, one line)', () => {
  it('an --api URL with a user name and password', async () => {
    const api = await recordingServer('application/json', '{}');
    const withCredentials = api.url.replace('http://', 'http://node:hunter2@');
    const result = await reporter([
      ...['--api', withCredentials, '--node-id', 'n1', '--key-file', keyFiles[0] as string],
      ...['--bucket', 'b1', '--once'],
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('reporter: --api must not carry a user name or password\n');
    expect(result.stdout).toBe('');
    expect(api.received).toHaveLength(0);
  });

  it('a key file that group or others may read', async () => {
    const loose = join(directory.path, 'loose.key');
    await writeFile(loose, `${runtime.demo.nodes[0]?.privateKey}\n`);
    await chmod(loose, 0o644);
    const result = await reporter([
      ...['--api', runtime.apiUrl, '--node-id', 'n1', '--key-file', loose],
      ...['--bucket', 'b1', '--once'],
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `reporter: --key-file ${loose} is accessible by group or others (mode 0644); it is refused, as ssh refuses such keys: run chmod 600 ${loose}\n`,
    );
  });

  it('a config file with an unknown key', async () => {
    const config = join(directory.path, 'typo.json');
    await writeFile(config, JSON.stringify({ api: runtime.apiUrl, 'node-idd': 'n1' }));
    const result = await reporter(['--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`reporter: --config ${config}: unknown key "node-idd"\n`);
  });
});

describe('key files', () => {
  it.each([0o600, 0o400])('accepts mode %o', async (mode) => {
    const path = join(directory.path, `ok-${mode.toString(8)}.key`);
    await writeFile(path, `${runtime.demo.nodes[0]?.privateKey}\n`, { mode });
    await expect(readPrivateKeyFile(path)).resolves.toBe(runtime.demo.nodes[0]?.privateKey);
  });

  it.each([0o640, 0o604, 0o660, 0o610])('refuses mode %o', async (mode) => {
    const path = join(directory.path, `bad-${mode.toString(8)}.key`);
    await writeFile(path, `${runtime.demo.nodes[0]?.privateKey}\n`);
    await chmod(path, mode);
    await expect(readPrivateKeyFile(path)).rejects.toThrow(UsageError);
  });

  it('leaves the mode alone on Windows (ACLs decide there)', async () => {
    const path = join(directory.path, 'windows.key');
    await writeFile(path, `${runtime.demo.nodes[0]?.privateKey}\n`);
    await chmod(path, 0o644);
    await expect(readPrivateKeyFile(path, 'win32')).resolves.toBeTruthy();
  });

  it('a missing key file is exit 1 (unreadable), not a usage error', async () => {
    const result = await reporter([
      ...['--api', runtime.apiUrl, '--node-id', 'n1'],
      ...['--key-file', join(directory.path, 'absent.key'), '--bucket', 'b1', '--once'],
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^reporter: cannot read --key-file .*absent\.key \(ENOENT\)\n$/);
  });
});

describe('--dry-run', () => {
  it('prints one signed request per report and sends nothing', async () => {
    const api = await recordingServer('application/json', '{}');
    const node = runtime.demo.nodes[1] as { nodeId: string; privateKey: string };
    const result = await reporter([
      ...['--api', api.url, '--node-id', node.nodeId, '--key-file', keyFiles[1] as string],
      ...['--bucket', 'b1', '--bucket', 'b2', '--ip', '192.0.2.5', '--dry-run'],
    ]);
    expect(result.code).toBe(0);
    expect(api.received).toHaveLength(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '# dry run: report 1/1, not sent',
      `POST ${api.url}/node/status`,
      'content-type: application/json',
    ]);
    const header = (name: string) =>
      lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) as string;
    const body = lines.at(-1) as string;
    expect(JSON.parse(body)).toEqual({
      ip: '192.0.2.5',
      region: 'local',
      version: expect.any(String),
      buckets: [
        { bucketId: 'b1', status: 'ONLINE' },
        { bucketId: 'b2', status: 'ONLINE' },
      ],
    });
    expect(header('X-Node-Id')).toBe(node.nodeId);
    const publicKey = createPublicKey(privateKeyFromSeed(node.privateKey));
    expect(
      verifyNodeSignature(
        publicKey,
        node.nodeId,
        header('X-Node-Timestamp'),
        Buffer.from(body),
        header('X-Node-Signature'),
      ),
    ).toBe(true);
  });
});

describe('--config and --log-format json', () => {
  it('runs from a config file, a flag overriding it, with one JSON object per line', async () => {
    const node = runtime.demo.nodes[2] as { nodeId: string };
    const config = join(directory.path, 'reporter.json');
    await writeFile(
      config,
      JSON.stringify({
        api: runtime.apiUrl,
        'node-id': node.nodeId,
        'key-file': keyFiles[2],
        bucket: [{ bucketId: runtime.demo.bucketId }],
        interval: 5,
        region: 'eu-west-1',
        ip: '192.0.2.66',
        'log-format': 'json',
      }),
    );
    const result = await reporter(['--config', config, '--region', 'eu-north-1', '--once']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toEqual({
      time: expect.stringMatching(/Z$/),
      level: 'info',
      msg: 'accepted 1, rejected 0',
      nodeId: node.nodeId,
      ok: true,
      fullyAccepted: true,
      attempts: 1,
      part: 1,
      parts: 1,
      accepted: [runtime.demo.bucketId],
      rejected: [],
      buckets: [{ bucketId: runtime.demo.bucketId, status: 'ONLINE' }],
    });
    const response = await fetch(`${runtime.apiUrl}/bucket/${runtime.demo.bucketId}/status`, {
      headers: { authorization: `Bearer ${runtime.demo.token}` },
    });
    const { nodeStatus } = (await response.json()) as { nodeStatus: { ip?: string }[] };
    expect(nodeStatus).toContainEqual(
      expect.objectContaining({ ip: '192.0.2.66', region: 'eu-north-1', status: 'ONLINE' }),
    );
  });

  it('writes errors as JSON too once the format is known', async () => {
    const result = await reporter([
      ...['--api', runtime.apiUrl, '--node-id', 'n1', '--key-file', 'absent.key'],
      ...['--bucket', 'b1', '--log-format', 'json'],
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr)).toMatchObject({ level: 'error', msg: /cannot read/ });
  });
});

describe('option parsing', () => {
  const valid = ['--api', 'http://x', '--node-id', 'n', '--key-file', 'k', '--bucket', 'b'];

  it('lets flags override the config, and a --bucket flag replace its list', () => {
    const config = configToOptions(
      { api: 'http://config', 'node-id': 'from-config', 'key-file': 'k', bucket: ['c1', 'c2'] },
      'test',
    );
    const parsed = parseReporterArgs(['--node-id', 'from-flag', '--bucket', 'f1'], {}, config);
    expect(parsed).toMatchObject({
      help: false,
      options: { apiUrl: 'http://config/', nodeId: 'from-flag', buckets: [{ bucketId: 'f1' }] },
    });
  });

  it('validates config values exactly as flags', () => {
    const config = (value: Record<string, unknown>) =>
      parseReporterArgs([], {}, configToOptions({ ...value, 'key-file': 'k' }, 'c'));
    expect(() => config({ api: 'http://x', 'node-id': 'n', bucket: ['a/b'] })).toThrow(
      '--bucket id must be',
    );
    expect(() => config({ api: 'http://x', 'node-id': 'n', bucket: ['b'], interval: 0 })).toThrow(
      '--interval must be a number of seconds from 1 to 3600',
    );
    expect(
      parseReporterArgs(
        [],
        {},
        configToOptions(
          {
            api: 'http://x',
            'node-id': 'n',
            'key-file': 'k',
            bucket: [{ bucketId: 'b', probeUrl: 'https://storage.example/health' }, 'c=http://y'],
            interval: 12.5,
            once: true,
          },
          'c',
        ),
      ),
    ).toMatchObject({
      options: {
        intervalMs: 12_500,
        once: true,
        buckets: [
          { bucketId: 'b', probeUrl: 'https://storage.example/health' },
          { bucketId: 'c', probeUrl: 'http://y/' },
        ],
      },
    });
  });

  it.each([
    [{ interval: true }, '"interval" must be a string or a number'],
    [{ api: 3 }, '"api" must be a string'],
    [{ once: 'yes' }, '"once" must be a boolean'],
    [{ bucket: 'b' }, '"bucket" must be an array'],
    [{ bucket: [{ id: 'b' }] }, 'unknown key "id"'],
    [{ bucket: [7] }, 'each "bucket" entry must be'],
    [{ help: true }, 'unknown key "help"'],
    [{ config: 'other.json' }, 'unknown key "config"'],
  ])('refuses config %j: %s', (config, message) => {
    expect(() => configToOptions(config, 'c')).toThrow(message);
  });

  it.each([
    [['--api', 'http://u:p@x', ...valid.slice(2)], '--api must not carry a user name or password'],
    [[...valid, '--bucket', 'c=https://u:p@storage'], 'probe URL must not carry a user name'],
    [[...valid, '--node-id', 'm'], '--node-id is given twice'],
    [[...valid, '--log-format', 'xml'], '--log-format must be text or json (got "xml")'],
    [
      [
        ...valid.slice(0, 6),
        ...Array.from({ length: 201 }, (_, i) => ['--bucket', `b${i}`]).flat(),
        '--interval',
        '2',
      ],
      '--interval must be at least 3.3 s for 201 buckets (3 reports per round',
    ],
    [
      [
        ...valid.slice(0, 6),
        ...Array.from({ length: 1_001 }, (_, i) => ['--bucket', `b${i}`]).flat(),
      ],
      'at most 1000 --bucket options',
    ],
  ])('refuses %#: %s', (args, message) => {
    expect(() => parseReporterArgs(args, {})).toThrow(message);
  });

  it('accepts more than 100 buckets when the interval fits the round', () => {
    const many = Array.from({ length: 250 }, (_, i) => ['--bucket', `b${i}`]).flat();
    const parsed = parseReporterArgs([...valid.slice(0, 6), ...many], {});
    expect(parsed).toMatchObject({ options: { intervalMs: 30_000, minReportIntervalMs: 1_000 } });
  });
});
