import { Validations } from 'aws-cdk-lib';
import { type TriggerModule, XRAY_ONLY_WILDCARD_REASON } from './trigger.ts';

/**
 * An API Gateway route (the HTTP API construct adds the integration). Invoked synchronously:
 * the caller gets the error, so there is no event left to retry or park in a DLQ.
 */
export interface HttpTrigger {
  readonly kind: 'http';
}

/** API Gateway gives up on an integration after 30 s; a function must answer well before. */
export const MAX_HTTP_TIMEOUT_SECONDS = 15;

export const httpTrigger: TriggerModule<HttpTrigger> = {
  checkTimeout(id, _trigger, seconds) {
    if (seconds > MAX_HTTP_TIMEOUT_SECONDS) {
      throw new Error(
        `${id}: timeout must be at most ${MAX_HTTP_TIMEOUT_SECONDS} s, well under API Gateway's 30 s integration timeout`,
      );
    }
  },
  wildcardReason: XRAY_ONLY_WILDCARD_REASON,
  attach(target) {
    Validations.of(target.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked only synchronously by API Gateway: a failed request is answered with an error to its caller and there is no event left over to park in a dead-letter queue.',
    });
    return {};
  },
};
