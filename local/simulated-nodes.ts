import {
  createReporter,
  type Probe,
  type ProbeResult,
  type Reporter,
  type ReportRound,
} from '../reporter/reporter.ts';
import type { DemoNode } from './demo.ts';

/**
 * The demo's bridge nodes: real reporters (reporter/reporter.ts: signing, retries, backoff)
 * sending real signed HTTP reports to the local API. Only the latency probe is simulated:
 * a plausible latency that wanders around a per-node base, and one node that now and then
 * loses its storage (OFFLINE) for a report or two.
 */

export interface SimulatedNodesOptions {
  apiUrl: string;
  bucketId: string;
  nodes: DemoNode[];
  /** Mean time between reports; each wait is +/- 25 % of it. */
  intervalMs?: number;
  /** Log every report, not only the first one and changes of status. */
  verbose?: boolean;
  log?: (line: string) => void;
  random?: () => number;
  /** For the reports (tests check every response against openapi.yaml). */
  fetch?: typeof fetch;
}

export interface SimulatedNodes {
  /** Resolves when every node has had its first report answered (or failed). */
  firstReports: Promise<ReportRound[]>;
  stop(): Promise<void>;
}

const PROFILES = [
  { ip: '198.51.100.21', region: 'us-east-1', version: '1.4.2', baseLatencyMs: 38 },
  { ip: '198.51.100.57', region: 'eu-west-1', version: '1.4.2', baseLatencyMs: 92 },
  { ip: '203.0.113.140', region: 'ap-southeast-2', version: '1.3.9', baseLatencyMs: 181 },
];
/** The last demo node flaps: the chance per report that its storage becomes unreachable. */
const FLAP_CHANCE = 0.15;

/** Latency that drifts (a bounded random walk) with jitter and a rare spike. */
export function createSimulatedProbe(input: {
  baseLatencyMs: number;
  flapping: boolean;
  random: () => number;
}): Probe {
  const { baseLatencyMs, flapping, random } = input;
  let drift = 0;
  let offlineReportsLeft = 0;
  let reports = 0;
  return async (): Promise<ProbeResult> => {
    reports++;
    // The first report is always ONLINE, so the status right after start shows live nodes.
    if (flapping && reports > 1) {
      if (offlineReportsLeft > 0) {
        offlineReportsLeft--;
        return { status: 'OFFLINE' };
      }
      if (random() < FLAP_CHANCE) {
        offlineReportsLeft = Math.floor(random() * 2); // this report plus 0 or 1 more
        return { status: 'OFFLINE' };
      }
    }
    drift = Math.max(-0.3, Math.min(0.3, drift + (random() - 0.5) * 0.1));
    const jitter = (random() - 0.5) * 0.2;
    const spike = random() < 0.05 ? 1 + random() * 2 : 1;
    const latencyMs = Math.max(1, Math.round(baseLatencyMs * (1 + drift + jitter) * spike));
    return { status: 'ONLINE', latencyMs };
  };
}

export function startSimulatedNodes(options: SimulatedNodesOptions): SimulatedNodes {
  const random = options.random ?? Math.random;
  const log = options.log ?? ((line: string) => console.log(line));
  const reporters: Reporter[] = options.nodes.map((node, index) => {
    const profile = PROFILES[index % PROFILES.length] as (typeof PROFILES)[number];
    let lastStatus: string | undefined;
    return createReporter({
      apiUrl: options.apiUrl,
      nodeId: node.nodeId,
      privateKey: node.privateKey,
      buckets: [{ bucketId: options.bucketId }],
      identity: { ip: profile.ip, region: profile.region, version: profile.version },
      intervalMs: options.intervalMs ?? 4_000,
      jitterRatio: 0.25,
      random,
      ...(options.fetch !== undefined && { fetch: options.fetch }),
      probe: createSimulatedProbe({
        baseLatencyMs: profile.baseLatencyMs,
        flapping: index === options.nodes.length - 1 && options.nodes.length > 1,
        random,
      }),
      // A simulated outage is over long before a real backoff would give up.
      retry: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 },
      log: (line, event) => {
        const status = event.ok ? event.buckets[0]?.status : 'FAILED';
        if (options.verbose || status !== lastStatus) log(`[simulated] ${line}`);
        lastStatus = status;
      },
    });
  });
  const firstReports = Promise.all(reporters.map((reporter) => reporter.start()));
  firstReports.catch(() => undefined);
  return {
    firstReports,
    stop: async () => {
      await Promise.all(reporters.map((reporter) => reporter.stop()));
    },
  };
}
