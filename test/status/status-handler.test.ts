import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Seeder } from '../support/seed.ts';
import { bearer, buildStatusHandler, hs256Token } from '../support/status-fixture.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

let table: TestTable;
let seed: Seeder;
let getStatus: ReturnType<typeof buildStatusHandler>;
const id = () => randomUUID();

beforeAll(async () => {
  table = await createTestTable('status');
  seed = new Seeder(table.client, table.tableName);
  getStatus = buildStatusHandler(table.client, table.tableName);
});

/** A bucket in its own workspace/org with a READ member; returns the ids and a token. */
async function bucketWithReader(nodes: Record<string, Record<string, string | number>> = {}) {
  const userId = id();
  const bucketId = id();
  const workspaceId = id();
  const orgId = id();
  await seed.user(userId, { orgId, orgRole: 'MEMBER' });
  await seed.membership(userId, workspaceId, 'READ');
  await seed.bucket(bucketId, { workspaceId, orgId });
  for (const [nodeId, report] of Object.entries(nodes))
    await seed.assignment(bucketId, nodeId, report);
  return { userId, bucketId, workspaceId, orgId, token: await hs256Token(userId) };
}

const recently = () => new Date(Date.now() - 5_000).toISOString();

describe('GET /bucket/{bucketId}/status: 200', () => {
  it('returns exactly the contract shape, every node once, in node-id order', async () => {
    const lastUpdated = recently();
    // Each node's report as the contract shows it; the stored row adds its reportedAt.
    const nodeA = {
      ip: '192.168.1.100',
      region: 'us-east-1',
      version: '1.2.3',
      status: 'ONLINE',
      latency_ms: 45,
      lastUpdated,
    };
    const nodeB = {
      ip: '192.168.1.101',
      region: 'eu-west-1',
      version: '1.2.4',
      status: 'OFFLINE',
      lastUpdated,
    };
    const { bucketId, token } = await bucketWithReader({
      'node-b': { ...nodeB, reportedAt: 1 },
      'node-a': { ...nodeA, reportedAt: 1 },
      'node-c': {},
    });
    const response = await getStatus(bucketId, bearer(token));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json).toStrictEqual({
      bucketId,
      nodeStatus: [nodeA, nodeB, { status: 'DISCONNECTED' }],
    });
  });

  it('never shows rows of another bucket or stored fields outside the contract', async () => {
    const { bucketId, token } = await bucketWithReader({
      n1: {
        ip: '10.0.0.1',
        region: 'us-east-1',
        version: '1.0.0',
        status: 'ONLINE',
        lastUpdated: recently(),
        reportedAt: 123,
        secret: 'x',
      },
    });
    const other = await bucketWithReader({
      n2: {
        ip: '10.0.0.2',
        region: 'us-east-1',
        version: '1.0.0',
        status: 'ONLINE',
        lastUpdated: recently(),
      },
    });
    const response = await getStatus(bucketId, bearer(token));
    const nodes = response.json.nodeStatus as Record<string, unknown>[];
    expect(nodes).toHaveLength(1);
    expect(Object.keys(nodes[0] as object).sort()).toStrictEqual([
      'ip',
      'lastUpdated',
      'region',
      'status',
      'version',
    ]);
    expect(response.body).not.toContain(other.bucketId);
    expect(response.body).not.toContain('reportedAt');
  });

  it('returns an empty list for a bucket with no nodes', async () => {
    const { bucketId, token } = await bucketWithReader();
    const response = await getStatus(bucketId, bearer(token));
    expect(response.json).toStrictEqual({ bucketId, nodeStatus: [] });
  });
});

describe('staleness (STALE_AFTER_SECONDS) at read time', () => {
  const now = Date.parse('2026-01-15T10:30:00.000Z');
  const at = (msAgo: number) => new Date(now - msAgo).toISOString();

  it.each([
    ['just reported', 0, 'ONLINE'],
    ['exactly 90 s old', 90_000, 'ONLINE'],
    ['90.001 s old', 90_001, 'DISCONNECTED'],
    ['an hour old', 3_600_000, 'DISCONNECTED'],
    ['from the future (writer clock skew)', -2_000, 'ONLINE'],
  ])('a report %s reads %s', async (_label, msAgo, expected) => {
    const lastUpdated = at(msAgo);
    const { bucketId, token } = await bucketWithReader({
      n: {
        ip: '10.0.0.1',
        region: 'r',
        version: '1.0.0',
        status: 'ONLINE',
        latency_ms: 12,
        lastUpdated,
      },
    });
    const read = buildStatusHandler(table.client, table.tableName, { now: () => now });
    const response = await read(bucketId, bearer(token));
    const [node] = response.json.nodeStatus as Record<string, unknown>[];
    expect(node?.status).toBe(expected);
    expect(node?.lastUpdated).toBe(lastUpdated);
    // A stale report's latency no longer describes the node.
    expect(node?.latency_ms).toBe(expected === 'DISCONNECTED' ? undefined : 12);
  });

  it('honours a configured STALE_AFTER_SECONDS', async () => {
    const { bucketId, token } = await bucketWithReader({
      n: {
        ip: '10.0.0.1',
        region: 'r',
        version: '1.0.0',
        status: 'OFFLINE',
        lastUpdated: at(20_000),
      },
    });
    const strict = buildStatusHandler(table.client, table.tableName, {
      now: () => now,
      staleAfterSeconds: 10,
    });
    const lenient = buildStatusHandler(table.client, table.tableName, {
      now: () => now,
      staleAfterSeconds: 30,
    });
    expect(
      ((await strict(bucketId, bearer(token))).json.nodeStatus as { status: string }[])[0]?.status,
    ).toBe('DISCONNECTED');
    expect(
      ((await lenient(bucketId, bearer(token))).json.nodeStatus as { status: string }[])[0]?.status,
    ).toBe('OFFLINE');
  });
});

describe('large buckets', () => {
  it('returns all 6,000 nodes of a bucket whose rows exceed one 1 MB Query page', async () => {
    const { bucketId, token } = await bucketWithReader();
    const lastUpdated = recently();
    const padding = 'p'.repeat(200); // stored, not projected: makes the partition > 1 MB
    const rows = Array.from({ length: 6000 }, (_, i) =>
      seed.assignmentRow(bucketId, `node-${String(i).padStart(5, '0')}`, {
        ip: '10.0.0.1',
        region: 'us-east-1',
        version: '1.0.0',
        status: 'ONLINE',
        latency_ms: i % 500,
        lastUpdated,
        padding,
      }),
    );
    await seed.putMany(rows);
    const send = vi.spyOn(table.client, 'send');
    try {
      const response = await getStatus(bucketId, bearer(token));
      expect(response.statusCode).toBe(200);
      const nodes = response.json.nodeStatus as { latency_ms: number }[];
      expect(nodes).toHaveLength(6000);
      expect(nodes.map((n) => n.latency_ms)).toStrictEqual(rows.map((_, i) => i % 500));
      const queries = send.mock.calls.filter(([command]) => command instanceof QueryCommand);
      expect(queries.length).toBeGreaterThanOrEqual(3); // user partition + at least two bucket pages
    } finally {
      send.mockRestore();
    }
  }, 60_000);
});
