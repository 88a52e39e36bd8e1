import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { createTokenVerifier } from '../functions/auth/token-verifier.ts';
import type { UserAccess } from '../functions/domain/access.ts';
import {
  generateNodeKeyPair,
  privateKeyFromSeed,
  publicKeyFromRaw,
  signNodeReport,
} from '../functions/domain/node-signature.ts';
import type { NodeRow } from '../functions/domain/node-status.ts';
import type { HttpResult } from '../functions/http/response.ts';
import { createIngestHandler } from '../functions/ingest/ingest-handler.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { createStatusHandler } from '../functions/status/status-handler.ts';
import { ingestEvent, lambdaContext, statusEvent } from '../test/support/events.ts';
import { bucketReports, reportBody } from './ingest.ts';
import { median, nowMs, round } from './stats.ts';

export type WarmOverheadRow =
  | { function: 'status'; nodes: number; medianUs: number }
  | { function: 'ingest'; buckets: number; medianUs: number };

export interface WarmOverheadOptions {
  statusNodes: number[];
  ingestBuckets: number[];
  /** Batches per case; the median of the per-batch mean is reported. */
  batches: number;
  /** Minimum wall time per batch, so timer resolution does not matter. */
  batchMs: number;
}

/**
 * Microseconds per invocation of each handler with its data access replaced by in-memory
 * functions: the middleware chain, token or signature verification, validation, the access
 * rule, the view and JSON serialization. Only our code, no I/O.
 */
export async function benchWarmOverhead(options: WarmOverheadOptions): Promise<WarmOverheadRow[]> {
  const rows: WarmOverheadRow[] = [];
  const secret = 'warm-overhead-secret-at-least-32-bytes!!';
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('u1')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
  const user: UserAccess = {
    userId: 'u1',
    orgId: 'o1',
    orgRole: 'MEMBER',
    status: 'ACTIVE',
    tokensValidAfter: undefined,
    workspaceRoles: new Map([['w1', 'READ']]),
  };
  const lastUpdated = new Date().toISOString();
  for (const count of options.statusNodes) {
    const nodes: NodeRow[] = Array.from({ length: count }, (_, i) => ({
      nodeId: `node-${i}`,
      ip: `10.0.${i >> 8}.${i & 255}`,
      region: 'us-east-1',
      version: '1.2.3',
      status: 'ONLINE',
      latencyMs: i % 500,
      lastUpdated,
    }));
    const handler = createStatusHandler({
      verifyToken: createTokenVerifier({ source: { kind: 'secret', secret } }),
      loadUserAccess: async () => user,
      openBucket: async () => ({
        owner: { workspaceId: 'w1', orgId: 'o1' },
        allNodes: async () => nodes.map((n) => ({ ...n })),
      }),
      staleAfterSeconds: 86_400,
      logger: createLogger('bucket-status-bench'),
    });
    const event = statusEvent('b1', { authorization: `Bearer ${token}` });
    const context = lambdaContext();
    const invoke = async () => {
      const response = (await handler(event, context)) as HttpResult;
      if (response.statusCode !== 200) throw new Error(`status stub read: ${response.body}`);
    };
    rows.push({ function: 'status', nodes: count, medianUs: await microsPerCall(invoke, options) });
  }

  const keys = generateNodeKeyPair();
  const node: { publicKey: KeyObject; status: string } = {
    publicKey: publicKeyFromRaw(keys.publicKey),
    status: 'ACTIVE',
  };
  const privateKey = privateKeyFromSeed(keys.privateKey);
  for (const count of options.ingestBuckets) {
    const handler = createIngestHandler({
      getRegisteredNode: async () => node,
      acceptReportTimestamp: async () => 'accepted',
      writeBucketReport: async () => 'written',
      // A bare 'written' leaves nothing to record or forget: these are never called.
      writeHistoryDays: async () => undefined,
      recordTransitions: async () => undefined,
      clearPendingEvents: async () => undefined,
      forgetHints: async () => undefined,
      minReportIntervalMs: 0,
      logger: createLogger('bucket-status-bench'),
    });
    // The stubs keep no replay state, so one signed event can be replayed; the timestamp only
    // has to stay inside the 300 s clock window for the length of the run.
    const body = reportBody(bucketReports(count));
    const event = ingestEvent(body, { ...signNodeReport('n1', privateKey, body) });
    const context = lambdaContext();
    const invoke = async () => {
      const response = (await handler(event, context)) as HttpResult;
      if (response.statusCode !== 200) throw new Error(`ingest stub report: ${response.body}`);
    };
    rows.push({
      function: 'ingest',
      buckets: count,
      medianUs: await microsPerCall(invoke, options),
    });
  }
  return rows;
}

async function microsPerCall(
  invoke: () => Promise<void>,
  options: WarmOverheadOptions,
): Promise<number> {
  const warmUntil = nowMs() + options.batchMs * 2;
  while (nowMs() < warmUntil) await invoke();
  const perCallUs: number[] = [];
  for (let b = 0; b < options.batches; b++) {
    let calls = 0;
    const start = nowMs();
    let elapsed = 0;
    do {
      await invoke();
      calls++;
      elapsed = nowMs() - start;
    } while (elapsed < options.batchMs);
    perCallUs.push((elapsed * 1000) / calls);
  }
  return round(median(perCallUs), 1);
}
