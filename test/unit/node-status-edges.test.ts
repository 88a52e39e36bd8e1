import { describe, expect, it } from 'vitest';
import { toNodeStatusView, toNodeStatusViews } from '../../functions/domain/node-status.ts';

/**
 * Near-ISO stored times that the batch fast path (string comparison with a sortable cut-off)
 * must not take: each one reads exactly as the one-row definition reads it. Issue 15: mutants
 * of the sortable-ISO expression survived because no test stored such a string.
 */
const NOW = Date.parse('2026-03-05T12:00:00.000Z'); // day 05: the cut-off takes the fast path
const STALE_MS = 90_000;

describe('toNodeStatusViews: stored times the fast path must leave alone', () => {
  it.each([
    ['trailing junk after the Z', '2026-03-05T11:59:59.000Zjunk'],
    ['a non-digit in the day', '2026-03-1xT11:59:59.000Z'],
    ['a non-digit in the hour', '2026-03-05T1x:59:59.000Z'],
    ['a year of letters', 'abcd-03-05T11:59:59.000Z'],
    ['a one-digit year', '9-03-05T11:59:59.000Z'],
    ['minutes over 59', '2026-03-05T11:99:59.000Z'],
    ['one millisecond digit', '2026-03-05T11:59:59.0Z'],
  ])(
    '%s: the same view as the definition (unparseable: DISCONNECTED, no lastUpdated)',
    (_, lastUpdated) => {
      const row = { nodeId: 'n', status: 'ONLINE', latencyMs: 5, lastUpdated };
      const [view] = toNodeStatusViews([row], NOW, STALE_MS);
      expect(view).toStrictEqual(toNodeStatusView(row, NOW, STALE_MS));
      if (Number.isNaN(Date.parse(lastUpdated)))
        expect(view).toStrictEqual({ status: 'DISCONNECTED' });
    },
  );

  it('a fresh report without latency has no latency_ms key at all', () => {
    const row = { nodeId: 'n', status: 'ONLINE', lastUpdated: new Date(NOW - 1000).toISOString() };
    const [view] = toNodeStatusViews([row], NOW, STALE_MS);
    expect(view).toStrictEqual({ status: 'ONLINE', lastUpdated: row.lastUpdated });
    expect(Object.keys(view ?? {})).toStrictEqual(['status', 'lastUpdated']);
    expect(Object.keys(toNodeStatusView(row, NOW, STALE_MS))).toStrictEqual([
      'status',
      'lastUpdated',
    ]);
  });
});
