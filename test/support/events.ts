import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** A realistic API Gateway HTTP API payload v2 event. */
export function httpApiEvent(options: {
  method: 'GET' | 'POST';
  path: string;
  routeKey: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}): APIGatewayProxyEventV2 {
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.queryStringParameters ?? {}).toString(),
    headers: {
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'vitest',
      'x-forwarded-for': '203.0.113.9',
      ...Object.fromEntries(
        Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      ),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'vitest',
      },
      requestId,
      routeKey: options.routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(options.pathParameters && { pathParameters: options.pathParameters }),
    ...(options.queryStringParameters && {
      queryStringParameters: options.queryStringParameters,
    }),
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

export const statusEvent = (bucketId: string, headers: Record<string, string> = {}) =>
  httpApiEvent({
    method: 'GET',
    path: `/bucket/${bucketId}/status`,
    routeKey: 'GET /bucket/{bucketId}/status',
    pathParameters: { bucketId },
    headers,
  });

/** GET /bucket/{bucketId}/events with the given query parameters. */
export const bucketEventsEvent = (
  bucketId: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
) =>
  httpApiEvent({
    method: 'GET',
    path: `/bucket/${bucketId}/events`,
    routeKey: 'GET /bucket/{bucketId}/events',
    pathParameters: { bucketId },
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    headers,
  });

export const ingestEvent = (
  body: string,
  headers: Record<string, string>,
  isBase64Encoded = false,
) =>
  httpApiEvent({
    method: 'POST',
    path: '/node/status',
    routeKey: 'POST /node/status',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    isBase64Encoded,
  });

export function lambdaContext(): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'bucket-status-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bucket-status-test',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/bucket-status-test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000 - (Date.now() - started),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
