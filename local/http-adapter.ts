import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/**
 * A thin stand-in for API Gateway HTTP API in front of the Lambda handlers: each request
 * becomes a payload format 2.0 event, each handler result becomes the response, with API
 * Gateway's behaviour where a client can see it (route matching, 404/413/500/503 bodies,
 * the apigw-requestid header, base64 bodies for non-text content types).
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

export interface HttpAdapterOptions {
  routes: HttpRoute[];
  /** Bodies above this are refused with 413 before more is buffered (API Gateway: 10 MB). */
  maxBodyBytes?: number;
  /** API Gateway HTTP API answers 503 when an integration takes longer (30 s). */
  integrationTimeoutMs?: number;
  /** Errors that escaped a handler or broke a response; the client sees only a generic 500. */
  onError?: (error: unknown, context: { requestId: string; routeKey: string }) => void;
  /** A client that went away before its request was read: routine, one quiet line. */
  onClientAbort?: (context: { requestId: string; routeKey: string }) => void;
  /**
   * Static files served at `/<name>` for GET and HEAD (`/` is `index.html`) where no API route
   * matches: the status page. Only these names; nothing is read from disk per request.
   */
  staticSite?: StaticSite;
  /**
   * Headers of the adapter's own answers (404 of an unknown route, 413 over the body limit, 500
   * of a broken handler result, 503 of an integration timeout), which no handler wrote: the
   * local runtime sets the API's security headers (DESIGN.md section 7) here.
   */
  gatewayHeaders?: Record<string, string>;
  /**
   * Told of every handler invocation. A handler runs to its end even when its client went away
   * or the integration timed out (as a Lambda does), so whoever closes the engine behind the
   * handlers waits for these first (local/runtime.ts).
   */
  inFlight?: InFlight;
}

/** Work that must finish before what it uses is closed. */
export interface InFlight {
  track(work: Promise<unknown>): void;
  /** Resolves once everything tracked so far, and anything tracked meanwhile, has settled. */
  settled(): Promise<void>;
}

export function createInFlight(): InFlight {
  const pending = new Set<Promise<unknown>>();
  return {
    track(work) {
      const settledWork = work.then(
        () => undefined,
        () => undefined,
      );
      pending.add(settledWork);
      void settledWork.then(() => pending.delete(settledWork));
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}

export interface StaticSite {
  files: ReadonlyMap<string, { body: Uint8Array; contentType: string }>;
  /** Headers of every static response (the page's CSP and friends). */
  headers: Record<string, string>;
}

/**
 * Timeouts and a cap that keep slow or idle clients from holding connections (a slow body
 * held one for 317 s and slow headers 77 s with Node's defaults).
 */
export interface ServerLimits {
  /** All request headers must arrive within this (Node answers 408 and closes). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408 and close). */
  requestTimeoutMs: number;
  /** A kept-alive connection with no request in flight closes after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all closes after this. */
  idleTimeoutMs: number;
  /** Connections beyond this are closed at once. */
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnections: 256,
};

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000;

/** API Gateway's own error bodies (not the API's `{ success, message }`). */
export const GATEWAY_MESSAGES = {
  404: 'Not Found',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const;

interface CompiledRoute extends HttpRoute {
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

/** Lower-cased headers, repeated ones joined with commas; cookies split out, as API Gateway does. */
function collectHeaders(request: IncomingMessage) {
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

const sourceIpOf = (request: IncomingMessage) =>
  (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** API Gateway's requestContext.time format: 12/Mar/2020:19:03:58 +0000. */
function gatewayTime(date: Date): string {
  const [, day, month, year, time] =
    /^\w+, (\d\d) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString()) ?? [];
  return `${day}/${month}/${year}:${time} +0000`;
}

export function toHttpApiEvent(input: {
  request: IncomingMessage;
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

function lambdaContext(route: CompiledRoute, requestId: string): Context {
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

interface HttpResponseParts {
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

function send(response: ServerResponse, parts: HttpResponseParts, requestId: string): void {
  if (response.headersSent || response.destroyed) return;
  for (const [name, value] of Object.entries(parts.headers)) response.setHeader(name, value);
  if (parts.cookies.length > 0) response.setHeader('set-cookie', parts.cookies);
  response.setHeader('apigw-requestid', requestId);
  // 204 and 304 have no body, and a 304's Content-Length would describe the 200's (RFC 9110).
  if (parts.statusCode !== 204 && parts.statusCode !== 304) {
    response.setHeader('content-length', parts.body.length);
  }
  response.statusCode = parts.statusCode;
  response.end(parts.body);
}

const gatewayError = (
  status: keyof typeof GATEWAY_MESSAGES,
  headers: Record<string, string> = {},
): HttpResponseParts => ({
  statusCode: status,
  headers: { ...headers, 'content-type': 'application/json' },
  cookies: [],
  body: Buffer.from(JSON.stringify({ message: GATEWAY_MESSAGES[status] })),
});

/** The request stream failed because the client went away (reset, closed mid-body). */
export class ClientAbortError extends Error {
  override name = 'ClientAbortError';
}

/**
 * Reads the body up to `maxBytes`. Over the limit (declared or streamed) it resolves
 * 'too-large' at once and discards the rest, so the client still reads the 413.
 */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBytes) {
        refused = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ECONNRESET' || error.message === 'aborted'
          ? new ClientAbortError('the client closed the connection', { cause: error })
          : error,
      ),
    );
    // A client that closes mid-body ends the stream without 'end' or 'error' on some versions.
    request.on('close', () => {
      if (!request.complete) reject(new ClientAbortError('the client closed the connection'));
    });
  });
}

function serveStatic(
  site: StaticSite,
  request: IncomingMessage,
  response: ServerResponse,
  rawPath: string,
  requestId: string,
): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const name = rawPath === '/' ? 'index.html' : rawPath.slice(1);
  const file = site.files.get(name);
  if (file === undefined || name.includes('/')) return false;
  request.resume();
  const body = Buffer.from(file.body);
  for (const [header, value] of Object.entries(site.headers)) response.setHeader(header, value);
  response.setHeader('content-type', file.contentType);
  response.setHeader('content-length', body.length);
  response.setHeader('apigw-requestid', requestId);
  response.statusCode = 200;
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}

export function createHttpAdapter(options: HttpAdapterOptions): RequestListener {
  const routes = options.routes.map(compileRoute);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  const onError = options.onError ?? (() => undefined);
  const onClientAbort = options.onClientAbort ?? (() => undefined);
  const gatewayHeaders = options.gatewayHeaders ?? {};

  return async (request, response) => {
    const requestId = randomUUID();
    const url = request.url ?? '/';
    const rawPath = url.split('?')[0] as string;
    const match = matchRoute(routes, request.method ?? '', rawPath);
    if (match === undefined) {
      if (
        options.staticSite &&
        serveStatic(options.staticSite, request, response, rawPath, requestId)
      ) {
        return;
      }
      request.resume();
      send(response, gatewayError(404, gatewayHeaders), requestId);
      return;
    }
    const { route, pathParameters } = match;
    let timer: NodeJS.Timeout | undefined;
    try {
      const body = await readBody(request, maxBodyBytes);
      if (body === 'too-large') {
        response.setHeader('connection', 'close');
        send(response, gatewayError(413, gatewayHeaders), requestId);
        return;
      }
      const event = toHttpApiEvent({ request, route, pathParameters, body, requestId });
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), integrationTimeoutMs);
      });
      const invocation = Promise.resolve(route.handler(event, lambdaContext(route, requestId)));
      options.inFlight?.track(invocation);
      const result = await Promise.race([invocation, timedOut]);
      send(
        response,
        result === 'timeout' ? gatewayError(503, gatewayHeaders) : fromHandlerResult(result),
        requestId,
      );
    } catch (error) {
      if (error instanceof ClientAbortError) {
        onClientAbort({ requestId, routeKey: route.routeKey });
        response.destroy();
        return;
      }
      onError(error, { requestId, routeKey: route.routeKey });
      send(response, gatewayError(500, gatewayHeaders), requestId);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** A node:http server running the adapter, with the limits applied; `listen` it yourself. */
export function createLocalHttpServer(
  options: HttpAdapterOptions & { limits?: Partial<ServerLimits> },
): Server {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often (default 30 s).
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4)),
      ),
    },
    createHttpAdapter(options),
  );
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // A socket that errors (reset by the client, a parse error) is answered and closed by Node;
  // a reset needs no answer and no log line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  return server;
}
