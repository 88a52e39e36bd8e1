import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, vi } from 'vitest';
import { generateNodeKeyPair } from '../../functions/domain/node-signature.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import {
  assignedNode,
  expectError,
  ingestFixtures,
  NO_RATE_LIMIT,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';
import { loseFirstResponses } from '../support/lost-response.ts';
import type { Seeder } from '../support/seed.ts';

const it = ingestFixtures('ingest-faults', NO_RATE_LIMIT);

/** What a command touches, e.g. "UpdateItem BUCKET#b1" or "GetItem NODE#n". */
function describeCommand(command: unknown): string {
  const name =
    command instanceof GetItemCommand
      ? 'GetItem'
      : command instanceof UpdateItemCommand
        ? 'UpdateItem'
        : (command as object).constructor.name.replace(/Command$/, '');
  const input = (
    command as { input?: { Key?: { pk?: { S?: string } }; Item?: { pk?: { S?: string } } } }
  ).input;
  const pk = input?.Key?.pk?.S ?? input?.Item?.pk?.S;
  return `${name} ${pk ?? '?'}`;
}

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * A client of its own for the handler under test, wrapped at `send` (above the SDK's retry
 * middleware, so an injected fault is what the handler sees after the SDK gave up). Records
 * every call's start and end; `fault` decides per command whether to throw instead.
 */
function instrumentedClient(fault: (label: string) => Error | undefined = () => undefined) {
  const client = createDynamoClient({ endpoint: inject('dynamoEndpoint') });
  const events: string[] = [];
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  vi.spyOn(client as { send: (command: unknown) => Promise<unknown> }, 'send').mockImplementation(
    (command) => {
      const label = describeCommand(command);
      events.push(`start ${label}`);
      const error = fault(label);
      if (error !== undefined) {
        events.push(`fail ${label}`);
        return Promise.reject(error);
      }
      return send(command).finally(() => events.push(`end ${label}`));
    },
  );
  return { client: client as DynamoDBClient, events };
}

async function nodeOnBuckets(seed: Seeder, count: number) {
  const bucketIds = Array.from({ length: count }, (_, i) => `b${i}-${randomUUID()}`);
  const nodeId = `node-${randomUUID()}`;
  const privateKey = await assignedNode(seed, nodeId, bucketIds);
  return { bucketIds, nodeId, privateKey };
}

describe('DynamoDB faults on POST /node/status', () => {
  it('a throttled bucket write: 503 + Retry-After, per-bucket outcome, the others really stored', async ({
    table,
    seed,
    read,
    postVia,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 4);
    const [ok1, bad1, ok2, bad2] = bucketIds as [string, string, string, string];
    const unassigned = randomUUID();
    const { client } = instrumentedClient((label) =>
      label === `UpdateItem BUCKET#${bad1}` || label === `UpdateItem BUCKET#${bad2}`
        ? throttled()
        : undefined,
    );
    const post = postVia(client);
    const t = Date.now();
    const report = signed(
      nodeId,
      privateKey,
      reportBody([ok1, bad1, unassigned, ok2, bad2].map((bucketId) => ({ bucketId }))),
      t,
    );

    const response = await post(report.body, report.headers);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json).toStrictEqual({
      success: false,
      message: expect.stringMatching(/2 of 5 .*retry/),
      accepted: [ok1, ok2],
      rejected: [
        { bucketId: bad1, reason: 'temporarily unavailable, retry' },
        { bucketId: unassigned, reason: 'not assigned' },
        { bucketId: bad2, reason: 'temporarily unavailable, retry' },
      ],
    });
    expect(await read.bucketRow(ok1, nodeId)).toMatchObject({ reportedAt: t, status: 'ONLINE' });
    expect(await read.bucketRow(ok2, nodeId)).toMatchObject({ reportedAt: t, status: 'ONLINE' });
    expect((await read.bucketRow(bad1, nodeId))?.reportedAt).toBeUndefined();
    expect((await read.bucketRow(bad2, nodeId))?.reportedAt).toBeUndefined();

    // The guard has taken the timestamp: the node retries with a new one, and all land.
    const retry = signed(
      nodeId,
      privateKey,
      reportBody([ok1, bad1, ok2, bad2].map((bucketId) => ({ bucketId }))),
      t + 1,
    );
    const retried = await postVia(table.client)(retry.body, retry.headers);
    expect(retried.statusCode).toBe(200);
    expect(retried.json.accepted).toStrictEqual([ok1, bad1, ok2, bad2]);
    for (const bucketId of bucketIds) {
      expect((await read.bucketRow(bucketId, nodeId))?.reportedAt).toBe(t + 1);
    }
  });

  it('a throttled replay-guard write: 503 + Retry-After and nothing written', async ({
    table,
    seed,
    read,
    postVia,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 3);
    const { client, events } = instrumentedClient((label) =>
      label === `UpdateItem NODE#${nodeId}` ? throttled() : undefined,
    );
    const post = postVia(client);
    const t = Date.now();
    const report = signed(
      nodeId,
      privateKey,
      reportBody(bucketIds.map((bucketId) => ({ bucketId }))),
      t,
    );

    const response = await post(report.body, report.headers);
    expect(expectError(response, 503)).toMatch(/retry/i);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).not.toMatch(/Throttling|Rate of requests/);
    expect(events.filter((e) => e.includes('BUCKET#'))).toStrictEqual([]);
    for (const bucketId of bucketIds)
      expect((await read.bucketRow(bucketId, nodeId))?.reportedAt).toBeUndefined();
    expect((await read.nodeMeta(nodeId))?.lastTimestamp).toBeUndefined();

    // Nothing was taken, so the very same request succeeds once DynamoDB recovers.
    const recovered = await postVia(table.client)(report.body, report.headers);
    expect(recovered.statusCode).toBe(200);
    expect(recovered.json.accepted).toStrictEqual(bucketIds);
  });

  it('a throttled key read: 503 + Retry-After and nothing written', async ({ seed, postVia }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 1);
    const { client, events } = instrumentedClient((label) =>
      label.startsWith('GetItem') ? throttled() : undefined,
    );
    const report = signed(nodeId, privateKey, reportBody([{ bucketId: bucketIds[0] as string }]));
    const response = await postVia(client)(report.body, report.headers);
    expect(expectError(response, 503)).toMatch(/retry/i);
    expect(response.headers['retry-after']).toBe('1');
    expect(events).toStrictEqual([`start GetItem NODE#${nodeId}`, `fail GetItem NODE#${nodeId}`]);
  });

  it('a non-transient DynamoDB error on a bucket write: 500 without internal detail', async ({
    seed,
    postVia,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 2);
    const { client, events } = instrumentedClient((label) =>
      label === `UpdateItem BUCKET#${bucketIds[1]}`
        ? Object.assign(new Error('secret table detail'), {
            name: 'ValidationException',
            $metadata: { httpStatusCode: 400 },
          })
        : undefined,
    );
    const report = signed(
      nodeId,
      privateKey,
      reportBody(bucketIds.map((bucketId) => ({ bucketId }))),
    );
    const response = await postVia(client)(report.body, report.headers);
    expect(expectError(response, 500)).toBe('Internal server error');
    expect(response.body).not.toMatch(/secret table detail|ValidationException/);
    expect(events).toContain(`fail UpdateItem BUCKET#${bucketIds[1]}`);
  });
});

/** The first attempt of each matching UpdateItem is applied and its response lost (`loseFirstResponses`). */
const loseFirstResponse = (client: DynamoDBClient, matches: (pk: string) => boolean) =>
  loseFirstResponses(client, 'UpdateItemCommand', (input) => {
    const { Key } = input as { Key?: { pk?: { S?: string }; sk?: { S?: string } } };
    return matches(Key?.pk?.S ?? '') ? `${Key?.pk?.S}|${Key?.sk?.S}` : undefined;
  });

describe('a write applied by DynamoDB whose response was lost, then retried by the SDK', () => {
  // The retry fails its own condition (reportedAt now equals its timestamp); the follow-up
  // read must recognise the report's own write instead of calling it superseded.
  it('a bucket write is still reported accepted', async ({ table, seed, read, postVia }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 2);
    const [retried, plain] = bucketIds as [string, string];
    const client = createDynamoClient({ endpoint: table.endpoint });
    const lost = loseFirstResponse(client, (pk) => pk === `BUCKET#${retried}`);
    const t = Date.now();
    const report = signed(
      nodeId,
      privateKey,
      reportBody(bucketIds.map((bucketId) => ({ bucketId }))),
      t,
    );
    const response = await postVia(client)(report.body, report.headers);
    expect(lost.size).toBe(1);
    expect((await read.bucketRow(retried, nodeId))?.reportedAt).toBe(t);
    expect(response.json).toStrictEqual({
      success: true,
      message: expect.any(String),
      accepted: [retried, plain],
      rejected: [],
    });
  });

  // The retried guard write fails its own condition; the follow-up read must recognise
  // this attempt's own write (lastReportId) instead of calling it a replay.
  it('a replay-guard write does not turn the report into a replay', async ({
    table,
    seed,
    postVia,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 1);
    const client = createDynamoClient({ endpoint: table.endpoint });
    const lost = loseFirstResponse(client, (pk) => pk === `NODE#${nodeId}`);
    const report = signed(nodeId, privateKey, reportBody([{ bucketId: bucketIds[0] as string }]));
    const response = await postVia(client)(report.body, report.headers);
    expect(lost.size).toBe(1);
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual(bucketIds);
  });
});

describe('DynamoDB round trips for one report', () => {
  const BUCKETS = 5;

  it('cold key cache: GetItem, guard UpdateItem, then all bucket UpdateItems at once; warm: no GetItem', async ({
    seed,
    postVia,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, BUCKETS);
    const { client, events } = instrumentedClient();
    const post = postVia(client);
    const t = Date.now();
    const body = reportBody(bucketIds.map((bucketId) => ({ bucketId })));

    const cold = signed(nodeId, privateKey, body, t - 1);
    expect((await post(cold.body, cold.headers)).statusCode).toBe(200);
    const starts = events.filter((e) => e.startsWith('start '));
    // The first report since assignment is a change from DISCONNECTED: after the bucket
    // writes, its events, then each bucket's health mark, then each row forgets them as pending
    // (docs/ARCHITECTURE.md, "History").
    expect(starts).toHaveLength(1 + 1 + BUCKETS + BUCKETS + BUCKETS + BUCKETS);
    // Strictly sequential: key read, then the guard, then the bucket fan-out.
    expect(events.slice(0, 4)).toStrictEqual([
      `start GetItem NODE#${nodeId}`,
      `end GetItem NODE#${nodeId}`,
      `start UpdateItem NODE#${nodeId}`,
      `end UpdateItem NODE#${nodeId}`,
    ]);
    // Concurrent: every bucket write is issued before any of them completes.
    const bucketCalls = events.slice(4).filter((e) => e.includes('BUCKET#'));
    const fanOut = bucketCalls.slice(0, 2 * BUCKETS);
    expect(fanOut.slice(0, BUCKETS).sort()).toStrictEqual(
      bucketIds.map((bucketId) => `start UpdateItem BUCKET#${bucketId}`).sort(),
    );
    expect(fanOut.slice(BUCKETS).every((e) => e.startsWith('end UpdateItem BUCKET#'))).toBe(true);
    expect(fanOut).toHaveLength(2 * BUCKETS);
    // (The clears carry the same labels as the writes: positions, not labels.)
    const bucketPositions = events.flatMap((e, i) => (i >= 4 && e.includes('BUCKET#') ? [i] : []));
    const lastBucketEnd = bucketPositions[2 * BUCKETS - 1] as number;
    const eventWrites = events.slice(4).filter((e) => !e.includes('BUCKET#'));
    expect(eventWrites.filter((e) => e.startsWith('start PutItem EVENTS#'))).toHaveLength(BUCKETS);
    expect(events.findIndex((e) => e.startsWith('start PutItem'))).toBeGreaterThan(lastBucketEnd);
    // Each mark only after an event write has ended, each clear only after a mark has.
    const marks = events.filter((e) => e.startsWith('start UpdateItem HEALTH#'));
    expect(marks.sort()).toStrictEqual(
      bucketIds.map((bucketId) => `start UpdateItem HEALTH#${bucketId}`).sort(),
    );
    for (const bucketId of bucketIds) {
      expect(events.indexOf(`start UpdateItem HEALTH#${bucketId}`)).toBeGreaterThan(
        events.indexOf(`end PutItem EVENTS#${bucketId}`),
      );
    }
    const clears = bucketCalls.slice(2 * BUCKETS).filter((e) => e.startsWith('start '));
    expect(clears).toHaveLength(BUCKETS);
    const firstMarkEnd = events.findIndex((e) => e.startsWith('end UpdateItem HEALTH#'));
    expect(bucketPositions[2 * BUCKETS]).toBeGreaterThan(firstMarkEnd);

    events.length = 0;
    const warm = signed(nodeId, privateKey, body, t);
    expect((await post(warm.body, warm.headers)).statusCode).toBe(200);
    expect(events.filter((e) => e.startsWith('start '))).toHaveLength(1 + BUCKETS);
    expect(events.some((e) => e.includes('GetItem'))).toBe(false);
    expect(events.slice(0, 2)).toStrictEqual([
      `start UpdateItem NODE#${nodeId}`,
      `end UpdateItem NODE#${nodeId}`,
    ]);
    expect(
      events.slice(2, 2 + BUCKETS).every((e) => e.startsWith('start UpdateItem BUCKET#')),
    ).toBe(true);
  });

  it('a refused report costs one extra read to say why (replay), and no bucket write', async ({
    seed,
    postVia,
  }) => {
    const { bucketIds, nodeId, privateKey } = await nodeOnBuckets(seed, 2);
    const { client, events } = instrumentedClient();
    const post = postVia(client);
    const report = signed(
      nodeId,
      privateKey,
      reportBody(bucketIds.map((bucketId) => ({ bucketId }))),
    );
    expect((await post(report.body, report.headers)).statusCode).toBe(200);
    events.length = 0;
    expect((await post(report.body, report.headers)).statusCode).toBe(401);
    expect(events.filter((e) => e.startsWith('start '))).toStrictEqual([
      `start UpdateItem NODE#${nodeId}`,
      `start GetItem NODE#${nodeId}`,
    ]);
  });

  it('a report refused before the signature check costs no DynamoDB call at all', async ({
    postVia,
  }) => {
    const { events, client } = instrumentedClient();
    const post = postVia(client);
    expect((await post('{}', {})).statusCode).toBe(401);
    const stale = signed('node-x', generateNodeKeyPair().privateKey, '{}', Date.now() - 400_000);
    expect((await post(stale.body, stale.headers)).statusCode).toBe(401);
    expect(events).toStrictEqual([]);
  });
});
