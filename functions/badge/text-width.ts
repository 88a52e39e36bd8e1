/**
 * What the shipped bundles get for `anafanafo` (infra/bundling.ts aliases it here): text widths
 * in the one font badge-maker measures `flat` badges in, `11px Verdana`, from
 * verdana-11px-widths.ts, anafanafo's widths of only the characters a badge can draw
 * (`npm run badge-widths` writes it), instead of anafanafo itself, which loads four tables
 * (about 0.9 MB) at import. Summed in order from 0, as anafanafo sums, so each width is
 * anafanafo's to the bit. Any other font throws, as anafanafo does for a font it lacks, and so
 * does any other character, where anafanafo would guess: a badge with a new character, or a
 * style that measures in another font, fails instead of drawing other widths.
 * test/bundles/badge-widths.test.ts compares every badge the route draws, bundled, with
 * badge-maker's own.
 */
import { WIDTHS, WIDTHS_FONT } from './verdana-11px-widths.ts';

export const BADGE_WIDTH_FONT = WIDTHS_FONT;

/** anafanafo's signature: the width of `text` in `font`, in pixels (`guess` is never taken). */
export default function measure(text: string, { font }: { font: string; guess?: boolean }): number {
  if (font !== BADGE_WIDTH_FONT) {
    throw new Error(`Unknown font "${font}", expected ${BADGE_WIDTH_FONT}`);
  }
  let width = 0;
  for (const char of text) {
    const charWidth = WIDTHS.get(char);
    if (charWidth === undefined) {
      throw new Error(
        `No width for ${JSON.stringify(char)} in ${BADGE_WIDTH_FONT}: run npm run badge-widths`,
      );
    }
    width += charWidth;
  }
  return width;
}
