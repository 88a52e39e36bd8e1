// The timeline's `offline` count (functions/domain/health-timeline.ts): the counted nodes
// OFFLINE, kept from a bucket's creation (0) through every node input, in the checkpoint and in
// each day's entry state; a timeline started before it was kept (no `offline`) never gains it,
// neither when advanced, nor from a day's entry, nor in a recomputation's start (`offlineAsIn`).
import { describe, expect, it } from 'vitest';
import type { HealthInput } from '../../functions/domain/health.ts';
import {
  advanceHealth,
  checkpointAtDayEntry,
  type HealthCheckpoint,
  initialCheckpoint,
  offlineAsIn,
} from '../../functions/domain/health-timeline.ts';
import type { NodeStatus } from '../../functions/domain/node-status.ts';

const MIDNIGHT = Date.parse('2026-12-02T00:00:00.000Z');
const C = MIDNIGHT - 3_600_000;

const node = (at: number, nodeId: string, from: NodeStatus, to: NodeStatus, first = false) =>
  ({ kind: 'node', at, nodeId, from, to, first }) satisfies HealthInput;

describe('the offline count', () => {
  it('is 0 at creation', () => {
    expect(initialCheckpoint(C, []).offline).toBe(0);
  });

  it('follows every node input: to OFFLINE adds one, from OFFLINE takes one, others change nothing', () => {
    const start = initialCheckpoint(C, []);
    const steps: [HealthInput[], number][] = [
      // Two first reports OFFLINE, one ONLINE.
      [
        [
          node(C + 1, 'a', 'DISCONNECTED', 'OFFLINE', true),
          node(C + 1, 'b', 'DISCONNECTED', 'OFFLINE', true),
          node(C + 1, 'c', 'DISCONNECTED', 'ONLINE', true),
        ],
        2,
      ],
      // a back ONLINE, c OFFLINE: still 2.
      [[node(C + 2, 'a', 'OFFLINE', 'ONLINE'), node(C + 2, 'c', 'ONLINE', 'OFFLINE')], 2],
      // b silent (DISCONNECTED), a to DISCONNECTED from ONLINE: 1.
      [
        [node(C + 3, 'b', 'OFFLINE', 'DISCONNECTED'), node(C + 3, 'a', 'ONLINE', 'DISCONNECTED')],
        1,
      ],
      // A policy and an uncount of the silent b change nothing.
      [
        [
          { kind: 'policy', at: C + 4, minOnlinePercent: 50 },
          { kind: 'uncount', at: C + 4, nodeId: 'b' },
        ],
        1,
      ],
    ];
    let checkpoint = start;
    for (const [inputs, offline] of steps) {
      checkpoint = advanceHealth(checkpoint, inputs, [], inputs[0]?.at as number).checkpoint;
      expect(checkpoint.offline).toBe(offline);
    }
    // The start is not changed by advancing a copy.
    expect(start.offline).toBe(0);
  });

  it("is in each day's entry state, and a day's entry gives it back", () => {
    const start = initialCheckpoint(C, []);
    const step = advanceHealth(
      start,
      [
        node(C + 1, 'a', 'DISCONNECTED', 'OFFLINE', true),
        node(MIDNIGHT + 5, 'a', 'OFFLINE', 'ONLINE'),
      ],
      [],
      MIDNIGHT + 10,
    );
    expect(step.checkpoint.offline).toBe(0);
    expect(step.dayEntries).toHaveLength(1);
    const entry = step.dayEntries[0]?.entry;
    expect(entry?.offline).toBe(1);
    const recomputed = checkpointAtDayEntry('2026-12-02', entry as NonNullable<typeof entry>, C);
    expect(recomputed.offline).toBe(1);
  });

  it('a timeline without it (an older release) never gains it', () => {
    const { offline: _, ...older } = initialCheckpoint(C, []);
    const step = advanceHealth(
      older,
      [
        node(C + 1, 'a', 'DISCONNECTED', 'OFFLINE', true),
        node(MIDNIGHT + 5, 'a', 'OFFLINE', 'ONLINE'),
      ],
      [],
      MIDNIGHT + 10,
    );
    expect('offline' in step.checkpoint).toBe(false);
    const entry = step.dayEntries[0]?.entry as NonNullable<(typeof step.dayEntries)[0]>['entry'];
    expect('offline' in entry).toBe(false);
    expect('offline' in checkpointAtDayEntry('2026-12-02', entry, C)).toBe(false);
    expect(step.checkpoint.counts).toStrictEqual({ counted: 1, online: 1 });
  });

  describe('offlineAsIn', () => {
    const start: HealthCheckpoint = { ...initialCheckpoint(C, []), offline: 3 };
    it("keeps a start's count when the stored timeline keeps one", () => {
      expect(offlineAsIn(start, { ...initialCheckpoint(C, []), offline: 0 })).toStrictEqual(start);
    });
    it('drops it, and nothing else, when the stored timeline keeps none', () => {
      const { offline: _, ...stored } = initialCheckpoint(C, []);
      const { offline: __, ...expected } = start;
      expect(offlineAsIn(start, stored)).toStrictEqual(expected);
    });
  });
});
