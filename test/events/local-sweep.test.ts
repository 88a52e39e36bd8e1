// The local runtime's sweep: started with `npm start`'s runtime, every SWEEP_INTERVAL_SECONDS,
// recording a silent node's change to DISCONNECTED over the real engine, and stopped cleanly.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RecordedNodeEvent } from '../../functions/domain/events.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { startLocalRuntime } from '../../local/runtime.ts';
import { startSweepTimer } from '../../local/sweep-timer.ts';
import { resourceSnapshot } from '../e2e/support.ts';
import { Seeder } from '../support/seed.ts';
import { eventRows, iso, reportedRow } from './support.ts';

describe('the local runtime sweeps', () => {
  it('records a silent node as DISCONNECTED at last report + STALE_AFTER_SECONDS, then stops', async () => {
    const resources = resourceSnapshot();
    const recorded: RecordedNodeEvent[] = [];
    let seen: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const lines: string[] = [];
    const runtime = await startLocalRuntime({
      env: { SWEEP_INTERVAL_SECONDS: '0.05', STALE_AFTER_SECONDS: '30' },
      port: 0,
      simulateNodes: false,
      log: (line) => lines.push(line),
      onEventsRecorded: (events) => {
        recorded.push(...events);
        seen();
      },
    });
    const dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
    try {
      const bucketId = randomUUID();
      const lastMs = Date.now() - 30_000 - 10_000 - 5_000; // past stale + grace
      const seed = new Seeder(dynamo, runtime.tableName);
      await seed.put(
        reportedRow(seed, bucketId, 'quiet-node', { status: 'ONLINE', lastUpdatedMs: lastMs }),
      );
      await arrived;
      const at = iso(lastMs + 30_000);
      expect(recorded).toStrictEqual([
        expect.objectContaining({
          bucketId,
          nodeId: 'quiet-node',
          from: 'ONLINE',
          to: 'DISCONNECTED',
          at,
        }),
      ]);
      expect((await eventRows(dynamo, runtime.tableName, bucketId)).map((e) => e.at)).toStrictEqual(
        [at],
      );
      expect(lines).toContain(
        `event: node quiet-node of bucket ${bucketId} ONLINE -> DISCONNECTED at ${at}`,
      );
    } finally {
      dynamo.destroy();
      await runtime.stop();
    }
    // No timer, socket or engine outlives stop().
    expect(await resources.leaked()).toEqual([]);
  });
});

describe('the sweep timer', () => {
  it('never overlaps its own runs and waits for the one in progress on stop', async () => {
    let active = 0;
    let maxActive = 0;
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const firstStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const timer = startSweepTimer({
      intervalMs: 1,
      sweep: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        started();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        active--;
      },
      onError: () => undefined,
    });
    await firstStarted;
    let stopped = false;
    const stopping = timer.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false); // still waiting for the run in progress
    release();
    await stopping;
    expect({ maxActive, active, runs: timer.runs }).toStrictEqual({
      maxActive: 1,
      active: 0,
      runs: 1,
    });
  });
});
