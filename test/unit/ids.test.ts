// Ids and display text (DESIGN.md sections 7 and 12): the one rule of printable text, counted
// in code points, that names (CLI) and webhook descriptions (API) share.
import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  isValidName,
  MAX_NAME_LENGTH,
  textProblem,
} from '../../functions/domain/ids.ts';
import { REFUSED } from '../support/text.ts';

describe('textProblem: printable text of min-max code points', () => {
  it.each(REFUSED)('refuses %s anywhere, naming the field and the code point', (_name, char) => {
    const hex = (char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
    for (const text of [char, `on-call ${char} team`, `on-call team${char}`]) {
      const problem = textProblem(text, 'description', 0, 256);
      expect(problem).toMatch(/^description must not contain control, format/);
      expect(problem).toContain(`U+${hex}`);
    }
  });

  it.each([
    ['a space', ' '],
    ['a tilde, the last before DEL', '~'],
    ['a no-break space, the first after C1', '\u00a0'],
    ['accented letters', 'équipe de garde'],
    ['a combining mark (Mn)', 'e\u0301quipe'],
    ['an ideographic space inside text (Zs)', 'a\u3000b'],
    ['CJK', '当番チーム'],
    ['Hebrew and Arabic letters (no controls)', 'צוות فريق'],
    ['an emoji (a surrogate pair)', 'pager 📟'],
    ['an emoji with a variation selector (Mn)', '\u2764\ufe0f'],
    ['nothing', ''],
  ])('accepts %s', (_name, text) => {
    expect(textProblem(text, 'description', 0, 256)).toBeUndefined();
  });

  it('counts code points: 256 emoji (512 UTF-16 units) fit, 257 do not', () => {
    expect(codePointLength('😀'.repeat(256))).toBe(256);
    expect(textProblem('😀'.repeat(256), 'description', 0, 256)).toBeUndefined();
    expect(textProblem('😀'.repeat(257), 'description', 0, 256)).toBe(
      'description must be at most 256 characters',
    );
    expect(textProblem('', '--name', 1, 256)).toBe('--name must be 1-256 printable characters');
  });
});

describe('isValidName', () => {
  it('accepts 1 to 256 printable characters, counted in code points', () => {
    expect(isValidName('x')).toBe(true);
    expect(isValidName(' Production (EU) ')).toBe(true);
    expect(isValidName('é'.repeat(MAX_NAME_LENGTH))).toBe(true);
    expect(isValidName('😀'.repeat(MAX_NAME_LENGTH))).toBe(true);
  });

  it('refuses a name over 256 characters', () => {
    expect(isValidName('é'.repeat(MAX_NAME_LENGTH + 1))).toBe(false);
    expect(isValidName('😀'.repeat(MAX_NAME_LENGTH + 1))).toBe(false);
  });

  it('refuses an empty or blank name', () => {
    expect(isValidName('')).toBe(false);
    expect(isValidName('   ')).toBe(false);
    expect(isValidName('\u3000')).toBe(false);
  });

  it.each(REFUSED)('refuses %s', (_name, char) => {
    expect(isValidName(`prod${char}staging`)).toBe(false);
  });

  it.each([42, null, undefined, ['prod'], { name: 'prod' }])(
    'refuses the non-string %j',
    (value) => {
      expect(isValidName(value)).toBe(false);
    },
  );
});
