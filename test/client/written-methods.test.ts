import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/route-table.ts';
import { CLIENT_PATH, clientSource } from '../../scripts/wire-shapes.ts';
import { runCommand } from '../support/run-command.ts';

/**
 * A GET route whose table entry names a `clientMethod` gets that method and its `...IfChanged`
 * twin written into client/client.ts by `npm run wire`: no hand-written client code. Here two
 * routes of the table are given one (as a new route would be), the client is written into a
 * copy of client/, type-checked with the package's own tsconfig, and called against a server
 * that records each request.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/.bin/tsc');
const NAMES: Record<string, string> = {
  'GET /workspace/{workspaceId}/buckets': 'pageOfBuckets',
  'GET /workspace/{workspaceId}/metrics': 'metricsOf',
};
const routes = ROUTES.map((route) => {
  const name = NAMES[`${route.method} ${route.path}`];
  return name === undefined ? route : { ...route, clientMethod: name };
});

interface Written {
  pageOfBuckets(
    workspaceId: string,
    query?: { limit?: number; cursor?: string },
    options?: { signal?: AbortSignal },
  ): Promise<unknown>;
  pageOfBucketsIfChanged(
    workspaceId: string,
    query?: { limit?: number; cursor?: string },
    options?: { ifNoneMatch?: string },
  ): Promise<unknown>;
  metricsOf(workspaceId: string, query?: { bucket?: readonly string[] }): Promise<unknown>;
}

let folder: string;
let server: Server;
let baseUrl: string;
const seen: { url: string; ifNoneMatch: string | undefined; accept: string | undefined }[] = [];
let client: Written;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'bucket-status-written-methods-'));
  const source = join(ROOT, 'client');
  for (const file of await readdir(source)) {
    if (/\.ts$|^package\.json$|^tsconfig\.json$/.test(file)) {
      await copyFile(join(source, file), join(folder, file));
    }
  }
  await writeFile(
    join(folder, 'client.ts'),
    clientSource(await readFile(CLIENT_PATH, 'utf8'), routes),
  );
  server = createServer((req, res) => {
    seen.push({
      url: req.url ?? '',
      ifNoneMatch: req.headers['if-none-match'],
      accept: req.headers.accept,
    });
    if (req.headers['if-none-match'] === '"e1"') {
      res.writeHead(304, { etag: '"e1"' }).end();
    } else if (req.url?.includes('/metrics')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('up 1\n');
    } else {
      res.writeHead(200, { 'content-type': 'application/json', etag: '"e2"' });
      res.end(JSON.stringify({ workspaceId: 'w1', buckets: [] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const module = (await import(pathToFileURL(join(folder, 'index.ts')).href)) as {
    BucketStatusClient: new (options: { baseUrl: string; authToken: string }) => Written;
  };
  client = new module.BucketStatusClient({ baseUrl, authToken: 't0k' });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(folder, { recursive: true, force: true });
});

describe('client methods written from the route table', () => {
  it('type-check with the client package’s tsconfig (strict, exactOptionalPropertyTypes)', async () => {
    const tsc = await runCommand(TSC, ['-p', join(folder, 'tsconfig.json'), '--noEmit'], {
      timeoutMs: 60_000,
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('call the route with its ids and query, and revalidate with If-None-Match', async () => {
    seen.length = 0;
    expect(await client.pageOfBuckets('w1', { limit: 2, cursor: 'c/1' })).toEqual({
      workspaceId: 'w1',
      buckets: [],
    });
    expect(await client.pageOfBucketsIfChanged('w1', {}, { ifNoneMatch: '"e1"' })).toEqual({
      notModified: true,
      etag: '"e1"',
    });
    expect(await client.metricsOf('w1', { bucket: ['b1', 'b2'] })).toBe('up 1\n');
    expect(seen).toEqual([
      {
        url: '/workspace/w1/buckets?limit=2&cursor=c%2F1',
        ifNoneMatch: undefined,
        accept: 'application/json',
      },
      { url: '/workspace/w1/buckets', ifNoneMatch: '"e1"', accept: 'application/json' },
      {
        url: '/workspace/w1/metrics?bucket=b1&bucket=b2',
        ifNoneMatch: undefined,
        accept: 'text/plain',
      },
    ]);
  });

  it('refuse a bad id or query value with a TypeError before any request', async () => {
    seen.length = 0;
    await expect(client.pageOfBuckets('w/1')).rejects.toThrow(/workspaceId must be 1-128/);
    await expect(client.pageOfBuckets('w1', { limit: 201 })).rejects.toThrow(
      'limit must be an integer from 1 to 200 (got 201)',
    );
    await expect(client.pageOfBuckets('w1', { cursor: 'x'.repeat(2049) })).rejects.toThrow(
      TypeError,
    );
    await expect(client.metricsOf('w1', { bucket: ['../x'] })).rejects.toThrow(/bucket must be/);
    expect(seen).toEqual([]);
  });
});
