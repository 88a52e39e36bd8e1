// The badge as it ships draws exactly what badge-maker draws. The bundles take
// functions/badge/text-width.ts for anafanafo (infra/bundling.ts HOUSE_ALIASES): anafanafo's
// widths of only the characters a badge draws instead of its four tables. Here the route's
// renderer is bundled with the shipped options and every badge the route can draw is compared,
// byte for byte, with the same renderer unbundled, where badge-maker measures with anafanafo
// itself.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBadge } from '../../functions/badge/render-badge.ts';
import measure, { BADGE_WIDTH_FONT } from '../../functions/badge/text-width.ts';
import { buildOptionsFor } from '../../infra/bundling.ts';
import { everyBadge, WIDTHS_PATH, widthsModule } from '../../scripts/badge-widths.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let outdir: string;
let metafile: Metafile;
let bundle: string;
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
  bundle = readFileSync(outfile, 'utf8');
  ({ renderBadge: bundledRender } = (await import(pathToFileURL(outfile).href)) as {
    renderBadge: typeof renderBadge;
  });
}, 60_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('the shipped badge', () => {
  it("bundles the badge characters' widths, through functions/badge/text-width.ts, and none of anafanafo", () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('functions/badge/text-width.ts');
    expect(inputs).toContain('functions/badge/verdana-11px-widths.ts');
    expect(
      inputs.filter((input) => /\/(anafanafo|char-width-table-consumer)\//.test(input)),
    ).toEqual([]);
    const [output] = Object.values(metafile.outputs).filter((o) => o.entryPoint !== undefined);
    expect(output?.inputs['functions/badge/verdana-11px-widths.ts']?.bytesInOutput).toBeLessThan(
      1_000,
    );
    // anafanafo's table's rows (`[first, last, width]`), as a bundle that took it would carry them.
    const table = createRequire(import.meta.url)('anafanafo/data/verdana-11px-normal.json') as [
      number,
      number,
      number,
    ][];
    const rows = [table[0], table[1], table.at(-1)].map((row) => JSON.stringify(row));
    expect(rows[0]).toBe('[32,32,3.87]');
    expect(rows.filter((row) => bundle.includes(row))).toEqual([]);
  });

  it('measures with functions/badge/verdana-11px-widths.ts as `npm run badge-widths` writes it', () => {
    expect(readFileSync(WIDTHS_PATH, 'utf8')).toBe(widthsModule());
    const check = spawnSync(process.execPath, ['scripts/badge-widths.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect([check.status, check.stdout, check.stderr]).toEqual([0, '', '']);
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
