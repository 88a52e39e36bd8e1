import { randomUUID } from 'node:crypto';
import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, inject } from 'vitest';
import { bucketRowUpdate } from '../../functions/data/bucket-node-reports.ts';
import { bucketPartitionQuery } from '../../functions/data/bucket-nodes.ts';
import { bucketPk, healthPk, nodePk } from '../../functions/data/keys.ts';
import { userPartitionQuery } from '../../functions/data/user-access.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { wire as wireStatus } from '../../functions/status/wiring.ts';
import { commandName, roundTripsOf, traceCalls } from '../support/call-trace.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { putHealthCheckpoint } from '../support/health-checkpoint.ts';
import {
  assignedNode,
  buildIngestHandler,
  NO_RATE_LIMIT,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';
import type { Seeder } from '../support/seed.ts';
import { bearer, buildStatusHandler, hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { tableFixtures } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

/**
 * The authoritative round-trip assertions behind bench/ and docs/PERFORMANCE.md: how many
 * DynamoDB calls each request makes, how many of them wait on each other (round trips of
 * latency), and that they are exactly the requests the benchmark's floors send.
 */

const it = tableFixtures('perf');

/** A client of its own whose calls are traced (`traceCalls`): command, partition key, input. */
function tracingClient() {
  const client = createDynamoClient({ endpoint: inject('dynamoEndpoint') });
  const traced = traceCalls(client, (command, input) => {
    const key = (input.Key ?? input.Item ?? input.ExpressionAttributeValues) as
      | Record<string, { S?: string }>
      | undefined;
    return { command: commandName(command), pk: key?.pk?.S ?? key?.[':pk']?.S, input };
  });
  return { client: client as DynamoDBClient, ...traced };
}

type Call = ReturnType<typeof tracingClient>['calls'][number];

/** A READ member's bucket with `nodes` assignment rows (each padded by `paddingBytes`). */
async function readableBucket(seed: Seeder, nodes: number, paddingBytes = 0) {
  const userId = randomUUID();
  const bucketId = randomUUID();
  const workspaceId = randomUUID();
  const orgId = randomUUID();
  await seed.user(userId, { orgId });
  await seed.membership(userId, workspaceId, 'READ');
  await seed.bucket(bucketId, { workspaceId, orgId });
  const lastUpdated = new Date().toISOString();
  await seed.putMany(
    Array.from({ length: nodes }, (_, i) =>
      seed.assignmentRow(bucketId, `n-${String(i).padStart(5, '0')}`, {
        ip: '10.0.0.1',
        region: 'us-east-1',
        version: '1.0.0',
        status: 'ONLINE',
        latency_ms: i,
        lastUpdated,
        ...(paddingBytes > 0 && { padding: 'p'.repeat(paddingBytes) }),
      }),
    ),
  );
  return { userId, bucketId, token: await hs256Token(userId) };
}

/** The request without the page cursor, as the floor builds it. */
const withoutCursor = (input: Record<string, unknown>) => {
  const { ExclusiveStartKey: _cursor, ...rest } = input;
  return rest;
};

describe('GET /bucket/{bucketId}/health: one round trip of latency', () => {
  it('a small bucket with a recent checkpoint: its six reads all sent before any returns', async ({
    table,
    seed,
  }) => {
    const { userId, bucketId, token } = await readableBucket(seed, 10);
    await putHealthCheckpoint(seed.client, table.tableName, bucketId, Date.now() - 60_000);
    const { client, calls, roundTrips } = tracingClient();
    const handler = wireStatus({
      client,
      settings: testSettings(table.tableName, TEST_SECRET),
      logger: createLogger('bucket-status-test'),
    }).routes['GET /bucket/{bucketId}/health'];

    const response = (await handler(
      httpApiEvent({
        method: 'GET',
        path: `/bucket/${bucketId}/health`,
        routeKey: 'GET /bucket/{bucketId}/health',
        pathParameters: { bucketId },
        headers: bearer(token),
      }),
      lambdaContext(),
    )) as { statusCode: number; body: string };

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).nodes.assigned).toBe(10);
    // The user's partition, the bucket's (one page), STATE, the windows, the tail's node events
    // and other inputs: bench/health-read.ts's floor sends these very requests at once.
    expect(calls.map((c) => `${c.command} ${c.pk}`).sort()).toStrictEqual(
      [
        `Query USER#${userId}`,
        `Query ${bucketPk(bucketId)}`,
        `GetItem ${healthPk(bucketId)}`,
        `Query ${healthPk(bucketId)}`,
        `Query ${healthPk(bucketId)}`,
        `Query EVENTS#${bucketId}`,
      ].sort(),
    );
    expect(roundTrips()).toBe(1);
  });
});

describe('GET /bucket/{bucketId}/status: one round trip of latency', () => {
  it('a small bucket: exactly two Queries, both sent before either returns, the floor requests', async ({
    table,
    seed,
  }) => {
    const { userId, bucketId, token } = await readableBucket(seed, 10);
    const { client, calls, roundTrips } = tracingClient();
    const read = buildStatusHandler(client, table.tableName);

    const response = await read(bucketId, bearer(token));

    expect(response.statusCode).toBe(200);
    expect(response.json.nodeStatus).toHaveLength(10);
    expect(calls.map((c) => `${c.command} ${c.pk}`).sort()).toStrictEqual(
      [`Query ${bucketPk(bucketId)}`, `Query USER#${userId}`].sort(),
    );
    const [first, second] = calls as [Call, Call];
    expect(second.startedAt).toBeLessThan(first.endedAt);
    expect(roundTrips()).toBe(1);
    // bench/read-path.ts's floor sends these very inputs.
    expect(calls.map((c) => withoutCursor(c.input))).toStrictEqual(
      expect.arrayContaining([
        userPartitionQuery(table.tableName, userId),
        bucketPartitionQuery(table.tableName, bucketId),
      ]),
    );
  });

  it('a repeated read with the same (cached) token still reads both partitions', async ({
    table,
    seed,
  }) => {
    const { bucketId, token } = await readableBucket(seed, 3);
    const { client, calls, roundTrips } = tracingClient();
    const read = buildStatusHandler(client, table.tableName);

    await read(bucketId, bearer(token));
    calls.length = 0;
    const again = await read(bucketId, bearer(token));

    // The token cache saves the signature check, never the user read that revocation needs.
    expect(again.statusCode).toBe(200);
    expect(calls.map((c) => c.command)).toStrictEqual(['Query', 'Query']);
    expect(roundTrips()).toBe(1);
  });

  it('a bucket over 1 MB: the user Query overlaps the first page, then one call per extra page', async ({
    table,
    seed,
  }) => {
    // 2,200 rows of ~600 bytes: the partition spans two 1 MB Query pages.
    const { userId, bucketId, token } = await readableBucket(seed, 2200, 500);
    const { client, calls, roundTrips } = tracingClient();
    const read = buildStatusHandler(client, table.tableName);

    const response = await read(bucketId, bearer(token));

    expect(response.statusCode).toBe(200);
    expect(response.json.nodeStatus).toHaveLength(2200);
    const bucketPages = calls.filter((c) => c.pk === bucketPk(bucketId));
    const userPages = calls.filter((c) => c.pk === `USER#${userId}`);
    expect(userPages).toHaveLength(1);
    expect(bucketPages.length).toBeGreaterThanOrEqual(2);
    expect(calls).toHaveLength(1 + bucketPages.length);
    // Pages follow each other (each needs the previous cursor); nothing else waits.
    expect(roundTrips()).toBe(bucketPages.length);
    expect((userPages[0] as Call).startedAt).toBeLessThan((bucketPages[0] as Call).endedAt);
    expect(bucketPages.slice(1).every((page) => page.input.ExclusiveStartKey !== undefined)).toBe(
      true,
    );
  }, 60_000);
});

describe('GET /bucket/{bucketId}/status: a refused read costs one page (DESIGN.md section 7)', () => {
  it('403 and 404 on a bucket over 1 MB read only its first page; an allowed read reads all', async ({
    table,
    seed,
  }) => {
    // 2,200 rows of ~600 bytes: the partition spans at least two 1 MB Query pages.
    const { bucketId, token } = await readableBucket(seed, 2200, 500);
    const outsider = randomUUID();
    await seed.user(outsider, { orgId: randomUUID(), orgRole: 'OWNER' });
    const disabled = randomUUID();
    await seed.user(disabled, { status: 'DISABLED' });
    const ghost = randomUUID(); // no PROFILE row: 404

    const cases: [string, number][] = [
      [outsider, 403],
      [disabled, 403],
      [ghost, 404],
    ];
    for (const [userId, status] of cases) {
      const { client, calls } = tracingClient();
      const response = await buildStatusHandler(client, table.tableName)(
        bucketId,
        bearer(await hs256Token(userId)),
      );
      expect(response.statusCode, userId).toBe(status);
      const bucketPages = calls.filter((c) => c.pk === bucketPk(bucketId));
      expect(bucketPages, `${status}: bucket pages read`).toHaveLength(1);
    }

    const { client, calls } = tracingClient();
    const allowed = await buildStatusHandler(client, table.tableName)(bucketId, bearer(token));
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json.nodeStatus).toHaveLength(2200);
    expect(calls.filter((c) => c.pk === bucketPk(bucketId)).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

describe('POST /node/status: round trips of a report', () => {
  const BUCKETS = 10;

  async function nodeOnBuckets(seed: Seeder) {
    const bucketIds = Array.from({ length: BUCKETS }, (_, i) => `pb${i}-${randomUUID()}`);
    const nodeId = `perf-node-${randomUUID()}`;
    const privateKey = await assignedNode(seed, nodeId, bucketIds);
    return { bucketIds, nodeId, privateKey };
  }

  it('cold key cache: GetItem, guard, then N bucket UpdateItems at once, events, health marks, clears (6 round trips); warm: 2', async ({
    table,
    seed,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed);
    const { client, calls, roundTrips } = tracingClient();
    const post = buildIngestHandler(client, table.tableName, NO_RATE_LIMIT);
    const body = reportBody(bucketIds.map((bucketId) => ({ bucketId })));
    const now = Date.now();

    const cold = signed(nodeId, privateKey, body, now - 1);
    expect((await post(cold.body, cold.headers)).statusCode).toBe(200);
    // The first report since assignment changes every bucket's state (from DISCONNECTED):
    // its events follow the bucket writes that proved it, then each bucket's health is marked
    // (no mark yet: one UpdateItem), then each row forgets them as pending (docs/ARCHITECTURE.md,
    // "History").
    const labels = calls.map((c) => `${c.command} ${c.pk}`);
    expect(labels.slice(0, 2 + 2 * BUCKETS)).toStrictEqual([
      `GetItem ${nodePk(nodeId)}`,
      `UpdateItem ${nodePk(nodeId)}`,
      ...bucketIds.map((bucketId) => `UpdateItem ${bucketPk(bucketId)}`),
      ...bucketIds.map((bucketId) => `PutItem EVENTS#${bucketId}`),
    ]);
    expect(labels.slice(2 + 2 * BUCKETS).sort()).toStrictEqual(
      [
        ...bucketIds.map((bucketId) => `UpdateItem ${healthPk(bucketId)}`),
        ...bucketIds.map((bucketId) => `UpdateItem ${bucketPk(bucketId)}`),
      ].sort(),
    );
    // Each bucket's chain (the node's calls and that bucket's) is 6 deep; the whole trace may
    // count more when the buckets' chains run at different speeds (a call that starts after
    // another bucket's deeper one ended looks deeper).
    for (const bucketId of bucketIds) {
      const chain = calls.filter((c) => c.pk === nodePk(nodeId) || c.pk?.endsWith(`#${bucketId}`));
      expect(roundTripsOf(chain), bucketId).toBe(6);
    }
    expect(roundTrips()).toBeGreaterThanOrEqual(6);
    const writes = calls.slice(2, 2 + BUCKETS);
    const firstEnd = Math.min(...writes.map((c) => c.endedAt));
    expect(writes.every((c) => c.startedAt < firstEnd)).toBe(true);

    calls.length = 0;
    const warm = signed(nodeId, privateKey, body, now);
    const response = await post(warm.body, warm.headers);
    expect(response.json.accepted).toStrictEqual(bucketIds);
    expect(calls.map((c) => c.command)).toStrictEqual([
      'UpdateItem',
      ...bucketIds.map(() => 'UpdateItem'),
    ]);
    expect(roundTrips()).toBe(2);
    // bench/ingest.ts's floor sends these very bucket writes (receive time as the handler's).
    for (const [index, call] of calls.slice(1).entries()) {
      const values = (call.input.ExpressionAttributeValues ?? {}) as Record<string, { N?: string }>;
      expect(call.input).toStrictEqual(
        bucketRowUpdate(
          table.tableName,
          {
            nodeId,
            bucket: {
              bucketId: bucketIds[index] as string,
              status: 'ONLINE',
              latencyMs: undefined,
            },
            ip: '203.0.113.7',
            region: 'us-east-1',
            version: '1.2.3',
            timestamp: now,
            receivedAtMs: Number(values[':at']?.N),
          },
          90_000,
        ),
      );
    }
  });

  it('the commands are the SDK classes the floors use', () => {
    // Guards the labels above: a renamed command class would otherwise pass silently.
    expect(new QueryCommand({ TableName: 't' }).constructor.name).toBe('QueryCommand');
    expect(new GetItemCommand({ TableName: 't', Key: {} }).constructor.name).toBe('GetItemCommand');
    expect(new UpdateItemCommand({ TableName: 't', Key: {} }).constructor.name).toBe(
      'UpdateItemCommand',
    );
  });
});
