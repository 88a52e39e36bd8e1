// Ids and display names (DESIGN.md section 7) and the one definition of a control character
// that names and webhook descriptions share.
import { describe, expect, it } from 'vitest';
import { hasControlCharacters, isValidName, MAX_NAME_LENGTH } from '../../functions/domain/ids.ts';

describe('hasControlCharacters', () => {
  it.each([
    ['NUL', '\u0000'],
    ['a tab', '\t'],
    ['the last C0 character (US)', '\u001f'],
    ['DEL', '\u007f'],
    ['a C1 character (NEL)', '\u0085'],
    ['the last C1 character (APC)', '\u009f'],
    ['the line separator', '\u2028'],
    ['the paragraph separator', '\u2029'],
  ])('finds %s anywhere in the text', (_name, char) => {
    expect(hasControlCharacters(char)).toBe(true);
    expect(hasControlCharacters(`on-call ${char} team`)).toBe(true);
    expect(hasControlCharacters(`on-call team${char}`)).toBe(true);
  });

  it.each([
    ['a space', ' '],
    ['a tilde, the last before DEL', '~'],
    ['a no-break space, the first after C1', '\u00a0'],
    ['accented letters', 'équipe de garde'],
    ['an emoji (surrogate pair)', 'pager 📟'],
    ['nothing', ''],
  ])('accepts %s', (_name, text) => {
    expect(hasControlCharacters(text)).toBe(false);
  });
});

describe('isValidName', () => {
  it('accepts 1 to 256 printable characters', () => {
    expect(isValidName('x')).toBe(true);
    expect(isValidName(' Production (EU) ')).toBe(true);
    expect(isValidName('é'.repeat(MAX_NAME_LENGTH))).toBe(true);
  });

  it('refuses a name over 256 characters', () => {
    expect(isValidName('é'.repeat(MAX_NAME_LENGTH + 1))).toBe(false);
  });

  it('refuses an empty or blank name', () => {
    expect(isValidName('')).toBe(false);
    expect(isValidName('   ')).toBe(false);
    expect(isValidName('\u3000')).toBe(false);
  });

  it('refuses control characters', () => {
    expect(isValidName('prod\nstaging')).toBe(false);
    expect(isValidName('prod\u2028')).toBe(false);
  });

  it.each([42, null, undefined, ['prod'], { name: 'prod' }])(
    'refuses the non-string %j',
    (value) => {
      expect(isValidName(value)).toBe(false);
    },
  );
});
