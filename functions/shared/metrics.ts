/**
 * Service metrics, Powertools Metrics (CloudWatch EMF): one log line per invocation, namespace
 * and service from the settings (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME, read by
 * functions/shared/config.ts). Measured, Powertools Metrics costs nothing noticeable at cold
 * import (docs/evidence/performance.md), so it is used as it is.
 *
 * Per invocation, dimensions {service, route, outcome}:
 * - `Requests` (Count, 1): reads and reports per outcome (`ok`, `unauthorized`, `forbidden`,
 *   `not_found`, `bad_request`, `too_large`, `rate_limited`, `unavailable`, `error`, ...);
 * - `Duration` (Milliseconds): the handler's own time, error mapping included.
 * The ingest function adds `BucketsAccepted` and, per reason, `BucketsRejected` (dimension
 * `reason`) through `recordBucketOutcomes`.
 *
 * Silent unless enabled: the Lambda entries enable it; tests and the local runtime get a
 * disabled instance, which records nothing and writes nothing.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
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

class PowertoolsServiceMetrics implements ServiceMetrics {
  readonly #metrics: Metrics;
  #route = 'unknown';
  #started = 0;

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
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

/** Powertools Metrics with the namespace and service name from the settings. */
export function createServiceMetrics(env: Env = process.env): ServiceMetrics {
  return new PowertoolsServiceMetrics(
    new Metrics({ namespace: readMetricsNamespace(env), serviceName: readServiceName(env) }),
  );
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
