import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { sendReport } from '../../reporter/transport.ts';
import { cleanEnv, runCommand } from '../support/run-command.ts';
import { temporaryDirectory } from './support.ts';

/**
 * The client as an API caller meets it: `npm pack` of client/ (its prepack builds it with
 * tsc), the tarball installed into an empty project with no registry (a local file install,
 * --offline), imported from plain JavaScript on the system Node (v20) and from TypeScript
 * (typechecked by tsc), calling a running local API.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SYSTEM_NODE = process.env.SYSTEM_NODE ?? '/usr/bin/node';
const TSC = join(ROOT, 'node_modules/.bin/tsc');
let runtime: LocalRuntime;
let work: Awaited<ReturnType<typeof temporaryDirectory>>;
let app: string;
let packed: { size: number; unpackedSize: number; files: { path: string }[]; filename: string };

const offline = ['--offline', '--no-audit', '--no-fund', '--ignore-scripts=false'];

beforeAll(async () => {
  work = await temporaryDirectory('client-package');
  const pack = await runCommand(
    'npm',
    ['pack', '--json', '--pack-destination', work.path, ...offline],
    {
      cwd: join(ROOT, 'client'),
      env: cleanEnv({ npm_config_cache: join(work.path, 'npm-cache') }),
      timeoutMs: 60_000,
    },
  );
  expect(pack.stderr).not.toMatch(/error/i);
  expect(pack.code).toBe(0);
  // The prepack script's output comes first; the JSON report is the rest.
  packed = (
    JSON.parse(pack.stdout.slice(pack.stdout.indexOf('\n[') + 1)) as (typeof packed)[]
  )[0] as typeof packed;

  app = join(work.path, 'app');
  await mkdir(app);
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'user-app', private: true, type: 'module' }),
  );
  const install = await runCommand(
    'npm',
    ['install', join(work.path, packed.filename), ...offline, '--registry', 'http://127.0.0.1:9/'],
    {
      cwd: app,
      env: cleanEnv({ npm_config_cache: join(work.path, 'npm-cache') }),
      timeoutMs: 60_000,
    },
  );
  expect(install.code, install.stderr).toBe(0);

  runtime = await startLocalRuntime({ env: {}, port: 0, simulateNodes: false });
  // Two demo nodes report once: each first report is an event (DISCONNECTED -> ONLINE).
  for (const node of runtime.demo.nodes.slice(0, 2)) {
    await sendReport({
      apiUrl: runtime.apiUrl,
      nodeId: node.nodeId,
      privateKey: node.privateKey,
      body: {
        ip: '192.0.2.50',
        region: 'eu-west-1',
        version: '1.0.0',
        buckets: [{ bucketId: runtime.demo.bucketId, status: 'ONLINE', latency_ms: 20 }],
      },
    });
  }
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
  await work?.remove();
});

describe('the packed client', () => {
  it('holds the built ESM, its types, the README and package.json, and nothing else', async () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths).toContain('dist/index.js');
    expect(paths).toContain('dist/index.d.ts');
    expect(paths).toContain('README.md');
    expect(paths).toContain('package.json');
    expect(
      paths.filter((p) => !/^(dist\/[\w-]+\.(js|d\.ts)|README\.md|package\.json)$/.test(p)),
    ).toEqual([]);
    const manifest = JSON.parse(
      await readFile(join(app, 'node_modules/@bucket-status/client/package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: '@bucket-status/client', engines: { node: '>=20' } });
    expect(manifest.dependencies).toBeUndefined();
    // An installed package with no dependencies brings nothing else along.
    expect(await readdir(join(app, 'node_modules'))).toEqual([
      '.package-lock.json',
      '@bucket-status',
    ]);
  });

  it('imports nothing: no node: built-ins, no packages (browser-safe)', async () => {
    const dist = join(app, 'node_modules/@bucket-status/client/dist');
    for (const file of (await readdir(dist)).filter((f) => f.endsWith('.js'))) {
      const text = await readFile(join(dist, file), 'utf8');
      const specifiers = [...text.matchAll(/\b(?:from|import)\s*['"]([^'"]+)['"]/g)].map(
        (m) => m[1],
      );
      expect(
        specifiers.filter((s) => !s?.startsWith('./')),
        file,
      ).toEqual([]);
      expect(text).not.toMatch(/\b(process|Buffer|require)\b/);
    }
  });

  it('works from plain JavaScript on the system Node against the running API', async () => {
    await writeFile(
      join(app, 'status.js'),
      `import { BucketStatusClient, HttpError } from '@bucket-status/client';
const client = new BucketStatusClient({ baseUrl: process.argv[2], authToken: process.argv[3] });
const status = await client.getBucketStatus(process.argv[4]);
let refused;
try { await client.getBucketStatus(process.argv[5]); } catch (error) {
  refused = { isHttpError: error instanceof HttpError, status: error.status, apiMessage: error.apiMessage };
}
let invalid;
try { await client.getBucketStatus('..'); } catch (error) { invalid = error.name; }
const stats = await client.getStorageBucketStats(process.argv[4], new Date());
const uptime = await client.getBucketUptime(process.argv[4], 7);
const events = [];
for await (const event of client.bucketEvents(process.argv[4], { limit: 1 })) events.push(event);
let forged;
try { await client.listBucketEvents(process.argv[4], { cursor: 'forged-cursor' }); } catch (error) { forged = error.status; }
let future;
try { await client.getStorageBucketStats(process.argv[4], '2999-01-01'); } catch (error) { future = error.status; }
console.log(JSON.stringify({ node: process.version, status, refused, invalid, stats, uptime, future, events, forged }));
`,
    );
    const result = await runCommand(
      SYSTEM_NODE,
      [
        'status.js',
        runtime.apiUrl,
        runtime.demo.token,
        runtime.demo.bucketId,
        runtime.demo.forbiddenBucketId,
      ],
      { cwd: app, env: cleanEnv() },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      node: string;
      status: { bucketId: string; nodeStatus: { status: string }[] };
      refused: unknown;
      invalid: string;
      stats: { nodeStats: unknown[] };
      uptime: { nodes: { days: unknown[] }[] };
      future: number;
      events: { host: string }[];
      forged: number;
    };
    expect(out.node).toMatch(/^v(2\d|[3-9]\d)\./);
    expect(out.status.bucketId).toBe(runtime.demo.bucketId);
    expect(out.status.nodeStatus).toHaveLength(3);
    expect(out.status.nodeStatus.map((n) => n.status)).toEqual([
      'ONLINE',
      'ONLINE',
      'DISCONNECTED',
    ]);
    expect(out.refused).toEqual({
      isHttpError: true,
      status: 403,
      apiMessage: 'You do not have access to this bucket',
    });
    expect(out.invalid).toBe('TypeError');
    const today = new Date().toISOString().slice(0, 10);
    expect(out.stats).toMatchObject({ success: true, bucketId: runtime.demo.bucketId, day: today });
    expect(out.stats.nodeStats).toHaveLength(3);
    expect(out.uptime).toMatchObject({ bucketId: runtime.demo.bucketId, to: today });
    expect(out.uptime.nodes).toHaveLength(3);
    for (const node of out.uptime.nodes) expect(node.days).toHaveLength(7);
    expect(out.future).toBe(400);
    // Two events, one page of one each: the iterator followed the cursor.
    expect(out.events).toHaveLength(2);
    for (const event of out.events) {
      expect(event).toMatchObject({ from: 'DISCONNECTED', to: 'ONLINE', ip: '192.0.2.50' });
    }
    expect(new Set(out.events.map((e) => e.host))).toEqual(
      new Set(runtime.demo.nodes.slice(0, 2).map((n) => n.nodeId)),
    );
    expect(out.forged).toBe(400);
  });

  it('manages webhooks from plain JavaScript: create (the secret once), list, delete, 404', async () => {
    await writeFile(
      join(app, 'webhooks.js'),
      `import { BucketStatusClient, HttpError } from '@bucket-status/client';
const [baseUrl, authToken, workspaceId] = process.argv.slice(2);
const client = new BucketStatusClient({ baseUrl, authToken });
const created = await client.createWebhook(workspaceId, { url: 'http://127.0.0.1:9/hook', description: 'pkg test' });
const listed = await client.listWebhooks(workspaceId);
await client.deleteWebhook(workspaceId, created.id);
const afterDelete = await client.listWebhooks(workspaceId);
let again;
try { await client.deleteWebhook(workspaceId, created.id); } catch (error) {
  again = { isHttpError: error instanceof HttpError, status: error.status };
}
console.log(JSON.stringify({ created, listed, afterDelete, again }));
`,
    );
    const result = await runCommand(
      SYSTEM_NODE,
      ['webhooks.js', runtime.apiUrl, runtime.demo.adminToken, runtime.demo.workspaceId],
      { cwd: app, env: cleanEnv() },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      created: { id: string; secret: string; url: string; description: string };
      listed: { webhooks: Record<string, unknown>[] };
      afterDelete: { webhooks: unknown[] };
      again: unknown;
    };
    expect(out.created).toMatchObject({ url: 'http://127.0.0.1:9/hook', description: 'pkg test' });
    expect(out.created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(out.listed.webhooks).toEqual([
      {
        id: out.created.id,
        url: 'http://127.0.0.1:9/hook',
        description: 'pkg test',
        createdAt: expect.any(String),
        // Section 16's defaults for a webhook created without them.
        events: ['node.status_changed', 'bucket.health_changed'],
        minDurationSeconds: 0,
      },
    ]);
    expect(out.afterDelete.webhooks).toEqual([]);
    expect(out.again).toEqual({ isHttpError: true, status: 404 });
  });

  it('typechecks from TypeScript, and a wrong use of its types fails tsc', async () => {
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['es2022', 'dom'],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        include: ['*.ts'],
      }),
    );
    await writeFile(
      join(app, 'app.ts'),
      `import { BucketStatusClient, HttpError, type NodeState, type BucketUptimeResponse } from '@bucket-status/client';
const client = new BucketStatusClient({ baseUrl: 'https://api.example.com', timeoutMs: 5_000 });
const { nodeStatus } = await client.getBucketStatus('b1', { signal: AbortSignal.timeout(1_000) });
const states: NodeState[] = nodeStatus.map((node) => node.status);
const latency: number | undefined = nodeStatus[0]?.latency_ms;
const stats = await client.getStorageBucketStats('b1', new Date());
const uptime: number | null | undefined = stats.nodeStats[0]?.perc_uptime;
const days: BucketUptimeResponse = await client.getBucketUptime('b1', 30);
for await (const event of client.bucketEvents('b1', { limit: 50 })) console.log(event.from, event.to, event.at);
const { secret } = await client.createWebhook('ws', { url: 'https://hooks.example.com/x' });
await client.deleteWebhook('ws', (await client.listWebhooks('ws')).webhooks[0]?.id ?? 'none');
try { await client.getBucketStatus('b1'); } catch (e) { if (e instanceof HttpError) console.log(e.status, e.apiMessage); }
console.log(states, latency, uptime, days.from, secret);
`,
    );
    const good = await runCommand(TSC, ['-p', 'tsconfig.json'], { cwd: app });
    expect(good.stdout + good.stderr).toBe('');
    expect(good.code).toBe(0);

    await writeFile(
      join(app, 'wrong.ts'),
      `import { BucketStatusClient } from '@bucket-status/client';
const client = new BucketStatusClient({ baseUrl: 'https://api.example.com' });
const status = await client.getBucketStatus('b1');
const n: number = status.bucketId;
await client.getBucketUptime('b1', '30');
console.log(n);
`,
    );
    const wrong = await runCommand(TSC, ['-p', 'tsconfig.json'], { cwd: app });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toContain(
      "wrong.ts(4,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    );
    expect(wrong.stdout).toContain('wrong.ts(5,');
  });
});
