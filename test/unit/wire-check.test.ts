import * as Type from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { firstIssue, type Issue } from '../../functions/wire/check.ts';

const Shape = Type.Object(
  {
    a: Type.String({ maxLength: 3 }),
    list: Type.Array(
      Type.Object(
        { id: Type.String(), n: Type.Optional(Type.Integer()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const first = (value: unknown, options?: Parameters<typeof firstIssue>[2]) => {
  const issue = firstIssue(Shape, value, options);
  return issue && `${issue.kind} ${issue.path.join('.')}`;
};

describe('firstIssue: the issue a reader meets first', () => {
  it('none for a value of the shape', () => {
    expect(first({ a: 'x', list: [{ id: 'i', n: 1 }] })).toBeUndefined();
  });

  it("the value's own type first", () => {
    expect(first([])).toBe('type ');
    expect(first(null)).toBe('type ');
  });

  it('unknown fields (in the body order) before the fields of the shape', () => {
    expect(first({ zz: 1, yy: 2, list: 'x' })).toBe('unknown zz');
  });

  it('a missing field as missing, not as the type error it also gets', () => {
    expect(first({ list: [] })).toBe('missing a');
  });

  it("fields in the shape's order, whatever the body's order", () => {
    expect(first({ list: 'x', a: 'long' })).toBe('invalid a');
  });

  it('array items by index, depth first', () => {
    expect(first({ a: 'x', list: [{ id: 'i' }, { id: 1, q: 1 }, 5] })).toBe('unknown list.1.q');
    expect(first({ a: 'x', list: [{ id: 'i', n: 1.5 }, 5] })).toBe('type list.0.n');
  });

  it('extra issues are ordered with the shape own; ignored ones drop out', () => {
    const extra: Issue[] = [
      { path: ['list', '0', 'id'], kind: 'invalid', error: {} as Issue['error'] },
    ];
    expect(first({ a: 'x', list: [{ id: 'i' }, 5] }, { extra })).toBe('invalid list.0.id');
    expect(first({ a: 'long', list: [] }, { ignore: (i) => i.path[0] === 'a' })).toBeUndefined();
  });

  describe('extra issues against the shape own, where the order of the listing cannot decide', () => {
    const extraAt = (path: string[], kind: Issue['kind']): Issue[] => [
      { path, kind, error: { type: 'Rule' } },
    ];

    it('a missing field before another issue of the same field', () => {
      expect(first({ list: [] }, { extra: extraAt(['a'], 'type') })).toBe('missing a');
    });

    it('a field of the wrong type before another issue of the same field', () => {
      expect(first({ a: 5, list: [] }, { extra: extraAt(['a'], 'invalid') })).toBe('type a');
    });

    it('unknown fields by their place in the body', () => {
      expect(first({ zz: 1, yy: 2, list: [] }, { extra: extraAt(['yy'], 'unknown') })).toBe(
        'unknown zz',
      );
    });

    it("the value's own issue before its fields'", () => {
      const AtLeastTwo = Type.Object({ a: Type.String() }, { minProperties: 2 });
      const issue = firstIssue(AtLeastTwo, { a: 'x' }, { extra: extraAt(['a'], 'invalid') });
      expect(issue?.path).toEqual([]);
    });

    it('paths beyond the shape and the value', () => {
      expect(
        first({ a: 'x', list: [], zz: { q: 1 } }, { extra: extraAt(['zz', 'q'], 'invalid') }),
      ).toBe('invalid zz.q');
      expect(first({ a: 'x', list: [] }, { extra: extraAt(['nope', 'x', 'y'], 'invalid') })).toBe(
        'invalid nope.x.y',
      );
    });
  });
});
