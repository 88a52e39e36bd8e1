import { describe, expect, it } from 'vitest';
import { LISTING_NAME_MAX_BYTES, listingNameKey, listingSk } from '../../functions/data/keys.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * A listing row's sort key (functions/data/keys.ts) must fit DynamoDB's 1,024-byte range key
 * bound for every valid name (1-256 code points, up to 4 bytes each) and id (1-128 characters);
 * DynamoDB Local refuses a longer one, dynalite does not.
 */
describe('listing keys', () => {
  it('keeps a name that fits whole', () => {
    expect(listingNameKey('prod-eu')).toBe('prod-eu');
    const fits = 'é'.repeat(256); // 512 bytes
    expect(listingNameKey(fits)).toBe(fits);
  });

  it('keys a longer name by its longest prefix of whole code points that fits', () => {
    const emoji = '😀'.repeat(256); // 1,024 bytes
    const key = listingNameKey(emoji);
    expect(bytes(key)).toBeLessThanOrEqual(LISTING_NAME_MAX_BYTES);
    expect(bytes(key)).toBeGreaterThan(LISTING_NAME_MAX_BYTES - 4);
    expect(key).toBe('😀'.repeat(Math.floor(LISTING_NAME_MAX_BYTES / 4)));
    // Three-byte characters: 895 / 3 = 298 would fit, but a name has 256 at most (768 bytes).
    expect(listingNameKey('€'.repeat(256))).toBe('€'.repeat(256));
    // Mixed widths cut exactly at the bound: 893 one-byte characters and then a 2-byte one fit
    // (895), a 3-byte one does not.
    expect(bytes(listingNameKey(`${'a'.repeat(LISTING_NAME_MAX_BYTES - 2)}é`))).toBe(
      LISTING_NAME_MAX_BYTES,
    );
    expect(listingNameKey(`${'a'.repeat(LISTING_NAME_MAX_BYTES - 2)}€`)).toBe(
      'a'.repeat(LISTING_NAME_MAX_BYTES - 2),
    );
  });

  it('fits 1,024 bytes with the longest id, and keeps the name order before the id', () => {
    const id = 'x'.repeat(128);
    expect(bytes(listingSk('😀'.repeat(256), id))).toBeLessThanOrEqual(1024);
    expect(listingSk('a', 'b1')).toBe('a\u0001b1');
    expect(listingSk('a', 'z') < listingSk('ab', 'a')).toBe(true);
  });
});
