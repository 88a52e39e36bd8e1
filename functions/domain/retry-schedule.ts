/**
 * When a failed webhook delivery is tried again (DESIGN.md section 10). One schedule, two
 * clocks: deployed, exponential backoff with jitter over more than an hour; locally, the same
 * number of attempts WEBHOOK_RETRY_BASE_SECONDS apart, so a newcomer sees the retries.
 */

/** Attempts per delivery (the first one and five retries), deployed and local alike. */
export const DELIVERY_ATTEMPTS = 6;

/** Deployed: the delay after attempt n is about BASE * 3^(n-1) s, jittered by +/- 25 %. */
export const DEPLOYED_RETRY_BASE_SECONDS = 60;
const GROWTH = 3;
const JITTER = 0.25;
/** SQS caps a message's visibility timeout at 12 hours. */
export const MAX_RETRY_DELAY_SECONDS = 43_200;

export type RetrySchedule =
  | { kind: 'exponential'; baseSeconds: number }
  | { kind: 'fixed'; seconds: number };

export const DEPLOYED_SCHEDULE: RetrySchedule = {
  kind: 'exponential',
  baseSeconds: DEPLOYED_RETRY_BASE_SECONDS,
};

/**
 * Seconds to wait after failed attempt `attempt` (1-based) before the next one, or undefined
 * when that was the last attempt (the delivery is dead-lettered).
 */
export function retryDelaySeconds(
  attempt: number,
  schedule: RetrySchedule,
  random: () => number = Math.random,
): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error('attempt must be >= 1');
  if (attempt >= DELIVERY_ATTEMPTS) return undefined;
  if (schedule.kind === 'fixed') return schedule.seconds;
  const nominal = schedule.baseSeconds * GROWTH ** (attempt - 1);
  const jittered = nominal * (1 - JITTER + 2 * JITTER * random());
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(1, Math.round(jittered)));
}

/** The shortest total wait the schedule can produce (every jitter at its minimum). */
export function minimumTotalRetrySeconds(schedule: RetrySchedule): number {
  let total = 0;
  for (let attempt = 1; attempt < DELIVERY_ATTEMPTS; attempt++) {
    total += retryDelaySeconds(attempt, schedule, () => 0) ?? 0;
  }
  return total;
}
