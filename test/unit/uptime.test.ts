/**
 * The history routes' inputs and wire shapes (DESIGN.md section 8), as pure functions: the
 * `days` of GET uptime, the body of POST stats (every form of day it accepts, why it refuses
 * the others), the retention window, and the rounding of the figures into entries.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors.ts';
import type { DayFigures } from '../../functions/domain/timeline.ts';
import {
  assertUptimeReadBounded,
  lastDays,
  MAX_UPTIME_NODE_DAYS,
  oldestKeptDay,
  parseStatsDay,
  parseUptimeDays,
  percUptime,
  retentionStartMs,
  toStatsEntry,
  toUptimeDay,
} from '../../functions/domain/uptime.ts';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const RETENTION = 400;

/** The message of the ValidationError `run` throws (fails when it throws nothing else). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

const day = (body: unknown) => parseStatsDay(body, NOW, RETENTION);
const refused = (body: unknown) => refusal(() => day(body));
const NOT_A_DAY = 'day must be a date "YYYY-MM-DD" or an ISO 8601 date-time';

describe('parseUptimeDays', () => {
  it('defaults to 30 and takes 1 to 90', () => {
    expect(parseUptimeDays(undefined)).toBe(30);
    expect(parseUptimeDays('1')).toBe(1);
    expect(parseUptimeDays('9')).toBe(9);
    expect(parseUptimeDays('90')).toBe(90);
  });

  it.each(['0', '00', '01', '91', '99', '100', '-1', '+5', '1.0', ' 5', ''])(
    'refuses days=%j with the allowed range',
    (raw) => {
      expect(refusal(() => parseUptimeDays(raw))).toBe(
        'days must be an integer from 1 to 90, in decimal digits without a leading zero',
      );
    },
  );
});

describe('parseStatsDay: the body', () => {
  it.each([
    ['a string', '2026-11-30'],
    ['a number', 20261130],
    ['null', null],
    ['an array', ['2026-11-30']],
  ])('refuses %s: the body must be an object', (_label, body) => {
    expect(refused(body)).toBe('The body must be a JSON object { "day": "YYYY-MM-DD" }');
  });

  it('refuses an unknown field, naming it (at most its first 64 characters)', () => {
    expect(refused({ day: '2026-11-30', node: 'x' })).toBe('The body has an unknown field "node"');
    const long = `${'f'.repeat(64)}TAIL`;
    expect(refused({ [long]: 1 })).toBe(`The body has an unknown field "${'f'.repeat(64)}"`);
  });

  it('requires day', () => {
    expect(refused({})).toBe('day is required ("YYYY-MM-DD")');
  });

  it.each([
    ['a number', 20261130],
    ['an array holding a date', ['2026-11-30']],
    ['an object', { day: '2026-11-30' }],
    ['null', null],
  ])('refuses a day that is %s', (_label, value) => {
    expect(refused({ day: value })).toBe(NOT_A_DAY);
  });
});

describe('parseStatsDay: a date YYYY-MM-DD', () => {
  it('is the day itself', () => {
    expect(day({ day: '2026-11-30' })).toBe('2026-11-30');
    expect(day({ day: '2026-12-01' })).toBe('2026-12-01');
    expect(day({ day: '2026-02-28' })).toBe('2026-02-28');
  });

  it.each(['2026-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-11-00'])(
    'refuses %s: not a calendar date',
    (date) => {
      expect(refused({ day: date })).toBe(`day is not a valid date: ${date}`);
    },
  );

  it('refuses years before 1970 as invalid dates, and 1970 itself as past the retention', () => {
    expect(refused({ day: '1969-12-31' })).toBe('day is not a valid date: 1969-12-31');
    expect(refused({ day: '1970-01-01' })).toMatch(/^day 1970-01-01 is older than the history/);
  });

  it.each(['x2026-11-30', '2026-11-30x', '2026-11-3', '2026-1-30', '226-11-30', '2026/11/30'])(
    'refuses %s: not of the shape',
    (raw) => {
      expect(refused({ day: raw })).toBe(NOT_A_DAY);
    },
  );
});

describe('parseStatsDay: an ISO 8601 date-time is its UTC day', () => {
  it.each([
    ['2026-11-30T10:00Z', '2026-11-30'],
    ['2026-11-30T00:00:00Z', '2026-11-30'],
    ['2026-11-30T09:59:59Z', '2026-11-30'],
    ['2026-11-30T19:05:00Z', '2026-11-30'],
    ['2026-11-30T23:59:59.999Z', '2026-11-30'],
    ['2026-11-30T20:00:00.1Z', '2026-11-30'],
    ['2026-11-30T20:00:00.123456789Z', '2026-11-30'],
    ['2026-11-29T22:30:00-02:00', '2026-11-30'],
    ['2026-12-01T01:00:00+05:30', '2026-11-30'],
    ['2026-12-01T22:00:00+23:59', '2026-11-30'],
    ['2026-11-30T12:00:00+10:00', '2026-11-30'],
    ['2026-11-30T12:00:00-00:00', '2026-11-30'],
    ['2026-11-30T21:00+02:00', '2026-11-30'],
  ])('%s is %s', (raw, expected) => {
    expect(day({ day: raw })).toBe(expected);
  });

  it.each([
    ['no offset', '2026-11-30T10:00:00'],
    ['hour 24', '2026-11-30T24:00:00Z'],
    ['hour 30', '2026-11-30T30:00:00Z'],
    ['minute 60', '2026-11-30T10:60Z'],
    ['second 60', '2026-11-30T10:00:60Z'],
    ['one-digit hour', '2026-11-30T1:00Z'],
    ['ten fraction digits', '2026-11-30T10:00:00.1234567890Z'],
    ['an empty fraction', '2026-11-30T10:00:00.Z'],
    ['a fraction without seconds', '2026-11-30T10:00.5Z'],
    ['offset hour 24', '2026-11-30T10:00:00+24:00'],
    ['offset minute 60', '2026-11-30T10:00:00+01:60'],
    ['offset without colon', '2026-11-30T10:00:00+0100'],
    ['a lowercase z', '2026-11-30T10:00:00z'],
    ['a space for T', '2026-11-30 10:00:00Z'],
    ['leading text', 'x2026-11-30T10:00:00Z'],
    ['an extended year', '+002026-11-30T10:00:00Z'],
    ['trailing text', '2026-11-30T10:00:00Zx'],
    ['an impossible date', '2026-02-30T10:00:00Z'],
    ['a year before 1970', '1969-12-31T23:00:00Z'],
  ])('refuses %s (%s)', (_label, raw) => {
    expect(refused({ day: raw })).toBe(NOT_A_DAY);
  });
});

describe('parseStatsDay: today back to the retention', () => {
  it('takes today and the oldest kept day, refuses tomorrow and the day before the oldest', () => {
    expect(day({ day: '2026-12-01' })).toBe('2026-12-01');
    expect(day({ day: '2025-10-28' })).toBe('2025-10-28');
    expect(refused({ day: '2026-12-02' })).toBe(
      'day 2026-12-02 is in the future (today is 2026-12-01)',
    );
    expect(refused({ day: '2025-10-27' })).toBe(
      'day 2025-10-27 is older than the history retention (400 days; oldest 2025-10-28)',
    );
  });

  it('a date-time counts by its UTC day: late evening west of UTC can be tomorrow', () => {
    expect(refused({ day: '2026-12-01T23:30:00-02:00' })).toBe(
      'day 2026-12-02 is in the future (today is 2026-12-01)',
    );
  });

  it('a retention of one day is today alone', () => {
    expect(parseStatsDay({ day: '2026-12-01' }, NOW, 1)).toBe('2026-12-01');
    expect(refusal(() => parseStatsDay({ day: '2026-11-30' }, NOW, 1))).toMatch(
      /oldest 2026-12-01/,
    );
  });
});

describe('the retention window and the days of GET uptime', () => {
  it('the oldest kept day is today and the retention - 1 days before', () => {
    expect(oldestKeptDay(NOW, 1)).toBe('2026-12-01');
    expect(oldestKeptDay(NOW, 2)).toBe('2026-11-30');
    expect(oldestKeptDay(NOW, 400)).toBe('2025-10-28');
  });

  it('the retention starts at midnight UTC of the oldest kept day', () => {
    expect(retentionStartMs(NOW, 1)).toBe(Date.parse('2026-12-01T00:00:00.000Z'));
    expect(retentionStartMs(NOW, 3)).toBe(Date.parse('2026-11-29T00:00:00.000Z'));
  });

  it('the last N days end today, ascending', () => {
    expect(lastDays(NOW, 1)).toStrictEqual(['2026-12-01']);
    expect(lastDays(NOW, 3)).toStrictEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
    expect(lastDays(Date.parse('2026-03-01T00:00:00.000Z'), 2)).toStrictEqual([
      '2026-02-28',
      '2026-03-01',
    ]);
  });
});

describe('assertUptimeReadBounded: the history rows one GET uptime may read', () => {
  it('is 1,000 nodes over 89 ended days (the largest read the benchmark measures)', () => {
    expect(MAX_UPTIME_NODE_DAYS).toBe(90_000);
    expect(() => assertUptimeReadBounded(1000, 90, 89)).not.toThrow();
  });

  it('allows nodes x ended days up to the bound, refuses one row more', () => {
    expect(() => assertUptimeReadBounded(10, 5, 4, 40)).not.toThrow();
    expect(refusal(() => assertUptimeReadBounded(41, 5, 1, 40))).toBe(
      'days=5 would read 41 nodes x 1 days of history, over the 40 a request may read; ask for days=1 or fewer',
    );
    expect(refusal(() => assertUptimeReadBounded(10, 6, 5, 40))).toBe(
      'days=6 would read 10 nodes x 5 days of history, over the 40 a request may read; ask for days=5 or fewer',
    );
  });

  it('names the largest days the bucket allows: today is free', () => {
    // 3 nodes, bound 10: 3 ended days (9 rows) fit, so days=4.
    expect(refusal(() => assertUptimeReadBounded(3, 30, 29, 10))).toMatch(/days=4 or fewer$/);
    expect(() => assertUptimeReadBounded(3, 4, 3, 10)).not.toThrow();
    // More nodes than the bound: only today, which reads no history row.
    expect(refusal(() => assertUptimeReadBounded(11, 2, 1, 10))).toMatch(/days=1 or fewer$/);
    expect(() => assertUptimeReadBounded(1_000_000, 1, 0)).not.toThrow();
  });

  it('never refuses an empty bucket', () => {
    expect(() => assertUptimeReadBounded(0, 90, 89)).not.toThrow();
  });
});

describe('percUptime', () => {
  it('is null when nothing was observed, else 100 * online / observed to 2 decimals', () => {
    expect(percUptime(0, 0)).toBeNull();
    expect(percUptime(0, 1000)).toBe(0);
    expect(percUptime(1000, 1000)).toBe(100);
    expect(percUptime(43_200_000, 86_400_000)).toBe(50);
    expect(percUptime(1, 3)).toBe(33.33);
    expect(percUptime(2, 3)).toBe(66.67);
    expect(percUptime(86_399_999, 86_400_000)).toBe(100);
    expect(percUptime(85_987_200, 86_400_000)).toBe(99.52);
  });
});

const FIGURES: DayFigures = {
  day: '2026-11-30',
  onlineMs: 85_987_200,
  observedMs: 86_400_000,
  latSum: 125,
  latCount: 3,
  lastLatencyMs: 38,
  lastAt: Date.parse('2026-11-30T23:59:58.120Z'),
  endStatus: 'ONLINE',
};

describe('toStatsEntry', () => {
  it("every field, in the contract's order, seconds to the millisecond", () => {
    const entry = toStatsEntry(
      { nodeId: 'node-1', ip: '203.0.113.7', region: 'eu-west-1', version: '1.2.3' },
      FIGURES,
    );
    expect(entry).toStrictEqual({
      host: 'node-1',
      ip: '203.0.113.7',
      region: 'eu-west-1',
      version: '1.2.3',
      perc_uptime: 99.52,
      online_seconds: 85_987.2,
      observed_seconds: 86_400,
      avg_latency_ms: 42,
      last_latency_ms: 38,
      node_status: 'ONLINE',
      last_updated: '2026-11-30T23:59:58.120Z',
    });
    expect(Object.keys(entry)).toStrictEqual([
      'host',
      'ip',
      'region',
      'version',
      'perc_uptime',
      'online_seconds',
      'observed_seconds',
      'avg_latency_ms',
      'last_latency_ms',
      'node_status',
      'last_updated',
    ]);
  });

  it('a node that never reported on a day nothing was observed: no optional field, perc null', () => {
    const entry = toStatsEntry(
      { nodeId: 'node-2' },
      {
        day: '2026-11-30',
        onlineMs: 0,
        observedMs: 0,
        latSum: 0,
        latCount: 0,
        endStatus: 'DISCONNECTED',
      },
    );
    expect(entry).toStrictEqual({
      host: 'node-2',
      perc_uptime: null,
      online_seconds: 0,
      observed_seconds: 0,
      node_status: 'DISCONNECTED',
    });
  });

  it('reports without latency: no average, the last report still dated', () => {
    const { lastLatencyMs: _none, ...figures } = { ...FIGURES, latSum: 0, latCount: 0 };
    const entry = toStatsEntry({ nodeId: 'node-3' }, figures);
    expect(entry).not.toHaveProperty('avg_latency_ms');
    expect(entry).not.toHaveProperty('last_latency_ms');
    expect(entry.last_updated).toBe('2026-11-30T23:59:58.120Z');
  });
});

describe('toUptimeDay', () => {
  it('the day, its rounded figures, the mean latency rounded to an integer', () => {
    expect(toUptimeDay({ ...FIGURES, latSum: 31, latCount: 2 })).toStrictEqual({
      day: '2026-11-30',
      perc_uptime: 99.52,
      online_seconds: 85_987.2,
      observed_seconds: 86_400,
      avg_latency_ms: 16,
    });
  });

  it('nothing observed: perc_uptime null and no average', () => {
    expect(
      toUptimeDay({
        day: '2026-11-27',
        onlineMs: 0,
        observedMs: 0,
        latSum: 0,
        latCount: 0,
        endStatus: 'DISCONNECTED',
      }),
    ).toStrictEqual({
      day: '2026-11-27',
      perc_uptime: null,
      online_seconds: 0,
      observed_seconds: 0,
    });
  });
});
