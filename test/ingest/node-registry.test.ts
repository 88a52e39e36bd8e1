// The node registry's adapter (functions/data/node-registry.ts) as a node and an operator see
// it: the key read, the replay guard's refusal reasons, and the hints it forgets.
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { META_SK, nodePk } from '../../functions/data/keys.ts';
import {
  createHintForgetter,
  createNodeKeyReader,
  createReportGuard,
} from '../../functions/data/node-registry.ts';
import type { RegisteredNode, ReportGuardInput } from '../../functions/domain/ports/ingest.ts';
import { NODE_NOT_AUTHENTICATED } from '../../functions/ingest/authenticate-report.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { TtlCache } from '../../functions/shared/ttl-cache.ts';
import { countRequests } from '../events/support.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import {
  assignedNode,
  expectError,
  ingestFixtures,
  NO_RATE_LIMIT,
  nodeOnBuckets,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';
import { laggingReplica } from '../support/lagging-replica.ts';
import type { Seeder } from '../support/seed.ts';

const it = ingestFixtures('node-registry', NO_RATE_LIMIT);

/** A fresh registered node, assigned to nothing; returns its id. */
async function registeredNode(seed: Seeder) {
  const nodeId = `node-${randomUUID()}`;
  await seed.node(nodeId);
  return nodeId;
}

const escaped = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

describe("the node's key", () => {
  it('a node registered a moment ago reports at once, while a replica still lags (consistent read)', async ({
    table,
    seed,
    postVia,
  }) => {
    const bucketId = randomUUID();
    const nodeId = `node-${randomUUID()}`;
    const client = createDynamoClient({ endpoint: table.endpoint });
    const replica = laggingReplica(client, table.tableName);
    await replica.freeze(nodePk(nodeId), META_SK); // the replica has not seen the node yet
    const privateKey = await assignedNode(seed, nodeId, [bucketId]);
    const report = signed(nodeId, privateKey, reportBody([{ bucketId }]));
    const response = await postVia(client)(report.body, report.headers);
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual([bucketId]);
  });
});

describe('a node removed while its key is cached', () => {
  it('is refused on the very next report (401), and nothing is stored or recreated', async ({
    table,
    seed,
    read,
    postVia,
  }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const post = postVia(table.client);
    const first = signed(nodeId, privateKey, reportBody([{ bucketId }]), Date.now() - 1000);
    expect((await post(first.body, first.headers)).statusCode).toBe(200);
    await table.client.send(
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: nodePk(nodeId) }, sk: { S: META_SK } },
      }),
    );
    const second = signed(nodeId, privateKey, reportBody([{ bucketId, status: 'OFFLINE' }]));
    const response = await post(second.body, second.headers);
    expect(expectError(response, 401)).toMatch(escaped(NODE_NOT_AUTHENTICATED));
    expect((await read.bucketRow(bucketId, nodeId))?.status).toBe('ONLINE');
    expect(await read.nodeMeta(nodeId)).toBeUndefined();
  });

  it('forgetting its hints does not bring back a META row (the row must exist)', async ({
    table,
    read,
  }) => {
    const nodeId = `node-${randomUUID()}`;
    await createHintForgetter(table.client, table.tableName)(nodeId, [randomUUID()]).catch(
      () => undefined,
    );
    expect(await read.nodeMeta(nodeId)).toBeUndefined();
  });
});

describe("the node's key, cached", () => {
  it('lookups of unknown node ids do not push cached keys out of the cache', async ({
    table,
    seed,
  }) => {
    const nodeId = await registeredNode(seed);
    const client = createDynamoClient({ endpoint: table.endpoint });
    const requests = countRequests(client);
    // Room for one key: an unknown id must not take it.
    const read = createNodeKeyReader(
      client,
      table.tableName,
      new TtlCache<RegisteredNode>(60_000, 1),
    );
    expect(await read(nodeId)).toMatchObject({ status: 'ACTIVE' });
    for (let i = 0; i < 3; i++) expect(await read(`unknown-${randomUUID()}`)).toBeUndefined();
    requests.reset();
    expect(await read(nodeId)).toMatchObject({ status: 'ACTIVE' });
    expect(requests.total()).toBe(0);
  });

  it.for([
    ['not a valid key', 'not-a-key'],
    ['missing', undefined],
  ] as const)(
    'a stored key that is %s authenticates nobody (401, not 500)',
    async ([_, publicKey], { table, seed, read, postVia }) => {
      const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
      await seed.put({ pk: nodePk(nodeId), sk: META_SK, publicKey, status: 'ACTIVE' });
      const report = signed(nodeId, privateKey, reportBody([{ bucketId }]));
      const response = await postVia(table.client)(report.body, report.headers);
      expect(expectError(response, 401)).toMatch(escaped(NODE_NOT_AUTHENTICATED));
      expect((await read.bucketRow(bucketId, nodeId))?.status).toBe(undefined);
    },
  );
});

describe("the replay guard's answer (the port the ingest use case reads)", () => {
  const guardInput = (
    nodeId: string,
    timestamp: number,
    buckets?: ReportGuardInput['buckets'],
  ): ReportGuardInput => ({
    nodeId,
    timestamp,
    receivedAtMs: timestamp + 5,
    minIntervalMs: 0,
    ip: '203.0.113.7',
    region: 'us-east-1',
    version: '1.2.3',
    ...(buckets && { buckets }),
  });

  it('accepted, with the previous hint of each reported bucket that has one, and only those', async ({
    table,
    seed,
    read,
  }) => {
    const nodeId = await registeredNode(seed);
    const guard = createReportGuard(table.client, table.tableName);
    const [b1, b2, b3] = [randomUUID(), randomUUID(), randomUUID()];
    const t = Date.parse('2026-12-01T09:00:00.000Z');
    expect(
      await guard(
        guardInput(nodeId, t, [
          { bucketId: b1, status: 'ONLINE' },
          { bucketId: b2, status: 'OFFLINE' },
        ]),
      ),
    ).toStrictEqual({ outcome: 'accepted', previous: new Map() });
    expect(
      await guard(
        guardInput(nodeId, t + 1_000, [
          { bucketId: b2, status: 'ONLINE' },
          { bucketId: b3, status: 'ONLINE' },
        ]),
      ),
    ).toStrictEqual({
      outcome: 'accepted',
      previous: new Map([[b2, { ts: t, at: t + 5, status: 'OFFLINE' }]]),
    });
    // A call that reports no buckets is a bare acceptance and leaves the hints as they were.
    expect(await guard(guardInput(nodeId, t + 2_000))).toBe('accepted');
    const meta = await read.nodeMeta(nodeId);
    expect(meta?.lastTimestamp).toBe(t + 2_000);
    expect(
      Object.keys(meta ?? {})
        .filter((name) => name.startsWith('h_'))
        .sort(),
    ).toStrictEqual([`h_${b1}`, `h_${b2}`, `h_${b3}`].sort());
  });
  it("accepted when the SDK's retry of a landed write is refused by that write itself", async ({
    table,
    seed,
    read,
  }) => {
    const nodeId = await registeredNode(seed);
    await withFaultProxy(table.endpoint, async (proxy) => {
      proxy.fail({
        kind: 'lost-response',
        operation: 'UpdateItem',
        bodyIncludes: nodeId,
        times: 1,
      });
      const guard = createReportGuard(
        createDynamoClient({ endpoint: proxy.endpoint }),
        table.tableName,
      );
      const t = Date.parse('2026-12-01T09:00:00.000Z');
      expect(
        await guard(guardInput(nodeId, t, [{ bucketId: randomUUID(), status: 'ONLINE' }])),
      ).toBe('accepted');
      expect(proxy.count('UpdateItem')).toBe(2);
      expect((await read.nodeMeta(nodeId))?.lastTimestamp).toBe(t);
    });
  });
});

describe('hints of buckets the node is not assigned to', () => {
  it('are forgotten for every such bucket of a report', async ({ table, seed, read, postVia }) => {
    const { bucketId, nodeId, privateKey } = await nodeOnBuckets(seed);
    const strangers = [randomUUID(), randomUUID()];
    const report = signed(
      nodeId,
      privateKey,
      reportBody([bucketId, ...strangers].map((id) => ({ bucketId: id }))),
    );
    const response = await postVia(table.client)(report.body, report.headers);
    expect(response.json.accepted).toStrictEqual([bucketId]);
    const meta = await read.nodeMeta(nodeId);
    expect(Object.keys(meta ?? {}).filter((name) => name.startsWith('h_'))).toStrictEqual([
      `h_${bucketId}`,
    ]);
  });
});
