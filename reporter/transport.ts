import type { KeyObject } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type TimedSignal, withTimeout } from '../client/timeout-signal.ts';
import { privateKeyFromSeed, signNodeReport } from '../functions/domain/node-signature.ts';
import { type IngestResponse, isIngestResponse, type ReportBody } from './wire.ts';

/**
 * Transport and retry: one signed POST /node/status, retried on 5xx, 429 and network errors
 * with exponential backoff and jitter, re-signed on every attempt.
 */

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The longest Retry-After a node honours; a longer one is treated as this. */
export const MAX_RETRY_AFTER_MS = 300_000;

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface SendReportOptions {
  apiUrl: string;
  nodeId: string;
  /** base64 of the raw 32-byte Ed25519 seed, or the key itself. */
  privateKey: string | KeyObject;
  body: ReportBody;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called before each retry; for logs and tests. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  random?: () => number;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

export interface SendReportResult {
  status: number;
  /** The parsed 200 body: `{ success, message, accepted, rejected }`. */
  body: IngestResponse;
  attempts: number;
}

/** The report was not accepted: a 4xx the node must not repeat, or retries ran out. */
export class ReportError extends Error {
  override name = 'ReportError';
  readonly status: number | undefined;
  readonly body: unknown;
  readonly attempts: number;
  constructor(message: string, status: number | undefined, body: unknown, attempts: number) {
    super(message);
    this.status = status;
    this.body = body;
    this.attempts = attempts;
  }
}

const isRetryableStatus = (status: number) => status >= 500 || status === 429;

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random = Math.random) {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const messageOf = (body: unknown): string | undefined =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as { message?: unknown }).message === 'string'
    ? (body as { message: string }).message
    : undefined;

/**
 * The last timestamp signed per node in this process. The server accepts only a timestamp newer
 * than the node's last accepted one, so two signatures in the same millisecond (a fast retry)
 * must still get distinct, increasing timestamps.
 */
const lastSignedTimestamp = new Map<string, number>();
function nextTimestamp(nodeId: string): number {
  const timestamp = Math.max(Date.now(), (lastSignedTimestamp.get(nodeId) ?? 0) + 1);
  lastSignedTimestamp.set(nodeId, timestamp);
  return timestamp;
}

/** An http(s) URL without user info (fetch refuses those, and a token has no place there). */
export function checkApiUrl(apiUrl: string): URL {
  const url = new URL(apiUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`the API URL must be http(s) (got "${url.protocol}")`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('the API URL must not carry a user name or password');
  }
  return url;
}

export const reportUrl = (apiUrl: string) =>
  new URL('node/status', checkApiUrl(apiUrl).href.replace(/\/?$/, '/'));

/** The exact request a report is: URL, headers (signature included) and body bytes. */
export interface SignedRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** Builds and signs one report request now (a fresh, strictly increasing timestamp). */
export function signReportRequest(
  apiUrl: string,
  nodeId: string,
  privateKey: string | KeyObject,
  body: ReportBody,
): SignedRequest {
  const key = typeof privateKey === 'string' ? privateKeyFromSeed(privateKey) : privateKey;
  const payload = JSON.stringify(body);
  return {
    url: reportUrl(apiUrl),
    headers: {
      'content-type': 'application/json',
      ...signNodeReport(nodeId, key, payload, nextTimestamp(nodeId)),
    },
    body: payload,
  };
}

/**
 * Sends one report, retrying 5xx, 429 and network errors with backoff. Every attempt is signed
 * afresh: the server refuses a timestamp it has already accepted (replay), and a retried
 * request may have been accepted before its response was lost. A 200 whose body is not the
 * API's JSON (a proxy, a captive portal) is a failure, not retried.
 */
export async function sendReport(options: SendReportOptions): Promise<SendReportResult> {
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const random = options.random ?? Math.random;
  const key =
    typeof options.privateKey === 'string'
      ? privateKeyFromSeed(options.privateKey)
      : options.privateKey;
  reportUrl(options.apiUrl); // a bad URL is the caller's error, not a network one to retry
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const fetchReport = options.fetch ?? fetch;

  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    let retryReason: string;
    let retryAfterMs: number | undefined;
    let lastStatus: number | undefined;
    let lastBody: unknown;
    // The timeout covers the whole exchange: the status line and the body.
    const timed = withTimeout(options.signal, timeoutMs);
    try {
      const request = signReportRequest(options.apiUrl, options.nodeId, key, options.body);
      const response = await fetchReport(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: timed.signal,
        // A signed report goes to --api only: a redirect to another host would hand it the
        // report and its signature, which that host could replay within the clock window.
        redirect: 'manual',
      });
      lastStatus = response.status;
      lastBody = await readBody(response);
      if (response.status >= 300 && response.status < 400) {
        throw new ReportError(
          `report answered ${response.status}, a redirect, which is not followed (is --api the API's URL?)`,
          response.status,
          lastBody,
          attempt,
        );
      }
      if (response.ok) {
        if (!isIngestResponse(lastBody)) {
          throw new ReportError(
            `report answered ${response.status} without the API's JSON body (is --api the API's URL?)`,
            response.status,
            lastBody,
            attempt,
          );
        }
        return { status: response.status, body: lastBody, attempts: attempt };
      }
      const message = messageOf(lastBody) ?? (response.statusText || 'no message');
      if (!isRetryableStatus(response.status)) {
        throw new ReportError(
          `report refused with ${response.status}: ${message}`,
          response.status,
          lastBody,
          attempt,
        );
      }
      retryReason = `${response.status}: ${message}`;
      retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
    } catch (error) {
      if (error instanceof ReportError) throw error;
      if (options.signal?.aborted) throw options.signal.reason;
      lastStatus = undefined;
      lastBody = undefined;
      retryReason = describeNetworkError(error);
    } finally {
      timed.clear();
    }
    if (attempt >= policy.maxAttempts) {
      throw new ReportError(
        `report failed after ${attempt} attempts (last: ${retryReason})`,
        lastStatus,
        lastBody,
        attempt,
      );
    }
    const backoff = backoffDelayMs(attempt, policy, random);
    // The server's Retry-After is a floor (bounded against absurd values); jitter on top keeps
    // many nodes told the same time from coming back in lockstep.
    const delayMs =
      retryAfterMs === undefined
        ? backoff
        : Math.min(MAX_RETRY_AFTER_MS, Math.max(retryAfterMs, backoff)) +
          Math.round(random() * 250);
    options.onRetry?.({ attempt, delayMs, reason: retryReason });
    await delay(delayMs, undefined, { signal: options.signal });
  }
}

export { type TimedSignal, withTimeout };

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'request timed out';
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}
