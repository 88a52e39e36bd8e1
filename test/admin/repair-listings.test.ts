/**
 * The overview's listing rows (docs/ARCHITECTURE.md, "The workspace overview") for workspaces
 * and buckets that have a META row but no listing row: those an older release created (META
 * rows written straight to the table here, as it wrote them) and those of a create that stopped
 * between its two writes. `repair-listings` lists the first kind, re-running the create lists
 * the second; either way GET /me (of an org ADMIN) and GET /workspace/{id}/buckets, through the
 * production wiring, then show them in name order.
 */
import { randomUUID } from 'node:crypto';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createListingRows } from '../../admin/listing-rows.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { dispatchByRoute } from '../../functions/shared/wiring.ts';
import { wire as wireWorkspace } from '../../functions/workspace/wiring.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';
import { JWT_TEST_SECRET, userToken } from '../support/ingest-fixture.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';
import { testSettings } from '../support/wiring.ts';
import { adminRunner } from './helpers.ts';

const id = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A fresh table, the CLI on it, the workspace function's routes, and an org ADMIN of `orgId`. */
async function world() {
  const table = await createTestTable('admin-listings');
  const seed = new Seeder(table.client, table.tableName);
  const admin = adminRunner(table);
  const http = dispatchByRoute(
    wireWorkspace({
      client: table.client,
      settings: testSettings(table.tableName, JWT_TEST_SECRET),
      logger: createLogger('admin-listings-test'),
    }).routes,
  );
  const orgId = id('org');
  const userId = id('owner');
  await seed.user(userId, { orgId, orgRole: 'ADMIN' });
  const token = await userToken(userId);
  const get = async (routeKey: string, path: string, pathParameters?: Record<string, string>) => {
    const event = httpApiEvent({
      method: 'GET',
      path,
      routeKey,
      headers: { authorization: `Bearer ${token}` },
      ...(pathParameters && { pathParameters }),
    });
    const result = (await http(event, lambdaContext())) as HttpResult;
    expect(result.statusCode, result.body).toBe(200);
    return JSON.parse(result.body) as Record<string, unknown>;
  };
  return {
    table,
    seed,
    orgId,
    /** The CLI, which must succeed; its stdout. */
    async ok(argv: string[]) {
      const run = await admin(argv);
      expect(run, `${argv.join(' ')}: ${run.stderr}`).toMatchObject({ code: 0, stderr: '' });
      return run.stdout;
    },
    admin,
    /** GET /me's workspaces as (id, name), in the order answered. */
    async workspaces() {
      const me = await get('GET /me', '/me');
      expect(me).toMatchObject({ userId, orgId, orgRole: 'ADMIN' });
      return (me.workspaces as { workspaceId: string; name: string; role: string }[]).map(
        ({ workspaceId, name, role }) => {
          expect(role).toBe('ORG_ADMIN');
          return { workspaceId, name };
        },
      );
    },
    /** GET /workspace/{id}/buckets' buckets as (id, name), in the order answered. */
    async buckets(workspaceId: string) {
      const page = await get(
        'GET /workspace/{workspaceId}/buckets',
        `/workspace/${workspaceId}/buckets`,
        { workspaceId },
      );
      return (page.buckets as { bucketId: string; name: string }[]).map(({ bucketId, name }) => ({
        bucketId,
        name,
      }));
    },
  };
}

/** Every row of the table, in key order (a test may scan). */
async function allRows(table: TestTable) {
  const rows: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.tableName,
        ConsistentRead: true,
        ...(start && { ExclusiveStartKey: start }),
      }),
    );
    rows.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  const keyOf = (row: Record<string, AttributeValue>) => `${row.pk?.S}\u0000${row.sk?.S}`;
  return rows.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
}

describe('repair-listings', () => {
  it('lists the workspaces and buckets of an older release, by name, and changes nothing run again', async () => {
    const w = await world();
    // A workspace and a bucket created now (listed), beside the META rows of an older release.
    const listedWs = id('ws');
    await w.ok([
      'create-workspace',
      '--workspace-id',
      listedWs,
      '--org-id',
      w.orgId,
      '--name',
      'mid',
    ]);
    const [oldWsB, oldWsA, otherOrgWs] = [id('ws'), id('ws'), id('ws')];
    await w.seed.workspace(oldWsB, { orgId: w.orgId, name: 'beta' });
    await w.seed.workspace(oldWsA, { orgId: w.orgId, name: 'Alpha' });
    await w.seed.workspace(otherOrgWs, { orgId: id('org'), name: 'aaa elsewhere' });
    const listedBucket = id('b');
    await w.ok([
      'create-bucket',
      '--bucket-id',
      listedBucket,
      '--workspace-id',
      oldWsB,
      '--name',
      'mid',
    ]);
    const [oldZ, oldA, oldA2] = [id('b'), id('b'), id('b')];
    await w.seed.bucket(oldZ, { workspaceId: oldWsB, orgId: w.orgId, name: 'zeta' });
    await w.seed.bucket(oldA, { workspaceId: oldWsB, orgId: w.orgId, name: 'alpha' });
    await w.seed.bucket(oldA2, { workspaceId: oldWsB, orgId: w.orgId, name: 'alpha' });

    // Not listed: the overview does not know them.
    expect(await w.workspaces()).toStrictEqual([{ workspaceId: listedWs, name: 'mid' }]);
    expect(await w.buckets(oldWsB)).toStrictEqual([{ bucketId: listedBucket, name: 'mid' }]);

    expect(await w.ok(['repair-listings'])).toBe(
      'workspaces: 3 listing rows written, 1 already present\n' +
        'buckets: 3 listing rows written, 1 already present\n',
    );
    expect(await w.workspaces()).toStrictEqual([
      { workspaceId: oldWsA, name: 'Alpha' },
      { workspaceId: oldWsB, name: 'beta' },
      { workspaceId: listedWs, name: 'mid' },
    ]);
    const [first, second] = [oldA, oldA2].sort();
    expect(await w.buckets(oldWsB)).toStrictEqual([
      { bucketId: first, name: 'alpha' },
      { bucketId: second, name: 'alpha' },
      { bucketId: listedBucket, name: 'mid' },
      { bucketId: oldZ, name: 'zeta' },
    ]);

    // Twice: every row already there, and not one row of the table changed.
    const before = await allRows(w.table);
    expect(await w.ok(['repair-listings'])).toBe(
      'workspaces: 0 listing rows written, 4 already present\n' +
        'buckets: 0 listing rows written, 4 already present\n',
    );
    expect(await allRows(w.table)).toStrictEqual(before);
  });

  it('skips, and names, a META row it cannot list; an empty table is two zero counts', async () => {
    const w = await world();
    expect(await w.ok(['repair-listings'])).toBe(
      'workspaces: 0 listing rows written, 0 already present\n' +
        'buckets: 0 listing rows written, 0 already present\n',
    );
    const ws = id('ws');
    await w.seed.workspace(ws, { orgId: w.orgId, name: 'fine' });
    const nameless = id('b');
    await w.seed.put({ pk: `BUCKET#${nameless}`, sk: 'META', workspaceId: ws, orgId: w.orgId });
    expect(await w.ok(['repair-listings'])).toBe(
      'workspaces: 1 listing rows written, 0 already present\n' +
        'buckets: 0 listing rows written, 0 already present\n' +
        `skipped BUCKET#${nameless}: no valid workspace or name\n`,
    );
    expect(await w.buckets(ws)).toStrictEqual([]);
  });
  it('follows every page of its Scan, pages with no META row among them', async () => {
    const w = await world();
    const ws = id('ws');
    await w.seed.workspace(ws, { orgId: w.orgId, name: 'many' });
    const bucketIds = Array.from({ length: 7 }, (_, i) => `b-${i}-${randomUUID().slice(0, 8)}`);
    for (const [i, bucketId] of bucketIds.entries()) {
      await w.seed.bucket(bucketId, { workspaceId: ws, orgId: w.orgId, name: `n${i}` });
      // Rows the filter drops: a page of these holds no META row.
      await w.seed.assignment(bucketId, 'node-a');
      await w.seed.assignment(bucketId, 'node-b');
    }
    const rows = createListingRows(w.table.client, w.table.tableName, { scanPageItems: 2 });
    expect(await rows.repairListings()).toStrictEqual({
      workspaces: { written: 1, present: 0 },
      buckets: { written: 7, present: 0 },
      skipped: [],
    });
    expect(await w.workspaces()).toStrictEqual([{ workspaceId: ws, name: 'many' }]);
    expect(await w.buckets(ws)).toStrictEqual(
      bucketIds.map((bucketId, i) => ({ bucketId, name: `n${i}` })),
    );
  });
});

describe('re-running a create that stopped after its META row', () => {
  it('create-workspace writes the listing row, then answers "already exists"', async () => {
    const w = await world();
    const ws = id('ws');
    // What create-workspace's first write leaves when the process dies before its second.
    await w.seed.workspace(ws, { orgId: w.orgId, name: 'Media' });
    expect(await w.workspaces()).toStrictEqual([]);

    // Another org or another name is another workspace's creation: refused, nothing listed.
    for (const args of [
      ['--org-id', id('org'), '--name', 'Media'],
      ['--org-id', w.orgId, '--name', 'Other'],
      ['--org-id', w.orgId],
    ]) {
      const refused = await w.admin(['create-workspace', '--workspace-id', ws, ...args]);
      expect(refused).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `error: workspace ${ws} already exists\n`,
      });
    }
    expect(await w.workspaces()).toStrictEqual([]);

    const again = await w.admin([
      'create-workspace',
      '--workspace-id',
      ws,
      '--org-id',
      w.orgId,
      '--name',
      'Media',
    ]);
    expect(again).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `error: workspace ${ws} already exists\n`,
    });
    expect(await w.workspaces()).toStrictEqual([{ workspaceId: ws, name: 'Media' }]);
  });

  it('create-bucket writes the listing row (and the initial health state), then answers "already exists"', async () => {
    const w = await world();
    const ws = id('ws');
    const elsewhere = id('ws');
    await w.ok(['create-workspace', '--workspace-id', ws, '--org-id', w.orgId]);
    await w.ok(['create-workspace', '--workspace-id', elsewhere, '--org-id', w.orgId]);
    const bucket = id('b');
    const createdAt = '2027-01-02T03:04:05.678Z';
    // What create-bucket's first write leaves when the process dies before its second.
    await w.seed.put({
      pk: `BUCKET#${bucket}`,
      sk: 'META',
      workspaceId: ws,
      orgId: w.orgId,
      name: 'photos',
      createdAt,
    });
    expect(await w.buckets(ws)).toStrictEqual([]);

    for (const args of [
      ['--workspace-id', elsewhere, '--name', 'photos'],
      ['--workspace-id', ws, '--name', 'videos'],
    ]) {
      const refused = await w.admin(['create-bucket', '--bucket-id', bucket, ...args]);
      expect(refused).toStrictEqual({
        code: 1,
        stdout: '',
        stderr: `error: bucket ${bucket} already exists\n`,
      });
    }
    expect(await w.buckets(ws)).toStrictEqual([]);
    expect(await w.buckets(elsewhere)).toStrictEqual([]);

    const again = await w.admin([
      'create-bucket',
      '--bucket-id',
      bucket,
      '--workspace-id',
      ws,
      '--name',
      'photos',
    ]);
    expect(again).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `error: bucket ${bucket} already exists\n`,
    });
    expect(await w.buckets(ws)).toStrictEqual([{ bucketId: bucket, name: 'photos' }]);
    // Its health timeline starts at the META row's creation, as the first run would have.
    const state = (await allRows(w.table)).find(
      (row) => row.pk?.S === `HEALTH#${bucket}` && row.sk?.S === 'STATE',
    );
    expect(state?.createdAt?.N).toBe(String(Date.parse(createdAt)));
    expect(state?.verdict?.S).toBe('UNKNOWN');
  });
});
