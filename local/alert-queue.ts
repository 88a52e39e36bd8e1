import {
  type AttemptDeps,
  type AttemptOutcome,
  attemptDelivery,
  describeAttempt,
  isFinal,
} from '../functions/delivery/attempt-delivery.ts';
import type { DeliveryMessage } from '../functions/domain/alert-message.ts';
import { DELIVERY_ATTEMPTS, retryDelaySeconds } from '../functions/domain/retry-schedule.ts';
import {
  deliveryDelaySeconds,
  type FannedOutEvent,
  type FanOutDeps,
  fanOutEvents,
} from '../functions/fan-out/fan-out.ts';

/**
 * The local stand-in for the stream -> fan-out -> SQS -> delivery pipeline (dynalite has no
 * streams and there is no SQS locally), with the same semantics: every recorded event goes to
 * the webhooks of its workspace that take its type (the fan-out's choice), a delivery that
 * must wait for `at + minDurationSeconds` waits on an in-process timer (the queue's delay
 * deployed) and is then checked once per attempt, each delivery is tried DELIVERY_ATTEMPTS times,
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
  /** The timers the waits and retries run on (default: the real ones; a bench simulates them). */
  timers?: LocalTimers;
}

/** setTimeout/clearTimeout, or a simulated clock's equivalents. */
export interface LocalTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: LocalTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface DeadLetter {
  message: DeliveryMessage;
  attempts: number;
  last: AttemptOutcome;
}

export interface LocalAlertQueue {
  /** Node events (the event writers' port) and bucket health events. */
  onEventsRecorded(events: readonly FannedOutEvent[]): void;
  /** Resolves when nothing is queued, in flight, waiting for its check or for a retry. */
  idle(): Promise<void>;
  /**
   * Resolves when nothing is queued or in flight; deliveries waiting on a timer (a check's
   * wait, a retry) are not waited for (a simulated clock fires them).
   */
  settled(): Promise<void>;
  readonly deadLetters: readonly DeadLetter[];
  /** Cancels pending retries; attempts in flight finish. */
  stop(): Promise<void>;
}

export function createLocalAlertQueue(options: LocalAlertQueueOptions): LocalAlertQueue {
  const deadLetters: DeadLetter[] = [];
  const clock = options.timers ?? REAL_TIMERS;
  const timers = new Set<unknown>();
  let pending = 0;
  let stopped = false;
  let waiters: (() => void)[] = [];
  let quietWaiters: (() => void)[] = [];
  const settle = () => {
    pending--;
    if (pending === 0) {
      for (const wake of waiters.splice(0)) wake();
    }
    if (pending === timers.size) {
      for (const wake of quietWaiters.splice(0)) wake();
    }
  };
  const track = <T>(work: Promise<T>) => {
    pending++;
    return work.finally(settle);
  };

  /** Runs `work` after `seconds` on a tracked timer (idle() waits for it, stop() cancels it). */
  const later = (seconds: number, work: () => Promise<void>) => {
    pending++;
    const timer = clock.setTimeout(() => {
      timers.delete(timer);
      void work().finally(settle);
    }, seconds * 1000);
    timers.add(timer);
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
    later(delay, () => run(message, attempt + 1));
  };
  const now = options.fanOut.now ?? Date.now;

  return {
    deadLetters,
    onEventsRecorded(events) {
      if (stopped || events.length === 0) return;
      void track(
        fanOutEvents(events, {
          ...options.fanOut,
          enqueue: async (messages) => {
            const at = now();
            for (const message of messages) {
              const wait = deliveryDelaySeconds(message, at);
              if (wait > 0 && !stopped) later(wait, () => run(message, 1));
              else void track(run(message, 1));
            }
          },
        }).catch((error: unknown) => {
          options.log(`[webhook] could not fan out ${events.length} event(s): ${String(error)}`);
        }),
      );
    },
    idle: () =>
      pending === 0 ? Promise.resolve() : new Promise<void>((wake) => waiters.push(wake)),
    settled: () =>
      pending === timers.size
        ? Promise.resolve()
        : new Promise<void>((wake) => quietWaiters.push(wake)),
    async stop() {
      stopped = true;
      for (const timer of timers) {
        clock.clearTimeout(timer);
        settle();
      }
      timers.clear();
      if (pending > 0) await new Promise<void>((wake) => waiters.push(wake));
      waiters = [];
      for (const wake of quietWaiters.splice(0)) wake();
      quietWaiters = [];
    },
  };
}
