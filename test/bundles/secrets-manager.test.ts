// Secrets Manager from the bundles: every function is built exactly as the stack ships it
// (infra/bundling.ts buildOptionsFor) and esbuild's metafile says what went in. GetSecretValue
// is functions/shared/secret-string.ts on the SDK pieces DynamoDB already brings; the generated
// client (@aws-sdk/client-secrets-manager: endpoint rules, schemas) is in no bundle.
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
  outdir = mkdtempSync(path.join(tmpdir(), 'secrets-bundles-'));
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

/** The functions whose settings read a secret by ARN (JWT_SECRET_ARN, EVENTS_CURSOR_SECRET_ARN). */
const SECRET_READERS = FUNCTION_NAMES.filter((name) =>
  (FUNCTIONS[name].settings as readonly string[]).some(
    (s) => s === 'jwt' || s === 'eventsCursorKey',
  ),
);

describe('Secrets Manager in the shipped bundles', () => {
  it('the functions that read a secret by ARN bundle secret-string.ts (the check looks at real inputs)', () => {
    expect(SECRET_READERS).toEqual(
      expect.arrayContaining(['status', 'events', 'webhooks', 'public']),
    );
    for (const name of SECRET_READERS) {
      const files = inputs.get(name) ?? [];
      expect(files, name).toContain('functions/shared/secret-string.ts');
      expect(
        files.some((f) => f.includes('/@aws-sdk/client-dynamodb/')),
        name,
      ).toBe(true);
    }
  });

  it('no bundle carries @aws-sdk/client-secrets-manager', () => {
    expect(inputs.size).toBe(FUNCTION_NAMES.length);
    for (const [name, files] of inputs) {
      expect(
        files.filter((f) => f.includes('client-secrets-manager')),
        name,
      ).toEqual([]);
    }
  });
});
