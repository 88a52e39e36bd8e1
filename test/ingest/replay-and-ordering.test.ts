import { randomUUID } from 'node:crypto';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, vi } from 'vitest';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import {
  assignedNode,
  type BucketEntry,
  bucketWithReader,
  buildIngestHandler,
  expectError,
  ingestFixtures,
  NO_RATE_LIMIT,
  nodeOnBuckets,
  type PostReport,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';

const it = ingestFixtures('ingest-replay', NO_RATE_LIMIT);

/** Posts the node's report of `newer` buckets at `t`, then of `older` ones at `t - 1`. */
async function newerThenOlder(
  post: PostReport,
  node: { nodeId: string; privateKey: string; t: number },
  newer: BucketEntry[],
  older: BucketEntry[],
) {
  const first = signed(node.nodeId, node.privateKey, reportBody(newer), node.t);
  const second = signed(node.nodeId, node.privateKey, reportBody(older), node.t - 1);
  return {
    first: await post(first.body, first.headers),
    second: await post(second.body, second.headers),
  };
}

describe('replay guard', () => {
  it('refuses an exact replay and leaves the stored report as it was', async ({
    seed,
    read,
    postWith,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const t = Date.now();
    const report = signed(nodeId, privateKey, reportBody([{ bucketId, latency_ms: 10 }]), t - 5);
    const first = await postWith({ now: () => t })(report.body, report.headers);
    expect(first.statusCode).toBe(200);

    const replayed = await postWith({ now: () => t + 10_000 })(report.body, report.headers);
    expect(expectError(replayed, 401)).toMatch(/not newer than the last accepted report/);
    expect(replayed.headers['www-authenticate']).toMatch(/^NodeSignature /);
    expect(await read.bucketRow(bucketId, nodeId)).toMatchObject({
      reportedAt: t - 5,
      lastUpdated: new Date(t).toISOString(),
    });
    expect((await read.nodeMeta(nodeId))?.lastTimestamp).toBe(t - 5);
  });

  it('refuses an older report after a newer one', async ({ seed, post, read }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const t = Date.now();
    const { first, second } = await newerThenOlder(
      post,
      { nodeId, privateKey, t },
      [{ bucketId, latency_ms: 2 }],
      [{ bucketId, status: 'OFFLINE', latency_ms: 1 }],
    );
    expect(first.statusCode).toBe(200);
    expect(expectError(second, 401)).toMatch(/replay/);
    expect(await read.bucketRow(bucketId, nodeId)).toMatchObject({
      reportedAt: t,
      status: 'ONLINE',
      latency_ms: 2,
    });
  });

  it('out-of-order delivery of two reports from one node leaves the newer', async ({
    seed,
    post,
    read,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 5);
    const base = Date.now() - 60_000;
    for (let pair = 0; pair < 8; pair++) {
      const older = base + pair * 10;
      const newer = older + 5;
      const make = (ts: number, latency: number) =>
        signed(
          nodeId,
          privateKey,
          reportBody(bucketIds.map((bucketId) => ({ bucketId, latency_ms: latency }))),
          ts,
        );
      const reports = [make(newer, 2 * pair + 1), make(older, 2 * pair)];
      // Delivered concurrently, the newer one first on odd rounds, the older one first on even.
      if (pair % 2 === 0) reports.reverse();
      const [a, b] = await Promise.all(reports.map((r) => post(r.body, r.headers)));
      const byTimestamp = new Map([
        [reports[0]?.headers['X-Node-Timestamp'], a],
        [reports[1]?.headers['X-Node-Timestamp'], b],
      ]);
      const newerResponse = byTimestamp.get(String(newer));
      const olderResponse = byTimestamp.get(String(older));
      expect(newerResponse?.statusCode).toBe(200);
      expect(newerResponse?.json.accepted).toStrictEqual(bucketIds);
      // The older one lost the race at the guard (401) or at each bucket row, or landed first.
      expect([200, 401]).toContain(olderResponse?.statusCode);
      for (const bucketId of bucketIds) {
        expect(await read.bucketRow(bucketId, nodeId)).toMatchObject({
          reportedAt: newer,
          latency_ms: 2 * pair + 1,
        });
      }
    }
  });

  it('an older report whose bucket writes arrive after a newer report is rejected per bucket', async ({
    table,
    seed,
    read,
  }) => {
    // Both pass the replay guard in order, but the older one's bucket writes are held back
    // until the newer report is stored: the conditional write must refuse them.
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 3);
    const client = createDynamoClient({ endpoint: table.endpoint });
    const t = Date.now();
    const older = t - 100;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let heldWrites = 0;
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    vi.spyOn(client as { send: (command: unknown) => Promise<unknown> }, 'send').mockImplementation(
      async (command) => {
        if (isBucketWriteAt(command, older)) {
          heldWrites++;
          await held;
        }
        return send(command);
      },
    );
    const viaHeldClient = buildIngestHandler(client, table.tableName, NO_RATE_LIMIT);
    const olderReport = signed(
      nodeId,
      privateKey,
      reportBody(bucketIds.map((bucketId) => ({ bucketId, status: 'OFFLINE' }))),
      older,
    );
    const newerReport = signed(
      nodeId,
      privateKey,
      reportBody(bucketIds.map((bucketId) => ({ bucketId, status: 'ONLINE', latency_ms: 9 }))),
      t,
    );

    const olderResponse = viaHeldClient(olderReport.body, olderReport.headers);
    await vi.waitFor(() => expect(heldWrites).toBe(bucketIds.length));
    const newerResponse = await viaHeldClient(newerReport.body, newerReport.headers);
    expect(newerResponse.json.accepted).toStrictEqual(bucketIds);
    release();

    const settled = await olderResponse;
    expect(settled.statusCode).toBe(200);
    expect(settled.json).toStrictEqual({
      success: true,
      message: expect.stringMatching(/\S/),
      accepted: [],
      rejected: bucketIds.map((bucketId) => ({
        bucketId,
        reason: 'a newer report is already stored',
      })),
    });
    for (const bucketId of bucketIds) {
      expect(await read.bucketRow(bucketId, nodeId)).toMatchObject({
        reportedAt: t,
        status: 'ONLINE',
        latency_ms: 9,
      });
    }
  });

  it('a bucket row holding a newer report is rejected with "a newer report is already stored"', async ({
    seed,
    post,
    read,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 2);
    const [fresh, raced] = bucketIds as [string, string];
    const muchLater = Date.now() + 10_000_000;
    await seed.assignment(raced, nodeId, {
      reportedAt: muchLater,
      status: 'OFFLINE',
      ip: '198.51.100.1',
      region: 'ap-south-1',
      version: '9.9.9',
      lastUpdated: '2030-01-01T00:00:00.000Z',
    });
    const report = signed(
      nodeId,
      privateKey,
      reportBody([{ bucketId: fresh }, { bucketId: raced }]),
    );
    const response = await post(report.body, report.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json).toStrictEqual({
      success: true,
      message: expect.stringMatching(/\S/),
      accepted: [fresh],
      rejected: [{ bucketId: raced, reason: 'a newer report is already stored' }],
    });
    expect(await read.bucketRow(raced, nodeId)).toMatchObject({
      reportedAt: muchLater,
      status: 'OFFLINE',
      ip: '198.51.100.1',
      version: '9.9.9',
    });
    expect(await read.bucketRow(fresh, nodeId)).toMatchObject({
      status: 'ONLINE',
      ip: '203.0.113.7',
    });
  });
});

describe('a signed report with an invalid body', () => {
  it('leaves lastTimestamp untouched, so the corrected report with the same timestamp is accepted', async ({
    seed,
    post,
    read,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const t = Date.now();
    const invalid = signed(nodeId, privateKey, reportBody([{ bucketId, status: 'UP' }]), t);
    expect(expectError(await post(invalid.body, invalid.headers), 400)).toMatch(/status/);
    const meta = await read.nodeMeta(nodeId);
    expect(meta?.lastTimestamp).toBeUndefined();
    expect(meta?.lastSeen).toBeUndefined();
    expect((await read.bucketRow(bucketId, nodeId))?.reportedAt).toBeUndefined();

    const corrected = signed(nodeId, privateKey, reportBody([{ bucketId, status: 'ONLINE' }]), t);
    const response = await post(corrected.body, corrected.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual([bucketId]);
    expect((await read.nodeMeta(nodeId))?.lastTimestamp).toBe(t);
  });
});

describe('per-node minimum report interval', () => {
  it('answers 429 with Retry-After to a second report within the interval, 200 after it', async ({
    seed,
    read,
    postWith,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    let serverNow = Date.now();
    const limited = postWith({
      minReportIntervalMs: 1000,
      now: () => serverNow,
    });
    const t = serverNow;
    const first = signed(nodeId, privateKey, reportBody([{ bucketId, latency_ms: 1 }]), t);
    expect((await limited(first.body, first.headers)).statusCode).toBe(200);

    serverNow += 999;
    const early = signed(nodeId, privateKey, reportBody([{ bucketId, latency_ms: 2 }]), t + 999);
    const refused = await limited(early.body, early.headers);
    expect(expectError(refused, 429)).toMatch(/1000 ms/);
    expect(refused.headers['retry-after']).toBe('1');
    // A replay inside the interval is still a replay (401), not a rate-limit answer.
    expect(expectError(await limited(first.body, first.headers), 401)).toMatch(/replay/);
    expect(await read.bucketRow(bucketId, nodeId)).toMatchObject({ reportedAt: t, latency_ms: 1 });

    serverNow += 1;
    const onTime = signed(nodeId, privateKey, reportBody([{ bucketId, latency_ms: 3 }]), t + 1000);
    expect((await limited(onTime.body, onTime.headers)).statusCode).toBe(200);
    expect(await read.bucketRow(bucketId, nodeId)).toMatchObject({
      reportedAt: t + 1000,
      latency_ms: 3,
    });
  });

  it('rounds Retry-After up to whole seconds', async ({ seed, postWith }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const serverNow = Date.now();
    const limited = postWith({
      minReportIntervalMs: 2500,
      now: () => serverNow,
    });
    const first = signed(nodeId, privateKey, reportBody([{ bucketId }]), serverNow - 2);
    const second = signed(nodeId, privateKey, reportBody([{ bucketId }]), serverNow - 1);
    expect((await limited(first.body, first.headers)).statusCode).toBe(200);
    const refused = await limited(second.body, second.headers);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('3');
  });

  // Across Lambda containers the receive clocks differ by a few ms; with the limit off that
  // must not matter.
  it('with the limit off (0), a newer report is accepted whatever the receive clocks say', async ({
    seed,
    read,
    postWith,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const t = Date.now();
    // Two containers whose clocks differ by 5 ms.
    const containerAhead = postWith({ now: () => t + 5 });
    const containerBehind = postWith({ now: () => t });
    const older = signed(nodeId, privateKey, reportBody([{ bucketId, latency_ms: 1 }]), t - 20);
    const newer = signed(nodeId, privateKey, reportBody([{ bucketId, latency_ms: 2 }]), t - 10);
    expect((await containerAhead(older.body, older.headers)).statusCode).toBe(200);
    const response = await containerBehind(newer.body, newer.headers);
    expect(response.statusCode).toBe(200);
    expect(await read.bucketRow(bucketId, nodeId)).toMatchObject({
      reportedAt: t - 10,
      latency_ms: 2,
    });
  });
});

describe('the status endpoint after competing reports', () => {
  it('shows the newest report of the node', async ({ seed, post, readStatus }) => {
    const { bucketId, token } = await bucketWithReader(seed);
    const nodeId = `node-${randomUUID()}`;
    const privateKey = await assignedNode(seed, nodeId, [bucketId]);
    const { first, second } = await newerThenOlder(
      post,
      { nodeId, privateKey, t: Date.now() },
      [{ bucketId, status: 'OFFLINE' }],
      [{ bucketId, status: 'ONLINE', latency_ms: 3 }],
    );
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(401);
    const status = await readStatus(bucketId, {
      authorization: `Bearer ${token}`,
    });
    expect(status.json.nodeStatus).toStrictEqual([
      {
        ip: '203.0.113.7',
        region: 'us-east-1',
        version: '1.2.3',
        status: 'OFFLINE',
        lastUpdated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
    ]);
  });
});

/** An UpdateItem on a bucket row carrying the report timestamp `ts`. */
function isBucketWriteAt(command: unknown, ts: number): boolean {
  if (!(command instanceof UpdateItemCommand)) return false;
  const { Key, ExpressionAttributeValues } = command.input;
  return (
    Key?.pk?.S?.startsWith('BUCKET#') === true &&
    ExpressionAttributeValues?.[':ts']?.N === String(ts)
  );
}
