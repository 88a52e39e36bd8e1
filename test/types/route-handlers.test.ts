import { describe, expect, expectTypeOf, it } from 'vitest';
import { ROUTES, type RouteKeysOf, routeKeyOf } from '../../functions/route-table.ts';
import type { HttpHandler, RouteHandlers } from '../../functions/shared/wiring.ts';

/**
 * Each HTTP wiring writes its routes as `{ ... } satisfies RouteHandlers<'name'>`. These checks
 * are compiled by tsc (`npm run check` type-checks test/): each `@ts-expect-error` fails the
 * check when the line below it compiles, so a routes object that lacks a route of the table,
 * or has one the table does not give the function, must stay a type error.
 */

const h: HttpHandler = async () => ({ statusCode: 204 });
const STATUS = 'GET /bucket/{bucketId}/status';
const STATS = 'POST /bucket/{bucketId}/stats';
const UPTIME = 'GET /bucket/{bucketId}/uptime';
const EVENTS = 'GET /bucket/{bucketId}/events';
const MAINTENANCE = 'GET /bucket/{bucketId}/maintenance';
const HEALTH = 'GET /bucket/{bucketId}/health';
const HEALTH_EVENTS = 'GET /bucket/{bucketId}/health/events';
const METRICS = 'GET /workspace/{workspaceId}/metrics';
const ME = 'GET /me';
const BUCKETS = 'GET /workspace/{workspaceId}/buckets';

describe('RouteHandlers<F>: exactly the routes the table gives F', () => {
  it('derives each function route keys from ROUTES', () => {
    expectTypeOf<RouteKeysOf<'status'>>().toEqualTypeOf<
      | typeof STATUS
      | typeof STATS
      | typeof UPTIME
      | typeof HEALTH
      | typeof HEALTH_EVENTS
      | typeof MAINTENANCE
    >();
    expectTypeOf<RouteKeysOf<'workspace'>>().toEqualTypeOf<
      typeof ME | typeof BUCKETS | typeof METRICS
    >();
    expectTypeOf<RouteKeysOf<'events'>>().toEqualTypeOf<typeof EVENTS>();
    expectTypeOf<RouteKeysOf<'ingest'>>().toEqualTypeOf<'POST /node/status'>();
    expect(ROUTES.filter((r) => r.function === 'status').map(routeKeyOf)).toEqual([
      STATUS,
      STATS,
      UPTIME,
      HEALTH,
      HEALTH_EVENTS,
      MAINTENANCE,
    ]);
    expect(ROUTES.filter((r) => r.function === 'workspace').map(routeKeyOf)).toEqual([
      ME,
      BUCKETS,
      METRICS,
    ]);
  });

  it('accepts a handler for each route and nothing else', () => {
    const routes = {
      [STATUS]: h,
      [STATS]: h,
      [UPTIME]: h,
      [HEALTH]: h,
      [HEALTH_EVENTS]: h,
      [MAINTENANCE]: h,
    } satisfies RouteHandlers<'status'>;
    expect(Object.keys(routes)).toHaveLength(6);
  });

  it('rejects a route without a handler', () => {
    // @ts-expect-error: the uptime route of the status function has no handler
    const routes = { [STATUS]: h, [STATS]: h, [MAINTENANCE]: h } satisfies RouteHandlers<'status'>;
    expect(Object.keys(routes)).toHaveLength(3);
  });

  it('rejects a handler without a route', () => {
    const routes = {
      [STATUS]: h,
      [STATS]: h,
      [UPTIME]: h,
      [MAINTENANCE]: h,
      // @ts-expect-error: the events route is the events function's, not the status function's
      [EVENTS]: h,
    } satisfies RouteHandlers<'status'>;
    expect(Object.keys(routes)).toHaveLength(5);
  });

  it('rejects a route of no function at all', () => {
    // @ts-expect-error: the table has no such route
    const routes = { 'GET /bucket/{bucketId}/nothing': h } satisfies RouteHandlers<'events'>;
    expect(Object.keys(routes)).toHaveLength(1);
  });
});
