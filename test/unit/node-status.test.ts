import { describe, expect, it } from 'vitest';
import { toNodeStatusView } from '../../functions/domain/node-status.ts';

const now = Date.parse('2026-03-01T12:00:00.000Z');
const ago = (ms: number) => new Date(now - ms).toISOString();
const row = { nodeId: 'n', ip: '10.0.0.1', region: 'us-east-1', version: '1.2.3' };

describe('toNodeStatusView', () => {
  it('keeps the reported status and latency while fresh, in contract field order', () => {
    const view = toNodeStatusView(
      { ...row, status: 'ONLINE', latencyMs: 7, lastUpdated: ago(1000) },
      now,
      90_000,
    );
    expect(JSON.stringify(view)).toBe(
      JSON.stringify({
        ip: '10.0.0.1',
        region: 'us-east-1',
        version: '1.2.3',
        status: 'ONLINE',
        latency_ms: 7,
        lastUpdated: ago(1000),
      }),
    );
  });
  it('is fresh at exactly the limit and DISCONNECTED 1 ms later', () => {
    expect(
      toNodeStatusView({ ...row, status: 'OFFLINE', lastUpdated: ago(90_000) }, now, 90_000).status,
    ).toBe('OFFLINE');
    const stale = toNodeStatusView(
      { ...row, status: 'OFFLINE', latencyMs: 3, lastUpdated: ago(90_001) },
      now,
      90_000,
    );
    expect(stale).toStrictEqual({
      ...{ ip: '10.0.0.1', region: 'us-east-1', version: '1.2.3' },
      status: 'DISCONNECTED',
      lastUpdated: ago(90_001),
    });
  });
  it('reads a node that never reported as DISCONNECTED without lastUpdated or latency', () => {
    expect(toNodeStatusView({ nodeId: 'n' }, now, 90_000)).toStrictEqual({
      status: 'DISCONNECTED',
    });
  });
  it('treats unknown stored statuses and unparseable times as DISCONNECTED', () => {
    expect(
      toNodeStatusView({ ...row, status: 'MAYBE', lastUpdated: ago(0) }, now, 90_000).status,
    ).toBe('DISCONNECTED');
    const garbled = toNodeStatusView(
      { ...row, status: 'ONLINE', lastUpdated: 'yesterday' },
      now,
      90_000,
    );
    expect(garbled.status).toBe('DISCONNECTED');
    expect(garbled.lastUpdated).toBeUndefined();
  });
});
