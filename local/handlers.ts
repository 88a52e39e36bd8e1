import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
  ROUTES,
  routeKeyOf,
  routesOf,
} from '../functions/route-table.ts';
import type { Logger } from '../functions/shared/logger.ts';
import type {
  HttpHandler,
  HttpRouteHandlers,
  Settings,
  WireDeps,
  WiredEventFunction,
  WiredHttpFunction,
  WireOverrides,
} from '../functions/shared/wiring.ts';
import type { HttpRoute } from './http-event.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

type Wire = (deps: WireDeps) => unknown;

/** Imports a function's wiring module (FUNCTIONS[name].wiring) and checks its export. */
async function loadWire(name: FunctionName): Promise<Wire> {
  const file = pathToFileURL(path.join(ROOT, FUNCTIONS[name].wiring)).href;
  const module = (await import(file)) as { wire?: unknown };
  if (typeof module.wire !== 'function') {
    throw new Error(`${FUNCTIONS[name].wiring} must export wire(deps)`);
  }
  return module.wire as Wire;
}

export interface LocalFunctions {
  /** Per HTTP function, its route handlers by route key. */
  http: Partial<Record<FunctionName, HttpRouteHandlers>>;
  /** Per scheduled or queue-driven function, its one handler (the runtime drives it). */
  events: Partial<Record<FunctionName, (event: unknown, context: unknown) => Promise<unknown>>>;
  /** The HTTP routes of the table, each on its wired handler, for the local HTTP adapter. */
  routes: HttpRoute[];
}

/**
 * Every function of the route table, wired by the same `wire(deps)` as its Lambda entry, from
 * a settings object instead of process.env at import time; and every route of the table on its
 * function's handler.
 */
export async function createLocalFunctions(input: {
  client: DynamoDBClient;
  settings: Settings;
  logger: Logger;
  overrides?: WireOverrides;
}): Promise<LocalFunctions> {
  const functions: LocalFunctions = { http: {}, events: {}, routes: [] };
  for (const name of FUNCTION_NAMES) {
    const wired = (await loadWire(name))(input) as WiredHttpFunction | WiredEventFunction;
    // Start-up work (e.g. a secret fetched at init) must succeed before the runtime serves.
    await wired.ready;
    if (FUNCTIONS[name].kind === 'http') {
      const handlers = (wired as WiredHttpFunction).routes;
      for (const route of routesOf(name)) {
        if (typeof handlers[routeKeyOf(route)] !== 'function') {
          throw new Error(`${FUNCTIONS[name].wiring}: no handler for ${routeKeyOf(route)}`);
        }
      }
      functions.http[name] = handlers;
    } else {
      functions.events[name] = (wired as WiredEventFunction).handler as (
        event: unknown,
        context: unknown,
      ) => Promise<unknown>;
    }
  }
  functions.routes = ROUTES.map((route) => ({
    method: route.method,
    path: route.path,
    handler: functions.http[route.function]?.[routeKeyOf(route)] as HttpHandler,
    functionName: `bucket-status-${route.function}`,
  }));
  return functions;
}

/**
 * The table's routes on the handlers of functions wired later: the server can listen (and so
 * know its own URL, which a setting may need) before the functions are wired. A request that
 * arrives before then fails as a 500.
 */
export function lateBoundRoutes(wired: () => LocalFunctions | undefined): HttpRoute[] {
  return ROUTES.map((route) => ({
    method: route.method,
    path: route.path,
    handler: (event, context) => {
      const handler = wired()?.http[route.function]?.[routeKeyOf(route)];
      if (handler === undefined) throw new Error(`${routeKeyOf(route)} is not wired yet`);
      return handler(event, context);
    },
    functionName: `bucket-status-${route.function}`,
  }));
}
