// `npx cdk synth` end to end, as on a fresh clone: the pinned CLI, cdk.json, infra/app.ts run by
// Node 24, local esbuild bundling, cdk-nag enforcement, and no AWS credentials or network.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { FUNCTION_ENTRIES } from '../../infra/bundling.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The environment of a machine with no AWS configuration at all. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AWS_|CDK_)/.test(name)),
  );
  return {
    ...env,
    PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${env.PATH ?? ''}`,
    AWS_CONFIG_FILE: path.join(outdir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(outdir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

it('synthesizes offline with the pinned CLI and cdk.json', async () => {
  const cdk = path.join(root, 'node_modules', '.bin', 'cdk');
  await promisify(execFile)(cdk, ['synth', '--quiet', '--output', outdir], {
    cwd: root,
    env: offlineEnvironment(),
    timeout: 150_000,
  });
  const template = JSON.parse(
    readFileSync(path.join(outdir, 'BucketStatus-dev.template.json'), 'utf8'),
  ) as { Resources: Record<string, { Type: string }> };
  const types = Object.values(template.Resources).map((r) => r.Type);
  // One per handler entry, and CDK's page-deployment provider.
  expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(
    Object.keys(FUNCTION_ENTRIES).length + 1,
  );
  expect(types).toContain('AWS::CloudFront::Distribution');
  expect(types).toContain('AWS::DynamoDB::Table');
}, 180_000);
