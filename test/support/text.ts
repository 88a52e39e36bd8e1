// Text the rule of DESIGN.md section 12 refuses: shared by the unit, CLI and API tests.

/** One character of every refused general category, by name. */
export const REFUSED: [string, string][] = [
  ['NUL (Cc)', '\u0000'],
  ['a tab (Cc)', '\t'],
  ['DEL (Cc)', '\u007f'],
  ['a C1 control, NEL (Cc)', '\u0085'],
  ['RIGHT-TO-LEFT OVERRIDE (Cf, bidi)', '\u202e'],
  ['LEFT-TO-RIGHT EMBEDDING (Cf, bidi)', '\u202a'],
  ['RIGHT-TO-LEFT ISOLATE (Cf, bidi)', '\u2067'],
  ['POP DIRECTIONAL ISOLATE (Cf, bidi)', '\u2069'],
  ['RIGHT-TO-LEFT MARK (Cf)', '\u200f'],
  ['ZERO WIDTH SPACE (Cf)', '\u200b'],
  ['ZERO WIDTH JOINER (Cf)', '\u200d'],
  ['WORD JOINER (Cf)', '\u2060'],
  ['the byte order mark U+FEFF (Cf)', '\ufeff'],
  ['SOFT HYPHEN (Cf)', '\u00ad'],
  ['a tag character, TAG LATIN CAPITAL LETTER A (Cf)', '\u{e0041}'],
  ['the language tag U+E0001 (Cf)', '\u{e0001}'],
  ['a lone high surrogate (Cs)', '\ud800'],
  ['a lone low surrogate (Cs)', '\udfff'],
  ['a private-use character (Co)', '\ue000'],
  ['a supplementary private-use character (Co)', '\u{f0000}'],
  ['an unassigned code point (Cn)', '\u0378'],
  ['the noncharacter U+FFFF (Cn)', '\uffff'],
  ['the line separator (Zl)', '\u2028'],
  ['the paragraph separator (Zp)', '\u2029'],
];
