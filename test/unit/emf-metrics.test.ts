/**
 * The house EMF metrics (functions/shared/metrics.ts) against the library they replace: for the
 * same calls, every line written to stdout equals the one Powertools Metrics (a devDependency,
 * the reference) writes through the port as functions/shared/metrics.ts implemented it with
 * Powertools, with the clocks (Date.now, performance.now) stubbed to the same readings. Then the
 * middleware's outcomes and routes, over a real middy chain, and random call sequences.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotFound } from '../../functions/domain/errors.ts';
import { httpErrorHandler } from '../../functions/http/error-middleware.ts';
import { jsonResponse } from '../../functions/http/response.ts';
import { readMetricsNamespace, readServiceName } from '../../functions/shared/config.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import {
  createServiceMetrics,
  metricsDisabled,
  outcomeOfStatus,
  recordBucketOutcomes,
  type ServiceMetrics,
  serviceMetrics,
} from '../../functions/shared/metrics.ts';
import { httpApiEvent, lambdaContext } from '../support/events.ts';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

type Env = Record<string, string | undefined>;

/** The reference: the port as it was implemented with Powertools Metrics. */
class PowertoolsServiceMetrics implements ServiceMetrics {
  readonly #metrics: Metrics;
  #route = 'unknown';
  #started = 0;

  constructor(env: Env) {
    this.#metrics = new Metrics({
      namespace: readMetricsNamespace(env),
      serviceName: readServiceName(env),
    });
  }

  begin(route: string): void {
    this.#route = route;
    this.#started = performance.now();
  }

  count(name: string, value: number): void {
    this.#metrics.addMetric(name, MetricUnit.Count, value);
  }

  countBy(name: string, dimension: string, value: string, count: number): void {
    const single = this.#metrics.singleMetric();
    single.addDimensions({ route: this.#route, [dimension]: value });
    single.addMetric(name, MetricUnit.Count, count);
  }

  end(outcome: string): void {
    const metrics = this.#metrics;
    metrics.addDimension('route', this.#route);
    metrics.addDimension('outcome', outcome);
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    metrics.addMetric(
      'Duration',
      MetricUnit.Milliseconds,
      Math.round((performance.now() - this.#started) * 100) / 100,
    );
    metrics.publishStoredMetrics();
  }
}

const NOW = Date.UTC(2026, 11, 7, 4, 30);

/** The stdout lines written while `run` runs, with both clocks stubbed to the same readings. */
function stdoutOf(run: () => void): string[] {
  const lines: string[] = [];
  let clock = 1000;
  vi.spyOn(Date, 'now').mockReturnValue(NOW);
  vi.spyOn(performance, 'now').mockImplementation(() => {
    clock += 12.345678;
    return clock;
  });
  const writes = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }),
    // Powertools' own warnings (a blank dimension, a repeated one) go to stderr: not compared.
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
    // In dev mode (POWERTOOLS_DEV) Powertools writes through the global console.
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    }),
    vi.spyOn(console, 'warn').mockImplementation(() => undefined),
  ];
  try {
    run();
  } finally {
    for (const spy of writes) spy.mockRestore();
  }
  return lines;
}

type Op =
  | { op: 'begin'; route: string }
  | { op: 'count'; name: string; value: number }
  | { op: 'countBy'; name: string; dimension: string; value: string; count: number }
  | { op: 'end'; outcome: string };

function play(metrics: ServiceMetrics, ops: readonly Op[]) {
  for (const op of ops) {
    if (op.op === 'begin') metrics.begin(op.route);
    else if (op.op === 'count') metrics.count(op.name, op.value);
    else if (op.op === 'countBy') metrics.countBy(op.name, op.dimension, op.value, op.count);
    else metrics.end(op.outcome);
  }
}

/** Both implementations' lines for the same calls; Powertools reads its switches from process.env. */
function bothWrite(env: Env, ops: readonly Op[]) {
  for (const [name, value] of Object.entries({
    POWERTOOLS_METRICS_DISABLED: undefined,
    POWERTOOLS_DEV: undefined,
    POWERTOOLS_METRICS_NAMESPACE: undefined,
    POWERTOOLS_SERVICE_NAME: undefined,
    ...env,
  })) {
    vi.stubEnv(name, value);
  }
  const reference = new PowertoolsServiceMetrics(env);
  const house = createServiceMetrics(env);
  const powertools = stdoutOf(() => play(reference, ops));
  const ours = stdoutOf(() => play(house, ops));
  return { powertools, ours };
}

function expectSameLines(env: Env, ops: readonly Op[]) {
  const { powertools, ours } = bothWrite(env, ops);
  expect(ours).toEqual(powertools);
  return ours.map((line) => JSON.parse(line));
}

const ingest = (accepted: string[], reasons: string[]) => ({
  accepted,
  rejected: reasons.map((reason, i) => ({ bucketId: `b-${i}`, reason })),
});

describe('the house EMF lines equal Powertools Metrics lines', () => {
  it('an ingest report: bucket outcomes (one line per reason) and the invocation line', () => {
    const env = { POWERTOOLS_METRICS_NAMESPACE: 'Acme/Status', POWERTOOLS_SERVICE_NAME: 'svc' };
    const recorded = () => {
      const ops: Op[] = [];
      const recorder: ServiceMetrics = {
        begin: (route) => ops.push({ op: 'begin', route }),
        count: (name, value) => ops.push({ op: 'count', name, value }),
        countBy: (name, dimension, value, count) =>
          ops.push({ op: 'countBy', name, dimension, value, count }),
        end: (outcome) => ops.push({ op: 'end', outcome }),
      };
      recorder.begin('POST /node/status');
      recordBucketOutcomes(recorder, ingest(['a', 'b'], ['not assigned', 'stale', 'not assigned']));
      recorder.end('ok');
      return ops;
    };
    const lines = expectSameLines(env, recorded());
    expect(lines).toEqual([
      {
        _aws: {
          Timestamp: NOW,
          CloudWatchMetrics: [
            {
              Namespace: 'Acme/Status',
              Dimensions: [['service', 'route', 'reason']],
              Metrics: [{ Name: 'BucketsRejected', Unit: 'Count' }],
            },
          ],
        },
        service: 'svc',
        route: 'POST /node/status',
        reason: 'not assigned',
        BucketsRejected: 2,
      },
      expect.objectContaining({ reason: 'stale', BucketsRejected: 1 }),
      {
        _aws: {
          Timestamp: NOW,
          CloudWatchMetrics: [
            {
              Namespace: 'Acme/Status',
              Dimensions: [['service', 'route', 'outcome']],
              Metrics: [
                { Name: 'BucketsAccepted', Unit: 'Count' },
                { Name: 'Requests', Unit: 'Count' },
                { Name: 'Duration', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        service: 'svc',
        route: 'POST /node/status',
        outcome: 'ok',
        BucketsAccepted: 2,
        Requests: 1,
        Duration: 12.35,
      },
    ]);
  });

  it('the default namespace and service; one line per invocation, nothing carried to the next', () => {
    const lines = expectSameLines({}, [
      { op: 'end', outcome: 'error' },
      { op: 'begin', route: 'GET /a' },
      { op: 'count', name: 'BucketsAccepted', value: 3 },
      { op: 'count', name: 'BucketsAccepted', value: 0 },
      { op: 'count', name: 'Requests', value: 5 },
      { op: 'end', outcome: 'ok' },
      { op: 'begin', route: 'GET /b' },
      { op: 'end', outcome: 'not_found' },
      { op: 'countBy', name: 'BucketsRejected', dimension: 'reason', value: 'late', count: 1 },
    ]);
    expect(lines).toMatchObject([
      {
        service: 'bucket-status',
        route: 'unknown',
        outcome: 'error',
        Requests: 1,
        Duration: 1012.35,
      },
      { route: 'GET /a', BucketsAccepted: [3, 0], Requests: [5, 1], Duration: 12.35 },
      { route: 'GET /b', outcome: 'not_found', Requests: 1, Duration: 12.35 },
      { route: 'GET /b', reason: 'late', BucketsRejected: 1 },
    ]);
    expect(lines[0]._aws.CloudWatchMetrics[0].Namespace).toBe('BucketStatus');
    expect(lines[2].BucketsAccepted).toBeUndefined();
  });

  it('a blank dimension is left out of the set and of the values; a repeated one takes the last value', () => {
    const lines = expectSameLines({}, [
      { op: 'begin', route: '' },
      { op: 'countBy', name: 'BucketsRejected', dimension: 'reason', value: ' ', count: 1 },
      { op: 'countBy', name: 'BucketsRejected', dimension: '', value: 'x', count: 1 },
      { op: 'countBy', name: 'BucketsRejected', dimension: ' ', value: 'x', count: 1 },
      { op: 'countBy', name: 'BucketsRejected', dimension: 'service', value: 'other', count: 2 },
      { op: 'countBy', name: 'BucketsRejected', dimension: 'route', value: 'R', count: 3 },
      { op: 'end', outcome: '  ' },
    ]);
    expect(lines.map((l) => l._aws.CloudWatchMetrics[0].Dimensions)).toEqual([
      [['service']],
      [['service']],
      [['service']],
      [['service']],
      [['service', 'route']],
      [['service']],
    ]);
    expect(lines[3]).toMatchObject({ service: 'other', BucketsRejected: 2 });
    expect(lines[4]).toMatchObject({ route: 'R', BucketsRejected: 3 });
    expect(lines[5].outcome).toBeUndefined();
  });

  it('writes nothing when disabled: POWERTOOLS_METRICS_DISABLED, else POWERTOOLS_DEV', () => {
    const calls: Op[] = [
      { op: 'begin', route: 'GET /a' },
      { op: 'count', name: 'BucketsAccepted', value: 1 },
      { op: 'countBy', name: 'BucketsRejected', dimension: 'reason', value: 'x', count: 1 },
      { op: 'end', outcome: 'ok' },
    ];
    const cases: [Env, boolean][] = [
      [{}, false],
      [{ POWERTOOLS_METRICS_DISABLED: 'true' }, true],
      [{ POWERTOOLS_METRICS_DISABLED: ' Yes ' }, true],
      [{ POWERTOOLS_METRICS_DISABLED: '1' }, true],
      [{ POWERTOOLS_METRICS_DISABLED: 'on' }, true],
      [{ POWERTOOLS_METRICS_DISABLED: 'false' }, false],
      [{ POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_DEV: 'true' }, false],
      [{ POWERTOOLS_METRICS_DISABLED: '0', POWERTOOLS_DEV: 'true' }, false],
      [{ POWERTOOLS_DEV: 'true' }, true],
      [{ POWERTOOLS_DEV: 'T' }, true],
      [{ POWERTOOLS_DEV: 'no' }, false],
      [{ POWERTOOLS_DEV: 'bogus' }, false],
    ];
    for (const [env, disabled] of cases) {
      const lines = expectSameLines(env, calls);
      expect(lines, JSON.stringify(env)).toHaveLength(disabled ? 0 : 2);
      expect(metricsDisabled(env), JSON.stringify(env)).toBe(disabled);
      vi.unstubAllEnvs();
    }
  });
});

describe('outcomeOfStatus', () => {
  it('names the statuses the routes answer, and others by class', () => {
    const table: [number | undefined, string][] = [
      [200, 'ok'],
      [201, 'created'],
      [204, 'no_content'],
      [304, 'not_modified'],
      [400, 'bad_request'],
      [401, 'unauthorized'],
      [403, 'forbidden'],
      [404, 'not_found'],
      [409, 'conflict'],
      [413, 'too_large'],
      [429, 'rate_limited'],
      [503, 'unavailable'],
      [500, 'error'],
      [502, 'error'],
      [599, 'error'],
      [undefined, 'error'],
      [202, 'status_2xx'],
      [302, 'status_3xx'],
      [418, 'status_4xx'],
      [499, 'status_4xx'],
      [100, 'status_1xx'],
    ];
    for (const [status, outcome] of table)
      expect(outcomeOfStatus(status), String(status)).toBe(outcome);
  });
});

describe('recordBucketOutcomes', () => {
  it('counts accepted buckets (zero included) and rejected ones per reason, in order of first rejection', () => {
    const lines = stdoutOf(() => {
      const metrics = createServiceMetrics({});
      metrics.begin('POST /node/status');
      recordBucketOutcomes(metrics, ingest([], ['b', 'a', 'b', 'b']));
      metrics.end('ok');
    }).map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.reason, l.BucketsRejected])).toEqual([
      ['b', 3],
      ['a', 1],
      [undefined, undefined],
    ]);
    expect(lines[2].BucketsAccepted).toBe(0);
  });
});

describe('serviceMetrics, the middleware, in a real middy chain', () => {
  const invoke = async (
    handler: () => Promise<unknown>,
    event: unknown,
    options: { route?: string; errors?: boolean } = {},
  ) => {
    const metrics = createServiceMetrics({});
    let chain = middy<unknown, unknown>().use(serviceMetrics(metrics, options));
    if (options.errors)
      chain = chain.use(httpErrorHandler(createLogger('m', { logLevel: 'SILENT' })) as never);
    const wrapped = chain.handler(handler);
    const lines: string[] = [];
    // The handler runs asynchronously: capture around the whole invocation.
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    let thrown: unknown;
    try {
      await wrapped(event, lambdaContext());
    } catch (error) {
      thrown = error;
    } finally {
      write.mockRestore();
    }
    return { lines: lines.map((l) => JSON.parse(l)), thrown };
  };
  const httpEvent = httpApiEvent({ method: 'GET', path: '/a/1', routeKey: 'GET /a/{id}' });

  it("an HTTP response: the route key and the status's outcome", async () => {
    const { lines } = await invoke(async () => jsonResponse(201, { ok: true }), httpEvent);
    expect(lines).toMatchObject([{ route: 'GET /a/{id}', outcome: 'created', Requests: 1 }]);
  });

  it('an error mapped to a response by the error middleware: its status', async () => {
    const { lines, thrown } = await invoke(
      async () => {
        throw new NotFound('no such thing');
      },
      httpEvent,
      { errors: true },
    );
    expect(thrown).toBeUndefined();
    expect(lines).toMatchObject([{ route: 'GET /a/{id}', outcome: 'not_found' }]);
  });

  it('an error nothing maps: outcome error, and the error still thrown', async () => {
    const failure = new Error('boom');
    const { lines, thrown } = await invoke(
      async () => {
        throw failure;
      },
      { routeKey: '' },
      { route: 'sweep' },
    );
    expect(thrown).toBe(failure);
    expect(lines).toMatchObject([{ route: 'sweep', outcome: 'error', Requests: 1 }]);
  });

  it('a batch: partial_failure with failures, ok without, ok for no response; the name or "invoke" as route', async () => {
    const failed = await invoke(
      async () => ({ batchItemFailures: [{ itemIdentifier: 'm-1' }] }),
      { Records: [] },
      { route: 'delivery' },
    );
    expect(failed.lines).toMatchObject([{ route: 'delivery', outcome: 'partial_failure' }]);
    const clean = await invoke(
      async () => ({ batchItemFailures: [] }),
      { Records: [] },
      {
        route: 'delivery',
      },
    );
    expect(clean.lines).toMatchObject([{ route: 'delivery', outcome: 'ok' }]);
    const nothing = await invoke(async () => undefined, null);
    expect(nothing.lines).toMatchObject([{ route: 'invoke', outcome: 'ok' }]);
    const numeric = await invoke(async () => undefined, { routeKey: 7 }, { route: 'sweep' });
    expect(numeric.lines).toMatchObject([{ route: 'sweep' }]);
  });
});

// ---- Random call sequences -----------------------------------------------------------------

const routeArb = fc.oneof(
  fc.constantFrom('GET /bucket/{bucketId}/status', 'POST /node/status', 'sweep', '', ' '),
  fc.string({ maxLength: 8 }),
);
const countArb = fc.integer({ min: 0, max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  routeArb.map((route) => ({ op: 'begin' as const, route })),
  fc.record({
    op: fc.constant('count' as const),
    // Requests too: the invocation's own count then makes a list.
    name: fc.constantFrom('BucketsAccepted', 'Requests', 'Other'),
    value: countArb,
  }),
  fc.record({
    op: fc.constant('countBy' as const),
    name: fc.constantFrom('BucketsRejected', 'Other'),
    dimension: fc.constantFrom('reason', 'kind', 'route', '', ' '),
    value: fc.oneof(fc.constantFrom('not assigned', 'stale', ''), fc.string({ maxLength: 6 })),
    count: countArb,
  }),
  fc
    .oneof(fc.constantFrom('ok', 'not_found', 'partial_failure', ''), fc.string({ maxLength: 6 }))
    .map((outcome) => ({ op: 'end' as const, outcome })),
);

describe('random routes, outcomes and counts', () => {
  it('the house lines equal Powertools Metrics lines', () => {
    fc.assert(
      fc.property(
        fc.record({
          POWERTOOLS_METRICS_NAMESPACE: fc.option(fc.constantFrom('BucketStatus', 'Acme/Status'), {
            nil: undefined,
          }),
          POWERTOOLS_SERVICE_NAME: fc.option(fc.constantFrom('bucket-status', 'svc'), {
            nil: undefined,
          }),
          POWERTOOLS_METRICS_DISABLED: fc.option(fc.constantFrom('true', 'false', '1', 'off'), {
            nil: undefined,
          }),
          POWERTOOLS_DEV: fc.option(fc.constantFrom('true', 'false', 'y'), { nil: undefined }),
        }),
        fc.array(opArb, { maxLength: 10 }),
        (env, ops) => {
          const { powertools, ours } = bothWrite(env, ops);
          vi.unstubAllEnvs();
          expect(ours).toEqual(powertools);
        },
      ),
      { numRuns: Number(process.env.METRICS_PROPERTY_RUNS ?? 300) },
    );
  });
});
