import {
  type AttemptDeps,
  type AttemptOutcome,
  attemptDelivery,
  describeAttempt,
  isFinal,
} from '../functions/delivery/attempt-delivery.ts';
import type { DeliveryMessage, RecordedEvent } from '../functions/domain/alert-message.ts';
import { DELIVERY_ATTEMPTS, retryDelaySeconds } from '../functions/domain/retry-schedule.ts';
import { type FanOutDeps, fanOutEvents } from '../functions/fan-out/fan-out.ts';

/**
 * The local stand-in for the stream -> fan-out -> SQS -> delivery pipeline (dynalite has no
 * streams and there is no SQS locally), with the same semantics: every recorded event goes to
 * every webhook of its workspace, each delivery is tried DELIVERY_ATTEMPTS times,
 * WEBHOOK_RETRY_BASE_SECONDS apart, then dead-lettered (kept in memory and logged). Deliveries
 * go out over real HTTP through the same SSRF-checked client as the Lambda; one log line per
 * attempt.
 *
 * `onEventsRecorded` is the event writer's publish port: it returns at once and never throws,
 * so delivery never slows or fails a report or a sweep.
 */
export interface LocalAlertQueueOptions {
  fanOut: Omit<FanOutDeps, 'enqueue' | 'publish'>;
  attempt: AttemptDeps;
  retryBaseSeconds: number;
  log: (line: string) => void;
}

export interface DeadLetter {
  message: DeliveryMessage;
  attempts: number;
  last: AttemptOutcome;
}

export interface LocalAlertQueue {
  onEventsRecorded(events: readonly RecordedEvent[]): void;
  /** Resolves when nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void>;
  readonly deadLetters: readonly DeadLetter[];
  /** Cancels pending retries; attempts in flight finish. */
  stop(): Promise<void>;
}

export function createLocalAlertQueue(options: LocalAlertQueueOptions): LocalAlertQueue {
  const deadLetters: DeadLetter[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let pending = 0;
  let stopped = false;
  let waiters: (() => void)[] = [];
  const settle = () => {
    pending--;
    if (pending === 0) {
      for (const wake of waiters.splice(0)) wake();
    }
  };
  const track = <T>(work: Promise<T>) => {
    pending++;
    return work.finally(settle);
  };

  const run = async (message: DeliveryMessage, attempt: number): Promise<void> => {
    if (stopped) return;
    let outcome: AttemptOutcome;
    try {
      outcome = await attemptDelivery(message, options.attempt);
    } catch (error) {
      outcome = { outcome: 'failed', reason: (error as Error).message };
    }
    const line = describeAttempt(message, attempt, outcome);
    const delay = isFinal(outcome)
      ? undefined
      : retryDelaySeconds(attempt, { kind: 'fixed', seconds: options.retryBaseSeconds });
    options.log(
      `[webhook] ${line.outcome}${line.status === undefined ? '' : ` ${line.status}`} ` +
        `${line.host ?? '-'} ${message.messageId} attempt ${attempt}/${DELIVERY_ATTEMPTS}` +
        `${line.reason === undefined ? '' : ` (${line.reason})`}` +
        (isFinal(outcome)
          ? ''
          : delay === undefined
            ? ' -> dead-lettered'
            : ` -> retry in ${delay} s`),
    );
    if (isFinal(outcome)) return;
    if (delay === undefined) {
      deadLetters.push({ message, attempts: attempt, last: outcome });
      return;
    }
    if (stopped) return;
    pending++;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void run(message, attempt + 1).finally(settle);
    }, delay * 1000);
    timers.add(timer);
  };

  return {
    deadLetters,
    onEventsRecorded(events) {
      if (stopped || events.length === 0) return;
      void track(
        fanOutEvents(events, {
          ...options.fanOut,
          enqueue: async (messages) => {
            for (const message of messages) void track(run(message, 1));
          },
        }).catch((error: unknown) => {
          options.log(`[webhook] could not fan out ${events.length} event(s): ${String(error)}`);
        }),
      );
    },
    idle: () =>
      pending === 0 ? Promise.resolve() : new Promise<void>((wake) => waiters.push(wake)),
    async stop() {
      stopped = true;
      for (const timer of timers) {
        clearTimeout(timer);
        settle();
      }
      timers.clear();
      if (pending > 0) await new Promise<void>((wake) => waiters.push(wake));
      waiters = [];
    },
  };
}
