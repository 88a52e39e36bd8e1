/**
 * What the shipped bundles get for `anafanafo` (infra/bundling.ts aliases it here): text widths
 * in the one font badge-maker measures `flat` badges in, `11px Verdana`, from anafanafo's own
 * table, instead of anafanafo itself, which loads four tables (about 0.9 MB) at import. Any
 * other font throws, as anafanafo does for a font it lacks: a style that measures in another
 * font fails instead of drawing other widths. test/bundles/badge-widths.test.ts compares every
 * badge the route draws, bundled, with badge-maker's own.
 */
import verdana11px from 'anafanafo/data/verdana-11px-normal.json' with { type: 'json' };
import { createConsumer } from 'char-width-table-consumer';

export const BADGE_WIDTH_FONT = '11px Verdana';

const consumer = createConsumer(verdana11px);

/** anafanafo's signature: the width of `text` in `font`, in pixels. */
export default function measure(
  text: string,
  { font, ...rest }: { font: string; guess?: boolean },
): number {
  if (font !== BADGE_WIDTH_FONT) {
    throw new Error(`Unknown font "${font}", expected ${BADGE_WIDTH_FONT}`);
  }
  return consumer.widthOf(text, rest);
}
