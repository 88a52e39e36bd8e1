// queryAll (functions/data/query-all.ts) over the real engine: a Query that spans pages is read
// to its end, every page handed over in order, and an outage is a 503.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Item, readString, S } from '../../functions/data/attributes.ts';
import { queryAll } from '../../functions/data/query-all.ts';
import { errorResponse } from '../../functions/http/response.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { withFaultProxy } from '../support/fault-proxy.ts';
import { Seeder } from '../support/seed.ts';
import { createTestTable, type TestTable } from '../support/table.ts';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable('query-all');
});

const partition = (pk: string, limit?: number) => ({
  TableName: table.tableName,
  KeyConditionExpression: 'pk = :pk',
  ExpressionAttributeValues: { ':pk': S(pk) },
  ...(limit !== undefined && { Limit: limit }),
});

describe('queryAll', () => {
  it('follows the pages to the end, handing each one over in key order', async () => {
    const pk = `PAGED#${randomUUID()}`;
    const seed = new Seeder(table.client, table.tableName);
    const sks = ['a', 'b', 'c', 'd', 'e'];
    await seed.putMany(sks.map((sk) => ({ pk, sk })));
    const pages: string[][] = [];
    // Two rows a page: three pages, the last one short.
    await queryAll(table.client, partition(pk, 2), (items: Item[]) => {
      pages.push(items.map((item) => readString(item, 'sk') as string));
    });
    expect(pages).toStrictEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('with maxItems: all of a partition that holds that many, true', async () => {
    const pk = `BOUND#${randomUUID()}`;
    await new Seeder(table.client, table.tableName).putMany(
      ['a', 'b', 'c'].map((sk) => ({ pk, sk })),
    );
    const seen: string[] = [];
    const complete = await queryAll(
      table.client,
      partition(pk),
      (items) => seen.push(...items.map((item) => readString(item, 'sk') as string)),
      3,
    );
    expect(complete).toBe(true);
    expect(seen).toStrictEqual(['a', 'b', 'c']);
  });

  it('with maxItems: one more is read at most, none handed over, and the answer is false', async () => {
    const pk = `OVER#${randomUUID()}`;
    await new Seeder(table.client, table.tableName).putMany(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((sk) => ({ pk, sk })),
    );
    await withFaultProxy(table.endpoint, async (proxy) => {
      const client = createDynamoClient({ endpoint: proxy.endpoint });
      const limits = () =>
        proxy.seen.map((request) => (JSON.parse(request.body) as { Limit?: number }).Limit);
      const pages: string[][] = [];
      const onPage = (items: Item[]) =>
        pages.push(items.map((item) => readString(item, 'sk') as string));
      // No page size of its own: one Query whose Limit is the bound plus one, 3 rows of 6.
      expect(await queryAll(client, partition(pk), onPage, 2)).toBe(false);
      expect(pages).toStrictEqual([]);
      expect(limits()).toStrictEqual([3]);
      // Two rows a page: each page's Limit is the smaller of 2 and what is left (5, 3, then 1).
      proxy.clear();
      expect(await queryAll(client, partition(pk, 2), onPage, 4)).toBe(false);
      expect(pages).toStrictEqual([
        ['a', 'b'],
        ['c', 'd'],
      ]);
      expect(limits()).toStrictEqual([2, 2, 1]);
      // A bound that holds the partition: read whole, true.
      pages.length = 0;
      expect(await queryAll(client, partition(pk), onPage, 6)).toBe(true);
      expect(pages.flat()).toStrictEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    });
  });

  it('an empty partition is one empty page', async () => {
    const pages: Item[][] = [];
    await queryAll(table.client, partition(`EMPTY#${randomUUID()}`), (items) => pages.push(items));
    expect(pages).toStrictEqual([[]]);
  });

  it('an outage is a 503, not a short result', async () => {
    await withFaultProxy(table.endpoint, async (proxy) => {
      proxy.fail({ kind: 'internal', operation: 'Query', times: 1 });
      const client = createDynamoClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
      const refused = await queryAll(client, partition(`X#${randomUUID()}`), () => undefined).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(errorResponse(refused).statusCode).toBe(503);
    });
  });
});
