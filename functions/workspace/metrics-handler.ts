import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AuthenticatedContext, bearerToken } from '../auth/bearer-token-middleware.ts';
import type { VerifyToken } from '../auth/token-verifier.ts';
import { PROMETHEUS_TEXT_CONTENT_TYPE } from '../domain/prometheus-text.ts';
import { conditionalGetResponses } from '../http/conditional-get-middleware.ts';
import { httpErrorHandler } from '../http/error-middleware.ts';
import { httpHandlerPluginOptions } from '../http/middy-options.ts';
import { pathId } from '../http/path-params.ts';
import { textResponse } from '../http/response.ts';
import {
  parseBucketFilter,
  type ReadWorkspaceMetricsDeps,
  readWorkspaceMetrics,
} from '../reads/read-workspace-metrics.ts';
import type { Logger } from '../shared/logger.ts';

export interface MetricsHandlerDeps extends ReadWorkspaceMetricsDeps {
  verifyToken: VerifyToken;
  logger: Logger;
}

/**
 * GET /workspace/{workspaceId}/metrics?bucket=<id>...: the Prometheus text (errors are JSON, as
 * on every route); ETag/304/gzip like GET status.
 */
export function createMetricsHandler(deps: MetricsHandlerDeps) {
  return middy<APIGatewayProxyEventV2, unknown, Error, AuthenticatedContext>(
    httpHandlerPluginOptions,
  )
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .use(bearerToken(deps.verifyToken))
    .handler(async (event, context) => {
      const workspaceId = pathId(event, 'workspaceId');
      const buckets = parseBucketFilter(event.queryStringParameters?.bucket);
      const principal = context.principal;
      if (principal === undefined) throw new Error('bearer middleware did not run');
      const text = await readWorkspaceMetrics(principal, { workspaceId, buckets }, deps);
      return textResponse(text, PROMETHEUS_TEXT_CONTENT_TYPE);
    });
}
