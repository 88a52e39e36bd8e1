import { describe, expect, it } from 'vitest';
import { eventId, parseEventsLimit, toEventView } from '../../functions/domain/events.ts';
import {
  decodeCursor,
  encodeCursor,
  MAX_CURSOR_LENGTH,
} from '../../functions/domain/events-cursor.ts';

const key = Buffer.from('k'.repeat(32));
const position = '2026-12-01T08:00:00.000Z#node-a#ONLINE';

describe('events cursor', () => {
  it('round-trips a position for its bucket', () => {
    const cursor = encodeCursor(key, 'bucket-1', position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(decodeCursor(key, 'bucket-1', cursor)).toBe(position);
  });

  it("refuses another bucket's cursor, another key's, and any edited character", () => {
    const cursor = encodeCursor(key, 'bucket-1', position);
    expect(decodeCursor(key, 'bucket-2', cursor)).toBeUndefined();
    expect(decodeCursor(Buffer.from('x'.repeat(32)), 'bucket-1', cursor)).toBeUndefined();
    for (let i = 0; i < cursor.length; i++) {
      const replacement = cursor[i] === 'A' ? 'B' : 'A';
      const edited = cursor.slice(0, i) + replacement + cursor.slice(i + 1);
      expect(decodeCursor(key, 'bucket-1', edited), `edited at ${i}`).toBeUndefined();
    }
  });

  it('round-trips short, long and non-ASCII positions', () => {
    for (const p of ['x', 'nœud-€#ONLINE', `2026-12-01T08:00:00.000Z#${'n'.repeat(300)}#OFFLINE`]) {
      const cursor = encodeCursor(key, 'bucket-1', p);
      expect(decodeCursor(key, 'bucket-1', cursor), p).toBe(p);
    }
  });

  it('refuses every other spelling: each character replaced by any other base64url character', () => {
    // base64url's last character carries unused bits, so some edits decode to the same bytes:
    // the position and the MAC are each accepted in their canonical spelling only.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const cursor = encodeCursor(key, 'bucket-1', position);
    for (let i = 0; i < cursor.length; i++) {
      for (const replacement of alphabet) {
        if (replacement === cursor[i] || cursor[i] === '.') continue;
        const edited = cursor.slice(0, i) + replacement + cursor.slice(i + 1);
        expect(decodeCursor(key, 'bucket-1', edited), `${replacement} at ${i}`).toBeUndefined();
      }
    }
  });

  it('refuses a genuine cursor with anything before or after it', () => {
    const cursor = encodeCursor(key, 'bucket-1', position);
    for (const extra of ['!', '.', ' ', '\n', 'A', '=']) {
      expect(decodeCursor(key, 'bucket-1', extra + cursor), `${extra} before`).toBeUndefined();
      expect(decodeCursor(key, 'bucket-1', cursor + extra), `${extra} after`).toBeUndefined();
    }
  });

  it('refuses a forged position with a guessed MAC, garbage and oversized input', () => {
    const forged = `${Buffer.from('9999-12-31T00:00:00.000Z#x#ONLINE').toString('base64url')}.${'A'.repeat(22)}`;
    for (const bad of [
      forged,
      '',
      '.',
      'abc',
      'a.b',
      `${'A'.repeat(MAX_CURSOR_LENGTH)}.${'A'.repeat(22)}`,
      'a b.c',
      '%00.x',
    ]) {
      expect(decodeCursor(key, 'bucket-1', bad), bad).toBeUndefined();
    }
  });
});

describe('events limit', () => {
  it('is 1-200, default 50; anything else is refused', () => {
    expect(parseEventsLimit(undefined)).toBe(50);
    expect(parseEventsLimit('1')).toBe(1);
    expect(parseEventsLimit('200')).toBe(200);
    for (const bad of ['0', '201', '-1', '1.5', '', ' 5', '1e2', 'abc', '0x10', '0200', '01']) {
      expect(() => parseEventsLimit(bad), bad).toThrow(
        'limit must be an integer from 1 to 200, in decimal digits without a leading zero',
      );
    }
  });
});

describe('event identity and view', () => {
  const event = {
    bucketId: 'b',
    nodeId: 'n',
    ip: '10.0.0.1',
    region: 'eu-west-1',
    from: 'ONLINE' as const,
    to: 'OFFLINE' as const,
    at: '2026-12-01T08:00:00.000Z',
  };
  it('has a stable id that changes with bucket, node, instant or new state', () => {
    expect(eventId(event)).toBe(eventId({ ...event }));
    const others = [
      { ...event, bucketId: 'c' },
      { ...event, nodeId: 'm' },
      { ...event, at: '2026-12-01T08:00:00.001Z' },
      { ...event, to: 'DISCONNECTED' as const },
    ].map(eventId);
    expect(new Set([eventId(event), ...others]).size).toBe(5);
  });
  it('is shown with exactly the contract fields, in order', () => {
    expect(JSON.stringify(toEventView(event))).toBe(
      JSON.stringify({
        id: eventId(event),
        host: 'n',
        ip: '10.0.0.1',
        region: 'eu-west-1',
        from: 'ONLINE',
        to: 'OFFLINE',
        at: event.at,
      }),
    );
  });
});
