import { Duration, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** What a trigger module connects: the house construct's function, inside the house construct. */
export interface TriggerTarget {
  /** The house construct; what the trigger creates (rule, failure queue) is its child. */
  readonly scope: Construct;
  /** The house construct's id, named by every synthesis error. */
  readonly id: string;
  readonly function: lambda.Function;
  readonly description: string;
}

/** What a trigger created that the stack reads (alarms on the failure queue, the rule). */
export interface TriggerResources {
  readonly rule?: events.Rule | undefined;
  readonly failureQueue?: sqs.Queue | undefined;
}

/** One kind of trigger: its limits, checked before anything is created, and its wiring. */
export interface TriggerModule<T extends { readonly kind: string }> {
  /** Throws, naming the function, when `timeoutSeconds` breaks this kind's rule. */
  checkTimeout(id: string, trigger: T, timeoutSeconds: number): void;
  /** Why the execution role may hold `Resource: *` statements (cdk-nag AwsSolutions-IAM5). */
  readonly wildcardReason: string;
  /** Connects the function to its invoker: event source or rule, failure path, acknowledgements. */
  attach(target: TriggerTarget, trigger: T): TriggerResources;
}

/** The IAM5 reason of every kind whose only `Resource: *` statement is active tracing's. */
export const XRAY_ONLY_WILDCARD_REASON =
  'Only the X-Ray statement added by active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) uses Resource *: these actions have no resource-level permissions. Tests assert every other statement names its resource.';

/**
 * The end of a function's failure path: an encrypted, TLS-only queue that keeps failures for 14
 * days and that no function consumes, so it has no dead-letter queue or redrive of its own (the
 * two acknowledgements say why, in the words of the caller).
 */
export function failureStore(
  scope: Construct,
  id: string,
  reasons: { noDeadLetterQueue: string; noRedrive: string },
): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: reasons.noDeadLetterQueue });
  Validations.of(queue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: reasons.noRedrive,
  });
  return queue;
}
