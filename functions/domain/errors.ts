/**
 * Domain errors: what went wrong, in the terms of the service, not of HTTP. Domain and use-case
 * code (and the data adapters) throw these; the HTTP layer maps them to status codes in one
 * place (functions/http/response.ts#errorResponse), and a scheduled or queue-driven function
 * can catch them without knowing anything about HTTP.
 */
export abstract class DomainError extends Error {
  /** Extra body fields for the caller (e.g. ingestion's per-bucket outcome of a 503). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> | undefined } = {},
  ) {
    super(message);
    this.name = new.target.name;
    if (options.cause !== undefined) this.cause = options.cause;
    this.details = options.details;
  }
}

/** The input breaks a rule of the contract (a malformed id, a bad report body). */
export class ValidationError extends DomainError {}

/** Which credential failed; the HTTP layer answers each with its own challenge. */
export type Credential = 'bearer-token' | 'node-signature';

/** The caller could not be authenticated (token or node signature). */
export class Unauthenticated extends DomainError {
  readonly credential: Credential;
  constructor(message: string, credential: Credential) {
    super(message);
    this.credential = credential;
  }
}

/** Authenticated, but not allowed (a disabled user, no access to the workspace). */
export class Forbidden extends DomainError {}

export class NotFound extends DomainError {}

/** The action clashes with what is stored (a duplicate row, an org mismatch). */
export class Conflict extends DomainError {}

/** The input is larger than the contract allows. */
export class PayloadTooLarge extends DomainError {}

/** Too frequent: come back after `retryAfterSeconds`. */
export class RateLimited extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A dependency (DynamoDB, a JWKS endpoint) is throttled or down; retrying later can work. */
export class Unavailable extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(
    message: string,
    retryAfterSeconds = 1,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
