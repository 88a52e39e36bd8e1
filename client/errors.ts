import type { ApiErrorBody } from './types.ts';

export const isApiErrorBody = (body: unknown): body is ApiErrorBody =>
  typeof body === 'object' &&
  body !== null &&
  (body as ApiErrorBody).success === false &&
  typeof (body as ApiErrorBody).message === 'string';

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null) {
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return typeof body === 'string' && body !== '' ? body.slice(0, 200) : undefined;
}

/**
 * The one error the client throws for an answer it cannot use: any non-2xx response (after
 * retries), or a 2xx whose body is not the API's JSON. `status` is the HTTP status,
 * `apiMessage` what the API said (its `{ success: false, message }` body; API Gateway's own
 * errors look like `{ message }`). Network failures, timeouts (`TimeoutError`) and aborts
 * (`AbortError`) are fetch's own errors, thrown as they are.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly apiMessage: string | undefined;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  readonly body: ApiErrorBody | unknown;
  readonly headers: Headers;
  /** "GET /bucket/b1/status" */
  readonly request: string;

  constructor(status: number, body: unknown, headers: Headers, request: string) {
    const apiMessage = messageOf(body);
    super(`${request} failed with ${status}: ${apiMessage ?? 'no message'}`);
    this.status = status;
    this.apiMessage = apiMessage;
    this.body = body;
    this.headers = headers;
    this.request = request;
  }

  /** Seconds from Retry-After (sent with 503 and 429), when present as a number. */
  get retryAfterSeconds(): number | undefined {
    const value = this.headers.get('retry-after');
    return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
  }
}
