// Secrets Manager from the bundles: every function is built exactly as the stack ships it
// (infra/bundling.ts buildOptionsFor) and esbuild's metafile says what went in. GetSecretValue
// is functions/shared/secret-string.ts on the SDK pieces DynamoDB already brings; the generated
// client (@aws-sdk/client-secrets-manager: endpoint rules, schemas) is in no bundle, and the
// bundled call fetches both secrets at a cold start from a server speaking the JSON protocol.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../../functions/route-table.ts';
import { bundleEveryFunction, type FunctionBundles } from '../support/function-bundles.ts';

let bundles: FunctionBundles | undefined;
let inputs = new Map<FunctionName, string[]>();

beforeAll(async () => {
  bundles = await bundleEveryFunction('secrets-bundles');
  inputs = bundles.inputs;
}, 120_000);

afterAll(() => bundles?.remove());

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

  it('the bundled status and events functions fetch both secrets, SigV4-signed, during init', async () => {
    const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:';
    const fetched: { target: unknown; secretId: unknown; credential: unknown }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        fetched.push({
          target: req.headers['x-amz-target'],
          secretId: SecretId,
          credential: /Credential=([^,]+),/.exec(req.headers.authorization ?? '')?.[1],
        });
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ SecretString: `${SecretId}-a-secret-of-at-least-32-bytes` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      for (const name of ['status', 'events'] as const) {
        fetched.length = 0;
        const bundle = pathToFileURL((bundles as FunctionBundles).fileOf(name)).href;
        const output = await new Promise<string>((resolve, reject) => {
          execFile(
            process.execPath,
            [
              '--input-type=module',
              '-e',
              `await import(${JSON.stringify(bundle)}); console.log('ready');`,
            ],
            {
              env: {
                PATH: process.env.PATH,
                AWS_REGION: 'us-east-1',
                AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST',
                AWS_SECRET_ACCESS_KEY: 'bundle-test-secret-key',
                AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
                POWERTOOLS_LOG_LEVEL: 'SILENT',
                TABLE_NAME: 'secrets-bundle-table',
                JWT_SECRET_ARN: `${ARN}jwt`,
                EVENTS_CURSOR_SECRET_ARN: `${ARN}cursor`,
              },
              timeout: 20_000,
            },
            (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
          );
        });
        expect(output, name).toContain('ready');
        expect(fetched, name).toEqual(
          expect.arrayContaining(
            ['jwt', 'cursor'].map((secret) => ({
              target: 'secretsmanager.GetSecretValue',
              secretId: `${ARN}${secret}`,
              credential: expect.stringMatching(
                /^AKIDBUNDLETEST\/\d{8}\/us-east-1\/secretsmanager\/aws4_request$/,
              ),
            })),
          ),
        );
        expect(fetched, name).toHaveLength(2);
      }
    } finally {
      server.close();
    }
  });
});
