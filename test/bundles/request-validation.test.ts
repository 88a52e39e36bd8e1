// Request bodies are checked by functions/wire/issues.ts, not by TypeBox's checker: TypeBox
// stays the source of the wire shapes (its builders), but its `Check`, `Errors` and the rest
// of its value and compiler modules (about 48 KB as bundled, some 5 ms of a cold start) ship in
// no function. Each function of the route table is bundled with the shipped options.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionName } from '../../functions/route-table.ts';
import { bundleEveryFunction, type FunctionBundles } from '../support/function-bundles.ts';

/** TypeBox's checker: its errors, value and compiler modules (but the guards its builders use). */
const CHECKER = /@sinclair\/typebox\/build\/(?:esm|cjs)\/(?:errors|compiler|value\/(?!guard\/))/;

let bundles: FunctionBundles | undefined;
let inputs = new Map<FunctionName, string[]>();

beforeAll(async () => {
  bundles = await bundleEveryFunction('request-validation-bundles');
  inputs = bundles.inputs;
}, 180_000);

afterAll(() => bundles?.remove());

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
