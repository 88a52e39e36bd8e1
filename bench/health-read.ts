// GET /bucket/{bucketId}/health on the production wiring versus its floor: the reads it must
// make (the user's partition Query, the bucket partition Query with its pages, the STATE
// GetItem, the windows Query, the tail Queries) issued directly, all at once, interleaved.
import {
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { HttpResult } from '../functions/http/response.ts';
import { httpApiEvent, lambdaContext } from '../test/support/events.ts';
import { type BenchEngine, putRows } from './engine.ts';
import {
  benchStatusWiring,
  freshBucketRows,
  handlerSubject,
  putFreshCheckpoint,
  queryPages,
} from './read-setup.ts';
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

export async function benchHealthRead(
  engine: BenchEngine,
  options: HealthReadOptions,
): Promise<HealthReadRow[]> {
  const { client, tableName } = engine;
  const { routes, token } = await benchStatusWiring(client, tableName, {
    userId: READER,
    orgId: ORG,
    workspaceId: WORKSPACE,
  });
  const handler = routes['GET /bucket/{bucketId}/health'];
  const recorder = recordCommands(client);

  const rows: HealthReadRow[] = [];
  for (const nodes of options.sizes) {
    const bucketId = `bench-health-${nodes}`;
    const now = Date.now();
    const meta = { workspaceId: WORKSPACE, orgId: ORG };
    await putRows(client, tableName, freshBucketRows(bucketId, nodes, now, meta));
    await putFreshCheckpoint(client, tableName, bucketId, now, nodes);
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
