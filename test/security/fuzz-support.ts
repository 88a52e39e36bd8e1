import {
  type DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect } from 'vitest';
import type { HttpResult } from '../../functions/http/response.ts';

/** Cases per handler; CI runs the default, a developer may raise or lower it. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

/**
 * fc.assert parameters: FUZZ_RUNS cases, and FUZZ_SEED (with FUZZ_PATH) to replay the seed
 * and shrink path a failure printed.
 */
export const REPLAYING = process.env.FUZZ_PATH !== undefined;
export const fuzzParameters = () => ({
  numRuns: FUZZ_RUNS,
  ...(process.env.FUZZ_SEED !== undefined && { seed: Number(process.env.FUZZ_SEED) }),
  ...(process.env.FUZZ_PATH !== undefined && { path: process.env.FUZZ_PATH }),
});

/** Which DynamoDB requests an injected fault hits. */
export type FaultTarget = 'none' | 'any' | 'node-meta' | 'bucket-rows';
export type FaultKind = 'throttle' | 'provisioned' | 'internal' | 'reset';

export interface FaultSwitch {
  target: FaultTarget;
  kind: FaultKind;
  /** Requests that were actually failed since the last reset. */
  injected: number;
}

const faultError = (kind: FaultKind): Error => {
  const $metadata = { httpStatusCode: kind === 'internal' ? 500 : 400 };
  switch (kind) {
    case 'throttle':
      return new ThrottlingException({ message: 'Rate exceeded', $metadata });
    case 'provisioned':
      return new ProvisionedThroughputExceededException({ message: 'Throughput', $metadata });
    case 'internal':
      return new InternalServerError({ message: 'Internal server error', $metadata });
    case 'reset':
      return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  }
};

const keyPk = (input: unknown): string | undefined =>
  (input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S ??
  (input as { ExpressionAttributeValues?: { ':pk'?: { S?: string } } }).ExpressionAttributeValues?.[
    ':pk'
  ]?.S;

const hits = (target: FaultTarget, input: unknown): boolean => {
  if (target === 'none') return false;
  if (target === 'any') return true;
  const pk = keyPk(input) ?? '';
  return target === 'node-meta' ? pk.startsWith('NODE#') : pk.startsWith('BUCKET#');
};

/**
 * Fault injection at the SDK boundary (the one place the house rules allow a mock): the
 * middleware throws DynamoDB's own exception classes before the request leaves, after the
 * SDK's retries would have given up. Everything else talks to the real engine.
 */
export function installFaultSwitch(client: DynamoDBClient): FaultSwitch {
  const fault: FaultSwitch = { target: 'none', kind: 'throttle', injected: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      if (hits(fault.target, args.input)) {
        fault.injected++;
        throw faultError(fault.kind);
      }
      return next(args);
    },
    { step: 'initialize', name: 'fuzzFaultSwitch' },
  );
  return fault;
}

/**
 * Fails the file on any unhandled rejection while the fuzzers run (vitest would report it
 * too, but only as a stray error, not against the case that caused it).
 */
export function failOnUnhandledRejection(): { reasons: unknown[] } {
  const seen = { reasons: [] as unknown[] };
  const listener = (reason: unknown) => seen.reasons.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', listener);
  });
  afterAll(() => {
    process.off('unhandledRejection', listener);
    expect(seen.reasons).toStrictEqual([]);
  });
  return seen;
}

const STACK_TRACE = /\n\s+at |\bat [^\s]+ \(|\.ts:\d+|\.js:\d+|node_modules|file:\/\/|\/work\//;

/**
 * The response invariants every case must keep, whatever the input: JSON, the contract's
 * headers, a status from `allowed`, and for errors exactly `{ success: false, message }`
 * (plus `extraErrorKeys`, e.g. ingestion's per-bucket outcome on a partial 503) with no
 * internal detail.
 */
export function expectContractResponse(
  result: HttpResult,
  allowed: ReadonlySet<number>,
  extraErrorKeys: readonly string[] = [],
): Record<string, unknown> {
  if (!allowed.has(result.statusCode)) {
    throw new Error(`status ${result.statusCode} not in [${[...allowed]}]: ${result.body}`);
  }
  expect(result.headers['content-type']).toBe('application/json');
  expect(result.headers['cache-control']).toBe('no-store');
  const body = JSON.parse(result.body) as Record<string, unknown>;
  expect(typeof body).toBe('object');
  expect(body).not.toBeNull();
  if (result.statusCode >= 300) {
    const keys = Object.keys(body).filter((k) => !extraErrorKeys.includes(k));
    expect(keys.sort()).toStrictEqual(['message', 'success']);
    expect(body.success).toBe(false);
    expect(typeof body.message).toBe('string');
    expect((body.message as string).length).toBeGreaterThan(0);
    expect((body.message as string).length).toBeLessThan(512);
    expect(result.body).not.toMatch(STACK_TRACE);
  }
  if (result.statusCode === 503) expect(result.headers['retry-after']).toMatch(/^\d+$/);
  return body;
}
