import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { vi } from 'vitest';

export interface Timed {
  startedAt: number;
  endedAt: number;
}

/** A command's name without its `Command` suffix, e.g. "UpdateItem". */
export const commandName = (command: object) => command.constructor.name.replace(/Command$/, '');

/**
 * Records, for each call `client.send` makes, what `describe` says of it and when it starts and
 * ends on one logical clock. A call's depth is 1 + the deepest call that had already ended when
 * it started; `roundTrips()` is the deepest, the round trips of latency the request waited for.
 */
export function traceCalls<T extends object>(
  client: DynamoDBClient,
  describe: (command: object, input: Record<string, unknown>) => T,
) {
  const calls: (T & Timed)[] = [];
  let clock = 0;
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  vi.spyOn(client as { send: (command: unknown) => Promise<unknown> }, 'send').mockImplementation(
    async (command) => {
      const { input } = command as { input: Record<string, unknown> };
      const call = {
        ...describe(command as object, input),
        startedAt: ++clock,
        endedAt: Number.POSITIVE_INFINITY,
      };
      calls.push(call);
      try {
        return await send(command);
      } finally {
        call.endedAt = ++clock;
      }
    },
  );
  const roundTrips = () => roundTripsOf(calls);
  return { calls, roundTrips };
}

/**
 * The round trips of latency of `calls` (in start order): a call's depth is 1 + the deepest of
 * them that had already ended when it started. Over the calls of one bucket's chain (those
 * before the fan-out and that bucket's), this is the chain's own depth, which other buckets'
 * chains running beside it at different speeds cannot inflate.
 */
export function roundTripsOf(calls: readonly Timed[]): number {
  const depth = new Map<Timed, number>();
  for (const call of calls) {
    const before = calls.filter((other) => other.endedAt < call.startedAt);
    depth.set(call, 1 + Math.max(0, ...before.map((other) => depth.get(other) ?? 0)));
  }
  return Math.max(0, ...depth.values());
}

/** A copy of `items` in random order (Fisher-Yates). */
export function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
