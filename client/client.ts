import { HttpError } from './errors.ts';
import { checkId, checkInteger, checkShareToken, toDay } from './ids.ts';
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
    const id = checkId(bucketId, 'bucketId');
    return this.#call<BucketStatusResponse>(
      { method: 'GET', path: `bucket/${id}/status`, idempotent: true },
      options,
    );
  }

  /**
   * getBucketStatus revalidating the answer you hold: pass its `etag`; an unchanged bucket is a
   * 304 (`notModified: true`, nothing transferred), a changed one the new body and ETag.
   */
  async getBucketStatusIfChanged(
    bucketId: string,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketStatusResponse>> {
    const id = checkId(bucketId, 'bucketId');
    return this.#call<Conditional<BucketStatusResponse>>(
      {
        method: 'GET',
        path: `bucket/${id}/status`,
        idempotent: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  /** getBucketUptime revalidating the answer you hold (see getBucketStatusIfChanged). */
  async getBucketUptimeIfChanged(
    bucketId: string,
    days?: number,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketUptimeResponse>> {
    const id = checkId(bucketId, 'bucketId');
    const query =
      days === undefined ? undefined : { days: String(checkInteger(days, 'days', 1, 90)) };
    return this.#call<Conditional<BucketUptimeResponse>>(
      {
        method: 'GET',
        path: `bucket/${id}/uptime`,
        ...(query && { query }),
        idempotent: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  /** listBucketEvents revalidating the page you hold (see getBucketStatusIfChanged). */
  async listBucketEventsIfChanged(
    bucketId: string,
    query: { limit?: number } = {},
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketEventsPage>> {
    const id = checkId(bucketId, 'bucketId');
    const params: Record<string, string> = {};
    if (query.limit !== undefined)
      params.limit = String(checkInteger(query.limit, 'limit', 1, 200));
    return this.#call<Conditional<BucketEventsPage>>(
      {
        method: 'GET',
        path: `bucket/${id}/events`,
        query: params,
        idempotent: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
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
    const id = checkId(bucketId, 'bucketId');
    return this.#call<BucketStatsResponse>(
      { method: 'POST', path: `bucket/${id}/stats`, body: { day: toDay(day) }, idempotent: true },
      options,
    );
  }

  /** GET /bucket/{bucketId}/uptime?days=N: the last N days (1-90, default 30), today included. */
  async getBucketUptime(
    bucketId: string,
    days?: number,
    options: RequestOptions = {},
  ): Promise<BucketUptimeResponse> {
    const id = checkId(bucketId, 'bucketId');
    const query =
      days === undefined ? undefined : { days: String(checkInteger(days, 'days', 1, 90)) };
    return this.#call<BucketUptimeResponse>(
      { method: 'GET', path: `bucket/${id}/uptime`, ...(query && { query }), idempotent: true },
      options,
    );
  }

  /** GET /bucket/{bucketId}/events: one page, newest first. */
  async listBucketEvents(
    bucketId: string,
    query: EventsQuery = {},
    options: RequestOptions = {},
  ): Promise<BucketEventsPage> {
    const id = checkId(bucketId, 'bucketId');
    const params: Record<string, string> = {};
    if (query.limit !== undefined)
      params.limit = String(checkInteger(query.limit, 'limit', 1, 200));
    if (query.cursor !== undefined) {
      if (typeof query.cursor !== 'string' || query.cursor === '' || query.cursor.length > 2048) {
        throw new TypeError('cursor must be a nextCursor string of the API');
      }
      params.cursor = query.cursor;
    }
    return this.#call<BucketEventsPage>(
      { method: 'GET', path: `bucket/${id}/events`, query: params, idempotent: true },
      options,
    );
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
    let cursor = query.cursor;
    do {
      const page = await this.listBucketEvents(
        bucketId,
        {
          ...(query.limit !== undefined && { limit: query.limit }),
          ...(cursor !== undefined && { cursor }),
        },
        options,
      );
      yield* page.events;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** GET /bucket/{bucketId}/health: the bucket's verdict now, its counts, policy and window. */
  async getBucketHealth(bucketId: string, options: RequestOptions = {}): Promise<BucketHealth> {
    const id = checkId(bucketId, 'bucketId');
    return this.#call<BucketHealth>(
      { method: 'GET', path: `bucket/${id}/health`, idempotent: true },
      options,
    );
  }

  /** getBucketHealth revalidating the answer you hold (see getBucketStatusIfChanged). */
  async getBucketHealthIfChanged(
    bucketId: string,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketHealth>> {
    const id = checkId(bucketId, 'bucketId');
    return this.#call<Conditional<BucketHealth>>(
      {
        method: 'GET',
        path: `bucket/${id}/health`,
        idempotent: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  /** GET /bucket/{bucketId}/health/events: one page of verdict changes, newest first. */
  async listBucketHealthEvents(
    bucketId: string,
    query: EventsQuery = {},
    options: RequestOptions = {},
  ): Promise<HealthEventsPage> {
    const id = checkId(bucketId, 'bucketId');
    const params: Record<string, string> = {};
    if (query.limit !== undefined)
      params.limit = String(checkInteger(query.limit, 'limit', 1, 200));
    if (query.cursor !== undefined) {
      if (typeof query.cursor !== 'string' || query.cursor === '' || query.cursor.length > 2048) {
        throw new TypeError('cursor must be a nextCursor string of the API');
      }
      params.cursor = query.cursor;
    }
    return this.#call<HealthEventsPage>(
      { method: 'GET', path: `bucket/${id}/health/events`, query: params, idempotent: true },
      options,
    );
  }

  /** Every health event of the bucket, newest first, pages fetched as the loop asks. */
  async *bucketHealthEvents(
    bucketId: string,
    query: EventsQuery = {},
    options: RequestOptions = {},
  ): AsyncGenerator<HealthEvent, void, undefined> {
    let cursor = query.cursor;
    do {
      const page = await this.listBucketHealthEvents(
        bucketId,
        {
          ...(query.limit !== undefined && { limit: query.limit }),
          ...(cursor !== undefined && { cursor }),
        },
        options,
      );
      yield* page.events;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** GET /me: the caller (a user token; an API key is refused) and the workspaces it reads. */
  async getMe(options: RequestOptions = {}): Promise<Me> {
    return this.#call<Me>({ method: 'GET', path: 'me', idempotent: true }, options);
  }

  /** getMe revalidating the answer you hold (see getBucketStatusIfChanged). */
  async getMeIfChanged(options: ConditionalOptions = {}): Promise<Conditional<Me>> {
    return this.#call<Conditional<Me>>(
      {
        method: 'GET',
        path: 'me',
        idempotent: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  #workspaceBucketsCall(workspaceId: string, query: WorkspaceBucketsQuery): Call {
    const id = checkId(workspaceId, 'workspaceId');
    const params: Record<string, string> = {};
    if (query.limit !== undefined)
      params.limit = String(checkInteger(query.limit, 'limit', 1, 200));
    if (query.cursor !== undefined) {
      if (typeof query.cursor !== 'string' || query.cursor === '' || query.cursor.length > 2048) {
        throw new TypeError('cursor must be a nextCursor string of the API');
      }
      params.cursor = query.cursor;
    }
    return { method: 'GET', path: `workspace/${id}/buckets`, query: params, idempotent: true };
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
    return this.#call<WorkspaceBucketsPage>(
      this.#workspaceBucketsCall(workspaceId, query),
      options,
    );
  }

  /** listWorkspaceBuckets revalidating the page you hold (see getBucketStatusIfChanged). */
  async listWorkspaceBucketsIfChanged(
    workspaceId: string,
    query: WorkspaceBucketsQuery = {},
    options: ConditionalOptions = {},
  ): Promise<Conditional<WorkspaceBucketsPage>> {
    return this.#call<Conditional<WorkspaceBucketsPage>>(
      {
        ...this.#workspaceBucketsCall(workspaceId, query),
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  /** Every bucket of the workspace, by name, pages fetched as the loop asks. */
  async *workspaceBuckets(
    workspaceId: string,
    query: WorkspaceBucketsQuery = {},
    options: RequestOptions = {},
  ): AsyncGenerator<WorkspaceBucket, void, undefined> {
    let cursor = query.cursor;
    do {
      const page = await this.listWorkspaceBuckets(
        workspaceId,
        {
          ...(query.limit !== undefined && { limit: query.limit }),
          ...(cursor !== undefined && { cursor }),
        },
        options,
      );
      yield* page.buckets;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** POST /workspace/{workspaceId}/webhooks: 201 with the secret (shown only here). */
  async createWebhook(
    workspaceId: string,
    webhook: NewWebhook,
    options: RequestOptions = {},
  ): Promise<CreatedWebhook> {
    const id = checkId(workspaceId, 'workspaceId');
    const body = {
      url: webhook.url,
      ...(webhook.description !== undefined && { description: webhook.description }),
      ...(webhook.events !== undefined && { events: webhook.events }),
      ...(webhook.minDurationSeconds !== undefined && {
        minDurationSeconds: webhook.minDurationSeconds,
      }),
    };
    // Not idempotent: a 503 is not retried (the webhook may have been created); 429 is.
    return this.#call<CreatedWebhook>(
      { method: 'POST', path: `workspace/${id}/webhooks`, body, idempotent: false },
      options,
    );
  }

  /** GET /workspace/{workspaceId}/webhooks (never the secrets). */
  async listWebhooks(workspaceId: string, options: RequestOptions = {}): Promise<WebhookList> {
    const id = checkId(workspaceId, 'workspaceId');
    return this.#call<WebhookList>(
      { method: 'GET', path: `workspace/${id}/webhooks`, idempotent: true },
      options,
    );
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
    const workspace = checkId(workspaceId, 'workspaceId');
    const webhook = checkId(webhookId, 'webhookId');
    // Setting the same fields twice is harmless: a 503 may be retried.
    return this.#call<Webhook>(
      {
        method: 'PATCH',
        path: `workspace/${workspace}/webhooks/${webhook}`,
        body: changes,
        idempotent: true,
      },
      options,
    );
  }

  /** DELETE /workspace/{workspaceId}/webhooks/{webhookId}: resolves on 204. */
  async deleteWebhook(
    workspaceId: string,
    webhookId: string,
    options: RequestOptions = {},
  ): Promise<void> {
    const workspace = checkId(workspaceId, 'workspaceId');
    const webhook = checkId(webhookId, 'webhookId');
    await this.#call<undefined>(
      {
        method: 'DELETE',
        path: `workspace/${workspace}/webhooks/${webhook}`,
        idempotent: true,
        noContent: true,
      },
      options,
    );
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
    const id = checkId(bucketId, 'bucketId');
    const body = {
      start: instant(window.start),
      end: instant(window.end),
      ...(window.reason !== undefined && { reason: window.reason }),
    };
    // Not idempotent: a 503 is not retried (the window may have been created); 429 is.
    return this.#call<MaintenanceWindow>(
      { method: 'POST', path: `bucket/${id}/maintenance`, body, idempotent: false },
      options,
    );
  }

  /** GET /bucket/{bucketId}/maintenance: active, upcoming and recently ended windows, by start. */
  async listMaintenanceWindows(
    bucketId: string,
    options: RequestOptions = {},
  ): Promise<MaintenanceWindowList> {
    const id = checkId(bucketId, 'bucketId');
    return this.#call<MaintenanceWindowList>(
      { method: 'GET', path: `bucket/${id}/maintenance`, idempotent: true },
      options,
    );
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
    const bucket = checkId(bucketId, 'bucketId');
    const window = checkId(windowId, 'windowId');
    await this.#call<undefined>(
      {
        method: 'DELETE',
        path: `bucket/${bucket}/maintenance/${window}`,
        idempotent: true,
        noContent: true,
      },
      options,
    );
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
    const id = checkId(bucketId, 'bucketId');
    const percent = checkInteger(minOnlinePercent, 'minOnlinePercent', 1, 100);
    return this.#call<BucketHealthPolicy>(
      {
        method: 'PUT',
        path: `bucket/${id}/health/policy`,
        body: { minOnlinePercent: percent },
        idempotent: true,
      },
      options,
    );
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
    const id = checkId(bucketId, 'bucketId');
    const body = {
      ...(share.label !== undefined && { label: share.label }),
      ...(share.showIps !== undefined && { showIps: share.showIps }),
    };
    // Not idempotent: a 503 is not retried (the share may have been created).
    return this.#call<CreatedShare>(
      { method: 'POST', path: `bucket/${id}/shares`, body, idempotent: false },
      options,
    );
  }

  /** GET /bucket/{bucketId}/shares (never the tokens). */
  async listShares(bucketId: string, options: RequestOptions = {}): Promise<ShareList> {
    const id = checkId(bucketId, 'bucketId');
    return this.#call<ShareList>(
      { method: 'GET', path: `bucket/${id}/shares`, idempotent: true },
      options,
    );
  }

  /** DELETE /bucket/{bucketId}/shares/{shareId}: resolves on 204; the token stops working. */
  async revokeShare(
    bucketId: string,
    shareId: string,
    options: RequestOptions = {},
  ): Promise<void> {
    const bucket = checkId(bucketId, 'bucketId');
    const share = checkId(shareId, 'shareId');
    await this.#call<undefined>(
      {
        method: 'DELETE',
        path: `bucket/${bucket}/shares/${share}`,
        idempotent: true,
        noContent: true,
      },
      options,
    );
  }

  /**
   * GET /public/{token}/status: the shared bucket's status (node addresses only when the share
   * shows them). A public call: no Authorization header is sent, whatever the client holds.
   */
  async getPublicStatusIfChanged(
    shareToken: string,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketStatusResponse>> {
    const token = checkShareToken(shareToken);
    return this.#call<Conditional<BucketStatusResponse>>(
      {
        method: 'GET',
        path: `public/${token}/status`,
        idempotent: true,
        public: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  /** GET /public/{token}/status without revalidation. */
  async getPublicStatus(
    shareToken: string,
    options: RequestOptions = {},
  ): Promise<BucketStatusResponse> {
    const token = checkShareToken(shareToken);
    return this.#call<BucketStatusResponse>(
      { method: 'GET', path: `public/${token}/status`, idempotent: true, public: true },
      options,
    );
  }

  /** GET /public/{token}/uptime?days=N, revalidating the answer you hold (a public call). */
  async getPublicUptimeIfChanged(
    shareToken: string,
    days?: number,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketUptimeResponse>> {
    const token = checkShareToken(shareToken);
    const query =
      days === undefined ? undefined : { days: String(checkInteger(days, 'days', 1, 90)) };
    return this.#call<Conditional<BucketUptimeResponse>>(
      {
        method: 'GET',
        path: `public/${token}/uptime`,
        ...(query && { query }),
        idempotent: true,
        public: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  /** GET /public/{token}/uptime?days=N (a public call). */
  async getPublicUptime(
    shareToken: string,
    days?: number,
    options: RequestOptions = {},
  ): Promise<BucketUptimeResponse> {
    const token = checkShareToken(shareToken);
    const query =
      days === undefined ? undefined : { days: String(checkInteger(days, 'days', 1, 90)) };
    return this.#call<BucketUptimeResponse>(
      {
        method: 'GET',
        path: `public/${token}/uptime`,
        ...(query && { query }),
        idempotent: true,
        public: true,
      },
      options,
    );
  }

  /** GET /public/{token}/health, revalidating the answer you hold (a public call). */
  async getPublicHealthIfChanged(
    shareToken: string,
    options: ConditionalOptions = {},
  ): Promise<Conditional<BucketHealth>> {
    const token = checkShareToken(shareToken);
    return this.#call<Conditional<BucketHealth>>(
      {
        method: 'GET',
        path: `public/${token}/health`,
        idempotent: true,
        public: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  /** GET /public/{token}/health: the shared bucket's verdict (a public call). */
  async getPublicHealth(shareToken: string, options: RequestOptions = {}): Promise<BucketHealth> {
    const token = checkShareToken(shareToken);
    return this.#call<BucketHealth>(
      { method: 'GET', path: `public/${token}/health`, idempotent: true, public: true },
      options,
    );
  }

  /** GET /public/{token}/health/events, revalidating the page you hold (a public call). */
  async listPublicHealthEventsIfChanged(
    shareToken: string,
    query: { limit?: number } = {},
    options: ConditionalOptions = {},
  ): Promise<Conditional<HealthEventsPage>> {
    const token = checkShareToken(shareToken);
    const params: Record<string, string> = {};
    if (query.limit !== undefined)
      params.limit = String(checkInteger(query.limit, 'limit', 1, 200));
    return this.#call<Conditional<HealthEventsPage>>(
      {
        method: 'GET',
        path: `public/${token}/health/events`,
        query: params,
        idempotent: true,
        public: true,
        conditional: { ifNoneMatch: options.ifNoneMatch },
      },
      options,
    );
  }

  /** GET /public/{token}/badge.svg: the badge's SVG text (a public call). */
  async getPublicBadge(
    shareToken: string,
    query: BadgeQuery = {},
    options: RequestOptions = {},
  ): Promise<string> {
    const token = checkShareToken(shareToken);
    const params: Record<string, string> = {};
    if (query.show !== undefined) {
      if (query.show !== 'health' && query.show !== 'uptime') {
        throw new TypeError('show must be health or uptime');
      }
      params.show = query.show;
    }
    if (query.days !== undefined) params.days = String(checkInteger(query.days, 'days', 1, 90));
    return this.#call<string>(
      {
        method: 'GET',
        path: `public/${token}/badge.svg`,
        query: params,
        idempotent: true,
        public: true,
        text: 'image/svg+xml',
      },
      options,
    );
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
    const id = checkId(workspaceId, 'workspaceId');
    const body = {
      ...(apiKey.description !== undefined && { description: apiKey.description }),
      ...(apiKey.expiresInDays !== undefined && { expiresInDays: apiKey.expiresInDays }),
    };
    // Not idempotent: a 503 is not retried (the key may have been created); 429 is.
    return this.#call<CreatedApiKey>(
      { method: 'POST', path: `workspace/${id}/api-keys`, body, idempotent: false },
      options,
    );
  }

  /** GET /workspace/{workspaceId}/api-keys (never a key). */
  async listApiKeys(workspaceId: string, options: RequestOptions = {}): Promise<ApiKeyList> {
    const id = checkId(workspaceId, 'workspaceId');
    return this.#call<ApiKeyList>(
      { method: 'GET', path: `workspace/${id}/api-keys`, idempotent: true },
      options,
    );
  }

  /** DELETE /workspace/{workspaceId}/api-keys/{keyId}: resolves on 204; the key is refused from then on. */
  async deleteApiKey(
    workspaceId: string,
    keyId: string,
    options: RequestOptions = {},
  ): Promise<void> {
    const workspace = checkId(workspaceId, 'workspaceId');
    const key = checkId(keyId, 'keyId');
    await this.#call<undefined>(
      {
        method: 'DELETE',
        path: `workspace/${workspace}/api-keys/${key}`,
        idempotent: true,
        noContent: true,
      },
      options,
    );
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
    const id = checkId(workspaceId, 'workspaceId');
    const buckets = (query.buckets ?? []).map((bucketId) => checkId(bucketId, 'bucketId'));
    return this.#call<string>(
      {
        method: 'GET',
        path: `workspace/${id}/metrics`,
        ...(buckets.length > 0 && { query: { bucket: buckets } }),
        idempotent: true,
        text: 'text/plain',
      },
      options,
    );
  }

  async #call<T>(call: Call, options: RequestOptions): Promise<T> {
    // Every path segment above passed checkId: only [A-Za-z0-9_-], nothing to resolve.
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
