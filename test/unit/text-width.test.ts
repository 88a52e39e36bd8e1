// functions/badge/text-width.ts, which the bundles take for anafanafo (infra/bundling.ts), against
// anafanafo itself: the widths it holds are anafanafo's, written by `npm run badge-widths` for
// exactly the characters a badge draws (test/bundles/badge-widths.test.ts checks the file is
// what the script writes: Stryker's sandbox adds a line to it), and it measures each label and
// message to the bit as anafanafo does. A character no badge draws, or another font, throws
// rather than guess.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import anafanafo from 'anafanafo';
import { describe, expect, it } from 'vitest';
import measure, { BADGE_WIDTH_FONT } from '../../functions/badge/text-width.ts';
import { WIDTHS } from '../../functions/badge/verdana-11px-widths.ts';
import {
  badgeCharacters,
  everyBadge,
  widthsModule,
  writeWidths,
} from '../../scripts/badge-widths.ts';

const font = BADGE_WIDTH_FONT;

describe('the badge width table', () => {
  it('holds exactly the characters of every badge the route draws', () => {
    expect([...WIDTHS.keys()]).toEqual(badgeCharacters());
    expect([...WIDTHS.keys()].join('')).toBe(' %.0123456789abcdegijklmnoprtuw');
  });

  it("holds anafanafo's width of each, in badge-maker's font", () => {
    expect(font).toBe('11px Verdana');
    for (const [char, width] of WIDTHS) {
      expect([char, width]).toEqual([char, anafanafo(char, { font, guess: false })]);
    }
  });

  it('a badge word with a new character adds it, and only it', () => {
    const badges = [...everyBadge(), { label: 'bucket', message: 'Ω up', color: 'red' }];
    expect(badgeCharacters(badges)).toEqual([...badgeCharacters(), 'Ω']);
    expect(widthsModule(["'", 'Ω'])).toContain(
      `  ['\\'', ${anafanafo("'", { font })}],\n  ['Ω', ${anafanafo('Ω', { font })}],\n]);`,
    );
  });
});

describe('npm run badge-widths', () => {
  it('enumerates every badge: each verdict, each days label, each hundredth of a percent', () => {
    const badges = everyBadge();
    expect(badges).toHaveLength(6 + 2 * 90 + 10_001);
    expect(badges.filter((b) => b.label === 'bucket')).toHaveLength(6);
    for (const days of [1, 2, 89, 90]) {
      expect(badges).toContainEqual({
        label: `uptime ${days}d`,
        message: 'no data',
        color: 'lightgrey',
      });
      expect(badges).toContainEqual({
        label: `uptime ${days}d`,
        message: '99.95%',
        color: 'brightgreen',
      });
    }
    const percents = new Set(badges.filter((b) => b.label === 'uptime 30d').map((b) => b.message));
    for (const message of ['0%', '0.01%', '0.1%', '12.34%', '99.99%', '100%']) {
      expect(percents).toContain(message);
    }
    expect(percents.size).toBe(10_001 + 1);
  });

  it('refuses a character anafanafo has no width for rather than guess it', () => {
    expect(() => widthsModule(['\u{10FFFF}'])).toThrow('No width available for character code');
  });

  it('writes the module when it is stale, and with --check only says so', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'badge-widths-'));
    try {
      const file = path.join(dir, 'widths.ts');
      expect(writeWidths(file, true)).toBe('stale');
      expect(() => readFileSync(file)).toThrow();
      expect(writeWidths(file, false)).toBe('written');
      expect(readFileSync(file, 'utf8')).toBe(widthsModule());
      expect(writeWidths(file, true)).toBe('fresh');
      expect(writeWidths(file, false)).toBe('fresh');
      writeFileSync(file, widthsModule().replace('3.87', '3.88'));
      expect(writeWidths(file, true)).toBe('stale');
      expect(readFileSync(file, 'utf8')).toContain('3.88');
      expect(writeWidths(file, false)).toBe('written');
      expect(readFileSync(file, 'utf8')).toBe(widthsModule());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('measure', () => {
  it('measures every label and message a badge draws exactly as anafanafo does', () => {
    const texts = new Set(everyBadge().flatMap(({ label, message }) => [label, message]));
    const differing = [...texts].filter(
      (text) => measure(text, { font }) !== anafanafo(text, { font }),
    );
    expect(differing).toEqual([]);
    expect(measure('partial outage', { font })).toBe(anafanafo('partial outage', { font }));
    expect(measure('', { font })).toBe(0);
  });

  it('throws for a character no badge draws, where anafanafo would guess', () => {
    expect(anafanafo('bucket!', { font })).toBeGreaterThan(anafanafo('bucket', { font }));
    expect(() => measure('bucket!', { font })).toThrow(
      'No width for "!" in 11px Verdana: run npm run badge-widths',
    );
    expect(() => measure('Bucket', { font })).toThrow('No width for "B"');
    expect(() => measure('99.9 %\u00a0', { font })).toThrow('No width for "\u00a0"');
    expect(() => measure('\u{1F600}', { font, guess: true })).toThrow('No width for "\u{1F600}"');
  });

  it('measures only the font of flat badges, and refuses any other', () => {
    expect(() => measure('bucket', { font: 'bold 11px Helvetica' })).toThrow(
      'Unknown font "bold 11px Helvetica", expected 11px Verdana',
    );
    expect(() => measure('bucket', { font: '10px Verdana' })).toThrow(
      'Unknown font "10px Verdana"',
    );
  });
});
