import type { KeyObject } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { MAX_LATENCY_MS } from '../functions/domain/node-report.ts';
import { privateKeyFromSeed, signNodeReport } from '../functions/domain/node-signature.ts';

/**
 * The node reporter of a bridge node: probe each bucket's storage, send one signed report to
 * POST /node/status, repeat. A library so the CLI (reporter/cli.ts), the simulated nodes of
 * the local runtime and the tests all run exactly this code.
 */

export interface ReporterBucket {
  bucketId: string;
  /** Probed with HTTP HEAD; without one the bucket is reported ONLINE with no latency. */
  probeUrl?: string | undefined;
}

export interface ProbeResult {
  status: 'ONLINE' | 'OFFLINE';
  latencyMs?: number | undefined;
}

export type Probe = (bucket: ReporterBucket, signal: AbortSignal) => Promise<ProbeResult>;

/** What the node says about itself in every report. */
export interface NodeIdentity {
  ip: string;
  region: string;
  version: string;
}

export interface ReportBody extends NodeIdentity {
  buckets: { bucketId: string; status: 'ONLINE' | 'OFFLINE'; latency_ms?: number }[];
}

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

export interface IngestResponse {
  success: true;
  message: string;
  accepted: string[];
  rejected: { bucketId: string; reason: string }[];
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

export const reportUrl = (apiUrl: string) => new URL('node/status', apiUrl.replace(/\/?$/, '/'));

/**
 * Sends one report, retrying 5xx, 429 and network errors with backoff. Every attempt is signed
 * afresh: the server refuses a timestamp it has already accepted (replay), and a retried
 * request may have been accepted before its response was lost.
 */
export async function sendReport(options: SendReportOptions): Promise<SendReportResult> {
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const random = options.random ?? Math.random;
  const key =
    typeof options.privateKey === 'string'
      ? privateKeyFromSeed(options.privateKey)
      : options.privateKey;
  const url = reportUrl(options.apiUrl);
  const payload = JSON.stringify(options.body);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const fetchReport = options.fetch ?? fetch;

  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    let retryReason: string;
    let retryAfterMs: number | undefined;
    let lastStatus: number | undefined;
    let lastBody: unknown;
    try {
      const response = await fetchReport(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signNodeReport(options.nodeId, key, payload, nextTimestamp(options.nodeId)),
        },
        body: payload,
        signal: withTimeout(options.signal, timeoutMs),
      });
      lastStatus = response.status;
      lastBody = await readBody(response);
      if (response.ok) {
        return { status: response.status, body: lastBody as IngestResponse, attempts: attempt };
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

function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'request timed out';
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}

/**
 * HEAD the probe URL: any HTTP response (even 4xx/5xx: the storage endpoint answered) is
 * ONLINE with the measured round trip; a timeout or network error is OFFLINE. A bucket with
 * no probe URL is reported ONLINE without latency (the node serves it; nothing was measured).
 */
export function createHeadProbe(timeoutMs: number): Probe {
  return async (bucket, signal) => {
    if (bucket.probeUrl === undefined) return { status: 'ONLINE' };
    const started = performance.now();
    try {
      const response = await fetch(bucket.probeUrl, {
        method: 'HEAD',
        redirect: 'manual',
        signal: withTimeout(signal, timeoutMs),
      });
      const latencyMs = Math.min(MAX_LATENCY_MS, Math.round(performance.now() - started));
      await response.body?.cancel();
      return { status: 'ONLINE', latencyMs };
    } catch {
      if (signal.aborted) throw signal.reason;
      return { status: 'OFFLINE' };
    }
  };
}

export interface ReportLogEvent {
  nodeId: string;
  ok: boolean;
  attempts: number;
  buckets: ReportBody['buckets'];
  accepted: string[];
  rejected: { bucketId: string; reason: string }[];
  error?: string;
}

export interface ReporterOptions {
  apiUrl: string;
  nodeId: string;
  privateKey: string | KeyObject;
  buckets: ReporterBucket[];
  identity: NodeIdentity;
  intervalMs: number;
  /** Each wait is intervalMs +/- this share of it, so nodes started together drift apart. */
  jitterRatio?: number;
  probe?: Probe;
  probeTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  /** One call per report (the line is ready to print). Defaults to console.log. */
  log?: (line: string, event: ReportLogEvent) => void;
  random?: () => number;
  /** Used for the reports (not the probes); defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface Reporter {
  /** Starts the loop; resolves once the first report has been answered (or has failed). */
  start(): Promise<ReportLogEvent>;
  /** Aborts any probe, request or wait in flight and resolves when the loop has ended. */
  stop(): Promise<void>;
}

export function formatReportLine(event: ReportLogEvent, now = new Date()): string {
  const buckets = event.buckets
    .map(
      (b) => `${b.bucketId}=${b.status}${b.latency_ms === undefined ? '' : `/${b.latency_ms}ms`}`,
    )
    .join(' ');
  const outcome = event.ok
    ? `accepted ${event.accepted.length}, rejected ${event.rejected.length}` +
      event.rejected.map((r) => ` [${r.bucketId}: ${r.reason}]`).join('')
    : `FAILED: ${event.error}`;
  const attempts = event.attempts > 1 ? ` after ${event.attempts} attempts` : '';
  return `${now.toISOString()} node ${event.nodeId}: ${outcome}${attempts} | ${buckets}`;
}

export function createReporter(options: ReporterOptions): Reporter {
  const random = options.random ?? Math.random;
  const jitterRatio = options.jitterRatio ?? 0.1;
  const probe = options.probe ?? createHeadProbe(options.probeTimeoutMs ?? 5_000);
  const log = options.log ?? ((line: string) => console.log(line));
  const controller = new AbortController();
  let loop: Promise<void> | undefined;

  async function reportOnce(): Promise<ReportLogEvent> {
    const { signal } = controller;
    const results = await Promise.all(
      options.buckets.map((bucket) =>
        // A probe that fails in an unexpected way still means the storage was not reached.
        probe(bucket, signal).catch((error: unknown): ProbeResult => {
          if (signal.aborted) throw error;
          return { status: 'OFFLINE' };
        }),
      ),
    );
    const buckets = options.buckets.map((bucket, index) => {
      const result = results[index] as ProbeResult;
      return {
        bucketId: bucket.bucketId,
        status: result.status,
        ...(result.latencyMs !== undefined && { latency_ms: result.latencyMs }),
      };
    });
    const event: ReportLogEvent = {
      nodeId: options.nodeId,
      ok: false,
      attempts: 0,
      buckets,
      accepted: [],
      rejected: [],
    };
    try {
      const sent = await sendReport({
        apiUrl: options.apiUrl,
        nodeId: options.nodeId,
        privateKey: options.privateKey,
        body: { ...options.identity, buckets },
        signal,
        random,
        ...(options.retry !== undefined && { retry: options.retry }),
        ...(options.fetch !== undefined && { fetch: options.fetch }),
        ...(options.requestTimeoutMs !== undefined && {
          requestTimeoutMs: options.requestTimeoutMs,
        }),
        onRetry: (info) => {
          event.attempts = info.attempt + 1;
        },
      });
      Object.assign(event, {
        ok: true,
        attempts: sent.attempts,
        accepted: sent.body.accepted ?? [],
        rejected: sent.body.rejected ?? [],
      });
    } catch (error) {
      if (signal.aborted) throw error;
      event.error = error instanceof Error ? error.message : String(error);
      if (error instanceof ReportError) event.attempts = error.attempts;
    }
    log(formatReportLine(event), event);
    return event;
  }

  return {
    start() {
      if (loop !== undefined) throw new Error('the reporter is already started');
      const {
        promise: first,
        resolve: firstDone,
        reject: firstFailed,
      } = Promise.withResolvers<ReportLogEvent>();
      loop = (async () => {
        let isFirst = true;
        while (!controller.signal.aborted) {
          const started = Date.now();
          try {
            const event = await reportOnce();
            if (isFirst) firstDone(event);
          } catch (error) {
            if (controller.signal.aborted) break;
            throw error;
          }
          isFirst = false;
          const spread = 1 + jitterRatio * (2 * random() - 1);
          const waitMs = Math.max(0, options.intervalMs * spread - (Date.now() - started));
          try {
            await delay(waitMs, undefined, { signal: controller.signal });
          } catch {
            break; // aborted by stop()
          }
        }
        firstFailed(new Error('the reporter was stopped before its first report'));
      })();
      // A stopped-before-first-report rejection is expected; do not crash on it.
      first.catch(() => undefined);
      return first;
    },
    async stop() {
      controller.abort(new Error('reporter stopped'));
      await loop;
    },
  };
}
