// The X-Ray writer against a real UDP socket standing in for the daemon, with a real DynamoDB
// client on dynalite.
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import {
  parseDaemonAddress,
  parseTraceHeader,
  XRayTracer,
} from '../../functions/shared/tracing.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { startXRayDaemon, traceHeader } from '../support/xray-daemon.ts';

const ROOT = '1-6750a1b2-0123456789abcdef01234567';
const PARENT = '53995c3f42cd8ad8';

let table: TestTable;
let daemon: Awaited<ReturnType<typeof startXRayDaemon>>;

beforeAll(async () => {
  table = await createTestTable('tracing');
  daemon = await startXRayDaemon();
});
afterAll(() => daemon.close());

describe('trace context', () => {
  it('reads the daemon address in both of Lambda’s forms', () => {
    expect(parseDaemonAddress('169.254.79.129:2000')).toEqual({
      host: '169.254.79.129',
      port: 2000,
    });
    expect(parseDaemonAddress('tcp:127.0.0.1:2000 udp:127.0.0.2:2001')).toEqual({
      host: '127.0.0.2',
      port: 2001,
    });
    expect(parseDaemonAddress(undefined)).toBeUndefined();
    expect(parseDaemonAddress('nonsense')).toBeUndefined();
  });
  it('traces only sampled invocations', () => {
    expect(parseTraceHeader(traceHeader(ROOT, PARENT))).toEqual({ root: ROOT, parent: PARENT });
    expect(parseTraceHeader(traceHeader(ROOT, PARENT, false))).toBeUndefined();
    expect(parseTraceHeader(`Root=${ROOT};Sampled=1`)).toBeUndefined();
    expect(parseTraceHeader(undefined)).toBeUndefined();
  });
});

describe('XRayTracer', () => {
  const env = (overrides: Record<string, string | undefined> = {}) => ({
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    _X_AMZN_TRACE_ID: traceHeader(ROOT, PARENT),
    _HANDLER: 'index.handler',
    AWS_REGION: 'us-east-1',
    ...overrides,
  });

  it('sends a handler subsegment and one DynamoDB subsegment per command, as its children', async () => {
    const before = daemon.documents.length;
    const tracer = new XRayTracer('bucket-status', env());
    const client = tracer.captureDynamoClient(createDynamoClient({ endpoint: table.endpoint }));
    tracer.begin();
    await client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'USER#nobody' } },
      }),
    );
    await client.send(
      new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    tracer.end(200);
    const docs = (await daemon.waitFor(before + 3)).slice(before);
    expect(daemon.malformed).toEqual([]);
    const handler = docs.find((d) => d.name === '## index.handler');
    expect(handler).toMatchObject({
      type: 'subsegment',
      trace_id: ROOT,
      parent_id: PARENT,
      annotations: { ColdStart: true, Service: 'bucket-status' },
      http: { response: { status: 200 } },
    });
    expect(handler?.fault).toBeUndefined();
    expect(handler?.error).toBeUndefined();
    const calls = docs.filter((d) => d.name === 'DynamoDB');
    expect(calls.map((c) => c.aws?.operation).sort()).toEqual(['GetItem', 'Query']);
    for (const call of calls) {
      expect(call).toMatchObject({
        namespace: 'aws',
        trace_id: ROOT,
        parent_id: handler?.id,
        aws: { table_name: table.tableName, region: 'us-east-1', retries: 0 },
        http: { response: { status: 200 } },
      });
      expect(call.end_time).toBeGreaterThanOrEqual(call.start_time);
      expect(call.start_time).toBeGreaterThanOrEqual(handler?.start_time as number);
    }
  });

  it('marks a 5xx a fault, a 4xx an error, a failed call a fault with its cause, and cold start once', async () => {
    const before = daemon.documents.length;
    const tracer = new XRayTracer('bucket-status', env());
    const client = tracer.captureDynamoClient(createDynamoClient({ endpoint: table.endpoint }));
    tracer.begin();
    tracer.end(401);
    tracer.begin();
    await expect(
      client.send(new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'a' } } })),
    ).rejects.toThrow();
    tracer.end(503);
    const docs = (await daemon.waitFor(before + 3)).slice(before);
    const handlers = docs.filter((d) => d.name === '## index.handler');
    expect(handlers.map((h) => [h.annotations?.ColdStart, h.error, h.fault])).toEqual([
      [true, true, undefined],
      [false, undefined, true],
    ]);
    const failed = docs.find((d) => d.name === 'DynamoDB');
    expect(failed).toMatchObject({ error: true, http: { response: { status: 400 } } });
  });

  it('sends nothing outside a sampled invocation, or when tracing is turned off', async () => {
    const before = daemon.documents.length;
    for (const overrides of [
      { _X_AMZN_TRACE_ID: traceHeader(ROOT, PARENT, false) },
      { _X_AMZN_TRACE_ID: undefined },
      { AWS_XRAY_DAEMON_ADDRESS: undefined },
      { POWERTOOLS_TRACE_ENABLED: 'false' },
    ]) {
      const tracer = new XRayTracer('bucket-status', env(overrides));
      const client = tracer.captureDynamoClient(createDynamoClient({ endpoint: table.endpoint }));
      tracer.begin();
      await client.send(
        new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
      );
      tracer.end(200);
    }
    // A traced invocation afterwards proves the socket would have delivered anything sent.
    const tracer = new XRayTracer('bucket-status', env());
    tracer.begin();
    tracer.end(200);
    const docs = (await daemon.waitFor(before + 1)).slice(before);
    expect(docs).toHaveLength(1);
    expect(docs[0]?.name).toBe('## index.handler');
  });
});
