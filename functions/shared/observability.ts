/**
 * Metrics and tracing of a Lambda entry: one middy chain around the function's handler (for an
 * HTTP function, around the route dispatch, whose route chains map every error to a response
 * first), so every kind of function gets both the same way, and only the Lambda entries do:
 * the local runtime and the tests call the wired handlers directly and stay silent.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { readServiceName } from './config.ts';
import { createServiceMetrics, type ServiceMetrics, serviceMetrics } from './metrics.ts';
import { tracing, XRayTracer } from './tracing.ts';

type Env = Record<string, string | undefined>;

export interface Observability {
  metrics: ServiceMetrics;
  tracer: XRayTracer;
}

/** Metrics (namespace and service from the settings) and the X-Ray writer of one function. */
export function createObservability(env: Env = process.env): Observability {
  return {
    metrics: createServiceMetrics(env),
    tracer: new XRayTracer(readServiceName(env), env),
  };
}

/**
 * `handler` with tracing outermost, then metrics. `name` is the metrics `route` of invocations
 * that are not API Gateway requests (a schedule, a queue batch), e.g. "sweep".
 */
export function observed<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  { metrics, tracer }: Observability,
  name: string,
) {
  return middy<E, R>()
    .use(tracing(tracer))
    .use(serviceMetrics(metrics, { route: name }))
    .handler(handler);
}
