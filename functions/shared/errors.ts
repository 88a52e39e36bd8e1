/**
 * Typed errors that the handlers throw. One place (http-response.ts) maps them to HTTP
 * responses, so a handler never builds an error response itself.
 */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.headers = headers;
  }
}

export class BadRequestError extends ApiError {
  constructor(message: string) {
    super(400, message);
  }
}

/** 401 with an RFC 7235 challenge; `challenge` is the WWW-Authenticate value. */
export class UnauthorizedError extends ApiError {
  constructor(message: string, challenge: string) {
    super(401, message, { 'www-authenticate': challenge });
  }
}

/** RFC 6750 challenge for a bad bearer token. */
export const invalidBearerToken = (message: string) =>
  new UnauthorizedError(message, 'Bearer error="invalid_token"');

export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, message);
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, message);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message: string) {
    super(413, message);
  }
}

export class TooManyRequestsError extends ApiError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, message, { 'retry-after': String(retryAfterSeconds) });
  }
}

/** A dependency (DynamoDB, a JWKS endpoint) is throttled or down; the client should retry. */
export class ServiceUnavailableError extends ApiError {
  constructor(message: string, retryAfterSeconds = 1, options?: { cause?: unknown }) {
    super(503, message, { 'retry-after': String(retryAfterSeconds) });
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** The request conflicts with the resource's state (e.g. a limit is reached). */
export class ConflictError extends ApiError {
  constructor(message: string) {
    super(409, message);
  }
}
