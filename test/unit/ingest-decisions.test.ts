import { describe, expect, it } from 'vitest';
import { RateLimited, Unauthenticated, Unavailable } from '../../functions/domain/errors.ts';
import type { TimelineWritten } from '../../functions/domain/ports/ingest.ts';
import { NODE_NOT_AUTHENTICATED } from '../../functions/ingest/authenticate-report.ts';
import { afterFollowUp, decideBucket } from '../../functions/ingest/bucket-decision.ts';
import { eventsOf, followUpOf } from '../../functions/ingest/follow-up.ts';
import { hintsOfAccepted } from '../../functions/ingest/guard-outcome.ts';
import { ingestResultOf } from '../../functions/ingest/ingest-result.ts';

/**
 * The ingest use case's pure steps (functions/ingest/): the replay guard's answer, one bucket's
 * outcome from its row write, what a landed write leaves to record, and the answer to the node.
 * The whole route over a real table: test/ingest/, test/events/, test/history/.
 */

const row = { bucketId: 'b-1', nodeId: 'n-1', ip: '198.51.100.7', region: 'eu-west-1' };
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const fulfilled = <T>(value: T) => ({ status: 'fulfilled' as const, value });
const rejected = (reason: unknown) => ({ status: 'rejected' as const, reason });
const landed = (over: Partial<TimelineWritten> = {}): TimelineWritten => ({
  outcome: 'written',
  transitions: [],
  closedDays: [],
  ...over,
});
const day = { day: '2026-11-30', onlineMs: 5_000, latSum: 80, latCount: 2 };

describe('hintsOfAccepted (the replay guard answer)', () => {
  it("returns an accepted report's hints, and none for a bare 'accepted'", () => {
    const previous = new Map([['b-1', { ts: 1, at: 2, status: 'ONLINE' as const }]]);
    expect(hintsOfAccepted({ outcome: 'accepted', previous }, 1000)).toBe(previous);
    expect(hintsOfAccepted('accepted', 1000)).toEqual(new Map());
  });

  it.each(['unknown-node', 'disabled'] as const)(
    'refuses %s with the one 401 message of the route',
    (outcome) => {
      const error = catchOf(() => hintsOfAccepted(outcome, 1000));
      expect(error).toBeInstanceOf(Unauthenticated);
      expect((error as Error).message).toBe(NODE_NOT_AUTHENTICATED);
    },
  );

  it('refuses a replay with a 401 that says so', () => {
    const error = catchOf(() => hintsOfAccepted('replay', 1000));
    expect(error).toBeInstanceOf(Unauthenticated);
    expect((error as Error).message).toBe(
      'X-Node-Timestamp is not newer than the last accepted report (replay)',
    );
  });

  it.each([
    [1000, 1],
    [1001, 2],
    [2500, 3],
    [0, 1],
  ])('refuses a report sooner than %i ms after the last: 429, Retry-After %i s', (ms, s) => {
    const error = catchOf(() => hintsOfAccepted('too-frequent', ms));
    expect(error).toBeInstanceOf(RateLimited);
    expect((error as RateLimited).retryAfterSeconds).toBe(s);
    expect((error as Error).message).toBe(`At most one report per ${ms} ms per node`);
  });
});

describe('decideBucket (one bucket from its row write)', () => {
  it('accepts a bare written outcome with nothing left to record', () => {
    expect(decideBucket(row, fulfilled('written'))).toStrictEqual({
      bucketId: 'b-1',
      outcome: 'accepted',
      followUp: undefined,
    });
  });

  it.each(['not-assigned', 'superseded'] as const)(
    'refuses %s, given bare or as an object',
    (outcome) => {
      expect(decideBucket(row, fulfilled(outcome))).toStrictEqual({ bucketId: 'b-1', outcome });
      expect(decideBucket(row, fulfilled({ outcome }))).toStrictEqual({ bucketId: 'b-1', outcome });
    },
  );

  it('a landed write that changed nothing and ended no day has no follow-up', () => {
    expect(decideBucket(row, fulfilled(landed()))).toStrictEqual({
      bucketId: 'b-1',
      outcome: 'accepted',
      followUp: undefined,
    });
  });

  it('a landed write with ended days or transitions leaves them to record', () => {
    const record = decideBucket(
      row,
      fulfilled(
        landed({
          closedDays: [day],
          assignedAt: 7,
          transitions: [{ from: 'OFFLINE', to: 'ONLINE', at: T0 }],
        }),
      ),
    );
    expect(record.outcome).toBe('accepted');
    expect(record.followUp).toStrictEqual({
      history: { bucketId: 'b-1', nodeId: 'n-1', assignedAt: 7, days: [day] },
      events: [{ ...row, from: 'OFFLINE', to: 'ONLINE', at: iso(T0) }],
    });
  });

  it('a transient fault makes the bucket unavailable; any other failure is thrown', () => {
    expect(decideBucket(row, rejected(new Unavailable('slow down')))).toStrictEqual({
      bucketId: 'b-1',
      outcome: 'unavailable',
    });
    const bug = new TypeError('not a function');
    expect(catchOf(() => decideBucket(row, rejected(bug)))).toBe(bug);
  });
});

describe('afterFollowUp (an accepted bucket once its events and days were written)', () => {
  const accepted = { bucketId: 'b-1', outcome: 'accepted' as const };

  it('keeps the record when there was nothing to write or the writes landed', () => {
    expect(afterFollowUp(accepted, undefined)).toBe(accepted);
    expect(afterFollowUp(accepted, fulfilled([undefined]))).toBe(accepted);
  });

  it('a transient fault makes it history-unavailable; any other failure is thrown', () => {
    expect(afterFollowUp(accepted, rejected(new Unavailable('slow down')))).toStrictEqual({
      bucketId: 'b-1',
      outcome: 'history-unavailable',
    });
    const bug = new RangeError('bad');
    expect(catchOf(() => afterFollowUp(accepted, rejected(bug)))).toBe(bug);
  });
});

describe('eventsOf / followUpOf (what a landed write leaves to record)', () => {
  it("pending events first, with their own report's ip and region; then this report's", () => {
    const events = eventsOf(
      row,
      landed({
        pending: [{ from: 'ONLINE', to: 'OFFLINE', at: T0 - 5_000, ip: '203.0.113.1' }],
        transitions: [{ from: 'OFFLINE', to: 'ONLINE', at: T0 }],
      }),
    );
    expect(events).toStrictEqual([
      {
        ...row,
        ip: '203.0.113.1',
        region: 'eu-west-1',
        from: 'ONLINE',
        to: 'OFFLINE',
        at: iso(T0 - 5_000),
      },
      { ...row, from: 'OFFLINE', to: 'ONLINE', at: iso(T0) },
    ]);
  });

  it('one event per instant and target state: a pending one wins over the same transition', () => {
    const events = eventsOf(
      row,
      landed({
        pending: [{ from: 'OFFLINE', to: 'ONLINE', at: T0, region: 'us-east-1' }],
        transitions: [
          { from: 'OFFLINE', to: 'ONLINE', at: T0 },
          { from: 'ONLINE', to: 'OFFLINE', at: T0 },
          { from: 'OFFLINE', to: 'ONLINE', at: T0 + 1 },
        ],
      }),
    );
    expect(events.map((e) => [e.to, e.at, e.region])).toEqual([
      ['ONLINE', iso(T0), 'us-east-1'],
      ['OFFLINE', iso(T0), 'eu-west-1'],
      ['ONLINE', iso(T0 + 1), 'eu-west-1'],
    ]);
  });

  it('leaves out a change to DISCONNECTED the sweep recorded already, and only that one', () => {
    const transitions = [
      { from: 'ONLINE' as const, to: 'DISCONNECTED' as const, at: T0 - 1 },
      { from: 'DISCONNECTED' as const, to: 'OFFLINE' as const, at: T0 },
    ];
    const swept = eventsOf(row, landed({ transitions, silenceRecorded: true }));
    expect(swept.map((e) => [e.to, e.at])).toStrictEqual([['OFFLINE', iso(T0)]]);
    const unswept = eventsOf(row, landed({ transitions, silenceRecorded: false }));
    expect(unswept.map((e) => [e.to, e.at])).toStrictEqual([
      ['DISCONNECTED', iso(T0 - 1)],
      ['OFFLINE', iso(T0)],
    ]);
  });

  it("a change to DISCONNECTED describes the predecessor's ip and region; others the report's", () => {
    const predecessor = { ip: '192.0.2.9', region: 'ap-south-1' };
    const events = eventsOf(
      row,
      landed({
        predecessor,
        transitions: [
          { from: 'ONLINE', to: 'DISCONNECTED', at: T0 - 1 },
          { from: 'DISCONNECTED', to: 'ONLINE', at: T0 },
        ],
      }),
    );
    expect(events[0]).toMatchObject({ to: 'DISCONNECTED', ...predecessor });
    expect(events[1]).toMatchObject({ to: 'ONLINE', ip: row.ip, region: row.region });
    const unknown = eventsOf(
      row,
      landed({ transitions: [{ from: 'ONLINE', to: 'DISCONNECTED', at: T0 }] }),
    );
    expect(unknown[0]).toMatchObject({ ip: row.ip, region: row.region });
  });

  it('no ended day and no event: no follow-up; ended days alone: a history write only', () => {
    expect(followUpOf(row, landed())).toBeUndefined();
    expect(followUpOf(row, landed({ closedDays: [day] }))).toStrictEqual({
      history: { bucketId: 'b-1', nodeId: 'n-1', assignedAt: undefined, days: [day] },
      events: [],
    });
    expect(
      followUpOf(row, landed({ transitions: [{ from: 'OFFLINE', to: 'ONLINE', at: T0 }] }))
        ?.history,
    ).toBeUndefined();
  });
});

describe('ingestResultOf (the answer to the node)', () => {
  it('lists accepted and rejected buckets in report order, with their reasons', () => {
    expect(
      ingestResultOf([
        { bucketId: 'a', outcome: 'accepted' },
        { bucketId: 'b', outcome: 'not-assigned' },
        { bucketId: 'c', outcome: 'superseded' },
        { bucketId: 'd', outcome: 'accepted' },
      ]),
    ).toStrictEqual({
      success: true,
      message: 'Accepted 2 of 4 bucket reports',
      accepted: ['a', 'd'],
      rejected: [
        { bucketId: 'b', reason: 'not assigned' },
        { bucketId: 'c', reason: 'a newer report is already stored' },
      ],
    });
  });

  it('a bucket that failed on a transient fault makes the whole answer a 503 naming each', () => {
    const error = catchOf(() =>
      ingestResultOf([
        { bucketId: 'a', outcome: 'accepted' },
        { bucketId: 'b', outcome: 'unavailable' },
        { bucketId: 'c', outcome: 'history-unavailable' },
        { bucketId: 'd', outcome: 'not-assigned' },
      ]),
    );
    expect(error).toBeInstanceOf(Unavailable);
    expect((error as Unavailable).message).toBe('2 of 4 bucket reports could not be stored; retry');
    expect((error as Unavailable).retryAfterSeconds).toBe(1);
    expect((error as Unavailable).details).toStrictEqual({
      accepted: ['a'],
      rejected: [
        { bucketId: 'b', reason: 'temporarily unavailable, retry' },
        { bucketId: 'c', reason: 'history could not be recorded; retry' },
        { bucketId: 'd', reason: 'not assigned' },
      ],
    });
  });

  it('an empty report is accepted with nothing in it', () => {
    expect(ingestResultOf([])).toStrictEqual({
      success: true,
      message: 'Accepted 0 of 0 bucket reports',
      accepted: [],
      rejected: [],
    });
  });
});

function catchOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
