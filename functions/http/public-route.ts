import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ShareLookup } from '../data/shares.ts';
import { type FindShare, openShare } from '../reads/open-share.ts';
import type { Logger } from '../shared/logger.ts';
import { conditionalGetResponses } from './conditional-get-middleware.ts';
import { httpErrorHandler } from './error-middleware.ts';
import { httpHandlerPluginOptions } from './middy-options.ts';
import { publicResponses } from './public-responses.ts';

export interface PublicRouteDeps {
  findShare: FindShare;
  logger: Logger;
}

/**
 * A public route's middy chain (the `public` and `badge` functions): the public headers (CORS
 * `*`, cache) around the error mapping, then ETag/304/gzip; no bearer token: the path's share
 * token is the credential, and it names the one bucket the route reads (nothing of the path or
 * query names a bucket).
 */
export function publicRoute(
  deps: PublicRouteDeps,
  maxAgeSeconds: number,
  respond: (event: APIGatewayProxyEventV2, share: ShareLookup) => Promise<unknown>,
) {
  return middy<APIGatewayProxyEventV2, unknown, Error>(httpHandlerPluginOptions)
    .use(publicResponses(maxAgeSeconds))
    .use(httpErrorHandler(deps.logger))
    .use(conditionalGetResponses())
    .handler(async (event) =>
      respond(event, await openShare(event.pathParameters?.token, deps.findShare)),
    );
}
