import { HttpError } from './errors.ts';
import { checkId, checkInteger, checkQuery, checkShareToken, toDay } from './ids.ts';
import { type ClientRoute, ROUTE_FACTS, type RouteAnswers, type RouteFacts } from './routes.ts';
import { withTimeout } from './timeout-signal.ts';
import type {
  ApiKeyList,
  BucketEventsPage,
  BucketHealth,
  BucketHealthPolicy,
  BucketStatsResponse,
  BucketStatusResponse,
  BucketUptimeResponse,
  CreatedApiKey,
  CreatedShare,
  CreatedWebhook,
  HealthEvent,
  HealthEventsPage,
  MaintenanceWindow,
  MaintenanceWindowList,
  Me,
  NewApiKey,
  NewShare,
  NewWebhook,
  NodeEvent,
  ShareList,
  Webhook,
  WebhookList,
  WebhookPatch,
  WorkspaceBucket,
  WorkspaceBucketsPage,
} from './types.ts';

/**
 * A typed client for every route of the bucket-status API. No dependencies: the global fetch
 * of Node >= 20 and browsers; no Node built-ins, so the status page bundles it as it is.
 */

export interface RetryOptions {
  /** Attempts in total, the first included (default 3). */
  maxAttempts?: number;
  /** A Retry-After longer than this is not waited for: the error is thrown (default 30 s). */
  maxRetryAfterMs?: number;
  /** Backoff base without Retry-After: base * 2^(attempt-1), full jitter (default 500 ms). */
  baseDelayMs?: number;
}

export interface BucketStatusClientOptions {
  /** Where the API lives, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com` or a stage URL. */
  baseUrl: string;
  /**
   * The user's JWT, or a workspace API key (`bsk_...`: the read routes of that workspace's
   * buckets only); can be set or replaced later with setAuthToken.
   */
  authToken?: string;
  /** Per attempt; a slower attempt rejects with a DOMException named TimeoutError. */
  timeoutMs?: number;
  /** Retries of 503 and 429 (honouring Retry-After, bounded); `false` turns them off. */
  retry?: RetryOptions | false;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Aborts the call, retries and waits included. */
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this call (per attempt). */
  timeoutMs?: number;
}

/** A GET that revalidates: the `etag` of the answer you hold, sent as If-None-Match. */
export interface ConditionalOptions extends RequestOptions {
  ifNoneMatch?: string;
}

/** The answer to a conditional GET: unchanged (304, no body) or a new body with its ETag. */
export type Conditional<T> =
  | { notModified: true; etag: string }
  | { notModified: false; etag: string | undefined; body: T };

export interface EventsQuery {
  /** 1-200 (the API's default: 50). */
  limit?: number;
  /** The nextCursor of a previous page. */
  cursor?: string;
}

export interface WorkspaceBucketsQuery {
  /** 1-200 (the API's default: 100). */
  limit?: number;
  /** The nextCursor of a previous page. */
  cursor?: string;
}

/** A maintenance window to schedule: instants as ISO 8601 strings (with a zone) or Dates. */
export interface NewMaintenanceWindowInput {
  start: string | Date;
  end: string | Date;
  /** At most 256 printable characters. */
  reason?: string;
}

const instant = (value: string | Date) => (value instanceof Date ? value.toISOString() : value);

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** A repeated parameter (`?bucket=a&bucket=b`) is a list of its values. */
  query?: Record<string, string | readonly string[]>;
  body?: unknown;
  /** 503 may be retried (the request changes nothing, or changing it twice is harmless). */
  idempotent: boolean;
  /** 204 with no body is the answer. */
  noContent?: boolean;
  /** Sent as If-None-Match; the call answers a Conditional. */
  conditional?: { ifNoneMatch: string | undefined };
  /** A public route (the share token is in the path): no Authorization header. */
  public?: true;
  /** The body is text of this media type (an SVG badge, the Prometheus text), returned as it is. */
  text?: 'image/svg+xml' | 'text/plain';
}

/** GET /workspace/{workspaceId}/metrics: only these buckets of the workspace (default: all). */
export interface MetricsQuery {
  buckets?: readonly string[];
}

/** What a share's badge shows: the verdict (`health`) or the uptime over `days` days. */
export interface BadgeQuery {
  show?: 'health' | 'uptime';
  /** 1-90 (the API's default: 30); with `show: 'uptime'`. */
  days?: number;
}

const DEFAULT_RETRY = { maxAttempts: 3, maxRetryAfterMs: 30_000, baseDelayMs: 500 };

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An attempt's signal, and `clear()` to call once the attempt is over (in a `finally`). */
interface AttemptSignal {
  signal: AbortSignal | undefined;
  clear(): void;
}

/** An attempt's signal: the caller's own when there is no timeout (nothing to clear). */
function attemptSignal(
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): AttemptSignal {
  return timeoutMs === undefined
    ? { signal, clear: () => undefined }
    : withTimeout(signal, timeoutMs);
}

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A path's parameter names: `'bucketId' | 'windowId'` of `/bucket/{bucketId}/maintenance/{windowId}`. */
type PathNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}`
  ? N | PathNames<Rest>
  : never;

/** A route's path parameters: `{ bucketId: string }` for `GET /bucket/{bucketId}/status`. */
type PathParams<K extends ClientRoute> = { readonly [N in PathNames<K>]: string };

/** What a call adds to its route's path (made after the path's ids are checked). */
interface Extra {
  query?: Call['query'] | undefined;
  body?: unknown;
}

/** `?days=N` (1-90) when days is given. */
const daysQuery = (days: number | undefined) =>
  days === undefined ? undefined : { days: String(checkInteger(days, 'days', 1, 90)) };

/** A page's `limit` (1-200) and `cursor` (a nextCursor of the API), those given. */
function pageQuery(limit: number | undefined, cursor?: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  if (limit !== undefined) params.limit = String(checkInteger(limit, 'limit', 1, 200));
  if (cursor !== undefined) {
    if (typeof cursor !== 'string' || cursor === '' || cursor.length > 2048) {
      throw new TypeError('cursor must be a nextCursor string of the API');
    }
    params.cursor = cursor;
  }
  return params;
}

/** Every item of every page from `query.cursor` on, a page fetched (by `next`) as the loop asks. */
async function* pages<P extends { nextCursor?: string }, T>(
  query: EventsQuery,
  next: (page: EventsQuery) => Promise<P>,
  items: (page: P) => readonly T[],
): AsyncGenerator<T, void, undefined> {
  let cursor = query.cursor;
  do {
    const page = await next({
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(cursor !== undefined && { cursor }),
    });
    yield* items(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

export class BucketStatusClient {
  readonly #baseUrl: string;
  readonly #timeoutMs: number | undefined;
  readonly #fetch: typeof fetch;
  readonly #retry: Required<RetryOptions> | undefined;
  #authToken: string | undefined;

  constructor(options: BucketStatusClientOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be an http(s) URL (got "${options.baseUrl}")`);
    }
    if (base.username !== '' || base.password !== '') {
      throw new TypeError('baseUrl must not carry a user name or password');
    }
    base.search = '';
    base.hash = '';
    // A trailing slash makes relative paths resolve below a stage path instead of replacing it.
    this.#baseUrl = base.href.endsWith('/') ? base.href : `${base.href}/`;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#retry = options.retry === false ? undefined : { ...DEFAULT_RETRY, ...options.retry };
    if (this.#retry !== undefined)
      checkInteger(this.#retry.maxAttempts, 'retry.maxAttempts', 1, 10);
    this.#authToken = options.authToken;
  }

  /** Sets (or with undefined, clears) the bearer token (a JWT or a `bsk_` API key) sent with every request. */
  setAuthToken(token: string | undefined): void {
    this.#authToken = token;
  }

  /** GET /bucket/{bucketId}/status: every node of the bucket with its status. Every method
   * returns a promise; bad arguments reject it with a TypeError before any request. */
  async getBucketStatus(
    bucketId: string,
    options: RequestOptions = {},
  ): Promise<BucketStatusResponse> {
    return this.#send('GET /bucket/{bucketId}/status', { bucketId }, options);
  }

  /**
   * getBucketStatus revalidating the answer you hold: pass its `etag`; an unchanged bucket is a
   * 304 (`notModified: true`, nothing transferred), a changed one the new body and ETag.
   */
  async getBucketStatusIfChanged(
    bucketId: string,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketStatusResponse>> {
    return this.#sendIfChanged('GET /bucket/{bucketId}/status', { bucketId }, options);
  }

  /** getBucketUptime revalidating the answer you hold (see getBucketStatusIfChanged). */
  async getBucketUptimeIfChanged(
    bucketId: string,
    days?: number,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketUptimeResponse>> {
    const query = () => ({ query: daysQuery(days) });
    return this.#sendIfChanged('GET /bucket/{bucketId}/uptime', { bucketId }, options, query);
  }

  /** listBucketEvents revalidating the page you hold (see getBucketStatusIfChanged). */
  async listBucketEventsIfChanged(
    bucketId: string,
    query: { limit?: number } = {},
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketEventsPage>> {
    const page = () => ({ query: pageQuery(query.limit) });
    return this.#sendIfChanged('GET /bucket/{bucketId}/events', { bucketId }, options, page);
  }

  /** The first release's name for getBucketStatus. */
  async getStorageBucketStatus(
    bucketId: string,
    options: RequestOptions = {},
  ): Promise<BucketStatusResponse> {
    return this.getBucketStatus(bucketId, options);
  }

  /**
   * POST /bucket/{bucketId}/stats (the Flashback client's name and shape): each node's
   * uptime and latency for one UTC day, given as YYYY-MM-DD or a Date.
   */
  async getStorageBucketStats(
    bucketId: string,
    day: string | Date,
    options: RequestOptions = {},
  ): Promise<BucketStatsResponse> {
    const body = () => ({ body: { day: toDay(day) } });
    return this.#send('POST /bucket/{bucketId}/stats', { bucketId }, options, body);
  }

  /** GET /bucket/{bucketId}/uptime?days=N: the last N days (1-90, default 30), today included. */
  async getBucketUptime(
    bucketId: string,
    days?: number,
    options: RequestOptions = {},
  ): Promise<BucketUptimeResponse> {
    const query = () => ({ query: daysQuery(days) });
    return this.#send('GET /bucket/{bucketId}/uptime', { bucketId }, options, query);
  }

  /** GET /bucket/{bucketId}/events: one page, newest first. */
  async listBucketEvents(
    bucketId: string,
    query: EventsQuery = {},
    options: RequestOptions = {},
  ): Promise<BucketEventsPage> {
    const page = () => ({ query: pageQuery(query.limit, query.cursor) });
    return this.#send('GET /bucket/{bucketId}/events', { bucketId }, options, page);
  }

  /**
   * Every event of the bucket, newest first, fetching pages (of `limit`) as the loop asks for
   * them: `for await (const event of client.bucketEvents(id)) ...`; `break` stops fetching.
   */
  async *bucketEvents(
    bucketId: string,
    query: Omit<EventsQuery, 'cursor'> & { cursor?: string } = {},
    options: RequestOptions = {},
  ): AsyncGenerator<NodeEvent, void, undefined> {
    const next = (page: EventsQuery) => this.listBucketEvents(bucketId, page, options);
    yield* pages(query, next, (page) => page.events);
  }

  /** GET /bucket/{bucketId}/health: the bucket's verdict now, its counts, policy and window. */
  async getBucketHealth(bucketId: string, options: RequestOptions = {}): Promise<BucketHealth> {
    return this.#send('GET /bucket/{bucketId}/health', { bucketId }, options);
  }

  /** getBucketHealth revalidating the answer you hold (see getBucketStatusIfChanged). */
  async getBucketHealthIfChanged(
    bucketId: string,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketHealth>> {
    return this.#sendIfChanged('GET /bucket/{bucketId}/health', { bucketId }, options);
  }

  /** GET /bucket/{bucketId}/health/events: one page of verdict changes, newest first. */
  async listBucketHealthEvents(
    bucketId: string,
    query: EventsQuery = {},
    options: RequestOptions = {},
  ): Promise<HealthEventsPage> {
    const page = () => ({ query: pageQuery(query.limit, query.cursor) });
    return this.#send('GET /bucket/{bucketId}/health/events', { bucketId }, options, page);
  }

  /** Every health event of the bucket, newest first, pages fetched as the loop asks. */
  async *bucketHealthEvents(
    bucketId: string,
    query: EventsQuery = {},
    options: RequestOptions = {},
  ): AsyncGenerator<HealthEvent, void, undefined> {
    const next = (page: EventsQuery) => this.listBucketHealthEvents(bucketId, page, options);
    yield* pages(query, next, (page) => page.events);
  }

  /** GET /me: the caller (a user token; an API key is refused) and the workspaces it reads. */
  async getMe(options: RequestOptions = {}): Promise<Me> {
    return this.#send('GET /me', {}, options);
  }

  /** getMe revalidating the answer you hold (see getBucketStatusIfChanged). */
  async getMeIfChanged(options: ConditionalOptions = {}): Promise<Conditional<Me>> {
    return this.#sendIfChanged('GET /me', {}, options);
  }

  /**
   * GET /workspace/{workspaceId}/buckets: one page of the workspace's buckets by name, each
   * with what GET health answers at the same instant.
   */
  async listWorkspaceBuckets(
    workspaceId: string,
    query: WorkspaceBucketsQuery = {},
    options: RequestOptions = {},
  ): Promise<WorkspaceBucketsPage> {
    const page = () => ({ query: pageQuery(query.limit, query.cursor) });
    return this.#send('GET /workspace/{workspaceId}/buckets', { workspaceId }, options, page);
  }

  /** listWorkspaceBuckets revalidating the page you hold (see getBucketStatusIfChanged). */
  async listWorkspaceBucketsIfChanged(
    workspaceId: string,
    query: WorkspaceBucketsQuery = {},
    options: ConditionalOptions = {},
  ): Promise<Conditional<WorkspaceBucketsPage>> {
    const page = () => ({ query: pageQuery(query.limit, query.cursor) });
    const route = 'GET /workspace/{workspaceId}/buckets';
    return this.#sendIfChanged(route, { workspaceId }, options, page);
  }

  /** Every bucket of the workspace, by name, pages fetched as the loop asks. */
  async *workspaceBuckets(
    workspaceId: string,
    query: WorkspaceBucketsQuery = {},
    options: RequestOptions = {},
  ): AsyncGenerator<WorkspaceBucket, void, undefined> {
    const next = (page: EventsQuery) => this.listWorkspaceBuckets(workspaceId, page, options);
    yield* pages(query, next, (page) => page.buckets);
  }

  /** POST /workspace/{workspaceId}/webhooks: 201 with the secret (shown only here). */
  async createWebhook(
    workspaceId: string,
    webhook: NewWebhook,
    options: RequestOptions = {},
  ): Promise<CreatedWebhook> {
    const body = () => ({
      body: {
        url: webhook.url,
        ...(webhook.description !== undefined && { description: webhook.description }),
        ...(webhook.events !== undefined && { events: webhook.events }),
        ...(webhook.minDurationSeconds !== undefined && {
          minDurationSeconds: webhook.minDurationSeconds,
        }),
      },
    });
    // Creates (201): a 503 is not retried (the webhook may have been created); 429 is.
    return this.#send('POST /workspace/{workspaceId}/webhooks', { workspaceId }, options, body);
  }

  /** GET /workspace/{workspaceId}/webhooks (never the secrets). */
  async listWebhooks(workspaceId: string, options: RequestOptions = {}): Promise<WebhookList> {
    return this.#send('GET /workspace/{workspaceId}/webhooks', { workspaceId }, options);
  }

  /**
   * PATCH /workspace/{workspaceId}/webhooks/{webhookId}: changes the fields given (at least
   * one: `events`, `minDurationSeconds`, `url`, `description`); the webhook as it now is,
   * never its secret.
   */
  async updateWebhook(
    workspaceId: string,
    webhookId: string,
    changes: WebhookPatch,
    options: RequestOptions = {},
  ): Promise<Webhook> {
    // Setting the same fields twice is harmless: a 503 may be retried.
    const route = 'PATCH /workspace/{workspaceId}/webhooks/{webhookId}';
    return this.#send(route, { workspaceId, webhookId }, options, () => ({ body: changes }));
  }

  /** DELETE /workspace/{workspaceId}/webhooks/{webhookId}: resolves on 204. */
  async deleteWebhook(
    workspaceId: string,
    webhookId: string,
    options: RequestOptions = {},
  ): Promise<void> {
    const route = 'DELETE /workspace/{workspaceId}/webhooks/{webhookId}';
    return this.#send(route, { workspaceId, webhookId }, options);
  }

  /**
   * POST /bucket/{bucketId}/maintenance: 201 with the window (409: 20 open windows already, or
   * 100 kept: open and ended within 31 days).
   */
  async createMaintenanceWindow(
    bucketId: string,
    window: NewMaintenanceWindowInput,
    options: RequestOptions = {},
  ): Promise<MaintenanceWindow> {
    const body = () => ({
      body: {
        start: instant(window.start),
        end: instant(window.end),
        ...(window.reason !== undefined && { reason: window.reason }),
      },
    });
    // Creates (201): a 503 is not retried (the window may have been created); 429 is.
    return this.#send('POST /bucket/{bucketId}/maintenance', { bucketId }, options, body);
  }

  /** GET /bucket/{bucketId}/maintenance: active, upcoming and recently ended windows, by start. */
  async listMaintenanceWindows(
    bucketId: string,
    options: RequestOptions = {},
  ): Promise<MaintenanceWindowList> {
    return this.#send('GET /bucket/{bucketId}/maintenance', { bucketId }, options);
  }

  /**
   * DELETE /bucket/{bucketId}/maintenance/{windowId}: resolves on 204 (an upcoming window
   * removed, an active one ended now); an ended window is a 409.
   */
  async deleteMaintenanceWindow(
    bucketId: string,
    windowId: string,
    options: RequestOptions = {},
  ): Promise<void> {
    const route = 'DELETE /bucket/{bucketId}/maintenance/{windowId}';
    return this.#send(route, { bucketId, windowId }, options);
  }

  /**
   * PUT /bucket/{bucketId}/health/policy: `minOnlinePercent` 1-100 from now on (the percent in
   * force: no change; 409 past 50 changes per UTC day).
   */
  async setHealthPolicy(
    bucketId: string,
    minOnlinePercent: number,
    options: RequestOptions = {},
  ): Promise<BucketHealthPolicy> {
    const body = () => ({
      body: { minOnlinePercent: checkInteger(minOnlinePercent, 'minOnlinePercent', 1, 100) },
    });
    return this.#send('PUT /bucket/{bucketId}/health/policy', { bucketId }, options, body);
  }

  /**
   * POST /bucket/{bucketId}/shares: a share link of the bucket (label, showIps default false);
   * 201 with its token and the page's link, shown only here.
   */
  async createShare(
    bucketId: string,
    share: NewShare = {},
    options: RequestOptions = {},
  ): Promise<CreatedShare> {
    const body = () => ({
      body: {
        ...(share.label !== undefined && { label: share.label }),
        ...(share.showIps !== undefined && { showIps: share.showIps }),
      },
    });
    // Creates (201): a 503 is not retried (the share may have been created).
    return this.#send('POST /bucket/{bucketId}/shares', { bucketId }, options, body);
  }

  /** GET /bucket/{bucketId}/shares (never the tokens). */
  async listShares(bucketId: string, options: RequestOptions = {}): Promise<ShareList> {
    return this.#send('GET /bucket/{bucketId}/shares', { bucketId }, options);
  }

  /** DELETE /bucket/{bucketId}/shares/{shareId}: resolves on 204; the token stops working. */
  async revokeShare(
    bucketId: string,
    shareId: string,
    options: RequestOptions = {},
  ): Promise<void> {
    return this.#send('DELETE /bucket/{bucketId}/shares/{shareId}', { bucketId, shareId }, options);
  }

  /**
   * GET /public/{token}/status: the shared bucket's status (node addresses only when the share
   * shows them). A public call: no Authorization header is sent, whatever the client holds.
   */
  async getPublicStatusIfChanged(
    shareToken: string,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketStatusResponse>> {
    return this.#sendIfChanged('GET /public/{token}/status', { token: shareToken }, options);
  }

  /** GET /public/{token}/status without revalidation. */
  async getPublicStatus(
    shareToken: string,
    options: RequestOptions = {},
  ): Promise<BucketStatusResponse> {
    return this.#send('GET /public/{token}/status', { token: shareToken }, options);
  }

  /** GET /public/{token}/uptime?days=N, revalidating the answer you hold (a public call). */
  async getPublicUptimeIfChanged(
    shareToken: string,
    days?: number,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketUptimeResponse>> {
    const query = () => ({ query: daysQuery(days) });
    return this.#sendIfChanged('GET /public/{token}/uptime', { token: shareToken }, options, query);
  }

  /** GET /public/{token}/uptime?days=N (a public call). */
  async getPublicUptime(
    shareToken: string,
    days?: number,
    options: RequestOptions = {},
  ): Promise<BucketUptimeResponse> {
    const query = () => ({ query: daysQuery(days) });
    return this.#send('GET /public/{token}/uptime', { token: shareToken }, options, query);
  }

  /** GET /public/{token}/health, revalidating the answer you hold (a public call). */
  async getPublicHealthIfChanged(
    shareToken: string,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketHealth>> {
    return this.#sendIfChanged('GET /public/{token}/health', { token: shareToken }, options);
  }

  /** GET /public/{token}/health: the shared bucket's verdict (a public call). */
  async getPublicHealth(shareToken: string, options: RequestOptions = {}): Promise<BucketHealth> {
    return this.#send('GET /public/{token}/health', { token: shareToken }, options);
  }

  /** GET /public/{token}/health/events, revalidating the page you hold (a public call). */
  async listPublicHealthEventsIfChanged(
    shareToken: string,
    query: { limit?: number } = {},
    options: ConditionalOptions = {},
  ): Promise<Conditional<HealthEventsPage>> {
    const page = () => ({ query: pageQuery(query.limit) });
    const route = 'GET /public/{token}/health/events';
    return this.#sendIfChanged(route, { token: shareToken }, options, page);
  }

  /** GET /public/{token}/badge.svg: the badge's SVG text (a public call). */
  async getPublicBadge(
    shareToken: string,
    query: BadgeQuery = {},
    options: RequestOptions = {},
  ): Promise<string> {
    const badge = () => ({
      query: checkQuery(query, {
        show: { type: 'string', enum: ['health', 'uptime'] },
        days: { type: 'integer', minimum: 1, maximum: 90 },
      }),
    });
    return this.#send('GET /public/{token}/badge.svg', { token: shareToken }, options, badge);
  }

  /**
   * POST /workspace/{workspaceId}/api-keys: 201 with the key (`bsk_...`, shown only here).
   * `{}` takes the defaults (no description, 90 days).
   */
  async createApiKey(
    workspaceId: string,
    apiKey: NewApiKey = {},
    options: RequestOptions = {},
  ): Promise<CreatedApiKey> {
    const body = () => ({
      body: {
        ...(apiKey.description !== undefined && { description: apiKey.description }),
        ...(apiKey.expiresInDays !== undefined && { expiresInDays: apiKey.expiresInDays }),
      },
    });
    // Creates (201): a 503 is not retried (the key may have been created); 429 is.
    return this.#send('POST /workspace/{workspaceId}/api-keys', { workspaceId }, options, body);
  }

  /** GET /workspace/{workspaceId}/api-keys (never a key). */
  async listApiKeys(workspaceId: string, options: RequestOptions = {}): Promise<ApiKeyList> {
    return this.#send('GET /workspace/{workspaceId}/api-keys', { workspaceId }, options);
  }

  /** DELETE /workspace/{workspaceId}/api-keys/{keyId}: resolves on 204; the key is refused from then on. */
  async deleteApiKey(
    workspaceId: string,
    keyId: string,
    options: RequestOptions = {},
  ): Promise<void> {
    const route = 'DELETE /workspace/{workspaceId}/api-keys/{keyId}';
    return this.#send(route, { workspaceId, keyId }, options);
  }

  /**
   * GET /workspace/{workspaceId}/metrics: the Prometheus text (version 0.0.4) of the
   * workspace's buckets, or of `query.buckets` only. Made for scrapers; the text is returned as
   * it is. Readable with a workspace API key (`bsk_...`) as the client's token.
   */
  async getWorkspaceMetrics(
    workspaceId: string,
    query: MetricsQuery = {},
    options: RequestOptions = {},
  ): Promise<string> {
    const buckets = () => {
      const ids = (query.buckets ?? []).map((bucketId) => checkId(bucketId, 'bucketId'));
      return { query: ids.length > 0 ? { bucket: ids } : undefined };
    };
    return this.#send('GET /workspace/{workspaceId}/metrics', { workspaceId }, options, buckets);
  }

  // Methods written by `npm run wire` from the route table's `clientMethod`: edit the table.
  // End of the written methods.

  /** A route's request: its path from the route key with each id checked, then `extra()`. */
  #request<K extends ClientRoute>(route: K, params: PathParams<K>, extra?: () => Extra): Call {
    const space = route.indexOf(' ');
    const template = route.slice(space + 2);
    const values = params as Record<string, unknown>;
    // Every path segment passes checkId (or is a share token): [A-Za-z0-9_-], nothing to resolve.
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
      name === 'token' ? checkShareToken(values[name]) : checkId(values[name], name),
    );
    const facts: RouteFacts = ROUTE_FACTS[route];
    const { query, body } = extra?.() ?? {};
    return {
      method: route.slice(0, space) as Call['method'],
      path,
      ...(query !== undefined && { query }),
      ...(body !== undefined && { body }),
      idempotent: facts.creates !== true,
      ...(facts.noContent && { noContent: true }),
      ...(template.startsWith('public/') && { public: true }),
      ...(facts.text !== undefined && { text: facts.text }),
    };
  }

  /** Calls a route: `params` fills its path, `extra` makes its query and body. */
  #send<K extends ClientRoute>(
    route: K,
    params: PathParams<K>,
    options: RequestOptions,
    extra?: () => Extra,
  ): Promise<RouteAnswers[K]> {
    return this.#call<RouteAnswers[K]>(this.#request(route, params, extra), options);
  }

  /** #send revalidating: If-None-Match from `options`, the answer a Conditional. */
  #sendIfChanged<K extends ClientRoute>(
    route: K,
    params: PathParams<K>,
    options: ConditionalOptions,
    extra?: () => Extra,
  ): Promise<Conditional<RouteAnswers[K]>> {
    const call = this.#request(route, params, extra);
    return this.#call({ ...call, conditional: { ifNoneMatch: options.ifNoneMatch } }, options);
  }

  async #call<T>(call: Call, options: RequestOptions): Promise<T> {
    const url = new URL(call.path, this.#baseUrl);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      for (const one of typeof value === 'string' ? [value] : value) {
        url.searchParams.append(name, one);
      }
    }
    // A public path carries a share token: errors name the route, never the path.
    const request = `${call.method} /${call.public ? call.path.replace(/^public\/[^/]+/, 'public/{token}') : call.path}`;
    const headers: Record<string, string> = {
      accept: call.text ?? 'application/json',
    };
    if (this.#authToken !== undefined && !call.public) {
      headers.authorization = `Bearer ${this.#authToken}`;
    }
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.conditional?.ifNoneMatch !== undefined) {
      headers['if-none-match'] = call.conditional.ifNoneMatch;
    }
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const maxAttempts = this.#retry?.maxAttempts ?? 1;

    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      // The timeout covers the whole attempt: the status line and the body.
      const timed = attemptSignal(options.signal, timeoutMs);
      let response: Response;
      let body: unknown;
      try {
        response = await this.#fetch(url, {
          method: call.method,
          headers,
          ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
          ...(timed.signal !== undefined && { signal: timed.signal }),
        });
        const etag = response.headers.get('etag') ?? undefined;
        if (response.status === 304 && call.conditional !== undefined) {
          await response.body?.cancel();
          return { notModified: true, etag: etag ?? call.conditional.ifNoneMatch ?? '' } as T;
        }
        const text = await response.text();
        body = text;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        if (response.ok) {
          if (call.noContent) return undefined as T;
          if (call.text) return text as T;
          if (typeof body !== 'object' || body === null || Array.isArray(body)) {
            throw new HttpError(response.status, body, response.headers, `${request} (not JSON)`);
          }
          return (call.conditional === undefined ? body : { notModified: false, etag, body }) as T;
        }
      } finally {
        timed.clear();
      }
      const retryable = response.status === 429 || (response.status === 503 && call.idempotent);
      const wait = this.#retryDelay(response, attempt);
      if (!retryable || attempt >= maxAttempts || wait === undefined) {
        throw new HttpError(response.status, body, response.headers, request);
      }
      await sleep(wait, options.signal);
    }
  }

  /** How long to wait before the next attempt; undefined when Retry-After asks too much. */
  #retryDelay(response: Response, attempt: number): number | undefined {
    const retry = this.#retry ?? DEFAULT_RETRY;
    const asked = retryAfterMs(response.headers.get('retry-after'));
    if (asked !== undefined) return asked > retry.maxRetryAfterMs ? undefined : asked;
    return Math.round(Math.random() * retry.baseDelayMs * 2 ** (attempt - 1));
  }
}
