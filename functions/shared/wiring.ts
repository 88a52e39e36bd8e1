import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { RecordedHealthEvent } from '../domain/alert-message.ts';
import type { RecordedNodeEvent } from '../domain/events.ts';
import type { ResolveHost } from '../domain/webhook-url.ts';
import type { FUNCTIONS, FunctionName, HttpFunctionName, RouteKeysOf } from '../route-table.ts';
import type { Env, SETTINGS, SettingKey, Settings } from './config.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';

/**
 * The one deps shape every function's `wire(deps)` takes (the modules named by
 * functions/route-table.ts FUNCTIONS[*].wiring). The Lambda entry builds it from the
 * environment once per cold start, the local runtime from its config, the tests from a test
 * table; all three then go through the same wiring.
 */

/** The parsed settings a function may need, by key (config.ts SETTINGS: one reader each). */
export type { Settings };

/** The settings keys function F reads: its FUNCTIONS entry's `settings`. */
export type SettingKeysOf<F extends FunctionName> = (typeof FUNCTIONS)[F]['settings'][number];

/**
 * The settings function F's wiring gets: those its FUNCTIONS entry names (a key that is not one
 * of config.ts's SETTINGS fails the type check here).
 */
export type SettingsOf<F extends FunctionName> = Pick<Settings, SettingKeysOf<F>>;

/**
 * One reader per setting function F reads, by key: each wiring exports its `settings` as an
 * object literal `satisfies SettingReaders<'name'>`, so a key the table names without a reader
 * is a missing property and a reader the table does not name an excess one. The Lambda entry
 * reads exactly these (`readSettings`), so its bundle keeps no other reader.
 */
export type SettingReaders<F extends FunctionName> = {
  readonly [K in SettingKeysOf<F>]: (env: Env) => SettingValues<K>;
};

type SettingValues<K extends SettingKey> = ReturnType<(typeof SETTINGS)[K]['read']>;

/** What tests may replace; production passes none. */
export interface WireOverrides {
  /** The server clock, epoch ms. */
  now?: () => number;
  /** DNS for webhook URLs (the SSRF tests inject names that resolve to private addresses). */
  resolveHost?: ResolveHost;
  /**
   * The event writers' publish port (docs/ARCHITECTURE.md, "Events and the sweep"): the local
   * runtime's in-process alert queue (local/alert-queue.ts); deployed absent, the table's
   * stream feeds alerts instead. Never awaited by a writer, so it cannot slow or fail a report.
   */
  onEventsRecorded?: (events: RecordedNodeEvent[]) => void;
  /**
   * The sweep's health step's publish port: the health events it recorded for the first time
   * (the local alert queue; deployed absent: the stream carries them).
   */
  onHealthRecorded?: (events: RecordedHealthEvent[]) => void;
  /**
   * GET metrics' series bound (DESIGN.md section 18: 50,000); tests lower it instead of seeding
   * 50,000 series.
   */
  maxMetricsSeries?: number;
}

export interface WireDeps<S extends Partial<Settings> = Settings> {
  client: DynamoDBClient;
  /** The settings the function reads; each wiring names the subset it needs. */
  settings: S;
  logger: Logger;
  /** The Lambda entry's metrics (functions/shared/observability.ts); silent when absent. */
  metrics?: ServiceMetrics;
  overrides?: WireOverrides;
}

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** One handler per route key an HTTP function serves (FUNCTIONS + ROUTES). */
export type HttpRouteHandlers = Readonly<Record<string, HttpHandler>>;

/**
 * Exactly the handlers of function F's routes, keyed by route key. Each HTTP wiring writes its
 * `routes` as an object literal `satisfies RouteHandlers<'name'>`: a route of the table without
 * a handler is a missing property, a handler for a route the table does not give F is an
 * excess property; both fail the type check (test/types/route-handlers.test.ts).
 */
export type RouteHandlers<F extends HttpFunctionName> = {
  readonly [K in RouteKeysOf<F>]: HttpHandler;
};

/**
 * What an HTTP function's `wire(deps)` returns: its route handlers, and `ready` when start-up
 * work must finish (or fail) before the first request, e.g. fetching JWT_SECRET_ARN's secret.
 * The Lambda entry awaits it at init, so unusable settings fail the cold start.
 */
export interface WiredHttpFunction {
  routes: HttpRouteHandlers;
  ready?: Promise<unknown>;
}

/** A scheduled or queue-driven function's handler. */
export type EventHandler = (event: never, context: Context) => Promise<unknown>;

/** What a scheduled or queue-driven function's `wire(deps)` returns. */
export interface WiredEventFunction {
  handler: EventHandler;
  ready?: Promise<unknown>;
}

/**
 * The Lambda handler of an HTTP function: the route's handler, chosen by the event's route key
 * (API Gateway only forwards the table's routes). With one route, that handler itself.
 */
export function dispatchByRoute(handlers: HttpRouteHandlers): HttpHandler {
  const entries = Object.values(handlers);
  if (entries.length === 1) return entries[0] as HttpHandler;
  return (event, context) => {
    const handler = handlers[event.routeKey];
    if (handler === undefined) throw new Error(`no handler for route ${event.routeKey}`);
    return handler(event, context);
  };
}
