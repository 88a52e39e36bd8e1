// countsFromLog (functions/workspace/read-overview-entry.ts): an overview entry's node counts from
// the timeline's counts at now, the rows whose report is exactly stale at now (the log has them
// DISCONNECTED from that instant, their views still show their status), and the rows that never
// reported (assigned, not counted).
import { describe, expect, it } from 'vitest';
import type { HealthNodeRow } from '../../functions/domain/ports/health.ts';
import { countsFromLog } from '../../functions/workspace/read-overview-entry.ts';

const STALE = 60_000;
const NOW = Date.parse('2027-06-01T10:00:00.000Z');
const row = (nodeId: string, status: string | undefined, lastAt: number | undefined) =>
  ({ nodeId, status, lastAt }) as HealthNodeRow;

describe('countsFromLog', () => {
  it("is the log's counts, the never-reported rows assigned but not counted", () => {
    expect(countsFromLog({ counted: 4, online: 2, offline: 1 }, [], 3, NOW, STALE)).toStrictEqual({
      assigned: 7,
      counted: 4,
      online: 2,
      offline: 1,
    });
  });

  it('adds each row exactly stale at now by its status, and no other row', () => {
    const rows = [
      row('on-exact', 'ONLINE', NOW - STALE),
      row('off-exact', 'OFFLINE', NOW - STALE),
      row('off-exact-2', 'OFFLINE', NOW - STALE),
      // Stale 1 ms ago, or 1 ms before it turns stale: the log already counts them.
      row('on-older', 'ONLINE', NOW - STALE - 1),
      row('off-younger', 'OFFLINE', NOW - STALE + 1),
      // No report since its assignment.
      row('unreported', undefined, undefined),
    ];
    expect(countsFromLog({ counted: 6, online: 1, offline: 1 }, rows, 0, NOW, STALE)).toStrictEqual(
      { assigned: 6, counted: 6, online: 2, offline: 3 },
    );
  });
});
