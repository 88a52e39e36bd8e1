// The fan-out's SQS and EventBridge adapters and the delivery's visibility adapter against a real
// local server speaking SQS's JSON 1.0 and EventBridge's JSON 1.1 protocol: what goes on the wire
// (target, content type, body), that it is SigV4-signed (the server recomputes the signature),
// and what the adapters make of the services' answers.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqsVisibility } from '../../functions/delivery/sqs-visibility.ts';
import { deliveryMessage, type EventBridgeDetail } from '../../functions/domain/alert-message.ts';
import {
  createEventBridgePublish,
  createSqsEnqueue,
  EVENTBRIDGE,
} from '../../functions/fan-out/aws-adapters.ts';
import { createAwsJsonClient } from '../../functions/shared/aws-json-call.ts';
import { queueEndpoint, SQS } from '../../functions/shared/sqs.ts';
import {
  AUTHORIZATION,
  type AwsJsonCall,
  type AwsJsonServer,
  signatureHolds,
  sqsStoredAll,
  startAwsJsonServer,
} from '../support/aws-json-server.ts';

let aws: AwsJsonServer;
/** Nothing listens here: a request sent to the configured endpoint instead of the queue fails. */
const DEAD = 'http://127.0.0.1:9';

beforeAll(async () => {
  aws = await startAwsJsonServer(sqsStoredAll);
});
afterAll(() => aws.close());
beforeEach(() => {
  aws.calls.length = 0;
  aws.replies.length = 0;
});

const KEY = () => process.env.AWS_SECRET_ACCESS_KEY as string;
const queueUrl = () => `${aws.url}/123456789012/bucket-status-delivery`;
const sqsClient = (env: Record<string, string> = {}) =>
  createAwsJsonClient(SQS, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SQS: DEAD, ...env });
const eventsClient = () =>
  createAwsJsonClient(EVENTBRIDGE, {
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
  });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call succeeded'),
    (error: unknown) => error as Error & { $metadata?: { httpStatusCode: number } },
  );

const messages = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    deliveryMessage({
      eventId: `evt_${i}`,
      workspaceId: 'ws-1',
      webhookId: `wh_${i}`,
      slot: i % 20,
      body: `{"n":${i},"text":"caf\u00e9"}`,
    }),
  );

const signedFor = (call: AwsJsonCall) => {
  const [, accessKeyId, , region, service] = AUTHORIZATION.exec(
    call.headers.authorization as string,
  ) as unknown as string[];
  return { accessKeyId, region, service };
};

describe('SQS SendMessageBatch (fan-out enqueue)', () => {
  it('sends 10 messages per call to the queue URL, JSON 1.0, AmazonSQS.SendMessageBatch, signed for sqs', async () => {
    const sent = messages(23);
    await createSqsEnqueue(sqsClient(), queueUrl())(sent);
    expect(aws.calls).toHaveLength(3);
    for (const call of aws.calls) {
      expect(call.method).toBe('POST');
      expect(call.path).toBe('/');
      expect(call.headers).toMatchObject({
        host: new URL(aws.url).host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.SendMessageBatch',
        'x-amzn-query-mode': 'true',
        'content-length': String(call.body.length),
      });
      expect(signedFor(call)).toStrictEqual({
        accessKeyId: process.env.AWS_ACCESS_KEY_ID,
        region: 'us-east-1',
        service: 'sqs',
      });
      expect(await signatureHolds(call, KEY())).toBe(true);
      expect(await signatureHolds({ ...call, body: Buffer.from('{}') }, KEY())).toBe(false);
    }
    const inputs = aws.calls.map((call) => call.input);
    expect(inputs.map((input) => (input.Entries as unknown[]).length).sort()).toEqual([10, 10, 3]);
    const first = inputs.find((input) => (input.Entries as unknown[]).length === 3);
    expect(first).toStrictEqual({
      QueueUrl: queueUrl(),
      Entries: sent.slice(20).map((message, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(message),
      })),
    });
  });

  it('a message with a check waits until the moment it is about (DelaySeconds)', async () => {
    const at = '2026-12-01T09:00:00.000Z';
    const check = {
      subject: 'bucket' as const,
      bucketId: 'b',
      to: 'DEGRADED',
      at,
      holdSeconds: 60,
    };
    const waiting = deliveryMessage({
      eventId: 'hev',
      workspaceId: 'ws-1',
      webhookId: 'wh_w',
      slot: 1,
      body: '{}',
      check,
    });
    const [plain] = messages(1);
    await createSqsEnqueue(
      sqsClient(),
      queueUrl(),
      () => Date.parse(at) + 15_000,
    )([plain as never, waiting]);
    expect(aws.calls[0]?.input.Entries).toStrictEqual([
      { Id: '0', MessageBody: JSON.stringify(plain) },
      { Id: '1', MessageBody: JSON.stringify(waiting), DelaySeconds: 45 },
    ]);
  });

  it('no messages: no call', async () => {
    await createSqsEnqueue(sqsClient(), queueUrl())([]);
    expect(aws.calls).toHaveLength(0);
  });

  it('failed entries fail the enqueue, naming how many', async () => {
    aws.replies.push({
      status: 200,
      body: {
        Successful: [],
        Failed: [
          { Id: '0', SenderFault: false, Code: 'InternalError' },
          { Id: '2', SenderFault: false, Code: 'InternalError' },
        ],
      },
    });
    const error = await failureOf(createSqsEnqueue(sqsClient(), queueUrl())(messages(3)));
    expect(error.message).toBe('SQS refused 2 of 3 messages');
    expect(aws.calls).toHaveLength(1);
  });

  it('an empty Failed list and an answer without lists are success', async () => {
    aws.replies.push(
      { status: 200, body: { Successful: [], Failed: [] } },
      { status: 200, body: '' },
    );
    await createSqsEnqueue(sqsClient(), queueUrl())(messages(2));
    await createSqsEnqueue(sqsClient(), queueUrl())(messages(2));
    expect(aws.calls).toHaveLength(2);
  });

  it('a stored body whose MD5 is not the one sent fails, naming the MessageIds (as the SQS client checks)', async () => {
    const sent = messages(3);
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    aws.replies.push({
      status: 200,
      body: {
        Successful: [
          { Id: '0', MessageId: 'm-0', MD5OfMessageBody: md5(JSON.stringify(sent[0])) },
          { Id: '1', MessageId: 'm-1', MD5OfMessageBody: md5('another body') },
          { Id: '2', MessageId: 'm-2' },
          // An Id that was not sent is not checked.
          { Id: '9', MessageId: 'm-9', MD5OfMessageBody: 'nonsense' },
        ],
      },
    });
    const error = await failureOf(createSqsEnqueue(sqsClient(), queueUrl())(sent));
    expect(error.message).toBe('Invalid MD5 checksum on messages: m-1, m-2');
  });

  it('the MD5 is over the UTF-8 bytes of the body: a matching one passes', async () => {
    const sent = messages(2);
    const md5 = (text: string) => createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex');
    aws.replies.push({
      status: 200,
      body: {
        Successful: sent.map((message, i) => ({
          Id: String(i),
          MessageId: `m-${i}`,
          MD5OfMessageBody: md5(JSON.stringify(message)),
        })),
      },
    });
    await createSqsEnqueue(sqsClient(), queueUrl())(sent);
  });

  it('an answer that is not JSON is an error naming SQS and the operation', async () => {
    aws.replies.push({ status: 200, body: '<xml/>' });
    const error = await failureOf(createSqsEnqueue(sqsClient(), queueUrl())(messages(1)));
    expect([error.name, error.message]).toStrictEqual([
      'SyntaxError',
      'SQS answered SendMessageBatch with a body that is not JSON',
    ]);
  });

  it('a 500 is retried (signed anew); a 400 is thrown at once with the service error name', async () => {
    aws.replies.push({ status: 500, body: { __type: 'com.amazonaws.sqs#InternalError' } });
    await createSqsEnqueue(sqsClient(), queueUrl())(messages(1));
    expect(aws.calls).toHaveLength(2);
    for (const call of aws.calls) expect(await signatureHolds(call, KEY())).toBe(true);

    aws.calls.length = 0;
    aws.replies.push({
      status: 400,
      body: { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'no queue' },
      headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
    });
    const error = await failureOf(createSqsEnqueue(sqsClient(), queueUrl())(messages(1)));
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toStrictEqual([
      'QueueDoesNotExist',
      'no queue',
      400,
    ]);
    expect(aws.calls).toHaveLength(1);
  });
});

describe("where SQS calls go: the SDK's queueUrlMiddleware", () => {
  it("the QueueUrl's origin, when it differs from the configured endpoint", async () => {
    // AWS_ENDPOINT_URL_SQS is the dead port: the call reaches the server only through the queue URL.
    await createSqsEnqueue(sqsClient(), queueUrl())(messages(1));
    expect(aws.calls.map((c) => c.path)).toStrictEqual(['/']);
  });

  it('the configured endpoint (with its path) when the QueueUrl has its origin; a QueueUrl that is no URL leaves it', async () => {
    const client = sqsClient({ AWS_ENDPOINT_URL_SQS: `${aws.url}/prefix` });
    await createSqsEnqueue(client, queueUrl())(messages(1));
    await createSqsEnqueue(client, 'bucket-status-delivery')(messages(1));
    expect(aws.calls.map((c) => c.path)).toStrictEqual(['/prefix', '/prefix']);
    expect(aws.calls[1]?.input.QueueUrl).toBe('bucket-status-delivery');
  });

  it('deployed: the regional endpoint and the queue URL share an origin', () => {
    const regional = new URL('https://sqs.us-east-1.amazonaws.com');
    const at = (queue: string) => queueEndpoint(queue)(regional);
    expect(at('https://sqs.us-east-1.amazonaws.com/123456789012/q')).toBe(regional);
    expect(at('https://queue.amazonaws.com/123456789012/q').href).toBe(
      'https://queue.amazonaws.com/',
    );
    expect(at('https://sqs.us-east-1.amazonaws.com:8443/1/q').href).toBe(
      'https://sqs.us-east-1.amazonaws.com:8443/',
    );
    // A URL without an origin (origin "null") and no URL at all: the resolved endpoint.
    expect(at('mailto:queue@example.com')).toBe(regional);
    expect(at('not a url')).toBe(regional);
  });
});

describe('SQS ChangeMessageVisibility (delivery)', () => {
  it('one signed JSON 1.0 call with the queue URL, the receipt handle and the timeout', async () => {
    await createSqsVisibility(sqsClient(), queueUrl())('AQEB-receipt', 540);
    expect(aws.calls).toHaveLength(1);
    const [call] = aws.calls as [AwsJsonCall];
    expect(call.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.ChangeMessageVisibility',
      'x-amzn-query-mode': 'true',
    });
    expect(call.input).toStrictEqual({
      QueueUrl: queueUrl(),
      ReceiptHandle: 'AQEB-receipt',
      VisibilityTimeout: 540,
    });
    expect(signedFor(call).service).toBe('sqs');
    expect(await signatureHolds(call, KEY())).toBe(true);
  });

  it('a refused change is thrown (not retried); a 503 is retried', async () => {
    aws.replies.push({
      status: 400,
      body: { __type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid', message: 'bad handle' },
    });
    const error = await failureOf(createSqsVisibility(sqsClient(), queueUrl())('r', 0));
    expect([error.name, error.message]).toStrictEqual(['ReceiptHandleIsInvalid', 'bad handle']);
    expect(aws.calls).toHaveLength(1);
    aws.replies.push({ status: 503, body: '' });
    await createSqsVisibility(sqsClient(), queueUrl())('r', 0);
    expect(aws.calls).toHaveLength(3);
  });
});

describe('EventBridge PutEvents (fan-out publish)', () => {
  const details = (count: number): EventBridgeDetail[] =>
    Array.from({ length: count }, (_, i) => ({
      detailType: 'Node Status Changed',
      detail: {
        workspaceId: 'ws-1',
        bucketId: `bucket-${i}`,
        host: 'node-1',
        from: 'ONLINE',
        to: 'OFFLINE',
        at: '2026-12-01T09:00:00.000Z',
      },
    }));

  it('10 entries per call on the default bus, JSON 1.1, AWSEvents.PutEvents, signed for events', async () => {
    aws.replies.push(
      { status: 200, body: { FailedEntryCount: 0, Entries: [] } },
      { status: 200, body: { FailedEntryCount: 0, Entries: [] } },
    );
    const sent = details(12);
    await createEventBridgePublish(eventsClient())(sent);
    expect(aws.calls).toHaveLength(2);
    for (const call of aws.calls) {
      expect(call.path).toBe('/');
      expect(call.headers).toMatchObject({
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSEvents.PutEvents',
      });
      expect(call.headers['x-amzn-query-mode']).toBeUndefined();
      expect(signedFor(call)).toMatchObject({ region: 'eu-west-1', service: 'events' });
      expect(await signatureHolds(call, KEY())).toBe(true);
    }
    const two = aws.calls.find((call) => (call.input.Entries as unknown[]).length === 2);
    expect(two?.input).toStrictEqual({
      Entries: sent.slice(10).map(({ detailType, detail }) => ({
        Source: 'bucket-status',
        DetailType: detailType,
        Detail: JSON.stringify(detail),
      })),
    });
  });

  it('FailedEntryCount above 0 fails the publish, naming how many', async () => {
    aws.replies.push({
      status: 200,
      body: { FailedEntryCount: 2, Entries: [{ ErrorCode: 'InternalFailure' }, {}, {}] },
    });
    const error = await failureOf(createEventBridgePublish(eventsClient())(details(3)));
    expect(error.message).toBe('EventBridge refused 2 of 3 events');
  });

  it('no FailedEntryCount is success', async () => {
    aws.replies.push({ status: 200, body: { Entries: [] } });
    await createEventBridgePublish(eventsClient())(details(1));
    expect(aws.calls).toHaveLength(1);
  });

  it('throttling is retried; a 400 is thrown at once', async () => {
    aws.replies.push(
      { status: 400, body: { __type: 'ThrottlingException', message: 'slow down' } },
      { status: 200, body: { FailedEntryCount: 0 } },
    );
    await createEventBridgePublish(eventsClient())(details(1));
    expect(aws.calls).toHaveLength(2);
    aws.replies.push({ status: 400, body: { __type: 'ValidationException', message: 'bad' } });
    const error = await failureOf(createEventBridgePublish(eventsClient())(details(1)));
    expect(error.name).toBe('ValidationException');
    expect(aws.calls).toHaveLength(3);
  });
});
