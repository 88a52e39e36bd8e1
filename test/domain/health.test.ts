/**
 * The verdict rule at one instant (DESIGN.md section 13): every row of the table, the quorum
 * `q = max(1, ceil(n * minOnlinePercent / 100))` at its boundaries and in exact integers, and
 * a window's [start, end) (section 15).
 */
import { describe, expect, it } from 'vitest';
import {
  inMaintenance,
  type MaintenanceWindow,
  MIN_ONLINE_PERCENT,
  minOnline,
  VERDICTS,
  verdictOf,
} from '../../functions/domain/health.ts';

describe('minOnline', () => {
  it('is max(1, ceil(n * percent / 100)) for n = 1..4 at 1, 50, 75 and 100 percent', () => {
    const table: [number, number[]][] = [
      [1, [1, 1, 1, 1]],
      [50, [1, 1, 2, 2]],
      [75, [1, 2, 3, 3]],
      [100, [1, 2, 3, 4]],
    ];
    for (const [percent, qs] of table) {
      expect([1, 2, 3, 4].map((n) => minOnline(n, percent))).toStrictEqual(qs);
    }
  });

  it('is at least 1, even with no counted node', () => {
    expect(minOnline(0, 50)).toBe(1);
    expect(minOnline(0, 100)).toBe(1);
    expect(minOnline(1, 1)).toBe(1);
  });

  it('rounds up exactly: 3 nodes at 34% need 2, at 33% need 1, 2 at 50% need 1', () => {
    expect(minOnline(3, 34)).toBe(2);
    expect(minOnline(3, 33)).toBe(1);
    expect(minOnline(3, 67)).toBe(3);
    expect(minOnline(3, 66)).toBe(2);
    expect(minOnline(2, 50)).toBe(1);
    expect(minOnline(2, 51)).toBe(2);
  });

  it('computes in integers: no floating-point product overshoots an exact quorum', () => {
    // 100 * 0.07 = 7.000000000000001 and 200 * 0.55 = 110.00000000000001 in floating point.
    expect(minOnline(100, 7)).toBe(7);
    expect(minOnline(100, 14)).toBe(14);
    expect(minOnline(100, 28)).toBe(28);
    expect(minOnline(200, 55)).toBe(110);
    expect(minOnline(100, 56)).toBe(56);
  });

  it('names the policy bounds and default', () => {
    expect(MIN_ONLINE_PERCENT).toStrictEqual({ min: 1, max: 100, fallback: 50 });
  });
});

describe('verdictOf: the rows of the section 13 table', () => {
  it('MAINTENANCE overrides the rest while a window is active', () => {
    for (const counts of [
      { counted: 0, online: 0 },
      { counted: 3, online: 3 },
      { counted: 3, online: 1 },
      { counted: 3, online: 0 },
    ]) {
      expect(verdictOf(counts, 50, true)).toBe('MAINTENANCE');
    }
  });

  it('UNKNOWN when no node counts', () => {
    expect(verdictOf({ counted: 0, online: 0 }, 50, false)).toBe('UNKNOWN');
    expect(verdictOf({ counted: 0, online: 0 }, 100, false)).toBe('UNKNOWN');
  });

  it('OPERATIONAL when every counted node is ONLINE', () => {
    expect(verdictOf({ counted: 1, online: 1 }, 100, false)).toBe('OPERATIONAL');
    expect(verdictOf({ counted: 4, online: 4 }, 50, false)).toBe('OPERATIONAL');
  });

  it('MAJOR_OUTAGE when none of the counted nodes is ONLINE', () => {
    expect(verdictOf({ counted: 1, online: 0 }, 50, false)).toBe('MAJOR_OUTAGE');
    expect(verdictOf({ counted: 4, online: 0 }, 1, false)).toBe('MAJOR_OUTAGE');
  });

  it('DEGRADED for q <= on < n, PARTIAL_OUTAGE for 1 <= on < q, at each boundary', () => {
    // n = 4, 50%: q = 2.
    expect(verdictOf({ counted: 4, online: 3 }, 50, false)).toBe('DEGRADED');
    expect(verdictOf({ counted: 4, online: 2 }, 50, false)).toBe('DEGRADED');
    expect(verdictOf({ counted: 4, online: 1 }, 50, false)).toBe('PARTIAL_OUTAGE');
    // n = 4, 75%: q = 3.
    expect(verdictOf({ counted: 4, online: 3 }, 75, false)).toBe('DEGRADED');
    expect(verdictOf({ counted: 4, online: 2 }, 75, false)).toBe('PARTIAL_OUTAGE');
    // n = 4, 100%: q = 4: any node short is a partial outage.
    expect(verdictOf({ counted: 4, online: 3 }, 100, false)).toBe('PARTIAL_OUTAGE');
    expect(verdictOf({ counted: 2, online: 1 }, 100, false)).toBe('PARTIAL_OUTAGE');
    // n = 2, 1%: q = 1: one node up is enough.
    expect(verdictOf({ counted: 2, online: 1 }, 1, false)).toBe('DEGRADED');
    expect(verdictOf({ counted: 4, online: 1 }, 1, false)).toBe('DEGRADED');
    // n = 3, 34%: q = 2 (ceil of 1.02), 33%: q = 1.
    expect(verdictOf({ counted: 3, online: 1 }, 34, false)).toBe('PARTIAL_OUTAGE');
    expect(verdictOf({ counted: 3, online: 1 }, 33, false)).toBe('DEGRADED');
    expect(verdictOf({ counted: 3, online: 2 }, 67, false)).toBe('PARTIAL_OUTAGE');
    expect(verdictOf({ counted: 3, online: 2 }, 66, false)).toBe('DEGRADED');
    // 100 nodes at 7%: q = 7 exactly.
    expect(verdictOf({ counted: 100, online: 7 }, 7, false)).toBe('DEGRADED');
    expect(verdictOf({ counted: 100, online: 6 }, 7, false)).toBe('PARTIAL_OUTAGE');
  });

  it('lists the verdicts in the table order', () => {
    expect(VERDICTS).toStrictEqual([
      'OPERATIONAL',
      'DEGRADED',
      'PARTIAL_OUTAGE',
      'MAJOR_OUTAGE',
      'MAINTENANCE',
      'UNKNOWN',
    ]);
  });
});

describe('inMaintenance', () => {
  const w = (start: number, end: number): MaintenanceWindow => ({
    id: `mw_${start}`,
    start,
    end,
    createdAt: 0,
  });

  it('is active on [start, end): from its start, up to 1 ms before its end', () => {
    const windows = [w(100, 200)];
    expect(inMaintenance(windows, 99)).toBe(false);
    expect(inMaintenance(windows, 100)).toBe(true);
    expect(inMaintenance(windows, 199)).toBe(true);
    expect(inMaintenance(windows, 200)).toBe(false);
    expect(inMaintenance([], 150)).toBe(false);
  });

  it('counts the union of overlapping and adjacent windows', () => {
    const windows = [w(100, 200), w(150, 300), w(300, 301)];
    for (const t of [100, 150, 199, 200, 299, 300]) expect(inMaintenance(windows, t)).toBe(true);
    for (const t of [99, 301]) expect(inMaintenance(windows, t)).toBe(false);
  });
});
