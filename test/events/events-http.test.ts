// GET /bucket/{bucketId}/events over real HTTP from `npm start`'s runtime (port 0, its own
// dynalite, simulated nodes): the demo's events, paging with the cursor through the local
// adapter's query parsing, and the 400s. Every response is checked against openapi.yaml.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { checkedFetch } from '../e2e/support.ts';

const checked = checkedFetch();
let runtime: LocalRuntime;

beforeAll(async () => {
  // One report per node (the next ones are 10 minutes away), so no new event arrives while
  // the test pages.
  runtime = await startLocalRuntime({
    env: {},
    port: 0,
    reportIntervalMs: 600_000,
    log: () => undefined,
  });
});
afterEach(() => {
  expect(checked.violations).toEqual([]);
});
afterAll(async () => {
  await runtime?.stop();
});

const get = async (query: string, token = runtime.demo.token, bucketId = runtime.demo.bucketId) => {
  const response = await checked.fetch(`${runtime.apiUrl}/bucket/${bucketId}/events${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

describe('the demo bucket over HTTP', () => {
  it("lists each simulated node's first report as a change from DISCONNECTED, pageable", async () => {
    // The runtime resolves once every node's first report was answered.
    const all = await get('');
    expect(all.status).toBe(200);
    const events = all.json.events as { host: string; from: string; to: string; at: string }[];
    const firsts = events.filter((e) => e.from === 'DISCONNECTED');
    expect(new Set(firsts.map((e) => e.host))).toStrictEqual(
      new Set(runtime.demo.nodes.map((n) => n.nodeId)),
    );
    expect(firsts.every((e) => e.to === 'ONLINE')).toBe(true);
    // Newest first.
    const ats = events.map((e) => e.at);
    expect(ats).toStrictEqual([...ats].sort().reverse());

    // One at a time, through the cursor, the same events in the same order.
    const paged: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await get(`?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      paged.push(...(page.json.events as unknown[]));
      cursor = page.json.nextCursor as string | undefined;
    } while (cursor !== undefined && paged.length <= events.length);
    expect(paged).toStrictEqual(events);
  });

  it('400 for a bad limit or cursor, 403 for the bucket of another workspace', async () => {
    expect((await get('?limit=0')).status).toBe(400);
    expect((await get('?limit=201')).status).toBe(400);
    expect((await get('?limit=5&limit=6')).status).toBe(400);
    expect((await get('?cursor=not-a-cursor')).status).toBe(400);
    const page = await get('?limit=1');
    const cursor = page.json.nextCursor as string;
    expect(cursor).toBeDefined();
    // The demo bucket's cursor is not a cursor of the forbidden bucket: the user may not read
    // that one at all, and the cursor check comes first.
    const other = await get(
      `?cursor=${encodeURIComponent(cursor)}`,
      runtime.demo.token,
      runtime.demo.forbiddenBucketId,
    );
    expect(other.status).toBe(400);
    expect((await get('', runtime.demo.token, runtime.demo.forbiddenBucketId)).status).toBe(403);
  });
});
