import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  compileRoute,
  fromHandlerResult,
  gatewayError,
  type HttpResponseParts,
  type HttpRoute,
  lambdaContext,
  matchRoute,
  toHttpApiEvent,
} from './http-event.ts';

/**
 * A thin stand-in for API Gateway HTTP API in front of the Lambda handlers, on node:http:
 * the request's body read within bounds, the handler run with API Gateway's integration
 * timeout, its result sent with the apigw-requestid header, the status page's static files,
 * and the server's limits against slow and idle clients. The mapping itself (route matching,
 * event, result, API Gateway's error bodies) is local/http-event.ts.
 */

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
  /** All request headers must arrive within this (answered 408, the socket destroyed). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408, destroyed). */
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
  // A socket that errors (reset by the client, a parse error, the header or request timeout)
  // is answered and destroyed, as Node does without this listener: only ending it would leave
  // it half-open, holding its slot under maxConnections until the idle timeout, when the client
  // never reads the answer nor closes its side. A reset needs no answer and no log line.
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
    socket.destroy();
  });
  return server;
}
