import { describe, expect, it } from 'vitest';
import type { HealthInput } from '../../functions/domain/health.ts';
import { bootstrapCheckpoint } from '../../functions/domain/health-bootstrap.ts';

const AT = Date.parse('2026-12-06T12:00:00.000Z');
const STALE = 90_000;
const node = (nodeId: string, at: number, from: string, to: string, first = false) =>
  ({ kind: 'node', nodeId, at, from, to, first }) as HealthInput;

describe('bootstrapCheckpoint: the state at an instant from rows and later inputs', () => {
  it('takes each node state from the earliest recorded change after the instant', () => {
    const { checkpoint, entry } = bootstrapCheckpoint(
      AT,
      [
        { nodeId: 'a', last: { at: AT + 5_000, status: 'OFFLINE' } },
        { nodeId: 'b', last: { at: AT + 9_000, status: 'ONLINE' } },
      ],
      [
        node('a', AT + 9_000, 'OFFLINE', 'ONLINE'), // a later change: ignored, the earliest counts
        node('a', AT + 5_000, 'ONLINE', 'OFFLINE'),
        node('b', AT + 9_000, 'DISCONNECTED', 'ONLINE', true), // b's first report: not counted yet
        node('z', AT + 1, 'ONLINE', 'OFFLINE'), // a node no row names (unassigned since)
        node('a', AT, 'OFFLINE', 'ONLINE'), // at the instant itself: already in the rows' past
      ],
      [],
      STALE,
    );
    expect(checkpoint).toMatchObject({
      asOf: AT,
      createdAt: AT,
      counts: { counted: 1, online: 1 },
      verdict: 'OPERATIONAL',
      minOnlinePercent: 50,
    });
    expect(checkpoint.since).toBeUndefined();
    expect(entry).toEqual({
      counts: { counted: 1, online: 1 },
      minOnlinePercent: 50,
      verdict: 'OPERATIONAL',
    });
  });

  it('without a later change, the last report decides: it holds on [r, r + stale)', () => {
    const rows = [
      { nodeId: 'fresh', last: { at: AT - STALE + 1, status: 'ONLINE' as const } },
      { nodeId: 'stale', last: { at: AT - STALE, status: 'ONLINE' as const } },
      { nodeId: 'later', last: { at: AT + 60_000, status: 'ONLINE' as const } },
      { nodeId: 'off', last: { at: AT - 1, status: 'OFFLINE' as const } },
      { nodeId: 'never' },
    ];
    const { checkpoint } = bootstrapCheckpoint(AT, rows, [], [], STALE, 75);
    // counted: fresh, stale, later, off (never did not report); online: fresh, later.
    expect(checkpoint.counts).toEqual({ counted: 4, online: 2 });
    expect(checkpoint.minOnlinePercent).toBe(75);
    // q = ceil(4 * 0.75) = 3 > 2 online: a partial outage.
    expect(checkpoint.verdict).toBe('PARTIAL_OUTAGE');
  });

  it('is MAINTENANCE inside a window, UNKNOWN with nothing counted', () => {
    const window = { id: 'w', start: AT, end: AT + 1, createdAt: AT };
    expect(bootstrapCheckpoint(AT, [], [], [window], STALE).checkpoint.verdict).toBe('MAINTENANCE');
    expect(bootstrapCheckpoint(AT + 1, [], [], [window], STALE).checkpoint.verdict).toBe('UNKNOWN');
    const off = [{ nodeId: 'a', last: { at: AT, status: 'OFFLINE' as const } }];
    expect(bootstrapCheckpoint(AT, off, [], [], STALE).checkpoint.verdict).toBe('MAJOR_OUTAGE');
  });
  it('counts a node ONLINE only when its earliest later change left ONLINE; other inputs name no state', () => {
    const fresh = (nodeId: string) => ({ nodeId, last: { at: AT - 1, status: 'ONLINE' as const } });
    const { checkpoint } = bootstrapCheckpoint(
      AT,
      [fresh('a'), fresh('b'), fresh('c')],
      [
        node('a', AT + 5_000, 'ONLINE', 'OFFLINE'), // the earliest, listed first
        node('a', AT + 9_000, 'OFFLINE', 'ONLINE'),
        node('b', AT + 5_000, 'OFFLINE', 'ONLINE'), // it left OFFLINE: counted, not online
        { kind: 'uncount', at: AT + 1, nodeId: 'c' }, // no state: c's last report decides
        { kind: 'policy', at: AT + 1, minOnlinePercent: 10 },
      ],
      [],
      STALE,
    );
    expect(checkpoint.counts).toEqual({ counted: 3, online: 2 });
  });

  it('a last report within the stale interval before the instant holds; one at its end does not', () => {
    const rows = [
      { nodeId: 'fresh', last: { at: AT - STALE + 1, status: 'ONLINE' as const } },
      { nodeId: 'stale', last: { at: AT - STALE, status: 'OFFLINE' as const } },
    ];
    expect(bootstrapCheckpoint(AT, rows, [], [], STALE).checkpoint.counts).toEqual({
      counted: 2,
      online: 1,
    });
    const stale = [{ nodeId: 's', last: { at: AT - STALE, status: 'ONLINE' as const } }];
    expect(bootstrapCheckpoint(AT, stale, [], [], STALE).checkpoint.counts).toEqual({
      counted: 1,
      online: 0,
    });
  });
});
