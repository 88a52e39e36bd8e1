import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DELIVERY_ATTEMPTS,
  DEPLOYED_SCHEDULE,
  MAX_RETRY_DELAY_SECONDS,
  minimumTotalRetrySeconds,
  retryDelaySeconds,
} from '../../functions/domain/retry-schedule.ts';

describe('retry schedule', () => {
  it('deployed: at least 5 attempts over at least an hour, whatever the jitter', () => {
    expect(DELIVERY_ATTEMPTS).toBeGreaterThanOrEqual(5);
    expect(minimumTotalRetrySeconds(DEPLOYED_SCHEDULE)).toBeGreaterThanOrEqual(3600);
  });

  it('deployed: delays grow exponentially, are jittered, stay within SQS bounds', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999_999, noNaN: true }), (r) => {
        let previous = 0;
        for (let attempt = 1; attempt < DELIVERY_ATTEMPTS; attempt++) {
          const delay = retryDelaySeconds(attempt, DEPLOYED_SCHEDULE, () => r) as number;
          const nominal = 60 * 3 ** (attempt - 1);
          expect(delay).toBeGreaterThanOrEqual(Math.round(nominal * 0.75));
          expect(delay).toBeLessThanOrEqual(Math.round(nominal * 1.25));
          expect(delay).toBeLessThanOrEqual(MAX_RETRY_DELAY_SECONDS);
          expect(delay).toBeGreaterThan(previous);
          previous = delay;
        }
      }),
    );
    expect(retryDelaySeconds(2, DEPLOYED_SCHEDULE, () => 0)).not.toBe(
      retryDelaySeconds(2, DEPLOYED_SCHEDULE, () => 0.99),
    );
  });

  it('the last attempt has no next one; local retries are evenly spaced', () => {
    expect(retryDelaySeconds(DELIVERY_ATTEMPTS, DEPLOYED_SCHEDULE)).toBeUndefined();
    const fixed = { kind: 'fixed', seconds: 2 } as const;
    const delays = Array.from({ length: DELIVERY_ATTEMPTS }, (_, i) =>
      retryDelaySeconds(i + 1, fixed),
    );
    expect(delays).toEqual([...Array(DELIVERY_ATTEMPTS - 1).fill(2), undefined]);
    expect(() => retryDelaySeconds(0, fixed)).toThrow();
  });

  it('an attempt number that is not a whole number from 1 is a caller error that names it', () => {
    for (const attempt of [0, -1, 1.5, Number.NaN]) {
      expect(() => retryDelaySeconds(attempt, DEPLOYED_SCHEDULE)).toThrow(/attempt/);
    }
  });
});
