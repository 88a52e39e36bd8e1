import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { failureStore, type TriggerModule, XRAY_ONLY_WILDCARD_REASON } from './trigger.ts';

/**
 * An EventBridge schedule, created here. Invoked asynchronously: Lambda's retries and the
 * event's maximum age are set for a job that the next run supersedes, and an invocation that
 * still fails (or that EventBridge cannot deliver) lands in the function's failure queue.
 */
export interface ScheduleTrigger {
  readonly kind: 'schedule';
  readonly schedule: events.Schedule;
  /** Lambda's retries of a failed run, 0-2. @default 0: the next scheduled run is the retry. */
  readonly retryAttempts?: number | undefined;
  /** Oldest event Lambda still runs (60 s to 6 h). @default 60 s: a minute-old run is stale. */
  readonly maxEventAge?: Duration | undefined;
}

export const scheduleTrigger: TriggerModule<ScheduleTrigger> = {
  checkTimeout(id, trigger, seconds) {
    const period = ratePeriodSeconds(trigger.schedule);
    if (period !== undefined && seconds >= period) {
      throw new Error(
        `${id}: timeout (${seconds} s) must be shorter than the schedule's period (${period} s), so runs do not overlap`,
      );
    }
    const retries = trigger.retryAttempts ?? 0;
    if (!Number.isInteger(retries) || retries < 0 || retries > 2) {
      throw new Error(`${id}: retryAttempts must be 0, 1 or 2`);
    }
  },
  wildcardReason: XRAY_ONLY_WILDCARD_REASON,
  attach(target, trigger) {
    const retryAttempts = trigger.retryAttempts ?? 0;
    const maxEventAge = trigger.maxEventAge ?? Duration.seconds(60);
    const failureQueue = failureStore(target.scope, 'FailedInvocations', {
      noDeadLetterQueue:
        'This queue is itself the dead-letter store of the scheduled function: Lambda puts failed runs here (on-failure destination) and EventBridge puts schedule events it could not deliver (target DLQ). A queue behind it would only hold what nobody reads.',
      noRedrive:
        'This queue is the end of the failure path of the scheduled function (its on-failure destination and the schedule target DLQ); it is never consumed by a function, so there is nothing to redrive.',
    });
    target.function.configureAsyncInvoke({
      retryAttempts,
      maxEventAge,
      onFailure: new SqsDestination(failureQueue),
    });
    Validations.of(target.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "Asynchronous failures go to the function's on-failure destination (this construct's FailedInvocations queue), which records the error along with the event; a DeadLetterConfig to the same queue would store each failure twice.",
    });
    const rule = new events.Rule(target.scope, 'Schedule', {
      schedule: trigger.schedule,
      description: `Runs ${target.description}`,
      targets: [
        new targets.LambdaFunction(target.function, {
          deadLetterQueue: failureQueue,
          retryAttempts: 2,
          maxEventAge,
        }),
      ],
    });
    return { rule, failureQueue };
  },
};

/** The period of a `rate(...)` schedule in seconds; undefined for cron expressions. */
function ratePeriodSeconds(schedule: events.Schedule): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(
    schedule.expressionString,
  );
  if (!match) return undefined;
  const unit = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };
  return Number(match[1]) * unit[match[2] as keyof typeof unit];
}
