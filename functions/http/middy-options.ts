import { Unavailable } from '../domain/errors.ts';

/**
 * middy plugin options shared by the HTTP handlers: stop this much before the Lambda timeout
 * and answer 503 + Retry-After, so a slow dependency never ends in Lambda's own timeout
 * error (which API Gateway would turn into a bare 500/503 without our body).
 */
export const TIMEOUT_EARLY_MS = 500;

export const httpHandlerPluginOptions = {
  timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
  timeoutEarlyResponse: () => {
    throw new Unavailable('The request took too long; retry shortly', 1);
  },
};
