import type { KeyObject } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { MAX_BUCKETS_PER_REPORT } from '../functions/domain/node-report.ts';
import { formatReportLine, type ReportLogEvent } from './log-format.ts';
import { createHeadProbe, type Probe, type ProbeResult, type ReporterBucket } from './probe.ts';
import { ReportError, type RetryPolicy, sendReport } from './transport.ts';
import type { NodeIdentity, ReportedBucket } from './wire.ts';

/**
 * The loop of a bridge node's reporter: every interval, one round: probe each bucket's
 * storage and send signed reports of at most 100 buckets to POST /node/status, spaced by the
 * per-node rate limit when there are more (DESIGN.md section 7). A library so the CLI
 * (reporter/cli.ts), the simulated nodes of the local runtime and the tests run exactly this.
 */

export type { ReportLogEvent } from './log-format.ts';
export type { Probe, ProbeResult, ReporterBucket } from './probe.ts';
export type { NodeIdentity, ReportBody } from './wire.ts';

/** The API's default NODE_MIN_REPORT_INTERVAL_MS, and the margin kept above it. */
export const DEFAULT_MIN_REPORT_INTERVAL_MS = 1_000;
export const REPORT_SPACING_MARGIN_MS = 100;

export interface ReporterOptions {
  apiUrl: string;
  nodeId: string;
  privateKey: string | KeyObject;
  /** Any number; a round sends ceil(n / 100) reports. */
  buckets: ReporterBucket[];
  identity: NodeIdentity;
  intervalMs: number;
  /** Each wait is intervalMs +/- this share of it, so nodes started together drift apart. */
  jitterRatio?: number;
  /** The API's per-node rate limit; the reports of one round are this plus 100 ms apart. */
  minReportIntervalMs?: number;
  probe?: Probe;
  probeTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  /** One call per report (the text line is ready to print). Defaults to console.log. */
  log?: (line: string, event: ReportLogEvent) => void;
  random?: () => number;
  /** Used for the reports (not the probes); defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The reports of one round, in order; ok when every one was accepted in full. */
export interface ReportRound {
  ok: boolean;
  reports: ReportLogEvent[];
}

export interface Reporter {
  /** Starts the loop; resolves once the first round has been answered (or has failed). */
  start(): Promise<ReportRound>;
  /** Aborts any probe, request or wait in flight and resolves when the loop has ended. */
  stop(): Promise<void>;
}

/** Splits the buckets into the reports of one round, at most 100 each. */
export function splitIntoReports<T>(buckets: readonly T[], size = MAX_BUCKETS_PER_REPORT): T[][] {
  const parts: T[][] = [];
  for (let index = 0; index < buckets.length; index += size) {
    parts.push(buckets.slice(index, index + size));
  }
  return parts;
}

/** Probes every bucket at once; a probe that fails unexpectedly counts as OFFLINE. */
export async function probeBuckets(
  buckets: ReporterBucket[],
  probe: Probe,
  signal: AbortSignal,
): Promise<ReportedBucket[]> {
  const results = await Promise.all(
    buckets.map((bucket) =>
      probe(bucket, signal).catch((error: unknown): ProbeResult => {
        if (signal.aborted) throw error;
        return { status: 'OFFLINE' };
      }),
    ),
  );
  return buckets.map((bucket, index): ReportedBucket => {
    const result = results[index] as ProbeResult;
    return {
      bucketId: bucket.bucketId,
      status: result.status,
      ...(result.latencyMs !== undefined && { latency_ms: result.latencyMs }),
    };
  });
}

/** Promise.withResolvers is Node 22+; the bundled reporter runs on Node 20. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function createReporter(options: ReporterOptions): Reporter {
  const random = options.random ?? Math.random;
  const jitterRatio = options.jitterRatio ?? 0.1;
  const probe = options.probe ?? createHeadProbe(options.probeTimeoutMs ?? 5_000);
  const log = options.log ?? ((line: string) => console.log(line));
  const spacingMs =
    (options.minReportIntervalMs ?? DEFAULT_MIN_REPORT_INTERVAL_MS) + REPORT_SPACING_MARGIN_MS;
  const parts = splitIntoReports(options.buckets);
  const controller = new AbortController();
  let loop: Promise<void> | undefined;

  async function reportOnce(part: ReporterBucket[], index: number): Promise<ReportLogEvent> {
    const { signal } = controller;
    const buckets = await probeBuckets(part, probe, signal);
    const event: ReportLogEvent = {
      nodeId: options.nodeId,
      ok: false,
      fullyAccepted: false,
      attempts: 0,
      part: index + 1,
      parts: parts.length,
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
      const accepted = new Set(sent.body.accepted);
      Object.assign(event, {
        ok: true,
        fullyAccepted:
          sent.body.rejected.length === 0 && buckets.every((b) => accepted.has(b.bucketId)),
        attempts: sent.attempts,
        accepted: sent.body.accepted,
        rejected: sent.body.rejected,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      event.error = error instanceof Error ? error.message : String(error);
      if (error instanceof ReportError) event.attempts = error.attempts;
    }
    log(formatReportLine(event), event);
    return event;
  }

  async function round(): Promise<ReportRound> {
    const reports: ReportLogEvent[] = [];
    for (const [index, part] of parts.entries()) {
      // The API accepts one report per node per rate-limit interval (its receive clock).
      if (index > 0) await delay(spacingMs, undefined, { signal: controller.signal });
      reports.push(await reportOnce(part, index));
    }
    return { ok: reports.every((report) => report.fullyAccepted), reports };
  }

  return {
    start() {
      if (loop !== undefined) throw new Error('the reporter is already started');
      const first = deferred<ReportRound>();
      loop = (async () => {
        let isFirst = true;
        while (!controller.signal.aborted) {
          const started = Date.now();
          try {
            const result = await round();
            if (isFirst) first.resolve(result);
          } catch (error) {
            if (controller.signal.aborted) break;
            first.reject(error);
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
        first.reject(new Error('the reporter was stopped before its first report'));
      })();
      // A stopped-before-first-report rejection is expected; do not crash on it.
      first.promise.catch(() => undefined);
      loop.catch(() => undefined);
      return first.promise;
    },
    async stop() {
      controller.abort(new Error('reporter stopped'));
      await loop?.catch(() => undefined);
    },
  };
}
