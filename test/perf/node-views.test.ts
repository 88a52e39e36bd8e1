import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type NodeRow,
  type NodeStatusView,
  toNodeStatusView,
  toNodeStatusViews,
} from '../../functions/domain/node-status.ts';

/**
 * toNodeStatusViews skips Date.parse for sortable ISO strings (a measured optimization, see
 * docs/evidence/performance.md, "What was optimized"). It must answer exactly as the plain definition does, for any input.
 */
function reference(row: NodeRow, nowMs: number, staleAfterMs: number): NodeStatusView {
  const updatedMs = row.lastUpdated === undefined ? Number.NaN : Date.parse(row.lastUpdated);
  const fresh = !Number.isNaN(updatedMs) && nowMs - updatedMs <= staleAfterMs;
  const reported =
    fresh && (row.status === 'ONLINE' || row.status === 'OFFLINE') ? row.status : undefined;
  return {
    ...(row.ip !== undefined && { ip: row.ip }),
    ...(row.region !== undefined && { region: row.region }),
    ...(row.version !== undefined && { version: row.version }),
    status: reported ?? 'DISCONNECTED',
    ...(reported !== undefined && row.latencyMs !== undefined && { latency_ms: row.latencyMs }),
    ...(!Number.isNaN(updatedMs) && { lastUpdated: row.lastUpdated as string }),
  };
}

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** toISOString, or a string no parser accepts when the instant is out of Date's range. */
const iso = (ms: number) => {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? 'out of range' : date.toISOString();
};

const lastUpdated = (nowMs: number, staleAfterMs: number) =>
  fc.oneof(
    // Around the freshness boundary, to the millisecond.
    fc.integer({ min: -3, max: 3 }).map((d) => iso(nowMs - staleAfterMs + d)),
    fc.integer({ min: -400_000, max: 400_000 }).map((d) => iso(nowMs + d)),
    // Any instant toISOString can write in the four-digit-year form, and some it cannot.
    fc
      .date({
        min: new Date('0000-01-01T00:00:00.000Z'),
        max: new Date('9999-12-31T23:59:59.999Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    // Days 29-31 of the month before the cutoff's: some roll over to the far side of it.
    fc
      .tuple(fc.integer({ min: 29, max: 31 }), fc.integer({ min: 0, max: 86_399_999 }))
      .map(([day, msOfDay]) => {
        const cutoff = new Date(nowMs - staleAfterMs);
        if (Number.isNaN(cutoff.getTime())) return 'out of range';
        const month = cutoff.getUTCMonth(); // 0-based: the previous month's 1-based number
        const year = cutoff.getUTCFullYear() - (month === 0 ? 1 : 0);
        if (year < 0 || year > 9999) return 'out of range';
        return `${pad(year, 4)}-${pad(month === 0 ? 12 : month)}-${pad(day)}${iso(msOfDay).slice(10)}`;
      }),
    // The fixed-width shape with out-of-range or rolling-over fields.
    fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 0, max: 33 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 999 }),
      )
      .map(
        ([y, mo, d, h, mi, s, ms]) =>
          `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}Z`,
      ),
    // Other spellings Date.parse accepts or refuses.
    fc.constantFrom(
      '2026-03-01T12:00:00Z',
      '2026-03-01',
      '2026-03-01T11:59:00.000+00:00',
      'Sun, 01 Mar 2026 11:59:30 GMT',
      '',
      'yesterday',
    ),
    fc.string(),
    fc.constant(undefined),
  );

const row = (nowMs: number, staleAfterMs: number) =>
  fc.record(
    {
      nodeId: fc.string({ minLength: 1, maxLength: 8 }),
      ip: fc.constantFrom('10.0.0.1', '::1'),
      region: fc.constant('us-east-1'),
      version: fc.constant('1.2.3'),
      status: fc.constantFrom('ONLINE', 'OFFLINE', 'MAYBE', undefined),
      latencyMs: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
      lastUpdated: lastUpdated(nowMs, staleAfterMs),
    },
    { requiredKeys: ['nodeId'] },
  );

const instant = fc.oneof(
  fc.constant(NOW),
  fc.constantFrom(9e15, -9e15, Number.NaN),
  fc.integer({ min: 0, max: 253_402_300_799_999 }),
  fc.double({ min: 0, max: 4e12, noNaN: true }),
);
const staleAfter = fc.oneof(
  fc.integer({ min: 1, max: 86_400 }).map((s) => s * 1000),
  fc.double({ min: 0, max: 1e8, noNaN: true }),
);

describe('toNodeStatusViews (Date.parse fast path)', () => {
  it('equals the plain definition, field for field and in field order, for any rows', () => {
    fc.assert(
      fc.property(
        instant.chain((nowMs) =>
          staleAfter.chain((staleAfterMs) =>
            fc.tuple(
              fc.constant(nowMs),
              fc.constant(staleAfterMs),
              fc.array(row(nowMs, staleAfterMs), { maxLength: 20 }),
            ),
          ),
        ),
        ([nowMs, staleAfterMs, rows]) => {
          const views = toNodeStatusViews(rows, nowMs, staleAfterMs);
          const expected = rows.map((r) => reference(r, nowMs, staleAfterMs));
          expect(JSON.stringify(views)).toBe(JSON.stringify(expected));
          expect(views).toStrictEqual(rows.map((r) => toNodeStatusView(r, nowMs, staleAfterMs)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('leaves a rolling-over day to Date.parse: 2024-02-31 is 2 March', () => {
    const nowMs = Date.parse('2024-03-02T12:00:00.000Z');
    const [view] = toNodeStatusViews(
      [{ nodeId: 'n', status: 'ONLINE', lastUpdated: '2024-02-31T13:00:00.000Z' }],
      nowMs,
      86_400_000,
    );
    expect(view?.status).toBe('ONLINE');
  });

  it('takes the fast path at the boundary: fresh at exactly the limit, stale 1 ms later', () => {
    const staleAfterMs = 90_000;
    const [atLimit, justStale] = toNodeStatusViews(
      [
        { nodeId: 'a', status: 'ONLINE', lastUpdated: new Date(NOW - staleAfterMs).toISOString() },
        {
          nodeId: 'b',
          status: 'ONLINE',
          lastUpdated: new Date(NOW - staleAfterMs - 1).toISOString(),
        },
      ],
      NOW,
      staleAfterMs,
    );
    expect(atLimit?.status).toBe('ONLINE');
    expect(justStale?.status).toBe('DISCONNECTED');
  });
});
