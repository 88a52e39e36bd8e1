// The storm bound of DESIGN.md section 16, measured on the local runtime (local/runtime.ts: the
// route table's functions, the in-process alert queue, real HTTP receivers) on a simulated
// clock: one node flips all of its buckets every second for a minute in a workspace with 10
// webhooks, all with the same minDurationSeconds. Reports go over HTTP to the runtime's API;
// the sweep runs every 5 simulated seconds (as SWEEP_INTERVAL_SECONDS does locally) and records
// the health events; the alert queue's waits run on the simulated timers, so a check at
// `at + D` runs when the clock gets there, against what is recorded by then. Counted: the
// signed deliveries the receivers got (each verified), while the flipping lasts and after it;
// the DynamoDB write requests and write units (dynalite's ConsumedCapacity) per flip, of the
// reports and of the sweep (the fan-out and the deliveries only read).
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { signNodeReport } from '../functions/domain/node-signature.ts';
import { SWEEP_GRACE_SECONDS } from '../functions/sweep/run-sweep.ts';
import type { LocalClock } from '../local/runtime.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { nowMs, round } from './stats.ts';

export interface AlertStormRow {
  buckets: number;
  webhooks: number;
  minDurationSeconds: number;
  /** Reports, each flipping every bucket of the node (one a second). */
  flips: number;
  nodeEvents: number;
  healthEvents: number;
  /** Signed deliveries (all webhooks) while the flipping lasted: its minute. */
  deliveriesDuringMinute: number;
  /** Signed deliveries (all webhooks) after it, until every check and sweep has run. */
  deliveriesAfter: number;
  /** The same for one webhook (all get the same). */
  perWebhookDuring: number;
  perWebhookAfter: number;
  /** Write requests and write units of one report that flips every bucket. */
  reportWriteRequestsPerFlip: number;
  reportWriteUnitsPerFlip: number;
  /** The sweep's writes (health events, checkpoints, days) per flip. */
  sweepWriteRequestsPerFlip: number;
  sweepWriteUnitsPerFlip: number;
  /** Attempts that failed (a receiver too slow on a loaded machine) and were retried. */
  retriedAttempts: number;
  /** Sweep runs that failed on a loaded machine and were run again (writes counted twice). */
  sweepRetries: number;
  /** Wall time of the scenario (the clock is simulated; this is what the machine spent). */
  ms: number;
}

export interface AlertStormOptions {
  scenarios: { buckets: number; minDurationSeconds: number }[];
  /** Flips (reports one second apart); 60 for the minute of section 16. */
  flips: number;
}

const WEBHOOKS = 10;
const SWEEP_EVERY_MS = 5_000;
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/** Counts requests, and write units from the ConsumedCapacity dynalite returns on request. */
function countDynamo(client: DynamoDBClient) {
  const zero = () => ({ writes: 0, writeUnits: 0 });
  let counts = zero();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      const write = WRITES.has(name);
      const input = args.input as { ReturnConsumedCapacity?: string };
      if (write) {
        counts.writes++;
        input.ReturnConsumedCapacity ??= 'TOTAL';
      }
      const result = await next(args);
      if (write) {
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : [consumed]) {
          counts.writeUnits += (c as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'benchAlertStormCount', priority: 'high' },
  );
  return {
    take: () => {
      const taken = counts;
      counts = zero();
      return taken;
    },
  };
}

/** A simulated clock: timers fire only when the clock is advanced past them. */
function simulatedClock(start: number) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { due: number; run: () => void }>();
  const clock: LocalClock = {
    now: () => now,
    setTimeout: (run, ms) => {
      const id = ++seq;
      timers.set(id, { due: now + ms, run });
      return id;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
  };
  /** Fires the timers due by `target` in order, letting the work of each settle first. */
  async function advanceTo(target: number, settled: () => Promise<void>) {
    for (;;) {
      await settled();
      let next: [number, { due: number; run: () => void }] | undefined;
      for (const entry of timers) {
        if (entry[1].due <= target && (next === undefined || entry[1].due < next[1].due)) {
          next = entry;
        }
      }
      if (next === undefined) break;
      timers.delete(next[0]);
      now = Math.max(now, next[1].due);
      next[1].run();
    }
    now = Math.max(now, target);
  }
  return { clock, advanceTo, set: (t: number) => advanceTo(t, async () => undefined) };
}

/** One receiver for every webhook (`/hook/<i>`): verifies each delivery, notes its instant. */
async function startReceivers(now: () => number) {
  const got: { hook: number; at: number; type: string }[] = [];
  // A retried delivery (an attempt that timed out on a loaded machine) counts once.
  const seen = new Set<string>();
  const secrets: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hook = Number(request.url?.split('/')[2]);
      const body = Buffer.concat(chunks).toString('utf8');
      // Standard Webhooks' signature, checked by hand: the package's verify also refuses a
      // timestamp more than 5 minutes from the real clock, and this one is simulated.
      const id = String(request.headers['webhook-id']);
      const expected = createHmac(
        'sha256',
        Buffer.from((secrets[hook] as string).slice('whsec_'.length), 'base64'),
      )
        .update(`${id}.${request.headers['webhook-timestamp']}.${body}`)
        .digest('base64');
      if (request.headers['webhook-signature'] !== `v1,${expected}`) {
        throw new Error(`alert storm: a delivery to webhook ${hook} does not verify`);
      }
      const verified = JSON.parse(body) as { type: string };
      if (!seen.has(id)) got.push({ hook, at: now(), type: verified.type });
      seen.add(id);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    got,
    secrets,
    url: (i: number) => `http://127.0.0.1:${port}/hook/${i}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function runScenario(
  buckets: number,
  minDurationSeconds: number,
  flips: number,
): Promise<AlertStormRow> {
  const started = nowMs();
  const sim = simulatedClock(Date.now());
  const receivers = await startReceivers(sim.clock.now);
  const lines: string[] = [];
  const counted = { nodeEvents: 0, healthEvents: 0 };
  const runtime = await startLocalRuntime({
    port: 0,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', WEBHOOK_RETRY_BASE_SECONDS: '1' },
    simulateNodes: false,
    sweep: false,
    clock: sim.clock,
    log: (line) => {
      // One line per recorded event (local/runtime.ts), and one per failed attempt.
      if (line.startsWith('event: ')) counted.nodeEvents++;
      else if (line.startsWith('health: ')) counted.healthEvents++;
      else if (line.startsWith('[webhook] failed')) lines.push(line);
    },
  });
  try {
    const { demo, admin } = runtime;
    const nodeId = `storm-node-${buckets}`;
    const registered = await admin.registerNode({ nodeId, orgId: demo.orgId });
    const bucketIds = Array.from(
      { length: buckets },
      (_, i) => `storm-${String(i).padStart(3, '0')}`,
    );
    for (const bucketId of bucketIds) {
      await admin.createBucket({ bucketId, workspaceId: demo.workspaceId, name: bucketId });
      await admin.assignNode({ bucketId, nodeId });
    }
    for (let i = 0; i < WEBHOOKS; i++) {
      const response = await fetch(`${runtime.apiUrl}/workspace/${demo.workspaceId}/webhooks`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${demo.adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ url: receivers.url(i), minDurationSeconds }),
      });
      const created = (await response.json()) as { secret?: string };
      if (response.status !== 201 || created.secret === undefined) {
        throw new Error(`alert storm: webhook ${i}: ${response.status}`);
      }
      receivers.secrets[i] = created.secret;
    }
    const counter = countDynamo(runtime.client);
    const settled = () => runtime.alerts.settled();
    const sweep = runtime.functions.events.sweep;
    if (sweep === undefined) throw new Error('alert storm: no sweep function');
    const privateKey = registered.privateKey as string;
    const report = async (status: 'ONLINE' | 'OFFLINE') => {
      const body = JSON.stringify({
        ip: '203.0.113.9',
        region: 'eu-west-1',
        version: '1.0.0',
        buckets: bucketIds.map((bucketId) => ({ bucketId, status, latency_ms: 12 })),
      });
      const response = await fetch(`${runtime.apiUrl}/node/status`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signNodeReport(nodeId, privateKey, body, sim.clock.now()),
        },
        body,
      });
      const answer = (await response.json()) as { accepted?: string[] };
      if (response.status !== 200 || answer.accepted?.length !== buckets) {
        throw new Error(`alert storm: report ${response.status} ${JSON.stringify(answer)}`);
      }
    };
    let sweepRetries = 0;
    const totals = { reportWrites: 0, reportUnits: 0, sweepWrites: 0, sweepUnits: 0 };
    const runSweep = async () => {
      await settled();
      counter.take();
      // As the local sweep timer does: a run that fails (the in-process engine timed out under
      // a burst of deliveries) is run again; its writes are idempotent.
      for (let attempt = 1; ; attempt++) {
        try {
          await sweep({}, {});
          break;
        } catch (error) {
          if (attempt === 3) throw error;
          sweepRetries++;
          await settled();
        }
      }
      const c = counter.take();
      totals.sweepWrites += c.writes;
      totals.sweepUnits += c.writeUnits;
    };
    const advance = async (target: number) => {
      while (nextSweep <= target) {
        await sim.advanceTo(nextSweep, settled);
        await runSweep();
        nextSweep += SWEEP_EVERY_MS;
      }
      await sim.advanceTo(target, settled);
    };
    // Whole seconds, after the assignments and the demo tokens' iat (on the real clock).
    const t0 = Math.ceil(Date.now() / 1000) * 1000 + 1_000;
    let nextSweep = t0 + SWEEP_EVERY_MS;
    await sim.set(t0);
    counter.take();
    // The minute: the node's first report (DISCONNECTED -> ONLINE), then OFFLINE and ONLINE in
    // turn, one report a second; every report changes every bucket's state and verdict.
    for (let k = 0; k < flips; k++) {
      await advance(t0 + k * 1000);
      await settled();
      counter.take();
      await report(k % 2 === 0 ? 'ONLINE' : 'OFFLINE');
      const c = counter.take();
      totals.reportWrites += c.writes;
      totals.reportUnits += c.writeUnits;
    }
    const minuteEnd = t0 + flips * 1000;
    // After it: the sweep settles the last second (SWEEP_GRACE_SECONDS + 1 s behind), and every
    // check waits until at + D. The node's last report stays fresh (STALE_AFTER_SECONDS 90).
    await advance(
      minuteEnd + (SWEEP_GRACE_SECONDS + 1 + minDurationSeconds) * 1000 + 2 * SWEEP_EVERY_MS,
    );
    await runtime.alerts.idle();
    if (lines.some((line) => line.includes('dead-lettered'))) {
      throw new Error(`alert storm: a delivery was dead-lettered: ${lines.at(-1)}`);
    }
    const during = receivers.got.filter((g) => g.at < minuteEnd);
    const after = receivers.got.length - during.length;
    const ofHook = (list: typeof receivers.got) => list.filter((g) => g.hook === 0).length;
    return {
      buckets,
      webhooks: WEBHOOKS,
      minDurationSeconds,
      flips,
      nodeEvents: counted.nodeEvents,
      healthEvents: counted.healthEvents,
      deliveriesDuringMinute: during.length,
      deliveriesAfter: after,
      perWebhookDuring: ofHook(during),
      perWebhookAfter: ofHook(receivers.got) - ofHook(during),
      reportWriteRequestsPerFlip: round(totals.reportWrites / flips, 1),
      reportWriteUnitsPerFlip: round(totals.reportUnits / flips, 1),
      sweepWriteRequestsPerFlip: round(totals.sweepWrites / flips, 1),
      sweepWriteUnitsPerFlip: round(totals.sweepUnits / flips, 1),
      retriedAttempts: lines.length,
      sweepRetries,
      ms: Math.round(nowMs() - started),
    };
  } finally {
    await runtime.stop();
    await receivers.close();
  }
}

export async function benchAlertStorm(options: AlertStormOptions): Promise<AlertStormRow[]> {
  const rows: AlertStormRow[] = [];
  for (const s of options.scenarios) {
    rows.push(await runScenario(s.buckets, s.minDurationSeconds, options.flips));
  }
  return rows;
}
