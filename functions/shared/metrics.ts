/**
 * Service metrics in CloudWatch's embedded metric format (EMF): one JSON log line per
 * invocation on stdout, namespace and service from the settings (POWERTOOLS_METRICS_NAMESPACE,
 * POWERTOOLS_SERVICE_NAME, read by functions/shared/config.ts). Written here rather than through
 * @aws-lambda-powertools/metrics, whose bytes cost every function's cold import
 * (docs/evidence/performance.md); the lines are checked against Powertools Metrics' own in
 * test/unit/emf-metrics.test.ts.
 *
 * Per invocation, dimensions {service, route, outcome}:
 * - `Requests` (Count, 1): reads and reports per outcome (`ok`, `unauthorized`, `forbidden`,
 *   `not_found`, `bad_request`, `too_large`, `rate_limited`, `unavailable`, `error`, ...);
 * - `Duration` (Milliseconds): the handler's own time, error mapping included.
 * The ingest function adds `BucketsAccepted` and, per reason, `BucketsRejected` (dimension
 * `reason`) through `recordBucketOutcomes`.
 *
 * Only the Lambda entries create it (functions/shared/observability.ts); the local runtime and
 * the tests wire no metrics. POWERTOOLS_METRICS_DISABLED (true, 1, yes, on, ...) or POWERTOOLS_DEV
 * without it gives a disabled instance, which records and writes nothing.
 */
import type { MiddlewareObj } from '@middy/core';
import { readMetricsNamespace, readServiceName } from './config.ts';

type Env = Record<string, string | undefined>;

/** The port the handlers record through; `publish` writes at most one EMF line. */
export interface ServiceMetrics {
  /** Adds a count to this invocation's metrics (its dimensions: service, route, outcome). */
  count(name: string, value: number): void;
  /** A count with one extra dimension, e.g. BucketsRejected by reason (its own EMF line). */
  countBy(name: string, dimension: string, value: string, count: number): void;
  /** Starts an invocation on `route`. */
  begin(route: string): void;
  /** Ends it with `outcome` and the elapsed time, and writes the metrics. */
  end(outcome: string): void;
}

const OUTCOMES: Record<number, string> = {
  200: 'ok',
  201: 'created',
  204: 'no_content',
  304: 'not_modified',
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

/** The `outcome` dimension of an HTTP status (low cardinality: unknown codes by class). */
export function outcomeOfStatus(statusCode: number | undefined): string {
  if (statusCode === undefined) return 'error';
  return (
    OUTCOMES[statusCode] ??
    (statusCode >= 500 ? 'error' : `status_${Math.floor(statusCode / 100)}xx`)
  );
}

type Unit = 'Count' | 'Milliseconds';

interface Recorded {
  unit: Unit;
  values: number[];
}

/** A value as EMF takes it: one number, or the list of those recorded under one name. */
const emfValue = (values: number[]): number | number[] =>
  values.length === 1 ? (values[0] as number) : values;

/**
 * One EMF document: `_aws` (timestamp, namespace, the one dimension set: service then
 * `dimensions`, the metrics' names and units), then the dimensions' values, then the metrics'
 * values. A dimension with a blank name or value is left out.
 */
function emfLine(
  namespace: string,
  service: string,
  dimensions: Record<string, string>,
  metrics: ReadonlyMap<string, Recorded>,
  timestamp: number,
): string {
  const named: Record<string, string> = { service };
  for (const [name, value] of Object.entries(dimensions)) {
    if (name.trim() !== '' && value.trim() !== '') named[name] = value;
  }
  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(named)],
          Metrics: [...metrics].map(([name, { unit }]) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...named,
  };
  for (const [name, { values }] of metrics) document[name] = emfValue(values);
  return `${JSON.stringify(document)}\n`;
}

class EmfServiceMetrics implements ServiceMetrics {
  readonly #namespace: string;
  readonly #service: string;
  #route = 'unknown';
  #started = 0;
  #recorded = new Map<string, Recorded>();

  constructor(namespace: string, service: string) {
    this.#namespace = namespace;
    this.#service = service;
  }

  begin(route: string): void {
    this.#route = route;
    this.#started = performance.now();
  }

  count(name: string, value: number): void {
    this.#record(name, 'Count', value);
  }

  countBy(name: string, dimension: string, value: string, count: number): void {
    const single = new Map([[name, { unit: 'Count' as const, values: [count] }]]);
    this.#write({ route: this.#route, [dimension]: value }, single);
  }

  end(outcome: string): void {
    this.#record('Requests', 'Count', 1);
    this.#record(
      'Duration',
      'Milliseconds',
      Math.round((performance.now() - this.#started) * 100) / 100,
    );
    const recorded = this.#recorded;
    this.#recorded = new Map();
    this.#write({ route: this.#route, outcome }, recorded);
  }

  #record(name: string, unit: Unit, value: number) {
    const recorded = this.#recorded.get(name);
    if (recorded) recorded.values.push(value);
    else this.#recorded.set(name, { unit, values: [value] });
  }

  #write(dimensions: Record<string, string>, metrics: ReadonlyMap<string, Recorded>) {
    process.stdout.write(emfLine(this.#namespace, this.#service, dimensions, metrics, Date.now()));
  }
}

/** Records nothing, writes nothing. */
const DISABLED: ServiceMetrics = {
  begin: () => undefined,
  count: () => undefined,
  countBy: () => undefined,
  end: () => undefined,
};

const TRUE = new Set(['1', 'y', 'yes', 't', 'true', 'on']);
const isTrue = (raw: string | undefined) => raw !== undefined && TRUE.has(raw.trim().toLowerCase());

/** Whether the environment turns metrics off: POWERTOOLS_METRICS_DISABLED, else POWERTOOLS_DEV. */
export const metricsDisabled = (env: Env): boolean =>
  env.POWERTOOLS_METRICS_DISABLED === undefined
    ? isTrue(env.POWERTOOLS_DEV)
    : isTrue(env.POWERTOOLS_METRICS_DISABLED);

/** EMF metrics with the namespace and service name from the settings. */
export function createServiceMetrics(env: Env = process.env): ServiceMetrics {
  const namespace = readMetricsNamespace(env);
  const service = readServiceName(env);
  return metricsDisabled(env) ? DISABLED : new EmfServiceMetrics(namespace, service);
}

/** Route of an API Gateway v2 event, else the kind of invocation (schedule, queue). */
const routeOf = (event: unknown, fallback: string): string => {
  const routeKey = (event as { routeKey?: unknown } | undefined)?.routeKey;
  return typeof routeKey === 'string' && routeKey !== '' ? routeKey : fallback;
};

/**
 * The metrics in the middy chain, outermost (beside tracing), so that on the error path it runs
 * after the error handler has mapped the error to a status.
 */
export function serviceMetrics(
  metrics: ServiceMetrics,
  options: { route?: string } = {},
): MiddlewareObj {
  const statusOf = (response: unknown) =>
    (response as { statusCode?: number } | undefined)?.statusCode;
  return {
    before: (request) => metrics.begin(routeOf(request.event, options.route ?? 'invoke')),
    after: (request) => {
      const statusCode = statusOf(request.response);
      if (statusCode !== undefined) return metrics.end(outcomeOfStatus(statusCode));
      // A queue or stream batch: partial failures are an outcome of their own.
      const failures = (request.response as { batchItemFailures?: unknown[] } | undefined)
        ?.batchItemFailures;
      metrics.end(failures?.length ? 'partial_failure' : 'ok');
    },
    onError: (request) => metrics.end(outcomeOfStatus(statusOf(request.response))),
  };
}

/** The ingest function's per-bucket outcome: accepted buckets, rejected ones per reason. */
export function recordBucketOutcomes(
  metrics: ServiceMetrics,
  result: { accepted: readonly string[]; rejected: readonly { reason: string }[] },
): void {
  metrics.count('BucketsAccepted', result.accepted.length);
  const byReason = new Map<string, number>();
  for (const { reason } of result.rejected) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  for (const [reason, count] of byReason)
    metrics.countBy('BucketsRejected', 'reason', reason, count);
}
