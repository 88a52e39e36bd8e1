// GET /bucket/{bucketId}/health on the production wiring versus its floor: the reads it must
// make (the user's partition Query, the bucket partition Query with its pages, the STATE
// GetItem, the windows Query, the tail Queries) issued directly, all at once, interleaved.
import {
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { SignJWT } from 'jose';
import { checkpointItem, entryItem } from '../functions/data/bucket-health.ts';
import {
  bucketPk,
  HEALTH_STATE_SK,
  healthPk,
  META_SK,
  PROFILE_SK,
  userPk,
  workspaceSk,
} from '../functions/data/keys.ts';
import { initialCheckpoint } from '../functions/domain/health-timeline.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { wire as wireStatus } from '../functions/status/wiring.ts';
import { httpApiEvent, lambdaContext } from '../test/support/events.ts';
import { type BenchEngine, putRows, type Row } from './engine.ts';
import { BENCH_JWT_SECRET, reportedRow } from './read-path.ts';
import { type Comparison, compare, interleave } from './stats.ts';

const READER = 'bench-health-reader';
const WORKSPACE = 'bench-health-workspace';
const ORG = 'bench-health-org';

export interface HealthReadRow extends Comparison {
  nodes: number;
  /** DynamoDB requests of one read (the floor sends the same ones). */
  requests: number;
}

export interface HealthReadOptions {
  sizes: number[];
  iterations: number;
  maxMsPerSize: number;
  maxMsBySize?: Record<number, number>;
}

type Sent = { command: string; input: QueryCommandInput | GetItemCommandInput };

/** Records every command the client sends while `on`. */
export function recordCommands(client: DynamoDBClient, name = 'benchRecordCommands') {
  let on = false;
  let sent: Sent[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (on)
        sent.push({ command: context.commandName as string, input: args.input as Sent['input'] });
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    start: () => {
      sent = [];
      on = true;
    },
    stop: () => {
      on = false;
      return sent;
    },
  };
}

export async function queryPages(
  client: DynamoDBClient,
  input: QueryCommandInput,
): Promise<number> {
  let items = 0;
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items += page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/**
 * The floor of a read: the reads it sent (first pages only; a Query's further pages are followed
 * by queryPages), replayed in parallel straight to the engine.
 */
export function floorOf(
  client: DynamoDBClient,
  sent: readonly { command: string; input: unknown }[],
) {
  const firstPages = sent.filter(
    (s) => !(s.command === 'QueryCommand' && (s.input as QueryCommandInput).ExclusiveStartKey),
  );
  const floorReads = firstPages.map((s) =>
    s.command === 'GetItemCommand'
      ? () => client.send(new GetItemCommand(s.input as GetItemCommandInput)).then(() => 0)
      : () => queryPages(client, s.input as QueryCommandInput),
  );
  return () => ({
    run: async () => {
      await Promise.all(floorReads.map((read) => read()));
    },
  });
}

/** The subject of a read: one invocation of the handler, checked to have answered 200. */
export function handlerSubject<E>(
  handler: (event: E, context: ReturnType<typeof lambdaContext>) => Promise<unknown>,
  event: () => E,
  label: string,
) {
  return () => {
    const e = event();
    const context = lambdaContext();
    let response: HttpResult | undefined;
    return {
      run: async () => {
        response = (await handler(e, context)) as HttpResult;
      },
      check: () => {
        if (response?.statusCode !== 200) {
          throw new Error(`${label} failed: ${response?.body.slice(0, 200)}`);
        }
      },
    };
  };
}

export async function benchHealthRead(
  engine: BenchEngine,
  options: HealthReadOptions,
): Promise<HealthReadRow[]> {
  const { client, tableName } = engine;
  await putRows(client, tableName, [
    { pk: userPk(READER), sk: PROFILE_SK, orgId: ORG, orgRole: 'MEMBER', status: 'ACTIVE' },
    { pk: userPk(READER), sk: workspaceSk(WORKSPACE), role: 'READ' },
  ]);
  const handler = wireStatus({
    client,
    settings: {
      tableName,
      jwt: { source: { kind: 'secret', secret: BENCH_JWT_SECRET } },
      // Long enough that seeded reports stay fresh for the whole run (same work per read).
      staleAfterSeconds: 86_400,
      historyRetentionDays: 400,
      eventRetentionDays: 90,
      eventsCursorKey: { kind: 'secret', secret: BENCH_JWT_SECRET, setting: 'JWT_SECRET' },
    },
    logger: createLogger('bucket-status-bench'),
  }).routes['GET /bucket/{bucketId}/health'];
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(READER)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(BENCH_JWT_SECRET));
  const recorder = recordCommands(client);

  const rows: HealthReadRow[] = [];
  for (const nodes of options.sizes) {
    const bucketId = `bench-health-${nodes}`;
    const now = Date.now();
    const seeded: Row[] = [
      { pk: bucketPk(bucketId), sk: META_SK, workspaceId: WORKSPACE, orgId: ORG },
    ];
    const lastUpdated = new Date(now).toISOString();
    for (let i = 0; i < nodes; i++) {
      const row = reportedRow(bucketId, `node-${String(i).padStart(5, '0')}`, i, lastUpdated);
      seeded.push({ ...row, lastAt: now });
    }
    await putRows(client, tableName, seeded);
    // A checkpoint a minute old (the sweep keeps it that fresh): the read's tail is one round trip.
    const checkpoint = initialCheckpoint(now - 60_000, []);
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: healthPk(bucketId) },
          sk: { S: HEALTH_STATE_SK },
          ...checkpointItem(checkpoint),
          ...entryItem(checkpoint),
          ver: { N: '0' },
        },
      }),
    );
    const event = () =>
      httpApiEvent({
        method: 'GET',
        path: `/bucket/${bucketId}/health`,
        routeKey: 'GET /bucket/{bucketId}/health',
        pathParameters: { bucketId },
        headers: { authorization: `Bearer ${token}` },
      });
    // One untimed read: proves a 200 with every node counted, and records the reads it makes.
    recorder.start();
    const first = (await handler(event(), lambdaContext())) as HttpResult;
    const sent = recorder.stop();
    const body = JSON.parse(first.body) as { nodes?: { assigned?: number } };
    if (first.statusCode !== 200 || body.nodes?.assigned !== nodes) {
      throw new Error(
        `health read of ${nodes} nodes: ${first.statusCode} ${first.body.slice(0, 300)}`,
      );
    }
    // The floor: the same first-page reads, each Query paginated by the SDK loop, all at once.
    const floor = floorOf(client, sent);
    const subject = handlerSubject(handler, event, `health read of ${nodes} nodes`);
    const samples = await interleave(subject, floor, {
      warmup: 10,
      iterations: options.iterations,
      minIterations: 15,
      maxMs: options.maxMsBySize?.[nodes] ?? options.maxMsPerSize,
    });
    rows.push({ nodes, requests: sent.length, ...compare(samples) });
  }
  return rows;
}
