/**
 * SQS as the SDK's client speaks it (@aws-sdk/client-sqs: JSON 1.0, query-compatible), for
 * functions/shared/aws-json-call.ts.
 */
import type { AwsJsonService } from './aws-json-call.ts';

export const SQS: AwsJsonService = {
  title: 'SQS',
  signingName: 'sqs',
  endpointPrefix: 'sqs',
  envId: 'SQS',
  jsonVersion: '1.0',
  targetPrefix: 'AmazonSQS',
  queryCompatible: true,
};

/**
 * Where a call about a queue goes, as the SDK's queueUrlMiddleware decides it for a client
 * without an explicit endpoint: the QueueUrl's origin when it differs from the resolved
 * endpoint's (deployed, both are https://sqs.<region>.<dnsSuffix>), else the resolved endpoint;
 * a QueueUrl with no usable origin leaves the resolved endpoint.
 */
export function queueEndpoint(queueUrl: string): (resolved: URL) => URL {
  return (resolved) => {
    try {
      const origin = new URL(new URL(queueUrl).origin);
      return origin.origin === resolved.origin ? resolved : origin;
    } catch {
      return resolved;
    }
  };
}
