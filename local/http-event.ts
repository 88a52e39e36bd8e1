import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/**
 * API Gateway HTTP API's mapping, without a server: a route table matched against a method and
 * path, a request turned into a payload format 2.0 event (with the Lambda context a handler
 * gets), and a handler's result read as API Gateway reads it. local/http-adapter.ts runs it
 * behind node:http.
 */

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => unknown;

export interface HttpRoute {
  method: string;
  /** An API Gateway route path: literal segments and `{name}` parameters, e.g. `/bucket/{id}`. */
  path: string;
  handler: LambdaHttpHandler;
  /** Reported as the Lambda context's functionName. */
  functionName?: string;
  /** The Lambda timeout; the context's getRemainingTimeInMillis counts down from it. */
  timeoutMs?: number;
}

/** API Gateway's own error bodies (not the API's `{ success, message }`). */
export const GATEWAY_MESSAGES = {
  404: 'Not Found',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const;

export interface CompiledRoute extends HttpRoute {
  routeKey: string;
  segments: { literal?: string; param?: string }[];
}

export function compileRoute(route: HttpRoute): CompiledRoute {
  const segments = route.path
    .split('/')
    .slice(1)
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment)?.[1];
      return param === undefined ? { literal: segment } : { param };
    });
  return { ...route, routeKey: `${route.method} ${route.path}`, segments };
}

const decodeSegment = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes reach the handler as sent; it validates the id
  }
};

/** The route a method and raw path select, with its decoded path parameters. */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  rawPath: string,
): { route: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  const parts = rawPath.split('/').slice(1);
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== parts.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = route.segments.every((segment, index) => {
      const part = parts[index] as string;
      if (segment.param === undefined) return part === segment.literal;
      if (part === '') return false;
      pathParameters[segment.param] = decodeSegment(part);
      return true;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}

const TEXT_CONTENT_TYPE =
  /^(?:text\/[^;]+|application\/(?:json|[^;]+\+json|xml|[^;]+\+xml|x-www-form-urlencoded))\s*(?:;|$)/i;

/**
 * API Gateway passes text-like bodies as strings and base64-encodes the rest. Bytes that are
 * not valid UTF-8 are base64-encoded too, so a handler always sees the exact bytes sent (the
 * ingest handler verifies a signature over them).
 */
export function encodeBody(
  bytes: Buffer,
  contentType: string | undefined,
): { body?: string; isBase64Encoded: boolean } {
  if (bytes.length === 0) return { isBase64Encoded: false };
  if (contentType !== undefined && TEXT_CONTENT_TYPE.test(contentType)) {
    try {
      return {
        body: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes),
        isBase64Encoded: false,
      };
    } catch {
      // not UTF-8 after all: fall through to base64
    }
  }
  return { body: bytes.toString('base64'), isBase64Encoded: true };
}

/** What the event is made of: the request line, the headers as sent and the socket's addresses. */
export type RequestHead = Pick<IncomingMessage, 'method' | 'url' | 'httpVersion' | 'rawHeaders'> & {
  socket: { remoteAddress?: string | undefined; localPort?: number | undefined };
};

/** Lower-cased headers, repeated ones joined with commas; cookies split out, as API Gateway does. */
function collectHeaders(request: RequestHead) {
  const headers: Record<string, string> = Object.create(null); // see queryStringParameters
  const cookies: string[] = [];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
    } else {
      headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    }
  }
  return { headers, cookies };
}

const sourceIpOf = (request: RequestHead) =>
  (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** API Gateway's requestContext.time format: 12/Mar/2020:19:03:58 +0000. */
function gatewayTime(date: Date): string {
  const [, day, month, year, time] =
    /^\w+, (\d\d) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString()) ?? [];
  return `${day}/${month}/${year}:${time} +0000`;
}

export function toHttpApiEvent(input: {
  request: RequestHead;
  route: CompiledRoute;
  pathParameters: Record<string, string>;
  body: Buffer;
  requestId: string;
}): APIGatewayProxyEventV2 {
  const { request, route, pathParameters, body, requestId } = input;
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const { headers, cookies } = collectHeaders(request);
  const sourceIp = sourceIpOf(request);
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(request.socket.localPort ?? '');
  // No prototype: names like `constructor` or `__proto__` must pass through as plain keys.
  const queryStringParameters: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] =
      queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  }
  const now = new Date();
  const host = headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 && { queryStringParameters }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(pathParameters).length > 0 && { pathParameters }),
    ...encodeBody(body, headers['content-type']),
  };
}

export function lambdaContext(route: CompiledRoute, requestId: string): Context {
  const deadline = Date.now() + (route.timeoutMs ?? 10_000);
  const functionName = route.functionName ?? `local-${route.method.toLowerCase()}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface HttpResponseParts {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/**
 * A handler result as API Gateway reads a format 2.0 response: a structured result with a
 * statusCode as given; any other JSON value is a 200 application/json body.
 */
export function fromHandlerResult(result: unknown): HttpResponseParts {
  if (result === undefined || result === null) throw new Error('the handler returned nothing');
  if (typeof result === 'object' && 'statusCode' in result) {
    const structured = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      cookies?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
    };
    const statusCode = Number(structured.statusCode);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      throw new Error(
        `the handler returned an invalid statusCode ${String(structured.statusCode)}`,
      );
    }
    const headers = Object.fromEntries(
      Object.entries(structured.headers ?? {}).map(([name, value]) => [
        name.toLowerCase(),
        String(value),
      ]),
    );
    const body = typeof structured.body === 'string' ? structured.body : '';
    return {
      statusCode,
      headers,
      cookies: Array.isArray(structured.cookies) ? structured.cookies.map(String) : [],
      body: Buffer.from(body, structured.isBase64Encoded === true ? 'base64' : 'utf8'),
    };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(body),
  };
}

/** API Gateway's own answer; `headers` are those the local runtime adds to every answer. */
export const gatewayError = (
  status: keyof typeof GATEWAY_MESSAGES,
  headers: Record<string, string> = {},
): HttpResponseParts => ({
  statusCode: status,
  headers: { ...headers, 'content-type': 'application/json' },
  cookies: [],
  body: Buffer.from(JSON.stringify({ message: GATEWAY_MESSAGES[status] })),
});
