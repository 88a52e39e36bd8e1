import { describe, expect, it } from 'vitest';
import {
  ALL_SWEEP_SHARDS,
  SWEEP_GRACE_SECONDS,
  sweepAtOf,
  sweepShardOf,
  sweepSlotMs,
} from '../../functions/data/sweep-index.ts';

describe('sweep index layout', () => {
  it('slots are 60 % of stale + grace: 60 s for the default 90 s', () => {
    expect(SWEEP_GRACE_SECONDS).toBe(10);
    expect(sweepSlotMs(90)).toBe(60_000);
    expect(sweepSlotMs(30)).toBe(24_000);
    expect(sweepSlotMs(1)).toBe(6_000);
  });

  it('reports in one slot share sweepAt (no index write); the next slot moves it', () => {
    const t = Date.parse('2026-12-01T09:00:00.000Z');
    expect(sweepAtOf(t, 90)).toBe('2026-12-01T09:00:00.000Z');
    expect(sweepAtOf(t + 59_999, 90)).toBe('2026-12-01T09:00:00.000Z');
    expect(sweepAtOf(t + 60_000, 90)).toBe('2026-12-01T09:01:00.000Z');
    // A slot never starts after the report it holds, and ends less than a slot after it.
    for (const ms of [t + 1, t + 12_345, t + 45_000]) {
      const start = Date.parse(sweepAtOf(ms, 90));
      expect(start).toBeLessThanOrEqual(ms);
      expect(ms - start).toBeLessThan(60_000);
    }
  });

  it('shards are stable and spread rows over all of them', () => {
    expect(sweepShardOf('b', 'n')).toBe(sweepShardOf('b', 'n'));
    const seen = new Map<string, number>();
    for (let i = 0; i < 8_000; i++) {
      const shard = sweepShardOf(`bucket-${i % 7}`, `node-${i}`);
      seen.set(shard, (seen.get(shard) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toStrictEqual([...ALL_SWEEP_SHARDS].sort());
    for (const count of seen.values()) expect(count).toBeGreaterThan(700);
  });
});
