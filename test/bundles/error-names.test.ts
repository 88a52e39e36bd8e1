// Error class names in the shipped bundles. The bundles keep identifiers instead of using
// esbuild's keepNames (infra/bundling.ts), so a class's `name` is whatever name esbuild gives it,
// and DomainError sets `this.name = new.target.name`: an error renamed on a collision (another
// bundled package's class of the same name becomes `ValidationError2`) would change what the
// logs and traces call it. Every error class under functions/ must keep its own name in every
// bundle that carries it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../functions/route-table.ts';
import { bundleEveryFunction, type FunctionBundles } from '../support/function-bundles.ts';

const FUNCTIONS_DIR = fileURLToPath(new URL('../../functions/', import.meta.url));

/** `class X extends ...Error` (or a domain error) anywhere under functions/, with its parent. */
function errorClasses(): Map<string, string> {
  const classes = new Map<string, string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (file.endsWith('.ts')) {
        for (const match of readFileSync(file, 'utf8').matchAll(
          /\bclass (\w+) extends (\w*Error|DomainError|Unavailable|NotFound|Conflict|Forbidden)\b/g,
        )) {
          classes.set(match[1] as string, match[2] as string);
        }
      }
    }
  };
  visit(FUNCTIONS_DIR);
  return classes;
}

let bundles: FunctionBundles | undefined;

beforeAll(async () => {
  bundles = await bundleEveryFunction('error-name-bundles');
}, 180_000);

afterAll(() => bundles?.remove());

describe('error classes in the shipped bundles', () => {
  it('the scan finds the domain errors (it looks at real sources)', () => {
    expect([...errorClasses().keys()]).toEqual(
      expect.arrayContaining(['DomainError', 'ValidationError', 'Unavailable', 'ConfigError']),
    );
  });

  it('keep their own names in every bundle that carries them', () => {
    const classes = errorClasses();
    const renamed: string[] = [];
    let found = 0;
    for (const name of FUNCTION_NAMES) {
      const text = readFileSync((bundles as FunctionBundles).fileOf(name), 'utf8');
      for (const [error, parent] of classes) {
        // `class X extends Y` or, syntax minified, `X=class extends Y` (the class takes the
        // name it is assigned to). Ours extends the parent it has in the source; another
        // package's class of the same name (badge-maker's ValidationError) may be the one
        // renamed, which is fine.
        const own = new RegExp(
          `\\b(?:class (${error}\\d*)|(${error}\\d*)=class) extends (\\w+)`,
          'g',
        );
        for (const match of text.matchAll(own)) {
          const declared = (match[1] ?? match[2]) as string;
          if ((match[3] as string).replace(/\d+$/, '') !== parent) continue;
          found++;
          if (declared !== error) renamed.push(`${name}: ${declared} extends ${match[3]}`);
        }
      }
    }
    expect(found).toBeGreaterThan(FUNCTION_NAMES.length);
    expect(renamed).toEqual([]);
  });
});
