import type { AwsJsonClient } from '../shared/aws-json-call.ts';
import { queueEndpoint } from '../shared/sqs.ts';

/** The SQS adapter of the delivery's visibility port: when the queue shows the message again. */
export function createSqsVisibility(sqs: AwsJsonClient, queueUrl: string) {
  return async (receiptHandle: string, seconds: number): Promise<void> => {
    await sqs.call(
      'ChangeMessageVisibility',
      { QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds },
      queueEndpoint(queueUrl),
    );
  };
}
