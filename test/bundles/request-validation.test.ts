// Request bodies are checked by functions/wire/issues.ts, not by TypeBox's checker: TypeBox
// stays the source of the wire shapes (its builders), but its `Check`, `Errors` and the rest
// of its value and compiler modules (about 48 KB as bundled, some 5 ms of a cold start) ship in
// no function. Each function of the route table is bundled with the shipped options.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/route-table.ts';
import { buildOptionsFor } from '../../infra/bundling.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** TypeBox's checker: its errors, value and compiler modules (but the guards its builders use). */
const CHECKER = /@sinclair\/typebox\/build\/(?:esm|cjs)\/(?:errors|compiler|value\/(?!guard\/))/;

const inputs = new Map<string, string[]>();

beforeAll(async () => {
  for (const [name, fn] of Object.entries(FUNCTIONS)) {
    const result = await build({
      ...buildOptionsFor(path.join(ROOT, fn.entry), path.join(ROOT, 'cdk.out/unused.mjs')),
      write: false,
      metafile: true,
      logLevel: 'warning',
    });
    inputs.set(name, Object.keys((result.metafile as Metafile).inputs));
  }
}, 180_000);

describe('the shipped bundles', () => {
  it('check request bodies with functions/wire/issues.ts (status, ingest, webhooks among them)', () => {
    const checking = [...inputs]
      .filter(([, files]) => files.includes('functions/wire/check.ts'))
      .map(([name]) => name);
    expect(checking).toEqual(expect.arrayContaining(['status', 'ingest', 'webhooks']));
    for (const name of checking) {
      expect(inputs.get(name), name).toContain('functions/wire/issues.ts');
    }
  });

  it("carry none of TypeBox's checker (value, errors, compiler)", () => {
    expect(inputs.size).toBe(Object.keys(FUNCTIONS).length);
    const carried = [...inputs].flatMap(([name, files]) =>
      files.filter((file) => CHECKER.test(file)).map((file) => `${name}: ${file}`),
    );
    expect(carried).toEqual([]);
  });
});
