import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SWEEP_INDEX } from '../../functions/data/table-definition.ts';
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  ROUTES,
  routeKeyOf,
  routesOf,
  tableActionsOf,
} from '../../functions/route-table.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { FUNCTION_ENTRIES } from '../../infra/bundling.ts';
import { createLocalFunctions } from '../../local/handlers.ts';
import { testSettings } from '../support/wiring.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the route table', () => {
  it('names modules that exist', () => {
    for (const name of FUNCTION_NAMES) {
      expect(existsSync(path.join(ROOT, FUNCTIONS[name].entry)), FUNCTIONS[name].entry).toBe(true);
      expect(existsSync(path.join(ROOT, FUNCTIONS[name].wiring)), FUNCTIONS[name].wiring).toBe(
        true,
      );
    }
    for (const route of ROUTES) {
      expect(existsSync(path.join(ROOT, route.handler)), route.handler).toBe(true);
    }
  });

  it('has unique route keys, each served by an HTTP function, and no HTTP function without one', () => {
    const keys = ROUTES.map((route) => routeKeyOf(route));
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of ROUTES) expect(FUNCTIONS[route.function].kind).toBe('http');
    for (const name of FUNCTION_NAMES) {
      if (FUNCTIONS[name].kind === 'http') expect(routesOf(name).length).toBeGreaterThan(0);
    }
  });

  it('gives the bundling one entry per function', () => {
    expect(Object.keys(FUNCTION_ENTRIES).sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const name of FUNCTION_NAMES) expect(FUNCTION_ENTRIES[name]).toBe(FUNCTIONS[name].entry);
  });

  it('grants each function exactly its routes’ table actions', () => {
    expect(tableActionsOf('status')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(tableActionsOf('workspace')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    expect(tableActionsOf('ingest')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(tableActionsOf('sweep')).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(FUNCTIONS.sweep.tableIndexes).toEqual([SWEEP_INDEX.name]);
  });

  it('is what the local runtime serves: each function wired by its module, one handler per route', async () => {
    const client = createDynamoClient({ endpoint: 'http://127.0.0.1:9' });
    try {
      const local = await createLocalFunctions({
        client,
        settings: testSettings('route-table', 'route-table-secret-at-least-32-bytes!!'),
        logger: createLogger('route-table-test'),
      });
      expect(local.routes.map((route) => `${route.method} ${route.path}`)).toEqual(
        ROUTES.map((route) => routeKeyOf(route)),
      );
      for (const route of local.routes) expect(route.handler).toBeTypeOf('function');
      for (const name of FUNCTION_NAMES) {
        if (FUNCTIONS[name].kind !== 'http') expect(local.events[name]).toBeTypeOf('function');
      }
      for (const name of FUNCTION_NAMES) {
        if (FUNCTIONS[name].kind !== 'http') continue;
        expect(Object.keys(local.http[name] ?? {}).sort()).toEqual(
          routesOf(name)
            .map((route) => routeKeyOf(route))
            .sort(),
        );
      }
    } finally {
      client.destroy();
    }
  });
});
