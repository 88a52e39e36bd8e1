import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalHttpServer } from '../../local/http-adapter.ts';
import type { HttpRoute, LambdaHttpHandler } from '../../local/http-event.ts';

/**
 * The local API Gateway stand-in, over real HTTP, with handlers that record the event they
 * get: the translation request -> payload v2 event -> response is what is under test here.
 */

const received: { event: APIGatewayProxyEventV2; context: Context }[] = [];
let nextResult: (event: APIGatewayProxyEventV2) => unknown = () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"ok":true}',
});

const recording: LambdaHttpHandler = async (event, context) => {
  received.push({ event, context });
  return nextResult(event);
};

const routes: HttpRoute[] = [
  { method: 'GET', path: '/bucket/{bucketId}/status', handler: recording, functionName: 'status' },
  { method: 'POST', path: '/node/status', handler: recording, functionName: 'ingest' },
];

let server: Server;
let baseUrl: string;
const adapterErrors: unknown[] = [];

beforeAll(async () => {
  server = createLocalHttpServer({
    routes,
    maxBodyBytes: 1024,
    integrationTimeoutMs: 300,
    onError: (error) => adapterErrors.push(error),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  adapterErrors.length = 0;
  nextResult = () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"ok":true}',
  });
});

const lastEvent = () => {
  expect(received).toHaveLength(1);
  return received[0]?.event as APIGatewayProxyEventV2;
};

describe('request -> API Gateway HTTP API payload v2 event', () => {
  it('maps path, query, headers, cookies and request context', async () => {
    const response = await fetch(`${baseUrl}/bucket/b%2D1%20x/status?a=1&b=2&a=3`, {
      headers: {
        Authorization: 'Bearer abc',
        'X-Custom': 'One',
        Cookie: 'session=s1; theme=dark',
        'User-Agent': 'adapter-test',
      },
    });
    expect(response.status).toBe(200);
    const event = lastEvent();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /bucket/{bucketId}/status',
      rawPath: '/bucket/b%2D1%20x/status',
      rawQueryString: 'a=1&b=2&a=3',
      queryStringParameters: { a: '1,3', b: '2' },
      pathParameters: { bucketId: 'b-1 x' },
      cookies: ['session=s1', 'theme=dark'],
      isBase64Encoded: false,
      requestContext: {
        http: {
          method: 'GET',
          path: '/bucket/b%2D1%20x/status',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'adapter-test',
        },
        routeKey: 'GET /bucket/{bucketId}/status',
        stage: '$default',
      },
    });
    expect(event.body).toBeUndefined();
    expect(event.headers).toMatchObject({
      authorization: 'Bearer abc',
      'x-custom': 'One',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
    // The request id is the Lambda request id too, and comes back as API Gateway's header.
    expect(response.headers.get('apigw-requestid')).toBe(event.requestContext.requestId);
    expect(received[0]?.context.awsRequestId).toBe(event.requestContext.requestId);
    expect(received[0]?.context.functionName).toBe('status');
    expect(received[0]?.context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('gives every request its own id', async () => {
    await fetch(`${baseUrl}/bucket/a/status`);
    await fetch(`${baseUrl}/bucket/a/status`);
    const ids = new Set(received.map((r) => r.event.requestContext.requestId));
    expect(ids.size).toBe(2);
  });

  it('joins repeated headers with commas, as API Gateway does', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${baseUrl}/bucket/a/status`, {
        headers: { 'x-repeated': ['one', 'two'] },
      });
      req.on('response', (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end();
    });
    expect(lastEvent().headers['x-repeated']).toBe('one,two');
  });

  it('passes header and query names that exist on every object through as plain keys', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${baseUrl}/bucket/a/status?toString=1&constructor=2`, {
        headers: { constructor: 'x', tostring: 'y' },
      });
      req.on('response', (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end();
    });
    const event = lastEvent();
    expect(event.headers.constructor).toBe('x');
    expect(event.headers.tostring).toBe('y');
    expect(event.queryStringParameters).toMatchObject({ toString: '1', constructor: '2' });
  });

  it('passes JSON bodies as text and other bodies base64-encoded, byte for byte', async () => {
    const json = '{"caf\u00e9":"\u2713"}';
    await fetch(`${baseUrl}/node/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: json,
    });
    expect(lastEvent()).toMatchObject({ body: json, isBase64Encoded: false });

    received.length = 0;
    const binary = Buffer.from([0, 255, 1, 254, 0x7b]);
    await fetch(`${baseUrl}/node/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: binary,
    });
    const event = lastEvent();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body as string, 'base64')).toEqual(binary);

    // Declared as JSON but not UTF-8: still delivered exactly (base64), not mangled to U+FFFD.
    received.length = 0;
    const notUtf8 = Buffer.from([0x7b, 0xff, 0x7d]);
    await fetch(`${baseUrl}/node/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: notUtf8,
    });
    const mangled = lastEvent();
    expect(mangled.isBase64Encoded).toBe(true);
    expect(Buffer.from(mangled.body as string, 'base64')).toEqual(notUtf8);
  });
});

describe('handler result -> response', () => {
  it('sends status, headers, cookies and a base64 body as given', async () => {
    nextResult = () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'image/png', 'X-Extra': 7 },
      cookies: ['a=1; Path=/', 'b=2'],
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });
    const response = await fetch(`${baseUrl}/bucket/a/status`);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-extra')).toBe('7');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
  });

  it('treats a result without statusCode as a 200 JSON body', async () => {
    nextResult = () => ({ hello: 'world' });
    const response = await fetch(`${baseUrl}/bucket/a/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ hello: 'world' });
  });

  it("turns a thrown error into API Gateway's 500 without detail", async () => {
    nextResult = () => {
      throw new Error('secret internal detail');
    };
    const response = await fetch(`${baseUrl}/bucket/a/status`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ message: 'Internal Server Error' });
    expect(text).not.toContain('secret');
    expect(adapterErrors).toHaveLength(1);
  });

  it('answers 503 like API Gateway when the handler outlives the integration timeout', async () => {
    nextResult = () =>
      new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 1_000));
    const response = await fetch(`${baseUrl}/bucket/a/status`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });
});

describe('routing and limits', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/bucket//status'],
    ['GET', '/bucket/a/b/status'],
    ['GET', '/bucket/a/status/'],
    ['HEAD', '/bucket/a/status'],
    ['PUT', '/bucket/a/status'],
    ['GET', '/node/status'],
    ['POST', '/NODE/status'],
  ])('%s %s is no route: 404 {"message":"Not Found"}', async (method, path) => {
    const response = await fetch(`${baseUrl}${path}`, { method });
    expect(response.status).toBe(404);
    if (method !== 'HEAD') expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    expect(received).toHaveLength(0);
  });

  it('refuses a body over the limit with 413 without calling the handler', async () => {
    const response = await fetch(`${baseUrl}/node/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(1025),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(received).toHaveLength(0);
  });

  it('refuses a streamed (chunked) body once it passes the limit', async () => {
    const chunks = [Buffer.alloc(600, 97), Buffer.alloc(600, 98)];
    const response = await fetch(`${baseUrl}/node/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk === undefined) controller.close();
          else controller.enqueue(chunk);
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(received).toHaveLength(0);
  });

  it('accepts a body of exactly the limit', async () => {
    const response = await fetch(`${baseUrl}/node/status`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'y'.repeat(1024),
    });
    expect(response.status).toBe(200);
    expect(lastEvent().body).toHaveLength(1024);
  });
});
