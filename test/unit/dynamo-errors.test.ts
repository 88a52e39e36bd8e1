// Which DynamoDB failures become a 503 with Retry-After (rethrowAsUnavailable) and which pass
// through unchanged (a 500, or the caller's own handling): the SDK's classification of
// throttling and transient faults, over the SDK's real exception classes and real socket errors.
import { createServer } from 'node:net';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { NotFound, Unavailable } from '../../functions/domain/errors.ts';
import {
  createDynamoClient,
  isTransientDynamoError,
  rethrowAsUnavailable,
} from '../../functions/shared/dynamo-client.ts';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const socketError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const named = (name: string, httpStatusCode?: number) =>
  Object.assign(new Error(name), {
    name,
    ...(httpStatusCode !== undefined && meta(httpStatusCode)),
  });

describe('isTransientDynamoError', () => {
  it.each([
    ['ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', ...meta(400) })],
    [
      'ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException({ message: 'Throughput', ...meta(400) }),
    ],
    ['RequestLimitExceeded', new RequestLimitExceeded({ message: 'Limit', ...meta(400) })],
    ['InternalServerError', new InternalServerError({ message: 'Internal', ...meta(500) })],
    [
      'TransactionConflictException',
      new TransactionConflictException({ message: 'Conflict', ...meta(400) }),
    ],
    ['ServiceUnavailable (503)', named('ServiceUnavailable', 503)],
    ['an unnamed 502', named('UnknownError', 502)],
    ['an unnamed 501 (any 5xx)', named('UnknownError', 501)],
    ['TooManyRequests (429)', named('UnknownError', 429)],
    ['TimeoutError (the SDK request timeout)', named('TimeoutError')],
    ['RequestTimeoutException', named('RequestTimeoutException', 400)],
    ['the retryable trait', Object.assign(new Error('x'), { $retryable: {} })],
    ['ECONNRESET', socketError('ECONNRESET')],
    ['ECONNREFUSED', socketError('ECONNREFUSED')],
    ['ETIMEDOUT', socketError('ETIMEDOUT')],
    ['EPIPE', socketError('EPIPE')],
    ['ENOTFOUND', socketError('ENOTFOUND')],
    ['EAI_AGAIN', socketError('EAI_AGAIN')],
    ['EHOSTUNREACH', socketError('EHOSTUNREACH')],
    ['ENETUNREACH', socketError('ENETUNREACH')],
    [
      'a wrapper whose cause is a dropped socket',
      new Error('send failed', { cause: socketError('ECONNRESET') }),
    ],
  ])('transient: %s', (_label, error) => {
    expect(isTransientDynamoError(error)).toBe(true);
  });

  it.each([
    [
      'ConditionalCheckFailedException',
      new ConditionalCheckFailedException({ message: 'Condition', ...meta(400) }),
    ],
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ message: 'No table', ...meta(400) }),
    ],
    ['ValidationException', named('ValidationException', 400)],
    ['AccessDeniedException', named('AccessDeniedException', 400)],
    ['an unnamed 404', named('UnknownError', 404)],
    ['a programming error', new TypeError('Cannot read properties of undefined')],
    ['a domain error', new NotFound('bucket not found')],
    ['an abort', named('AbortError')],
    ['a string', 'ThrottlingException'],
    ['an object that looks like a throttle', { name: 'ThrottlingException', ...meta(400) }],
    ['undefined', undefined],
    ['an Error whose cause is null', new Error('odd', { cause: null })],
  ])('not transient: %s', (_label, error) => {
    expect(isTransientDynamoError(error)).toBe(false);
  });

  it('classifies the error a real client gets from a closed port as transient', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = createDynamoClient({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    const error = await client
      .send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'p' }, sk: { S: 's' } } }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    client.destroy();
    expect(error).toBeInstanceOf(Error);
    expect(isTransientDynamoError(error)).toBe(true);
  });
});

describe('rethrowAsUnavailable', () => {
  it('turns a transient fault into Unavailable (Retry-After 1 s), keeping the fault as cause', () => {
    const fault = new ThrottlingException({ message: 'Rate exceeded', ...meta(400) });
    let thrown: unknown;
    try {
      rethrowAsUnavailable(fault);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Unavailable);
    expect((thrown as Unavailable).retryAfterSeconds).toBe(1);
    expect((thrown as Unavailable).cause).toBe(fault);
  });

  it('rethrows anything else unchanged', () => {
    const fault = new ConditionalCheckFailedException({ message: 'Condition', ...meta(400) });
    expect(() => rethrowAsUnavailable(fault)).toThrow(fault);
    const bug = new TypeError('bug');
    expect(() => rethrowAsUnavailable(bug)).toThrow(bug);
  });
});
