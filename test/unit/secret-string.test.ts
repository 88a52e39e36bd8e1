import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Env,
  regionOf,
  AwsServiceError as SecretsManagerError,
  serviceEndpoint,
} from '../../functions/shared/aws-json-call.ts';
import { fetchSecretString, SECRETS_MANAGER } from '../../functions/shared/secret-string.ts';

const secretsManagerEndpoint = (env: Env, region: string) =>
  serviceEndpoint(SECRETS_MANAGER, env, region);

import {
  AUTHORIZATION,
  type AwsJsonCall,
  type AwsJsonReply,
  type AwsJsonServer,
  signatureHolds,
  startAwsJsonServer,
} from '../support/aws-json-server.ts';

/**
 * GetSecretValue against a real HTTP server that speaks Secrets Manager's JSON 1.1 protocol
 * and checks each request's SigV4 signature the way the service does: recomputed with the
 * SDK's own SignatureV4 from the credentials the test process runs with (vitest.config.ts).
 */
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:jwt-AbCdEf';
const SECRET = 'the-deployed-secret-of-at-least-32-bytes';

type Reply = AwsJsonReply;

// The server's own replies stay empty: it asks `replies` (each test sets it) for every answer.
let replies: Reply[] = [];
let aws: AwsJsonServer;
let calls: AwsJsonCall[] = [];
let sockets: Socket[] = [];
let endpoint: string;

const ok = (body: Record<string, unknown> = { ARN, Name: 'jwt', SecretString: SECRET }): Reply => ({
  status: 200,
  body,
});
const fault = (status: number, type: string, message = 'no'): Reply => ({
  status,
  body: { __type: type, message },
});

beforeAll(async () => {
  aws = await startAwsJsonServer(() => replies.shift() ?? ok());
  ({ calls, sockets, url: endpoint } = aws);
});

afterAll(() => aws.close());

beforeEach(() => {
  calls.length = 0;
  replies = [];
});

const env = () => ({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint });
const fetchWith = (arn = ARN) => fetchSecretString(arn, env());
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the fetch succeeded'),
    (error: unknown) => error as SecretsManagerError & { code?: string },
  );

describe('GetSecretValue on the wire', () => {
  it('one POST of {"SecretId": arn} in the JSON 1.1 protocol, answered with the SecretString', async () => {
    await expect(fetchWith()).resolves.toBe(SECRET);
    expect(calls).toHaveLength(1);
    const [call] = calls as [AwsJsonCall];
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/');
    expect(call.headers).toMatchObject({
      host: new URL(endpoint).host,
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(call.body.length),
      'x-amz-target': 'secretsmanager.GetSecretValue',
    });
    expect(JSON.parse(call.body.toString('utf8'))).toStrictEqual({ SecretId: ARN });
  });

  it('is SigV4-signed for secretsmanager in AWS_REGION with the credential chain; a tampered body or header fails the check', async () => {
    await fetchWith();
    const [call] = calls as [AwsJsonCall];
    const [, accessKeyId, day, region, service, signedHeaders] = AUTHORIZATION.exec(
      call.headers.authorization as string,
    ) as unknown as string[];
    expect({ accessKeyId, region, service }).toStrictEqual({
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      region: 'us-east-1',
      service: 'secretsmanager',
    });
    expect(call.headers['x-amz-date']).toMatch(new RegExp(`^${day}T\\d{6}Z$`));
    expect(signedHeaders?.split(';')).toEqual(
      expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'content-type']),
    );
    const key = process.env.AWS_SECRET_ACCESS_KEY as string;
    expect(await signatureHolds(call, key)).toBe(true);
    // The check itself can fail: another body, another target, another key.
    const otherBody = Buffer.from(JSON.stringify({ SecretId: `${ARN}-other` }));
    expect(await signatureHolds({ ...call, body: otherBody }, key)).toBe(false);
    const otherTarget = { ...call.headers, 'x-amz-target': 'secretsmanager.DeleteSecret' };
    expect(await signatureHolds({ ...call, headers: otherTarget }, key)).toBe(false);
    expect(await signatureHolds(call, `${key}-not`)).toBe(false);
  });

  it('signs with a session token when the chain has one (Lambda role credentials)', async () => {
    process.env.AWS_SESSION_TOKEN = 'session-token-of-the-role';
    try {
      await fetchWith();
    } finally {
      delete process.env.AWS_SESSION_TOKEN;
    }
    const [call] = calls as [AwsJsonCall];
    expect(call.headers['x-amz-security-token']).toBe('session-token-of-the-role');
    expect(AUTHORIZATION.exec(call.headers.authorization as string)?.[5]?.split(';')).toContain(
      'x-amz-security-token',
    );
    expect(await signatureHolds(call, process.env.AWS_SECRET_ACCESS_KEY as string)).toBe(true);
  });

  it('closes its connection once answered: no keep-alive socket left in the container', async () => {
    sockets.length = 0;
    await expect(fetchWith()).resolves.toBe(SECRET);
    expect(sockets).toHaveLength(1);
    const [socket] = sockets as [Socket];
    // Resolves only when the client closes it (the server keeps idle sockets for 10 minutes).
    if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
    expect(socket.closed).toBe(true);
  });

  it('a binary secret (no SecretString), a null one and an empty answer give undefined', async () => {
    replies = [
      ok({ ARN, SecretString: null }),
      ok({ ARN, SecretBinary: Buffer.from(SECRET).toString('base64') }),
      { status: 200, body: '' },
    ];
    await expect(fetchWith()).resolves.toBeUndefined();
    await expect(fetchWith()).resolves.toBeUndefined();
    await expect(fetchWith()).resolves.toBeUndefined();
  });

  it('a 200 whose body is not a JSON object is an error that never quotes the body', async () => {
    for (const body of [`not json ${SECRET}`, JSON.stringify(SECRET), 'null']) {
      replies = [{ status: 200, body }];
      const error = await failureOf(fetchWith());
      expect(error).toBeInstanceOf(SecretsManagerError);
      expect(error.name).toBe('SyntaxError');
      expect(error.message).toBe(
        'Secrets Manager answered GetSecretValue with a body that is not JSON',
      );
      expect(JSON.stringify(error) + String(error.stack)).not.toContain(SECRET);
    }
    expect(calls).toHaveLength(3); // never retried
  });
});

describe('errors, named as the SDK names them', () => {
  it('ResourceNotFoundException (400): thrown at once, name from __type, message from Message', async () => {
    replies = [
      { status: 400, body: { __type: 'ResourceNotFoundException', Message: 'no such secret' } },
    ];
    const error = await failureOf(fetchWith());
    expect(calls).toHaveLength(1);
    expect(error).toBeInstanceOf(SecretsManagerError);
    expect(error).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'no such secret',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'request-1' },
    });
  });

  it('AccessDeniedException with a namespaced __type: the name after the #, not retried', async () => {
    replies = [fault(400, 'com.amazonaws.secretsmanager#AccessDeniedException', 'not allowed')];
    const error = await failureOf(fetchWith());
    expect(calls).toHaveLength(1);
    expect([error.name, error.message]).toStrictEqual(['AccessDeniedException', 'not allowed']);
  });

  it('no __type: the x-amzn-errortype header; nothing at all: Unknown / UnknownError', async () => {
    replies = [
      {
        status: 403,
        body: {},
        headers: { 'x-amzn-errortype': 'UnrecognizedClientException:http://internal' },
      },
      { status: 404, body: '<html>not found</html>' },
    ];
    const named = await failureOf(fetchWith());
    expect([named.name, named.message]).toStrictEqual([
      'UnrecognizedClientException',
      'UnknownError',
    ]);
    const unknown = await failureOf(fetchWith());
    expect([unknown.name, unknown.message]).toStrictEqual(['Unknown', 'UnknownError']);
    expect(calls).toHaveLength(2);
  });

  it('any status from 300 up is an error, even with a SecretString in the body', async () => {
    replies = [{ status: 300, body: { SecretString: SECRET } }];
    const error = await failureOf(fetchWith());
    expect(error).toMatchObject({ name: 'Unknown', $metadata: { httpStatusCode: 300 } });
    expect(JSON.stringify(error) + String(error.stack)).not.toContain(SECRET);
  });
});

describe('retries: the SDK standard mode, 3 attempts', () => {
  it('a 500 and then throttling are retried with backoff, then the secret is returned', async () => {
    replies = [fault(500, 'InternalServiceError'), fault(400, 'ThrottlingException'), ok()];
    await expect(fetchWith()).resolves.toBe(SECRET);
    expect(calls).toHaveLength(3);
    // Each attempt is signed anew (and still verifies).
    for (const call of calls) {
      expect(await signatureHolds(call, process.env.AWS_SECRET_ACCESS_KEY as string)).toBe(true);
    }
  });

  it('a 503 without a JSON body is retried like the SDK does (transient by status)', async () => {
    replies = [{ status: 503, body: '<html>busy</html>' }, ok()];
    await expect(fetchWith()).resolves.toBe(SECRET);
    expect(calls).toHaveLength(2);
  });

  it('three 500s: the third error is thrown, a server fault', async () => {
    replies = [
      fault(500, 'InternalServiceError', 'one'),
      fault(500, 'InternalServiceError', 'two'),
      fault(500, 'InternalServiceError', 'three'),
      ok(),
    ];
    const error = await failureOf(fetchWith());
    expect(calls).toHaveLength(3);
    expect(error).toMatchObject({
      name: 'InternalServiceError',
      message: 'three',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
  });

  it('another 5xx (501) is not retried, as in the SDK standard mode', async () => {
    replies = [fault(501, 'NotImplemented')];
    await expect(failureOf(fetchWith())).resolves.toMatchObject({ name: 'NotImplemented' });
    expect(calls).toHaveLength(1);
  });

  it('a dropped connection is retried', async () => {
    replies = ['drop', ok()];
    await expect(fetchWith()).resolves.toBe(SECRET);
    expect(calls).toHaveLength(2);
  });

  it('an answer that never comes: each attempt times out (TimeoutError) instead of hanging', async () => {
    replies = ['hang', 'hang', 'hang'];
    const error = await failureOf(fetchWith());
    expect(error.name).toBe('TimeoutError');
    expect(calls).toHaveLength(3);
  });

  it('nothing listening: the network error itself is thrown after the attempts', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failureOf(
      fetchSecretString(ARN, {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      }),
    );
    expect(error.code).toBe('ECONNREFUSED');
  });
});

describe('the endpoint and region, as the SDK resolves them', () => {
  it('AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
    const own = 'http://127.0.0.1:1/own';
    const all = 'http://127.0.0.1:2/';
    const at = (e: Record<string, string>) => secretsManagerEndpoint(e, 'eu-west-1').href;
    expect(at({ AWS_ENDPOINT_URL_SECRETS_MANAGER: own, AWS_ENDPOINT_URL: all })).toBe(own);
    expect(at({ AWS_ENDPOINT_URL_SECRETS_MANAGER: '', AWS_ENDPOINT_URL: all })).toBe(all);
    expect(at({ AWS_ENDPOINT_URL: all })).toBe(all);
    expect(at({ AWS_ENDPOINT_URL: '' })).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
    expect(
      at({
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: own,
        AWS_ENDPOINT_URL: all,
      }),
    ).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
    expect(at({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false', AWS_ENDPOINT_URL: all })).toBe(all);
  });

  it('the regional endpoint carries the partition DNS suffix', () => {
    const at = (region: string) => secretsManagerEndpoint({}, region).href;
    expect(at('us-east-1')).toBe('https://secretsmanager.us-east-1.amazonaws.com/');
    expect(at('cn-north-1')).toBe('https://secretsmanager.cn-north-1.amazonaws.com.cn/');
    expect(at('us-gov-west-1')).toBe('https://secretsmanager.us-gov-west-1.amazonaws.com/');
    expect(at('us-iso-east-1')).toBe('https://secretsmanager.us-iso-east-1.c2s.ic.gov/');
    expect(at('us-isob-east-1')).toBe('https://secretsmanager.us-isob-east-1.sc2s.sgov.gov/');
  });

  it('a configured endpoint keeps its path; the request goes there', async () => {
    await fetchSecretString(ARN, {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: `${endpoint}/prefix`,
    });
    expect(calls.map((c) => c.path)).toStrictEqual(['/prefix']);
  });

  it('AWS_REGION is required and must be a region name', async () => {
    expect(regionOf({ AWS_REGION: 'ap-southeast-2' })).toBe('ap-southeast-2');
    for (const AWS_REGION of [undefined, '', 'us-east-1.evil.example', 'US-EAST-1']) {
      expect(() => regionOf({ AWS_REGION })).toThrow('AWS_REGION is missing or not a region name');
    }
    await expect(fetchSecretString(ARN, { AWS_ENDPOINT_URL: endpoint })).rejects.toThrow(
      'AWS_REGION',
    );
    expect(calls).toHaveLength(0);
  });
});
