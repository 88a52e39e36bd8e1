// The typed attribute readers of the data layer (functions/data/attributes.ts): what a row's
// absent or mistyped attribute reads as, so a half-written or foreign row never passes for data.
import { describe, expect, it } from 'vitest';
import { type Item, N, readNumber, readString, S } from '../../functions/data/attributes.ts';

const row: Item = {
  name: S('bucket-1'),
  count: N(1_764_576_000),
  zero: N(0),
  negative: N(-2.5),
  numberAsText: S('42'),
  textAsNumber: { N: 'not a number' },
  flag: { BOOL: true },
  empty: S(''),
};

describe('readString', () => {
  it('reads a string attribute, the empty string included', () => {
    expect(readString(row, 'name')).toBe('bucket-1');
    expect(readString(row, 'empty')).toBe('');
    expect(readString(row, 'numberAsText')).toBe('42');
  });

  it('an absent or non-string attribute is undefined', () => {
    expect(readString(row, 'missing')).toBeUndefined();
    expect(readString(row, 'count')).toBeUndefined();
    expect(readString(row, 'flag')).toBeUndefined();
  });
});

describe('readNumber', () => {
  it('reads a number attribute', () => {
    expect(readNumber(row, 'count')).toBe(1_764_576_000);
    expect(readNumber(row, 'zero')).toBe(0);
    expect(readNumber(row, 'negative')).toBe(-2.5);
  });

  it('an absent, non-number or unparsable attribute is undefined, never NaN', () => {
    expect(readNumber(row, 'missing')).toBeUndefined();
    expect(readNumber(row, 'numberAsText')).toBeUndefined();
    expect(readNumber(row, 'flag')).toBeUndefined();
    expect(readNumber(row, 'textAsNumber')).toBeUndefined();
  });
});

describe('S and N', () => {
  it('build the wire form of a string and a number', () => {
    expect(S('x')).toStrictEqual({ S: 'x' });
    expect(N(12.5)).toStrictEqual({ N: '12.5' });
  });
});
