// The alert policy's pure rules (functions/domain/alert-policy.ts): the request fields, a
// stored row's defaults, the queue delay, and whether a change held at at + D.
import { describe, expect, it } from 'vitest';
import {
  checkInstant,
  confirmationDelaySeconds,
  healthChangeHolds,
  nodeChangeHolds,
  parseEvents,
  parseMinDuration,
  returnsToStart,
  silencedByMaintenance,
  storedPolicy,
  subscribes,
} from '../../functions/domain/alert-policy.ts';

const both = ['node.status_changed', 'bucket.health_changed'];

describe('request fields', () => {
  it.each([
    [['node.status_changed'], ['node.status_changed']],
    [
      ['bucket.health_changed', 'node.status_changed'],
      ['bucket.health_changed', 'node.status_changed'],
    ],
  ])('events %j are kept', (value, expected) => {
    expect(parseEvents(value)).toEqual(expected);
  });

  it.each([
    [[], 'events must be a non-empty array of event types'],
    ['node.status_changed', 'events must be a non-empty array of event types'],
    [null, 'events must be a non-empty array of event types'],
    [{ 0: 'node.status_changed' }, 'events must be a non-empty array of event types'],
    [['x'], 'events may hold only node.status_changed and bucket.health_changed'],
    [[null], 'events may hold only node.status_changed and bucket.health_changed'],
    [['node.status_changed', 'node.status_changed'], 'events lists node.status_changed twice'],
  ])('events %j: %s', (value, message) => {
    expect(() => parseEvents(value)).toThrow(message);
  });

  it.each([0, 1, 60, 900])('minDurationSeconds %d is kept', (value) => {
    expect(parseMinDuration(value)).toBe(value);
  });

  it.each([-1, 901, 0.5, '5', null, Number.NaN, Number.POSITIVE_INFINITY])(
    'minDurationSeconds %j is refused',
    (value) => {
      expect(() => parseMinDuration(value)).toThrow('minDurationSeconds must be an integer 0-900');
    },
  );
});

describe('a stored row', () => {
  it.each([
    [undefined, undefined, both, 0],
    [[], 0, both, 0],
    [['other'], 901, both, 0],
    [['bucket.health_changed'], 900, ['bucket.health_changed'], 900],
    [['bucket.health_changed', 'node.status_changed'], 0, both, 0],
    [['bucket.health_changed', 'x'], -1, ['bucket.health_changed'], 0],
    [['node.status_changed'], 2.5, ['node.status_changed'], 0],
    [['node.status_changed'], '7', ['node.status_changed'], 0],
  ])('events %j, minDuration %j read as %j, %d', (events, min, expectedEvents, expectedMin) => {
    expect(storedPolicy(events as string[] | undefined, min)).toEqual({
      events: expectedEvents,
      minDurationSeconds: expectedMin,
    });
  });

  it('subscribes by type', () => {
    const policy = storedPolicy(['bucket.health_changed'], 0);
    expect(subscribes(policy, 'bucket.health_changed')).toBe(true);
    expect(subscribes(policy, 'node.status_changed')).toBe(false);
  });
});

describe('the queue delay', () => {
  const at = Date.parse('2026-12-01T09:00:00.000Z');
  it.each([
    [0, at, 0],
    [0, at - 5_000, 0],
    [10, at, 10],
    [10, at + 4_000, 6],
    [10, at + 4_001, 6],
    [10, at + 3_999, 7],
    [10, at + 10_000, 0],
    [10, at + 60_000, 0],
    [900, at, 900],
    [900, at - 100_000, 900],
  ])('D %d, now at + (%d - at): %d s', (d, now, expected) => {
    expect(confirmationDelaySeconds(at, d, now)).toBe(expected);
  });

  it('the check instant is at + D', () => {
    expect(
      checkInstant({
        subject: 'bucket',
        bucketId: 'b',
        to: 'DEGRADED',
        at: '2026-12-01T09:00:00.000Z',
        holdSeconds: 30,
      }),
    ).toBe(at + 30_000);
  });
});

describe('a node change held at at + D', () => {
  const at = 1_000_000;
  const base = { atMs: at, holdSeconds: 10, staleAfterSeconds: 5, laterEventsMs: [] as number[] };
  it.each([
    // to ONLINE/OFFLINE: the last report not stale at T, and `to` when inside (at, T]
    [
      'reported again, not stale at T',
      'OFFLINE',
      [],
      { status: 'OFFLINE', lastAtMs: at + 5_000 },
      true,
    ],
    [
      'last report exactly stale at T',
      'OFFLINE',
      [],
      { status: 'OFFLINE', lastAtMs: at + 5_000 - 0 },
      true,
    ],
    ['last report 1 ms too old', 'OFFLINE', [], { status: 'OFFLINE', lastAtMs: at + 4_999 }, false],
    [
      'the change was the last report: silent',
      'OFFLINE',
      [],
      { status: 'OFFLINE', lastAtMs: at },
      false,
    ],
    [
      'a report of another status inside D',
      'OFFLINE',
      [],
      { status: 'ONLINE', lastAtMs: at + 6_000 },
      false,
    ],
    ['a report after T', 'ONLINE', [], { status: 'OFFLINE', lastAtMs: at + 10_001 }, true],
    ['a report at T', 'ONLINE', [], { status: 'ONLINE', lastAtMs: at + 10_000 }, true],
    ['the row gone', 'ONLINE', [], undefined, false],
    [
      'a later event inside D',
      'ONLINE',
      [at + 10_000],
      { status: 'ONLINE', lastAtMs: at + 9_000 },
      false,
    ],
    [
      'a later event after T',
      'ONLINE',
      [at + 10_001],
      { status: 'ONLINE', lastAtMs: at + 9_000 },
      true,
    ],
    ['an event at `at` itself', 'ONLINE', [at], { status: 'ONLINE', lastAtMs: at + 9_000 }, true],
    // to DISCONNECTED: no report in (at, T]
    ['silent since', 'DISCONNECTED', [], { status: 'ONLINE', lastAtMs: at - 5_000 }, true],
    ['unassigned', 'DISCONNECTED', [], undefined, true],
    ['a report inside D', 'DISCONNECTED', [], { status: 'ONLINE', lastAtMs: at + 1 }, false],
    ['a report at T', 'DISCONNECTED', [], { status: 'ONLINE', lastAtMs: at + 10_000 }, false],
    ['a report after T', 'DISCONNECTED', [], { status: 'ONLINE', lastAtMs: at + 10_001 }, true],
    [
      'an event inside D',
      'DISCONNECTED',
      [at + 2],
      { status: 'ONLINE', lastAtMs: at - 5_000 },
      false,
    ],
    [
      'the last report at `at` itself',
      'DISCONNECTED',
      [],
      { status: 'ONLINE', lastAtMs: at },
      true,
    ],
    [
      'a report of another status at T',
      'ONLINE',
      [],
      { status: 'OFFLINE', lastAtMs: at + 10_000 },
      false,
    ],
  ] as const)('%s (to %s)', (_name, to, later, row, expected) => {
    expect(nodeChangeHolds({ ...base, to, laterEventsMs: later, row })).toBe(expected);
  });

  it('a last report not after `at` is the change itself, whatever status the row shows', () => {
    const input = { ...base, holdSeconds: 2, to: 'ONLINE' };
    expect(nodeChangeHolds({ ...input, row: { status: 'OFFLINE', lastAtMs: at } })).toBe(true);
    expect(nodeChangeHolds({ ...input, row: { status: 'OFFLINE', lastAtMs: at + 1 } })).toBe(false);
  });

  it('a health change holds unless a health event is in (at, at + D]', () => {
    const input = { atMs: at, holdSeconds: 10 };
    expect(healthChangeHolds({ ...input, laterEventsMs: [] })).toBe(true);
    expect(healthChangeHolds({ ...input, laterEventsMs: [at, at + 10_001] })).toBe(true);
    expect(healthChangeHolds({ ...input, laterEventsMs: [at + 10_000] })).toBe(false);
    expect(healthChangeHolds({ ...input, laterEventsMs: [at + 1] })).toBe(false);
  });
});

describe('a held change that only returns to the state before a run that did not hold', () => {
  const at = 1_000_000;
  it.each([
    ['no earlier change', 'ONLINE', [], false],
    ['the previous state held', 'ONLINE', [{ atMs: at - 10_000, from: 'ONLINE' }], false],
    ['a flap back', 'ONLINE', [{ atMs: at - 9_999, from: 'ONLINE' }], true],
    ['superseded', 'DISCONNECTED', [{ atMs: at - 2_000, from: 'ONLINE' }], false],
    [
      'a longer run back',
      'ONLINE',
      [
        { atMs: at - 2_000, from: 'DISCONNECTED' },
        { atMs: at - 4_000, from: 'OFFLINE' },
        { atMs: at - 6_000, from: 'ONLINE' },
        { atMs: at - 60_000, from: 'OFFLINE' },
      ],
      true,
    ],
    [
      'a run that ends at a gap of D',
      'ONLINE',
      [
        { atMs: at - 2_000, from: 'OFFLINE' },
        { atMs: at - 12_000, from: 'ONLINE' },
      ],
      false,
    ],
    ['a change at the same instant is skipped', 'ONLINE', [{ atMs: at, from: 'ONLINE' }], false],
  ] as const)('%s', (_name, to, earlier, expected) => {
    expect(returnsToStart({ to, atMs: at, holdSeconds: 10, earlier })).toBe(expected);
  });
});

it('maintenance silences [start, end)', () => {
  const windows = [{ id: 'mw_1', start: 100, end: 200, createdAt: 0 }];
  expect(silencedByMaintenance(windows, 99)).toBe(false);
  expect(silencedByMaintenance(windows, 100)).toBe(true);
  expect(silencedByMaintenance(windows, 199)).toBe(true);
  expect(silencedByMaintenance(windows, 200)).toBe(false);
});
