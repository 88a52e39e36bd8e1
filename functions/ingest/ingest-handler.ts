import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  NODE_ID_HEADER,
  NODE_SIGNATURE_HEADER,
  NODE_TIMESTAMP_HEADER,
} from '../domain/node-signature.ts';
import { httpErrorHandler } from '../http/error-middleware.ts';
import { httpHandlerPluginOptions } from '../http/middy-options.ts';
import { jsonResponse } from '../http/response.ts';
import type { Logger } from '../shared/logger.ts';
import { recordBucketOutcomes, type ServiceMetrics } from '../shared/metrics.ts';
import type { IngestDeps } from './ports.ts';
import { receiveNodeReport } from './receive-node-report.ts';

export interface IngestHandlerDeps extends IngestDeps {
  /** Accepted and rejected buckets per reason (the Lambda entry's metrics); silent when absent. */
  metrics?: ServiceMetrics;
  logger: Logger;
  now?: () => number;
}

/** The exact bytes the node signed: API Gateway base64-encodes bodies it deems binary. */
export const rawBodyOf = (event: APIGatewayProxyEventV2): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/** POST /node/status: parse headers and raw body, call, respond; errors mapped in one place. */
export function createIngestHandler(deps: IngestHandlerDeps) {
  const now = deps.now ?? Date.now;
  return middy<APIGatewayProxyEventV2, unknown, Error, Context>(httpHandlerPluginOptions)
    .use(httpErrorHandler(deps.logger))
    .handler(async (event) => {
      const headers = event.headers ?? {};
      const result = await receiveNodeReport(
        {
          nodeId: headers[NODE_ID_HEADER],
          timestamp: headers[NODE_TIMESTAMP_HEADER],
          signature: headers[NODE_SIGNATURE_HEADER],
          rawBody: rawBodyOf(event),
          receivedAtMs: now(),
        },
        deps,
      );
      if (deps.metrics) recordBucketOutcomes(deps.metrics, result);
      return jsonResponse(200, result);
    });
}
