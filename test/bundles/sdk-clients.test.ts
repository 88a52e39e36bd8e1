// The generated SDK clients in the bundles: every function is built exactly as the stack ships it
// (infra/bundling.ts buildOptionsFor) and esbuild's metafile says what went in. DynamoDB is the
// one generated client a function carries; SQS and EventBridge are signed JSON-protocol calls
// (functions/shared/aws-json-call.ts) on the SDK pieces DynamoDB already brings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../../functions/route-table.ts';
import { buildOptionsFor } from '../../infra/bundling.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let outdir: string;
const inputs = new Map<FunctionName, string[]>();

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'sdk-client-bundles-'));
  for (const name of FUNCTION_NAMES) {
    const result = await build({
      ...buildOptionsFor(
        path.join(ROOT, FUNCTIONS[name].entry),
        path.join(outdir, name, 'index.mjs'),
      ),
      metafile: true,
      logLevel: 'warning',
    });
    inputs.set(name, Object.keys((result.metafile as Metafile).inputs));
  }
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** The generated clients (and the SQS client's own middleware) no function may carry. */
const LEFT_OUT = [
  '/@aws-sdk/client-sqs/',
  '/@aws-sdk/client-eventbridge/',
  '/@aws-sdk/middleware-sdk-sqs/',
];

describe('SQS and EventBridge in the shipped bundles', () => {
  it('fanOut and delivery bundle the signed JSON call (the check looks at real inputs)', () => {
    for (const name of ['fanOut', 'delivery'] as const) {
      const files = inputs.get(name) ?? [];
      expect(files, name).toContain('functions/shared/aws-json-call.ts');
      expect(files, name).toContain('functions/shared/sqs.ts');
      expect(
        files.some((f) => f.includes('/@aws-sdk/client-dynamodb/')),
        name,
      ).toBe(true);
    }
    expect(inputs.get('fanOut')).toContain('functions/fan-out/aws-adapters.ts');
    expect(inputs.get('delivery')).toContain('functions/delivery/sqs-visibility.ts');
  });

  it('no bundle carries @aws-sdk/client-sqs or @aws-sdk/client-eventbridge', () => {
    expect(inputs.size).toBe(FUNCTION_NAMES.length);
    for (const [name, files] of inputs) {
      expect(
        files.filter((f) => LEFT_OUT.some((library) => f.includes(library))),
        name,
      ).toEqual([]);
    }
  });
});
