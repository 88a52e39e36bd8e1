import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../functions/shared/ttl-cache.ts';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('TtlCache: time to live', () => {
  it('returns a value until its TTL has passed, then forgets it', () => {
    const clock = manualClock();
    const cache = new TtlCache<string>(1000, 10, clock.now);
    cache.set('a', 'alpha');
    expect(cache.get('a')).toBe('alpha');
    clock.advance(999);
    expect(cache.get('a')).toBe('alpha');
    clock.advance(1); // exactly ttl after the set: expired
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0); // an expired entry is dropped when read
  });

  it('counts the TTL from the latest set of a key', () => {
    const clock = manualClock();
    const cache = new TtlCache<number>(1000, 10, clock.now);
    cache.set('k', 1);
    clock.advance(800);
    cache.set('k', 2);
    clock.advance(800);
    expect(cache.get('k')).toBe(2);
    clock.advance(200);
    expect(cache.get('k')).toBeUndefined();
  });

  it('does not extend the TTL on read', () => {
    const clock = manualClock();
    const cache = new TtlCache<number>(1000, 10, clock.now);
    cache.set('k', 1);
    for (let i = 0; i < 9; i++) {
      clock.advance(100);
      expect(cache.get('k')).toBe(1);
    }
    clock.advance(100);
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps each key on its own clock', () => {
    const clock = manualClock();
    const cache = new TtlCache<string>(1000, 10, clock.now);
    cache.set('early', 'e');
    clock.advance(500);
    cache.set('late', 'l');
    clock.advance(500);
    expect(cache.get('early')).toBeUndefined();
    expect(cache.get('late')).toBe('l');
  });

  it.each([0, -1])('caches nothing with a TTL of %d (caching off)', (ttl) => {
    const cache = new TtlCache<string>(ttl, 10, manualClock().now);
    cache.set('a', 'alpha');
    // Size first: a read would drop an entry that expired on arrival and hide that it was kept.
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });

  it('uses the real clock by default', () => {
    const cache = new TtlCache<string>(60_000, 10);
    cache.set('a', 'alpha');
    expect(cache.get('a')).toBe('alpha');
  });
});

describe('TtlCache: size bound', () => {
  it('never holds more than maxEntries, evicting the oldest insertion first', () => {
    const cache = new TtlCache<number>(60_000, 3, manualClock().now);
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) {
      cache.set(key, i);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('c'), cache.get('d'), cache.get('e')]).toStrictEqual([2, 3, 4]);
  });

  it('re-setting a key at capacity replaces it without evicting another', () => {
    const cache = new TtlCache<string>(60_000, 2, manualClock().now);
    cache.set('a', 'a1');
    cache.set('b', 'b1');
    cache.set('a', 'a2');
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBe('a2');
    expect(cache.get('b')).toBe('b1');
  });

  it('re-setting a key at capacity that is not the oldest evicts nothing', () => {
    const cache = new TtlCache<string>(60_000, 3, manualClock().now);
    cache.set('a', 'a1');
    cache.set('b', 'b1');
    cache.set('c', 'c1');
    cache.set('b', 'b2');
    expect(cache.size).toBe(3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toStrictEqual(['a1', 'b2', 'c1']);
  });

  it('re-setting a key makes it the newest, so the other one goes first', () => {
    const cache = new TtlCache<string>(60_000, 2, manualClock().now);
    cache.set('a', 'a1');
    cache.set('b', 'b1');
    cache.set('a', 'a2');
    cache.set('c', 'c1');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('a2');
    expect(cache.get('c')).toBe('c1');
  });

  it('a read does not protect an entry from eviction (insertion order, not LRU)', () => {
    const cache = new TtlCache<string>(60_000, 2, manualClock().now);
    cache.set('a', 'a1');
    cache.set('b', 'b1');
    expect(cache.get('a')).toBe('a1');
    cache.set('c', 'c1');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('b1');
  });

  it('stays bounded under many distinct keys', () => {
    const cache = new TtlCache<number>(60_000, 100, manualClock().now);
    for (let i = 0; i < 10_000; i++) cache.set(`node-${i}`, i);
    expect(cache.size).toBe(100);
    expect(cache.get('node-9999')).toBe(9999);
    expect(cache.get('node-9900')).toBe(9900);
    expect(cache.get('node-9899')).toBeUndefined();
  });
});

describe('TtlCache: delete', () => {
  it('removes one key and leaves the others', () => {
    const cache = new TtlCache<string>(60_000, 10, manualClock().now);
    cache.set('a', 'alpha');
    cache.set('b', 'beta');
    cache.delete('a');
    cache.delete('missing');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('beta');
    expect(cache.size).toBe(1);
  });
});
