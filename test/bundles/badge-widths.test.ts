// The badge as it ships draws exactly what badge-maker draws. The bundles take
// functions/badge/text-width.ts for anafanafo (infra/bundling.ts HOUSE_ALIASES): one width
// table instead of four. Here the route's renderer is bundled with the shipped options and every
// badge the route can draw is compared, byte for byte, with the same renderer unbundled, where
// badge-maker measures with anafanafo itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BadgeFormat, uptimeBadge, verdictBadge } from '../../functions/badge/badge.ts';
import { renderBadge } from '../../functions/badge/render-badge.ts';
import measure, { BADGE_WIDTH_FONT } from '../../functions/badge/text-width.ts';
import { VERDICTS } from '../../functions/domain/health.ts';
import { UPTIME_DAYS } from '../../functions/domain/uptime.ts';
import { buildOptionsFor } from '../../infra/bundling.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let outdir: string;
let metafile: Metafile;
let bundledRender: typeof renderBadge;

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'badge-widths-'));
  const outfile = path.join(outdir, 'index.mjs');
  const result = await build({
    ...buildOptionsFor(path.join(ROOT, 'functions/badge/render-badge.ts'), outfile),
    metafile: true,
    logLevel: 'warning',
  });
  metafile = result.metafile;
  ({ renderBadge: bundledRender } = (await import(pathToFileURL(outfile).href)) as {
    renderBadge: typeof renderBadge;
  });
}, 60_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/**
 * Every badge GET /public/{token}/badge.svg can draw: each verdict; for uptime, each label
 * (`days` 1-90) and each message with its colour (a percentage is a whole number of hundredths
 * from 0 to 100, or no data). `flat` measures the label and the message apart, so each label
 * drawn beside one message and each message beside one label cover every pair.
 */
function everyBadge(): BadgeFormat[] {
  const badges = VERDICTS.map(verdictBadge);
  for (let days = UPTIME_DAYS.min; days <= UPTIME_DAYS.max; days++) {
    badges.push(uptimeBadge(days, undefined), uptimeBadge(days, 99.95));
  }
  for (let hundredths = 0; hundredths <= 10_000; hundredths++) {
    badges.push(uptimeBadge(UPTIME_DAYS.fallback, hundredths / 100));
  }
  return badges;
}

describe('the shipped badge', () => {
  it('bundles one width table, through functions/badge/text-width.ts, and not anafanafo', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('functions/badge/text-width.ts');
    const tables = inputs.filter((input) => /\/anafanafo\/data\//.test(input));
    expect(tables.map((table) => path.basename(table))).toEqual(['verdana-11px-normal.json']);
    expect(inputs.filter((input) => /\/anafanafo\/index\.js$/.test(input))).toEqual([]);
  });

  it('draws every verdict, uptime label, message and colour byte for byte as badge-maker does', () => {
    const badges = everyBadge();
    expect(new Set(badges.map((b) => b.color))).toEqual(
      new Set(['brightgreen', 'green', 'yellow', 'orange', 'red', 'blue', 'lightgrey']),
    );
    const differing = badges.filter((badge) => bundledRender(badge) !== renderBadge(badge));
    expect(differing).toEqual([]);
  });

  it('measures only the font of flat badges, and refuses any other rather than guess', () => {
    expect(measure('bucket', { font: BADGE_WIDTH_FONT })).toBeGreaterThan(0);
    expect(() => measure('bucket', { font: 'bold 11px Helvetica' })).toThrow(
      /Unknown font "bold 11px Helvetica"/,
    );
    expect(() => measure('bucket', { font: '10px Verdana' })).toThrow(/Unknown font/);
  });
});
