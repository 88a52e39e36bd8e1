// A public read costs no more than the authenticated read of the same bucket (issue 24): the
// same routes through the production wiring of the status and public functions, each on a
// client whose calls are traced, compared in requests, items read and round trips.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createShareStore } from '../../functions/data/shares.ts';
import { generateShareToken, shareTokenHash } from '../../functions/domain/shares.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { wire as wirePublic } from '../../functions/public/wiring.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { wire as wireStatus } from '../../functions/status/wiring.ts';
import { commandName, traceCalls } from '../support/call-trace.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { Seeder } from '../support/seed.ts';
import { bearer, hs256Token, TEST_SECRET } from '../support/status-fixture.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';

let table: TestTable;
const bucketId = randomUUID();
const userId = randomUUID();
const token = generateShareToken();

beforeAll(async () => {
  table = await createTestTable('public-cost');
  const seed = new Seeder(table.client, table.tableName);
  const workspaceId = randomUUID();
  const orgId = randomUUID();
  await seed.workspace(workspaceId, { orgId });
  await seed.user(userId, { orgId });
  await seed.membership(userId, workspaceId, 'READ');
  await seed.bucket(bucketId, { workspaceId, orgId });
  const lastUpdated = new Date().toISOString();
  await seed.putMany(
    Array.from({ length: 50 }, (_, i) =>
      seed.assignmentRow(bucketId, `n-${String(i).padStart(3, '0')}`, {
        ip: '10.0.0.1',
        region: 'us-east-1',
        version: '1.0.0',
        status: 'ONLINE',
        lastUpdated,
      }),
    ),
  );
  await createShareStore(table.client, table.tableName).putShare(bucketId, {
    shareId: 'shr_cost',
    slot: 0,
    label: undefined,
    showIps: true,
    createdAt: lastUpdated,
    tokenHash: shareTokenHash(token),
  });
});

/** One request through a function's wiring on a traced client: its calls and items read. */
async function measure(
  which: 'status' | 'public',
  routeKey: string,
  path: string,
  pathParameters: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const client = createDynamoClient({ endpoint: table.endpoint });
  const traced = traceCalls(client, (command) => ({ command: commandName(command) }));
  const deps = {
    client,
    settings: testSettings(table.tableName, TEST_SECRET),
    logger: createLogger('public-cost'),
  };
  const routes = (which === 'status' ? wireStatus(deps) : wirePublic(deps)).routes as Record<
    string,
    (e: APIGatewayProxyEventV2, c: unknown) => Promise<unknown>
  >;
  const handler = routes[routeKey];
  if (handler === undefined) throw new Error(`no ${routeKey}`);
  const result = (await handler(
    httpApiEvent({ method: 'GET', path, routeKey, headers, pathParameters }),
    lambdaContext(),
  )) as HttpResult;
  client.destroy();
  expect(result.statusCode, result.body).toBe(200);
  return { requests: traced.calls.length, roundTrips: traced.roundTrips(), body: result.body };
}

describe('a public GET reads no more than the authenticated one', () => {
  it.each([
    ['status', 'status'],
    ['uptime', 'uptime'],
    ['health', 'health'],
    ['health/events', 'health/events'],
  ])('%s', async (route) => {
    const auth = await measure(
      'status',
      `GET /bucket/{bucketId}/${route}`,
      `/bucket/${bucketId}/${route}`,
      { bucketId },
      bearer(await hs256Token(userId)),
    );
    const shared = await measure(
      'public',
      `GET /public/{token}/${route}`,
      `/public/${token}/${route}`,
      { token },
    );
    expect(shared.requests).toBeLessThanOrEqual(auth.requests);
    // The token's read names the bucket, so it comes first: one round trip more at most.
    expect(shared.roundTrips).toBeLessThanOrEqual(auth.roundTrips + 1);
    console.log(
      `${route}: authenticated ${auth.requests} requests / ${auth.roundTrips} round trips, ` +
        `public ${shared.requests} / ${shared.roundTrips}`,
    );
  });
});
