import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../functions/auth/token-verifier.ts';
import { refusalOf } from './outcome.ts';

/**
 * JWT_SECRET_ARN mode, the deployed stack's default. Secrets Manager has no local engine, so
 * a small HTTP server answers its JSON protocol (`X-Amz-Target: secretsmanager.GetSecretValue`)
 * and the GetSecretValue call (functions/shared/secret-string.ts, SigV4-signed; its signature is
 * checked in test/unit/secret-string.test.ts) is pointed at it with the SDK's own endpoint
 * setting (AWS_ENDPOINT_URL_SECRETS_MANAGER): a real HTTP round trip, no mocked client.
 */
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-AbCdEf';
const SECRET = 'the-deployed-secret-of-at-least-32-bytes';

interface Call {
  target: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown>;
}
type Answer = { status: number; body: Record<string, unknown> };

const calls: Call[] = [];
let answer: () => Answer = () => ({ status: 200, body: { ARN, SecretString: SECRET } });
let server: Server;
let endpoint: string;
const previousEndpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      calls.push({
        target: req.headers['x-amz-target'] as string | undefined,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
      });
      const { status, body } = answer();
      res
        .writeHead(status, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
});

afterAll(() => {
  if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = previousEndpoint;
  server.closeAllConnections();
  server.close();
});

const arnVerifier = () => createTokenVerifier({ source: { kind: 'secretArn', arn: ARN } });
const token = (sub: string, secret = SECRET) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));

describe('JWT_SECRET_ARN', () => {
  it('fetches the secret once per cold start, during init, and verifies HS256 with it', async () => {
    answer = () => ({ status: 200, body: { ARN, Name: 'jwt', SecretString: SECRET } });
    calls.length = 0;
    const verify = arnVerifier();
    await verify.ready;
    expect(calls).toStrictEqual([
      {
        target: 'secretsmanager.GetSecretValue',
        contentType: 'application/x-amz-json-1.1',
        body: { SecretId: ARN },
      },
    ]);
    const results = await Promise.all(
      ['u-1', 'u-2', 'u-3'].map(async (u) => verify(await token(u))),
    );
    expect(results.map((r) => r.userId)).toStrictEqual(['u-1', 'u-2', 'u-3']);
    expect(await verify(await token('u-4'))).toMatchObject({ userId: 'u-4' });
    expect(calls).toHaveLength(1);
  });

  it('a token signed with another secret is refused', async () => {
    answer = () => ({ status: 200, body: { ARN, SecretString: SECRET } });
    const verify = arnVerifier();
    const forged = await token('u-1', 'some-other-secret-of-at-least-32-bytes');
    expect((await refusalOf(verify(forged))).message).toBe('The token signature is invalid');
  });

  it('a secret shorter than 32 bytes fails the cold start with a message naming the setting', async () => {
    answer = () => ({ status: 200, body: { ARN, SecretString: 'x'.repeat(31) } });
    const verify = arnVerifier();
    await expect(verify.ready).rejects.toThrow(
      'The secret named by JWT_SECRET_ARN must be at least 32 bytes for HS256',
    );
    // Requests made anyway (no Lambda init to stop them) get a 500, never a 200.
    expect((await refusalOf(verify(await token('u-1', 'x'.repeat(31))))).status).toBe(500);
  });

  it('an unusable secret that nobody awaits is no unhandled rejection (local runtime, tests)', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      answer = () => ({ status: 200, body: { ARN, SecretString: 'short' } });
      const verify = arnVerifier(); // `ready` never awaited
      // A request shares the init fetch (or follows it): once it has failed, so has `ready`.
      expect((await refusalOf(verify(await token('u-1')))).status).toBe(500);
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toStrictEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('32 bytes is enough', async () => {
    const secret = 'y'.repeat(32);
    answer = () => ({ status: 200, body: { ARN, SecretString: secret } });
    const verify = arnVerifier();
    await expect(verify.ready).resolves.toBeUndefined();
    expect((await verify(await token('u-1', secret))).userId).toBe('u-1');
  });

  it('a secret without SecretString (a binary secret) fails the cold start, naming the setting', async () => {
    answer = () => ({
      status: 200,
      body: { ARN, SecretBinary: Buffer.from(SECRET).toString('base64') },
    });
    const verify = arnVerifier();
    await expect(verify.ready).rejects.toThrow(
      'JWT_SECRET_ARN names a secret without a SecretString (binary?)',
    );
    await expect(verify.ready).rejects.toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });

  it('Secrets Manager unreachable: the start goes on, requests get 503 and retry the fetch', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${port}`;
    try {
      const verify = arnVerifier();
      await expect(verify.ready).resolves.toBeUndefined();
      const error = await verify(await token('u-1')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).cause).toBeInstanceOf(Error); // for the operator's log
      expect(await refusalOf(Promise.reject(error))).toStrictEqual({
        status: 503,
        message: 'Token verification is temporarily unavailable',
        challenge: undefined,
        retryAfter: '1',
      });
      // Back online: the next request fetches again and succeeds.
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
      answer = () => ({ status: 200, body: { ARN, SecretString: SECRET } });
      calls.length = 0;
      expect((await verify(await token('u-2'))).userId).toBe('u-2');
      expect(calls).toHaveLength(1);
    } finally {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
    }
  });

  it('Secrets Manager answering an error (AccessDenied): 503, nothing verified', async () => {
    answer = () => ({
      status: 400,
      body: { __type: 'AccessDeniedException', message: 'not allowed' },
    });
    const verify = arnVerifier();
    await expect(verify.ready).resolves.toBeUndefined();
    expect((await refusalOf(verify(await token('u-1')))).status).toBe(503);
  });

  it('the 503 keeps the service error, named as the SDK names it, for the operator log', async () => {
    answer = () => ({
      status: 400,
      body: { __type: 'AccessDeniedException', message: 'not allowed' },
    });
    calls.length = 0;
    const error = await arnVerifier()(await token('u-1')).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.cause).toMatchObject({ name: 'AccessDeniedException', message: 'not allowed' });
    // Refused by the service: not retried (init's fetch and the request's, one each).
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThanOrEqual(2);
  });
});

describe('JWT_SECRET_ARN at the Lambda entry (functions/status/handler.ts), in a fresh process', () => {
  const ENTRY = fileURLToPath(new URL('../../functions/status/handler.ts', import.meta.url));

  /** Imports the entry as Lambda's init would; resolves with the exit code and stderr. */
  const coldStart = () =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `await import(${JSON.stringify(ENTRY)}); console.log('ready');`,
        ],
        {
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            TABLE_NAME: 'cold-start-table',
            JWT_SECRET_ARN: ARN,
            // The status function also pages health events, whose cursor key it reads.
            EVENTS_CURSOR_SECRET: 'events-cursor-secret-of-at-least-32-bytes',
          },
          timeout: 20_000,
        },
        (error, stdout, stderr) =>
          resolve({
            code: error ? ((error as { code?: number }).code ?? 1) : 0,
            stderr: stderr + stdout,
          }),
      );
      child.stdin?.end();
    });

  it('a good secret: init completes, with one fetch', async () => {
    answer = () => ({ status: 200, body: { ARN, SecretString: SECRET } });
    calls.length = 0;
    const { code, stderr } = await coldStart();
    expect(stderr).toContain('ready');
    expect(code).toBe(0);
    expect(calls.map((c) => c.target)).toStrictEqual(['secretsmanager.GetSecretValue']);
  });

  it('a too-short secret: init fails with the message naming JWT_SECRET_ARN', async () => {
    answer = () => ({ status: 200, body: { ARN, SecretString: 'short' } });
    const { code, stderr } = await coldStart();
    expect(code).not.toBe(0);
    expect(stderr).toContain('The secret named by JWT_SECRET_ARN must be at least 32 bytes');
    expect(stderr).not.toContain('ready');
  });
});
