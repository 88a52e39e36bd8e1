// The pure rules of functions/domain/maintenance.ts at their edges: strict instants, window
// phases at their boundaries, the listing's order, what a deletion does, the policy's percent,
// which windows count toward the limit of a hundred kept ones.
import { describe, expect, it } from 'vitest';
import { Conflict, NotFound, ValidationError } from '../../functions/domain/errors.ts';
import type { MaintenanceWindow } from '../../functions/domain/health.ts';
import {
  assertRoomForWindow,
  deletionOf,
  isOpenWindow,
  KEPT_AFTER_END_MS,
  keptWindows,
  listedWindows,
  MAX_KEPT_WINDOWS,
  parseInstant,
  parsePolicyPercent,
  parsePolicyRequest,
  parseWindowRequest,
  tooManyPolicyChanges,
  windowPhase,
  windowView,
} from '../../functions/domain/maintenance.ts';

const T = Date.parse('2026-12-06T12:00:00.000Z');
const DAY = 86_400_000;
const w = (id: string, start: number, end: number, reason?: string): MaintenanceWindow => ({
  id,
  start,
  end,
  ...(reason !== undefined && { reason }),
  createdAt: T,
});

describe('parseInstant', () => {
  it.each([
    ['2026-12-06T12:00:00Z', T],
    ['2026-12-06T12:00:00.000Z', T],
    ['2026-12-06T12:00:00.5Z', T + 500],
    ['2026-12-06T12:00:00.12Z', T + 120],
    ['2026-12-06T14:00:00+02:00', T],
    ['2026-12-06T06:30:00-05:30', T],
    ['2028-02-29T00:00:00Z', Date.parse('2028-02-29T00:00:00Z')],
    ['1970-01-01T00:00:00Z', 0],
    ['2026-12-06T23:59:59Z', T + 12 * 3_600_000 - 1000],
  ])('%s', (value, ms) => expect(parseInstant(value)).toBe(ms));

  it.each([
    '1969-12-31T23:59:59Z',
    '2026-12-06',
    '2026-12-06T12:00Z',
    '2026-12-06T12:00:00',
    '2026-12-06 12:00:00Z',
    '2026-12-06T24:00:00Z',
    '2026-12-06T12:60:00Z',
    '2026-12-06T12:00:60Z',
    '2026-12-06T12:00:00.1234Z',
    '2026-12-06T12:00:00.Z',
    '2026-12-06T12:00:00+24:00',
    '2026-12-06T12:00:00+02:60',
    '2026-12-06T12:00:00+0200',
    '2026-12-06T12:00:00z',
    '2027-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-04-31T00:00:00Z',
    ' 2026-12-06T12:00:00Z',
    '2026-12-06T12:00:00Z ',
    '+02026-12-06T12:00:00Z',
    '',
  ])('refuses %j', (value) => expect(parseInstant(value)).toBeUndefined());
});

describe('window phases', () => {
  const window = w('mw_a', T, T + 1000);
  it.each([
    [T - 1, 'upcoming', true],
    [T, 'active', true],
    [T + 999, 'active', true],
    [T + 1000, 'ended', false],
  ] as const)('at start%+d ms: %s', (now, phase, open) => {
    expect(windowPhase(window, now)).toBe(phase);
    expect(isOpenWindow(window, now)).toBe(open);
  });
});

describe('listedWindows', () => {
  it('by start, then end, then id; ended within 30 days only', () => {
    const windows = [
      w('mw_c', T + 10, T + 20),
      w('mw_b', T + 10, T + 20),
      w('mw_a', T + 10, T + 30),
      w('mw_d', T - 5, T + 40),
      w('mw_old', T - 40 * DAY, T - 30 * DAY),
      w('mw_recent', T - 40 * DAY, T - 30 * DAY + 1),
    ];
    expect(listedWindows(windows, T).map((x) => x.id)).toEqual([
      'mw_recent',
      'mw_d',
      'mw_b',
      'mw_c',
      'mw_a',
    ]);
    // The input is left as it was.
    expect(windows[0]?.id).toBe('mw_c');
  });

  it('windows alike but for their ids, in any order, by id', () => {
    const ids = ['mw_e', 'mw_a', 'mw_d', 'mw_b', 'mw_c', 'mw_f'];
    for (const order of [ids, [...ids].reverse(), [...ids].sort()]) {
      const listed = listedWindows(
        order.map((id) => w(id, T, T + 1)),
        T,
      ).map((x) => x.id);
      expect(listed).toEqual(['mw_a', 'mw_b', 'mw_c', 'mw_d', 'mw_e', 'mw_f']);
    }
  });
});

describe('deletionOf', () => {
  it('removes upcoming, ends active; 409 ended, 404 unknown', () => {
    const window = w('mw_a', T, T + 1000);
    expect(deletionOf(window, T - 1)).toBe('remove');
    expect(deletionOf(window, T)).toBe('end');
    expect(() => deletionOf(window, T + 1000)).toThrow(Conflict);
    expect(() => deletionOf(undefined, T)).toThrow(NotFound);
  });
});

describe('parseWindowRequest', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  it('returns epoch ms and the reason; an empty or null reason is none', () => {
    const body = { start: iso(T + 1000), end: iso(T + 2000) };
    expect(parseWindowRequest({ ...body, reason: 'r' }, T)).toEqual({
      start: T + 1000,
      end: T + 2000,
      reason: 'r',
    });
    expect(parseWindowRequest({ ...body, reason: '' }, T).reason).toBeUndefined();
    expect(parseWindowRequest({ ...body, reason: null }, T).reason).toBeUndefined();
    expect(parseWindowRequest(body, T).reason).toBeUndefined();
  });

  it.each([
    [{ start: 'x', end: 'y', extra: 1, ['x'.repeat(80)]: 2 }, 'unknown field: extra'],
    [{ start: 'x', end: 'y', ['x'.repeat(80)]: 2 }, `unknown field: ${'x'.repeat(64)}`],
    [{ start: 5, end: 'y' }, 'start must be an ISO 8601 instant such as "2026-12-06T10:00:00Z"'],
    [{ start: 'x', end: 'y' }, 'start must be an ISO 8601 instant such as "2026-12-06T10:00:00Z"'],
    [{ end: 'y' }, 'start is required (an ISO 8601 instant such as "2026-12-06T10:00:00Z")'],
    [{ start: iso(T), end: 'y' }, 'end must be an ISO 8601 instant such as "2026-12-06T10:00:00Z"'],
    [{ start: iso(T), end: iso(T + 1), reason: [] }, 'reason must be a string'],
    [[], 'The body must be a JSON object { "start", "end", "reason"? }'],
    [
      { start: iso(T - 60_001), end: iso(T + 1) },
      'start 2026-12-06T11:58:59.999Z is more than 60 seconds in the past (now 2026-12-06T12:00:00.000Z)',
    ],
    [
      { start: iso(T + 90 * DAY + 1), end: iso(T + 90 * DAY + 2) },
      'start 2027-03-06T12:00:00.001Z is more than 90 days ahead (now 2026-12-06T12:00:00.000Z)',
    ],
    [{ start: iso(T), end: iso(T) }, 'end must be after start'],
    [{ start: iso(T), end: iso(T + 7 * DAY + 1) }, 'a window lasts at most 7 days'],
  ])('%j: %s', (body, message) => {
    expect(() => parseWindowRequest(body, T)).toThrow(new ValidationError(message));
  });

  it('the bounds themselves are accepted', () => {
    expect(
      parseWindowRequest({ start: iso(T - 60_000), end: iso(T + 7 * DAY - 60_000) }, T),
    ).toEqual({ start: T - 60_000, end: T + 7 * DAY - 60_000, reason: undefined });
    expect(
      parseWindowRequest({ start: iso(T + 90 * DAY), end: iso(T + 90 * DAY + 1) }, T).start,
    ).toBe(T + 90 * DAY);
  });

  it('a reason is counted in code points and must be printable', () => {
    const body = { start: iso(T + 1), end: iso(T + 2) };
    expect(parseWindowRequest({ ...body, reason: '🛠'.repeat(256) }, T).reason).toHaveLength(512);
    expect(() => parseWindowRequest({ ...body, reason: '🛠'.repeat(257) }, T)).toThrow(
      'reason must be at most 256 characters',
    );
    expect(() => parseWindowRequest({ ...body, reason: 'a\u200bb' }, T)).toThrow(/U\+200B/);
  });
});

describe('the policy', () => {
  it.each([1, 50, 100])('accepts %i', (pct) => {
    expect(parsePolicyRequest({ minOnlinePercent: pct })).toBe(pct);
    expect(parsePolicyPercent(String(pct))).toBe(pct);
  });

  it.each(['0', '101', '1000', '050', '5.0', '-1', '+5', '1e2', ' 5', '5 ', ''])(
    'the CLI refuses %j',
    (raw) => {
      expect(() => parsePolicyPercent(raw)).toThrow(
        new ValidationError('minOnlinePercent must be an integer 1-100'),
      );
    },
  );

  it.each([
    [null, 'The body must be a JSON object { "minOnlinePercent" }'],
    [{ minOnlinePercent: 5, [`x${'y'.repeat(99)}`]: 1 }, `unknown field: x${'y'.repeat(63)}`],
    [{ minOnlinePercent: 0 }, 'minOnlinePercent must be an integer 1-100'],
  ])('the API refuses %j', (body, message) => {
    expect(() => parsePolicyRequest(body)).toThrow(new ValidationError(message));
  });
});

describe('windowView', () => {
  it('instants in ISO 8601 UTC; no reason field without a reason', () => {
    expect(windowView('b1', w('mw_a', T, T + 1000))).toEqual({
      id: 'mw_a',
      bucketId: 'b1',
      start: '2026-12-06T12:00:00.000Z',
      end: '2026-12-06T12:00:01.000Z',
      createdAt: '2026-12-06T12:00:00.000Z',
    });
    expect(windowView('b1', w('mw_a', T, T + 1000, 'r')).reason).toBe('r');
    expect(Object.hasOwn(windowView('b1', w('mw_a', T, T + 1000)), 'reason')).toBe(false);
  });
});

describe('keptWindows and the limit of a hundred', () => {
  it('the ledger entries not yet expired, and the stored windows by their own end', () => {
    const ledger = new Map([
      ['gone', T],
      ['last', T + 1],
      ['moved', T + 5 * DAY],
      ['stale', T + 9 * DAY],
    ]);
    const stored = [
      w('moved', T - DAY, T - 2 * DAY + 10),
      w('stale', T - 40 * DAY, T - 31 * DAY),
      w('new', T, T + DAY),
    ];
    expect(keptWindows(ledger, stored, T)).toEqual(
      new Map([
        ['last', T + 1],
        ['moved', T - 2 * DAY + 10 + KEPT_AFTER_END_MS],
        ['new', T + DAY + KEPT_AFTER_END_MS],
      ]),
    );
  });

  it('room for one more below the limit; at it a 409 naming the next instant one stops counting', () => {
    const kept = new Map(
      Array.from({ length: MAX_KEPT_WINDOWS - 1 }, (_, i) => [`w${i}`, T + 5 + i]),
    );
    expect(() => assertRoomForWindow(kept)).not.toThrow();
    kept.set('first', T + 3);
    const error = (() => {
      try {
        assertRoomForWindow(kept);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(Conflict);
    expect((error as Error).message).toBe(
      'A bucket keeps at most 100 maintenance windows (active, upcoming, and ended within the last 31 days); the next one stops counting at 2026-12-06T12:00:00.003Z',
    );
  });

  it('the policy limit names the next UTC day', () => {
    const error = tooManyPolicyChanges(Date.parse('2026-12-06T23:59:59.999Z'));
    expect(error).toBeInstanceOf(Conflict);
    expect(error.message).toBe(
      "A bucket's health policy changes at most 50 times per UTC day; try again after 2026-12-07T00:00:00.000Z",
    );
    expect(tooManyPolicyChanges(Date.parse('2026-12-07T00:00:00.000Z')).message).toMatch(
      /after 2026-12-08T00:00:00.000Z$/,
    );
  });
});
