import { MAX_LATENCY_MS } from '../functions/domain/node-report.ts';
import { withTimeout } from './transport.ts';
import type { ReportedBucketStatus } from './wire.ts';

/** The probe: how each bucket's storage looks from this node. */

export interface ReporterBucket {
  bucketId: string;
  /** Probed with HTTP HEAD; without one the bucket is reported ONLINE with no latency. */
  probeUrl?: string | undefined;
}

export interface ProbeResult {
  status: ReportedBucketStatus;
  latencyMs?: number | undefined;
}

export type Probe = (bucket: ReporterBucket, signal: AbortSignal) => Promise<ProbeResult>;

/**
 * HEAD the probe URL: any HTTP response (even 4xx/5xx: the storage endpoint answered) is
 * ONLINE with the measured round trip; a timeout or network error is OFFLINE. A bucket with
 * no probe URL is reported ONLINE without latency (the node serves it; nothing was measured).
 */
export function createHeadProbe(timeoutMs: number): Probe {
  return async (bucket, signal) => {
    if (bucket.probeUrl === undefined) return { status: 'ONLINE' };
    const started = performance.now();
    const timed = withTimeout(signal, timeoutMs);
    try {
      const response = await fetch(bucket.probeUrl, {
        method: 'HEAD',
        redirect: 'manual',
        signal: timed.signal,
      });
      const latencyMs = Math.min(MAX_LATENCY_MS, Math.round(performance.now() - started));
      await response.body?.cancel();
      return { status: 'ONLINE', latencyMs };
    } catch {
      if (signal.aborted) throw signal.reason;
      return { status: 'OFFLINE' };
    } finally {
      timed.clear();
    }
  };
}
