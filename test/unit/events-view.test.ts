// The event view of GET /bucket/{bucketId}/events (functions/domain/events.ts): the fields an
// event has, and none it does not. (The full view, in order: test/unit/events-cursor.test.ts.)
import { describe, expect, it } from 'vitest';
import { eventId, toEventView } from '../../functions/domain/events.ts';

describe('toEventView', () => {
  const base = {
    bucketId: 'b',
    nodeId: 'n',
    from: 'ONLINE' as const,
    to: 'DISCONNECTED' as const,
    at: '2026-12-01T08:00:00.000Z',
  };

  it('has no ip or region field when the change carries none', () => {
    expect(toEventView(base)).toStrictEqual({
      id: eventId(base),
      host: 'n',
      from: 'ONLINE',
      to: 'DISCONNECTED',
      at: base.at,
    });
  });

  it('has each of ip and region alone when only it is known', () => {
    expect(toEventView({ ...base, ip: '203.0.113.9' })).toStrictEqual({
      id: eventId(base),
      host: 'n',
      ip: '203.0.113.9',
      from: 'ONLINE',
      to: 'DISCONNECTED',
      at: base.at,
    });
    expect(toEventView({ ...base, region: 'eu-west-1' })).toStrictEqual({
      id: eventId(base),
      host: 'n',
      region: 'eu-west-1',
      from: 'ONLINE',
      to: 'DISCONNECTED',
      at: base.at,
    });
  });
});
