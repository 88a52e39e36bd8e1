import { makeBadge } from 'badge-maker';
import type { BadgeFormat } from './badge.ts';

/**
 * The SVG of a badge, in the route's one style (`flat`). Bundled, badge-maker measures its text
 * with functions/badge/text-width.ts, which holds that style's one font.
 */
export function renderBadge(format: BadgeFormat): string {
  return makeBadge({ ...format, style: 'flat' });
}
