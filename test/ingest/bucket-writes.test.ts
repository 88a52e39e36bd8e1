import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { sweepShardOf } from '../../functions/data/sweep-index.ts';
import {
  assignedNode,
  bucketWithReader,
  ingestFixtures,
  NO_RATE_LIMIT,
  nodeOnBuckets,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';

const it = ingestFixtures('ingest-buckets', NO_RATE_LIMIT);

describe('per-bucket outcome', () => {
  it('rejects unassigned buckets one by one while the others are accepted, in report order', async ({
    seed,
    post,
    read,
    readStatus,
  }) => {
    const { bucketId: visible, token } = await bucketWithReader(seed);
    const assignedA = randomUUID();
    const assignedB = randomUUID();
    const { bucketId: otherWorkspaceBucket } = await bucketWithReader(seed); // exists, not assigned
    const nonexistent = randomUUID();
    const nodeId = `node-${randomUUID()}`;
    const privateKey = await assignedNode(seed, nodeId, [visible, assignedA, assignedB]);

    const report = signed(
      nodeId,
      privateKey,
      reportBody([
        { bucketId: assignedA, latency_ms: 1 },
        { bucketId: otherWorkspaceBucket, latency_ms: 2 },
        { bucketId: visible, latency_ms: 3 },
        { bucketId: nonexistent, latency_ms: 4 },
        { bucketId: assignedB, status: 'OFFLINE' },
      ]),
    );
    const response = await post(report.body, report.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json).toStrictEqual({
      success: true,
      message: 'Accepted 3 of 5 bucket reports',
      accepted: [assignedA, visible, assignedB],
      rejected: [
        { bucketId: otherWorkspaceBucket, reason: 'not assigned' },
        { bucketId: nonexistent, reason: 'not assigned' },
      ],
    });
    expect(Object.keys(response.json)).toStrictEqual([
      'success',
      'message',
      'accepted',
      'rejected',
    ]);

    // A rejected bucket gets no row at all: the conditional write never creates one.
    expect(await read.bucketPartition(nonexistent)).toStrictEqual([]);
    expect((await read.bucketPartition(otherWorkspaceBucket)).map((r) => r.sk)).toStrictEqual([
      'META',
    ]);
    expect(await read.bucketRow(assignedA, nodeId)).toMatchObject({
      status: 'ONLINE',
      latency_ms: 1,
    });
    expect(await read.bucketRow(assignedB, nodeId)).toMatchObject({ status: 'OFFLINE' });

    const status = await readStatus(visible, {
      authorization: `Bearer ${token}`,
    });
    expect(status.json.nodeStatus).toMatchObject([{ status: 'ONLINE', latency_ms: 3 }]);
  });

  it('answers 200 with everything rejected when the node is assigned to none of them', async ({
    seed,
    post,
  }) => {
    const nodeId = `node-${randomUUID()}`;
    const privateKey = await seed.node(nodeId);
    const bucketId = randomUUID();
    const report = signed(nodeId, privateKey, reportBody([{ bucketId }]));
    const response = await post(report.body, report.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json).toStrictEqual({
      success: true,
      message: 'Accepted 0 of 1 bucket reports',
      accepted: [],
      rejected: [{ bucketId, reason: 'not assigned' }],
    });
  });

  it('stores every reported field on the row, and lastUpdated is the server receive time', async ({
    seed,
    read,
    postWith,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const serverNow = Date.now();
    const report = signed(
      nodeId,
      privateKey,
      reportBody([{ bucketId, status: 'OFFLINE', latency_ms: 600_000 }], {
        ip: '198.51.100.23',
        region: 'sa-east-1',
        version: '3.4.5+build.1',
      }),
      serverNow - 299_000,
    );
    const at = postWith({ now: () => serverNow });
    expect((await at(report.body, report.headers)).statusCode).toBe(200);
    expect(await read.bucketRow(bucketId, nodeId)).toStrictEqual({
      pk: `BUCKET#${bucketId}`,
      sk: `NODE#${nodeId}`,
      ip: '198.51.100.23',
      region: 'sa-east-1',
      version: '3.4.5+build.1',
      status: 'OFFLINE',
      latency_ms: 600_000,
      reportedAt: serverNow - 299_000,
      lastUpdated: new Date(serverNow).toISOString(),
      // The state timeline (docs/ARCHITECTURE.md, "History"): the day slot of an OFFLINE
      // first report, and the sweep's index entry.
      lastAt: serverNow,
      prevTs: 0,
      hDay: new Date(serverNow).toISOString().slice(0, 10),
      hOn: 0,
      hLs: 600_000,
      hLc: 1,
      sweepShard: sweepShardOf(bucketId, nodeId),
      // The start of the receive time's slot (60 s for the default stale of 90 s).
      sweepAt: new Date(Math.floor(serverNow / 60_000) * 60_000).toISOString(),
      // The overview index (functions/data/overview-index.ts): back at its slot once its
      // first report's change is recorded.
      ovAt: new Date(Math.floor(serverNow / 60_000) * 60_000).toISOString(),
    });
  });

  it('a report without latency_ms clears the previously stored latency', async ({
    seed,
    post,
    read,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const t = Date.now();
    const withLatency = signed(
      nodeId,
      privateKey,
      reportBody([{ bucketId, latency_ms: 80 }]),
      t - 1,
    );
    const without = signed(nodeId, privateKey, reportBody([{ bucketId, status: 'OFFLINE' }]), t);
    expect((await post(withLatency.body, withLatency.headers)).statusCode).toBe(200);
    expect((await read.bucketRow(bucketId, nodeId))?.latency_ms).toBe(80);
    expect((await post(without.body, without.headers)).statusCode).toBe(200);
    const stored = await read.bucketRow(bucketId, nodeId);
    expect(stored?.status).toBe('OFFLINE');
    expect(stored).not.toHaveProperty('latency_ms');
  });

  it('leaves the assignment rows of other nodes on the same bucket alone', async ({
    seed,
    post,
    read,
  }) => {
    const bucketId = randomUUID();
    const reporter = `node-${randomUUID()}`;
    const neighbour = `node-${randomUUID()}`;
    const privateKey = await assignedNode(seed, reporter, [bucketId]);
    await seed.assignment(bucketId, neighbour, { status: 'ONLINE', reportedAt: 1, ip: '10.0.0.9' });
    const report = signed(reporter, privateKey, reportBody([{ bucketId, status: 'OFFLINE' }]));
    expect((await post(report.body, report.headers)).statusCode).toBe(200);
    expect(await read.bucketRow(bucketId, neighbour)).toStrictEqual({
      pk: `BUCKET#${bucketId}`,
      sk: `NODE#${neighbour}`,
      status: 'ONLINE',
      reportedAt: 1,
      ip: '10.0.0.9',
    });
  });
});
