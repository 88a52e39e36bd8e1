// The generic signed JSON-protocol call (functions/shared/aws-json-call.ts) for each service the
// functions use. Its retries, errors and signing are exercised through Secrets Manager in
// test/unit/secret-string.test.ts and through SQS and EventBridge in
// test/webhooks/aws-adapters.test.ts; here: what differs per service, and the connection reuse.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENTBRIDGE } from '../../functions/fan-out/aws-adapters.ts';
import {
  AwsServiceError,
  createAwsJsonClient,
  serviceEndpoint,
  traceHeader,
} from '../../functions/shared/aws-json-call.ts';
import { SECRETS_MANAGER } from '../../functions/shared/secret-string.ts';
import { SQS } from '../../functions/shared/sqs.ts';
import {
  type AwsJsonServer,
  signatureHolds,
  startAwsJsonServer,
} from '../support/aws-json-server.ts';

let aws: AwsJsonServer;
beforeAll(async () => {
  aws = await startAwsJsonServer(() => ({ status: 200, body: { ok: true } }));
});
afterAll(() => aws.close());
beforeEach(() => {
  aws.calls.length = 0;
  aws.replies.length = 0;
  aws.sockets.length = 0;
});

describe('each service as its SDK client resolves it', () => {
  it('AWS_ENDPOINT_URL_<service id> is read for that service only', () => {
    const env = {
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1/',
      AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:2/',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:3/',
    };
    expect(serviceEndpoint(SQS, env, 'us-east-1').port).toBe('1');
    expect(serviceEndpoint(EVENTBRIDGE, env, 'us-east-1').port).toBe('2');
    expect(serviceEndpoint(SECRETS_MANAGER, env, 'us-east-1').port).toBe('3');
  });

  it('the regional endpoints carry the endpoint prefix and the partition DNS suffix', () => {
    expect(serviceEndpoint(SQS, {}, 'eu-west-1').href).toBe('https://sqs.eu-west-1.amazonaws.com/');
    expect(serviceEndpoint(EVENTBRIDGE, {}, 'cn-north-1').href).toBe(
      'https://events.cn-north-1.amazonaws.com.cn/',
    );
  });

  it('the target, content type and signing name per service', async () => {
    const env = {
      AWS_REGION: 'ap-southeast-2',
      AWS_ENDPOINT_URL: aws.url,
    };
    for (const service of [SQS, EVENTBRIDGE, SECRETS_MANAGER]) {
      const client = createAwsJsonClient(service, env);
      await expect(client.call('Op', { a: 1 })).resolves.toStrictEqual({ ok: true });
      client.destroy();
    }
    expect(
      aws.calls.map((c) => [
        c.headers['x-amz-target'],
        c.headers['content-type'],
        c.headers['x-amzn-query-mode'],
        /\/ap-southeast-2\/([a-z]+)\/aws4_request/.exec(c.headers.authorization as string)?.[1],
      ]),
    ).toStrictEqual([
      ['AmazonSQS.Op', 'application/x-amz-json-1.0', 'true', 'sqs'],
      ['AWSEvents.Op', 'application/x-amz-json-1.1', undefined, 'events'],
      ['secretsmanager.Op', 'application/x-amz-json-1.1', undefined, 'secretsmanager'],
    ]);
    for (const call of aws.calls) {
      expect(call.input).toStrictEqual({ a: 1 });
      expect(await signatureHolds(call, process.env.AWS_SECRET_ACCESS_KEY as string)).toBe(true);
    }
  });
});

describe("the invocation's trace header", () => {
  const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

  it('is sent in Lambda, unsigned, so the signature still holds', async () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: aws.url };
    const lambda = { ...env, AWS_LAMBDA_FUNCTION_NAME: 'fan-out', _X_AMZN_TRACE_ID: TRACE };
    for (const settings of [lambda, env, { ...env, _X_AMZN_TRACE_ID: TRACE }]) {
      const client = createAwsJsonClient(SQS, settings);
      await client.call('Op', {});
      client.destroy();
    }
    expect(aws.calls.map((c) => c.headers['x-amzn-trace-id'])).toStrictEqual([
      TRACE,
      undefined,
      undefined,
    ]);
    expect(aws.calls[0]?.headers.authorization).not.toContain('x-amzn-trace-id');
    expect(
      await signatureHolds(aws.calls[0] as never, process.env.AWS_SECRET_ACCESS_KEY as string),
    ).toBe(true);
  });

  it('needs both the function name and the trace', () => {
    expect(
      traceHeader({ AWS_LAMBDA_FUNCTION_NAME: 'f', _X_AMZN_TRACE_ID: 'Root=1' }),
    ).toStrictEqual({
      'x-amzn-trace-id': 'Root=1',
    });
    expect(traceHeader({ AWS_LAMBDA_FUNCTION_NAME: 'f', _X_AMZN_TRACE_ID: '' })).toStrictEqual({});
    expect(traceHeader({ AWS_LAMBDA_FUNCTION_NAME: '', _X_AMZN_TRACE_ID: 'Root=1' })).toStrictEqual(
      {},
    );
  });
});

describe('one client, many calls', () => {
  it('keeps its connection alive between calls, as the SDK clients do; destroy closes it', async () => {
    const client = createAwsJsonClient(SQS, {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SQS: aws.url,
    });
    await client.call('A', {});
    await client.call('B', {});
    expect(aws.calls).toHaveLength(2);
    expect(aws.sockets).toHaveLength(1);
    const [socket] = aws.sockets;
    expect(socket?.closed).toBe(false);
    client.destroy();
    if (!socket?.closed) await new Promise((resolve) => socket?.once('close', resolve));
    expect(socket?.closed).toBe(true);
  });

  it('reads AWS_REGION at each call: without it the call fails before sending', async () => {
    const env: Record<string, string | undefined> = { AWS_ENDPOINT_URL_SQS: aws.url };
    const client = createAwsJsonClient(SQS, env);
    await expect(client.call('A', {})).rejects.toThrow('AWS_REGION is missing');
    expect(aws.calls).toHaveLength(0);
    env.AWS_REGION = 'us-west-2';
    await client.call('A', {});
    expect(aws.calls).toHaveLength(1);
    client.destroy();
  });

  it("an error names the service's error and the operation's answer is never quoted", async () => {
    aws.replies.push({ status: 200, body: 'not json' });
    const client = createAwsJsonClient(EVENTBRIDGE, {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
    });
    const error = await client.call('PutEvents', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect((error as Error).message).toBe(
      'EventBridge answered PutEvents with a body that is not JSON',
    );
    client.destroy();
  });
});
