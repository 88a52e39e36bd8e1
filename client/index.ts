/**
 * Typed client for the bucket-status API (GET /bucket/{bucketId}/status). Self-contained: no
 * dependencies beyond the global fetch (Node 18+, browsers, Deno, Bun), so applications can
 * import this file alone.
 */

export type NodeState = 'ONLINE' | 'OFFLINE' | 'DISCONNECTED';

/** One node connected to the bucket, as the API reports it. */
export interface NodeStatus {
  /** Omitted only for a node that never reported (like region and version). */
  ip?: string;
  region?: string;
  version?: string;
  /** DISCONNECTED: no report from the node for this bucket recently, or never. */
  status: NodeState;
  /** Integer milliseconds; omitted when unknown. */
  latency_ms?: number;
  /** ISO 8601 UTC server receive time of the node's last report; omitted if it never reported. */
  lastUpdated?: string;
}

export interface StorageBucketStatusResponse {
  bucketId: string;
  nodeStatus: NodeStatus[];
}

/** The body of every error the API itself returns. */
export interface ApiErrorBody {
  success: false;
  message: string;
}

/**
 * A non-2xx response. `body` is the parsed JSON (`ApiErrorBody` for the API's own errors;
 * API Gateway's errors look like `{ message }`), or the raw text when it was not JSON.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly body: ApiErrorBody | unknown;
  readonly headers: Headers;

  constructor(status: number, body: unknown, headers: Headers, request: string) {
    super(`${request} failed with ${status}: ${messageOf(body) ?? 'no message'}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }

  /** Seconds from Retry-After (sent with 503), when present as a number. */
  get retryAfterSeconds(): number | undefined {
    const value = this.headers.get('retry-after');
    return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
  }
}

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

export interface BucketStatusClientOptions {
  /** Where the API lives, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com` or a stage URL. */
  baseUrl: string;
  /** The user's JWT; can be set or replaced later with setAuthToken. */
  authToken?: string;
  /** Per request; a slower request rejects with a DOMException named TimeoutError. */
  timeoutMs?: number;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** A GET that revalidates: send the ETag of the body you hold, get 304 (notModified) or news. */
export interface ConditionalRequestOptions extends RequestOptions {
  /** The `etag` of an earlier answer; sent as If-None-Match. */
  ifNoneMatch?: string;
}

/** The answer to a conditional GET: the same as before (304), or a new body with its ETag. */
export type Conditional<T> =
  | { notModified: true; etag: string }
  | { notModified: false; etag: string | undefined; body: T };

/** GET /bucket/{bucketId}/uptime (DESIGN.md section 8). */
export interface UptimeDay {
  day: string;
  perc_uptime: number | null;
  online_seconds: number;
  observed_seconds: number;
  avg_latency_ms?: number;
}
export interface BucketUptimeResponse {
  bucketId: string;
  from: string;
  to: string;
  nodes: { host: string; ip?: string; region?: string; days: UptimeDay[] }[];
}

/** GET /bucket/{bucketId}/events (DESIGN.md section 9). */
export interface NodeEvent {
  id: string;
  host: string;
  ip?: string;
  region?: string;
  from: NodeState;
  to: NodeState;
  at: string;
}
export interface BucketEventsResponse {
  bucketId: string;
  events: NodeEvent[];
  nextCursor?: string;
}

export class BucketStatusClient {
  readonly #baseUrl: string;
  readonly #timeoutMs: number | undefined;
  readonly #fetch: typeof fetch;
  #authToken: string | undefined;

  constructor(options: BucketStatusClientOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be an http(s) URL (got "${options.baseUrl}")`);
    }
    // A trailing slash makes relative paths resolve below a stage path instead of replacing it.
    this.#baseUrl = base.href.endsWith('/') ? base.href : `${base.href}/`;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#authToken = options.authToken;
  }

  /** Sets (or with undefined, clears) the bearer token sent with every request. */
  setAuthToken(token: string | undefined): void {
    this.#authToken = token;
  }

  /** Every node of the bucket with its status; throws HttpError for any non-2xx response. */
  async getStorageBucketStatus(
    bucketId: string,
    options: RequestOptions = {},
  ): Promise<StorageBucketStatusResponse> {
    const path = `bucket/${encodeURIComponent(bucketId)}/status`;
    return (await this.#get(path, options)) as StorageBucketStatusResponse;
  }

  /** Like getStorageBucketStatus, revalidating the ETag you hold (If-None-Match; 304). */
  async getStorageBucketStatusIfChanged(
    bucketId: string,
    options: ConditionalRequestOptions = {},
  ): Promise<Conditional<StorageBucketStatusResponse>> {
    const path = `bucket/${encodeURIComponent(bucketId)}/status`;
    return (await this.#getConditional(path, options)) as Conditional<StorageBucketStatusResponse>;
  }

  /** Per-node uptime for the last `days` days (1-90, default 30). */
  async getBucketUptime(
    bucketId: string,
    options: ConditionalRequestOptions & { days?: number } = {},
  ): Promise<Conditional<BucketUptimeResponse>> {
    const query = options.days === undefined ? '' : `?days=${encodeURIComponent(options.days)}`;
    const path = `bucket/${encodeURIComponent(bucketId)}/uptime${query}`;
    return (await this.#getConditional(path, options)) as Conditional<BucketUptimeResponse>;
  }

  /** The bucket's latest status changes, newest first. */
  async getBucketEvents(
    bucketId: string,
    options: ConditionalRequestOptions & { limit?: number; cursor?: string } = {},
  ): Promise<Conditional<BucketEventsResponse>> {
    const params = new URLSearchParams();
    if (options.limit !== undefined) params.set('limit', String(options.limit));
    if (options.cursor !== undefined) params.set('cursor', options.cursor);
    const query = params.size > 0 ? `?${params}` : '';
    const path = `bucket/${encodeURIComponent(bucketId)}/events${query}`;
    return (await this.#getConditional(path, options)) as Conditional<BucketEventsResponse>;
  }

  async #get(path: string, options: RequestOptions): Promise<unknown> {
    const answer = await this.#getConditional(path, options);
    if (answer.notModified) throw new Error(`GET /${path} returned 304 without If-None-Match`);
    return answer.body;
  }

  async #getConditional(
    path: string,
    options: ConditionalRequestOptions,
  ): Promise<Conditional<unknown>> {
    const url = new URL(path, this.#baseUrl);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#authToken !== undefined) headers.authorization = `Bearer ${this.#authToken}`;
    if (options.ifNoneMatch !== undefined) headers['if-none-match'] = options.ifNoneMatch;
    const signals = [options.signal, this.#timeoutMs && AbortSignal.timeout(this.#timeoutMs)];
    const active = signals.filter((s): s is AbortSignal => s instanceof AbortSignal);
    const response = await this.#fetch(url, {
      method: 'GET',
      headers,
      ...(active.length > 0 && { signal: AbortSignal.any(active) }),
    });
    const etag = response.headers.get('etag') ?? undefined;
    if (response.status === 304) {
      await response.body?.cancel();
      return { notModified: true, etag: etag ?? options.ifNoneMatch ?? '' };
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    if (!response.ok) {
      throw new HttpError(response.status, body, response.headers, `GET /${path}`);
    }
    if (typeof body !== 'object' || body === null) {
      throw new Error(`GET /${path} returned ${response.status} without a JSON object body`);
    }
    return { notModified: false, etag, body };
  }
}
