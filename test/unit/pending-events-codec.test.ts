import { describe, expect, it } from 'vitest';
import { ATTR } from '../../functions/data/attributes.ts';
import { decodePendingEvents, encodePendingEvent } from '../../functions/data/pending-events.ts';

/**
 * The row's pending events (`pEv`) as stored: what a failed event write leaves for the next
 * write to record. A decoded event must be exactly the one encoded, and an entry that is not
 * one (a hand-edited row, a future format) is skipped, never turned into a made-up event.
 */

const rowWith = (...entries: (string | undefined)[]) => ({
  [ATTR.pendingEvents]: { L: entries.map((s) => (s === undefined ? { N: '1' } : { S: s })) },
});

describe('pending events codec', () => {
  it('round-trips events with and without ip and region, in order', () => {
    const events = [
      {
        from: 'DISCONNECTED',
        to: 'ONLINE',
        at: 1_796_130_000_123,
        ip: '10.0.0.1',
        region: 'eu-west-1',
      },
      { from: 'ONLINE', to: 'OFFLINE', at: 1_796_130_000_456 },
      { from: 'OFFLINE', to: 'DISCONNECTED', at: 7, ip: '2001:db8::1' },
      { from: 'ONLINE', to: 'DISCONNECTED', at: 8, region: 'us-east-1' },
    ] as const;
    const decoded = decodePendingEvents(rowWith(...events.map((e) => encodePendingEvent(e))));
    expect(decoded).toStrictEqual(events);
    // No ip/region key at all when none was stored (not an empty string or undefined).
    expect(Object.keys(decoded[1] ?? {})).toEqual(['from', 'to', 'at']);
    expect(encodePendingEvent(events[1])).toBe('ONLINE|OFFLINE|1796130000456||');
  });

  it('a row without pending events, or no row, has none', () => {
    expect(decodePendingEvents(undefined)).toEqual([]);
    expect(decodePendingEvents({})).toEqual([]);
    expect(decodePendingEvents({ [ATTR.pendingEvents]: { S: 'not a list' } })).toEqual([]);
  });

  it.each([
    ['not a string entry', undefined],
    ['empty', ''],
    ['no to', 'ONLINE'],
    ['no at', 'ONLINE|OFFLINE'],
    ['unknown from', 'PAUSED|OFFLINE|5||'],
    ['unknown to', 'ONLINE|PAUSED|5||'],
    ['lower-case state', 'online|OFFLINE|5||'],
    ['empty at', 'ONLINE|OFFLINE|||'],
    ['at with text after', 'ONLINE|OFFLINE|5x||'],
    ['at with text before', 'ONLINE|OFFLINE|x5||'],
    ['negative at', 'ONLINE|OFFLINE|-5||'],
    ['at of 17 digits', 'ONLINE|OFFLINE|12345678901234567||'],
  ])('skips an entry that is not an event (%s), keeping the others', (_name, entry) => {
    const good = encodePendingEvent({ from: 'ONLINE', to: 'OFFLINE', at: 9 });
    expect(decodePendingEvents(rowWith(good, entry, good))).toStrictEqual([
      { from: 'ONLINE', to: 'OFFLINE', at: 9 },
      { from: 'ONLINE', to: 'OFFLINE', at: 9 },
    ]);
  });

  it('round-trips the first flag as a 6th field `1`; 5 fields (the older format) read as not first', () => {
    const first = {
      from: 'DISCONNECTED',
      to: 'ONLINE',
      at: 1_796_130_000_123,
      ip: '10.0.0.1',
      region: 'eu-west-1',
      first: true,
    } as const;
    expect(encodePendingEvent(first)).toBe(
      'DISCONNECTED|ONLINE|1796130000123|10.0.0.1|eu-west-1|1',
    );
    const bare = { from: 'DISCONNECTED', to: 'OFFLINE', at: 5, first: true } as const;
    expect(encodePendingEvent(bare)).toBe('DISCONNECTED|OFFLINE|5|||1');
    const decoded = decodePendingEvents(
      rowWith(
        encodePendingEvent(first),
        encodePendingEvent(bare),
        'DISCONNECTED|ONLINE|7|10.0.0.2|us-east-1',
        'DISCONNECTED|ONLINE|8|||0',
        'DISCONNECTED|ONLINE|9|||true',
      ),
    );
    expect(decoded).toStrictEqual([
      first,
      bare,
      { from: 'DISCONNECTED', to: 'ONLINE', at: 7, ip: '10.0.0.2', region: 'us-east-1' },
      { from: 'DISCONNECTED', to: 'ONLINE', at: 8 },
      { from: 'DISCONNECTED', to: 'ONLINE', at: 9 },
    ]);
    // Not first: no 6th field at all (the format every row written before it holds).
    expect(encodePendingEvent({ from: 'ONLINE', to: 'OFFLINE', at: 9 })).toBe('ONLINE|OFFLINE|9||');
  });

  it('accepts an at of 16 digits', () => {
    expect(decodePendingEvents(rowWith('ONLINE|OFFLINE|1234567890123456||'))).toStrictEqual([
      { from: 'ONLINE', to: 'OFFLINE', at: 1234567890123456 },
    ]);
  });
});
