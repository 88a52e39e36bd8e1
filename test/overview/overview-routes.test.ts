/**
 * GET /workspace/{workspaceId}/buckets' paging and cursor rules (DESIGN.md sections 9 and 14)
 * and its ETag, through the production wiring on the run's engine (test/support/health-api.ts):
 * every bad `limit` or `cursor` is a 400 before any read, a cursor of another workspace or of
 * another route is a 400, equal names are ordered by id, and the pages of a workspace are
 * each bucket once. Every answer is checked against openapi.yaml.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHealthApi, type HealthApi } from '../support/health-api.ts';
import { createTestTable } from '../support/table.ts';

let api: HealthApi;
let other: HealthApi;
let empty: HealthApi;
const buckets: { bucketId: string; name: string }[] = [];

const page = (target: HealthApi, query: Record<string, string> = {}, workspaceId?: string) => {
  const id = workspaceId ?? target.workspaceId;
  return target.request(
    'GET',
    'GET /workspace/{workspaceId}/buckets',
    `/workspace/${id}/buckets`,
    { workspaceId: id },
    { query },
  );
};

beforeAll(async () => {
  const table = await createTestTable('overview-routes');
  api = createHealthApi(table, { staleAfterSeconds: 60 });
  other = createHealthApi(table, { staleAfterSeconds: 60 });
  empty = createHealthApi(table, { staleAfterSeconds: 60 });
  api.now = other.now = empty.now = Date.parse('2027-05-01T12:00:00.000Z');
  for (const name of ['beta', 'alpha', 'alpha', 'alpha beta', 'Alpha', 'é', 'alp']) {
    const world = await api.newBucket(name);
    buckets.push({ bucketId: world.bucketId, name });
  }
  await other.newBucket('alpha');
});

describe('paging', () => {
  it('by name in code point order, equal names by id; each bucket once over the pages', async () => {
    const expected = [...buckets].sort(
      (a, b) =>
        Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) ||
        (a.bucketId < b.bucketId ? -1 : 1),
    );
    for (const limit of [1, 2, 3, 7, 200]) {
      const seen: { bucketId: string; name: string }[] = [];
      let cursor: string | undefined;
      do {
        const answer = await page(api, {
          limit: String(limit),
          ...(cursor !== undefined && { cursor }),
        });
        expect(answer.statusCode).toBe(200);
        const entries = answer.json.buckets as { bucketId: string; name: string }[];
        expect(entries.length).toBeLessThanOrEqual(limit);
        seen.push(...entries.map(({ bucketId, name }) => ({ bucketId, name })));
        cursor = answer.json.nextCursor as string | undefined;
        // nextCursor only when more follow: the last page has none.
        if (seen.length === expected.length) expect(cursor).toBeUndefined();
      } while (cursor !== undefined);
      expect(seen, `limit ${limit}`).toStrictEqual(expected);
    }
  });

  it('the default page holds up to 100; an empty workspace is an empty page', async () => {
    const all = await page(api);
    expect((all.json.buckets as unknown[]).length).toBe(buckets.length);
    expect(all.json.nextCursor).toBeUndefined();
    const none = await page(empty);
    expect(none.statusCode).toBe(200);
    expect(none.json).toStrictEqual({ workspaceId: empty.workspaceId, buckets: [] });
  });
});

describe('400 for every bad limit or cursor', () => {
  it.each(['0', '201', '01', '+5', '1e2', 'x', '', ' 5'])('limit=%j', async (limit) => {
    const answer = await page(api, { limit });
    expect(answer.statusCode).toBe(400);
    expect(answer.json.message).toMatch(/^limit must be an integer from 1 to 200/);
  });

  it('a cursor made up, edited, truncated, or of another workspace or route', async () => {
    const first = await page(api, { limit: '2' });
    const cursor = first.json.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const otherCursor = (await page(other, { limit: '1' })).json.nextCursor;
    expect(otherCursor).toBeUndefined();
    const edited = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    const bad = ['x', 'a.b', edited, cursor.slice(0, -1), `${cursor}x`, 'A'.repeat(3000)];
    for (const value of bad) {
      const answer = await page(api, { cursor: value });
      expect(answer.statusCode, value).toBe(400);
      expect(answer.json.message).toBe("cursor is not a cursor of this workspace's buckets");
    }
    // The same cursor on another workspace (whose caller may read it) is a 400 too.
    const elsewhere = await page(other, { cursor });
    expect(elsewhere.statusCode).toBe(400);
  });

  it('a health events cursor of one of its buckets is not a cursor here', async () => {
    const world = await api.newBucket('with events');
    const node = await world.addNode();
    await world.assign(node);
    api.now += 1000;
    await world.report({ node, status: 'ONLINE' });
    api.now += 1000;
    await world.report({ node, status: 'OFFLINE' });
    const events = await api.request(
      'GET',
      'GET /bucket/{bucketId}/health/events',
      `/bucket/${world.bucketId}/health/events`,
      { bucketId: world.bucketId },
      { query: { limit: '1' } },
    );
    expect(events.statusCode).toBe(200);
    expect(events.json.nextCursor).toEqual(expect.any(String));
    const answer = await page(api, { cursor: events.json.nextCursor as string });
    expect(answer.statusCode).toBe(400);
    buckets.push({ bucketId: world.bucketId, name: 'with events' });
  });
});

describe('errors', () => {
  it('an unknown workspace is a 404, a workspace of another org a 403', async () => {
    const missing = await page(api, {}, 'ws-no-such-workspace');
    expect(missing.statusCode).toBe(404);
    expect(missing.json.message).toBe('Workspace not found');
    const foreign = await page(api, {}, other.workspaceId);
    expect(foreign.statusCode).toBe(403);
  });
});
