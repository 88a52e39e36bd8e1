import { describe, expect, it } from 'vitest';
import {
  countByStatus,
  currentWindows,
  formatInstant,
  fragmentWithoutToken,
  isBucketId,
  latencyText,
  MALFORMED_BUCKET,
  nodeSetKey,
  overallUptime,
  overviewProblemFor,
  pairUptime,
  parseFragment,
  problemFor,
  timeAgo,
  timeUntil,
  uptimeLevel,
  uptimeText,
  verdictSummary,
  workspaceProblemFor,
} from '../../web/src/view-model.ts';

describe('the status page view model', () => {
  it('reads bucket and token from the fragment, and leaves only the bucket behind', () => {
    expect(parseFragment('#bucket=b-1&token=a.b.c')).toEqual({ bucketId: 'b-1', token: 'a.b.c' });
    expect(parseFragment('#token=x')).toEqual({ token: 'x' });
    expect(parseFragment('')).toEqual({});
    expect(parseFragment('#bucket=&token=')).toEqual({});
    expect(fragmentWithoutToken('b-1')).toBe('#bucket=b-1');
    expect(fragmentWithoutToken(undefined)).toBe('');
    expect(parseFragment('#share=bss_abc')).toEqual({ share: 'bss_abc' });
    expect(parseFragment('#share=')).toEqual({});
  });

  it('tells a malformed bucket id from a well-formed one', () => {
    expect(parseFragment('#bucket=../../x&token=t')).toEqual({ bucketId: '../../x', token: 't' });
    for (const bad of ['../../x', '.', 'a/b', 'a b', 'x'.repeat(129), '%2e%2e']) {
      expect(isBucketId(bad)).toBe(false);
    }
    for (const good of ['b-1', 'A_z-09', 'x'.repeat(128)]) expect(isBucketId(good)).toBe(true);
  });

  it('pairs a node with its uptime entry by identity, never by position', () => {
    const days = (perc: number) => [
      { day: '2026-12-01', perc_uptime: perc, online_seconds: perc, observed_seconds: 100 },
    ];
    const uptime = {
      bucketId: 'b',
      from: '2026-12-01',
      to: '2026-12-01',
      nodes: [
        { host: 'n-1', ip: '192.0.2.1', days: days(100) },
        { host: 'n-2', ip: '192.0.2.2', days: days(50) },
        { host: 'n-3', days: days(0) },
      ],
      bucket: { days: [] },
    };
    // A node assigned since the uptime answer sorts first: the others keep their own bars.
    const nodes = [
      { status: 'DISCONNECTED' as const },
      { ip: '192.0.2.1', status: 'ONLINE' as const },
      { ip: '192.0.2.2', status: 'OFFLINE' as const },
    ];
    expect(pairUptime(uptime, nodes)).toEqual([undefined, days(100), days(50)]);
    // An ip two nodes share, or one not in the answer, gets no bars.
    const shared = [
      { ip: '192.0.2.1', status: 'ONLINE' as const },
      { ip: '192.0.2.1', status: 'ONLINE' as const },
      { ip: '192.0.2.9', status: 'ONLINE' as const },
    ];
    expect(pairUptime(uptime, shared)).toEqual([undefined, undefined, undefined]);
    expect(pairUptime(undefined, nodes)).toEqual([undefined, undefined, undefined]);
    // An ip two uptime entries share gets no bars either.
    const twice = {
      ...uptime,
      nodes: [...uptime.nodes, { host: 'n-4', ip: '192.0.2.2', days: [] }],
    };
    expect(pairUptime(twice, nodes)).toEqual([undefined, days(100), undefined]);
    expect(nodeSetKey(nodes)).not.toBe(nodeSetKey(nodes.slice(1)));
    expect(nodeSetKey(nodes)).toBe(nodeSetKey(nodes.map((n) => ({ ...n }))));
  });

  it('says how long ago in words', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(timeAgo('2026-12-01T09:59:48Z', now)).toBe('12 s ago');
    expect(timeAgo('2026-12-01T10:00:00Z', now)).toBe('just now');
    expect(timeAgo('2026-12-01T10:00:05Z', now)).toBe('just now');
    expect(timeAgo('2026-12-01T09:57:00Z', now)).toBe('3 min ago');
    expect(timeAgo('2026-12-01T05:00:00Z', now)).toBe('5 h ago');
    expect(timeAgo('2026-11-27T10:00:00Z', now)).toBe('4 d ago');
    expect(timeAgo(undefined, now)).toBe('never');
    expect(timeAgo('nonsense', now)).toBe('unknown');
  });

  it('counts nodes per status, with zeros', () => {
    expect(
      countByStatus([{ status: 'ONLINE' }, { status: 'ONLINE' }, { status: 'DISCONNECTED' }]),
    ).toEqual({ ONLINE: 2, OFFLINE: 0, DISCONNECTED: 1 });
  });

  it('words latency and uptime', () => {
    expect(latencyText(45)).toBe('45 ms');
    expect(latencyText(undefined)).toBe('no latency');
    const day = { day: '2026-11-30', online_seconds: 1, observed_seconds: 2 };
    expect(uptimeText({ ...day, perc_uptime: 99.52, avg_latency_ms: 41 })).toBe(
      '2026-11-30: 99.52% uptime, 41 ms average',
    );
    expect(uptimeText({ ...day, perc_uptime: null })).toBe('2026-11-30: no data');
    expect([null, 100, 99.5, 95, 10].map(uptimeLevel)).toEqual([
      'none',
      'full',
      'high',
      'mid',
      'low',
    ]);
    expect(
      overallUptime([
        { ...day, perc_uptime: 50, online_seconds: 50, observed_seconds: 100 },
        { ...day, perc_uptime: 100, online_seconds: 100, observed_seconds: 100 },
      ]),
    ).toBe(75);
    expect(
      overallUptime([{ ...day, perc_uptime: null, online_seconds: 0, observed_seconds: 0 }]),
    ).toBe(null);
  });

  it('has a distinct message for 401, 403, 404 and 503', () => {
    const kinds = [401, 403, 404, 503].map((s) => problemFor(s).kind);
    expect(MALFORMED_BUCKET.kind).toBe('malformed');
    expect(MALFORMED_BUCKET.detail).not.toContain('keeps trying');
    expect(kinds).toEqual(['unauthorized', 'forbidden', 'not-found', 'unavailable']);
    expect(problemFor(503, 7).detail).toContain('7 s');
    expect(new Set([401, 403, 404, 503].map((s) => problemFor(s).title)).size).toBe(4);
  });

  it('lists the active and upcoming maintenance windows by start, never the ended ones', () => {
    const now = Date.parse('2026-12-06T12:00:00.000Z');
    const at = (h: number) => new Date(now + h * 3_600_000).toISOString();
    const shown = currentWindows(
      [
        { id: 'ended', start: at(-3), end: at(-1), reason: 'old' },
        { id: 'later', start: at(5), end: at(6) },
        { id: 'ends-now', start: at(-1), end: at(0) },
        { id: 'active', start: at(-1), end: at(1), reason: 'disk swap' },
        { id: 'starts-now', start: at(0), end: at(2), reason: '' },
      ],
      now,
    );
    expect(shown).toEqual([
      { id: 'active', start: at(-1), end: at(1), reason: 'disk swap', active: true },
      { id: 'starts-now', start: at(0), end: at(2), active: true },
      { id: 'later', start: at(5), end: at(6), active: false },
    ]);
    expect(formatInstant('2026-12-06T10:11:12.345Z')).toBe('2026-12-06 10:11 UTC');
    expect(formatInstant('not a date')).toBe('not a date');
    expect(timeUntil(at(2), now)).toBe('in 2 h');
    expect(timeUntil(new Date(now + 90_000).toISOString(), now)).toBe('in 1 min');
    expect(timeUntil(new Date(now + 1_500).toISOString(), now)).toBe('in 2 s');
    expect(timeUntil(at(49), now)).toBe('in 2 d');
    expect(timeUntil(at(-1), now)).toBe('now');
    expect(
      uptimeText(
        { day: '2026-11-30', perc_uptime: 99.5, online_seconds: 1, observed_seconds: 1 },
        'available',
      ),
    ).toBe('2026-11-30: 99.5% available');
  });

  it("counts the overview's buckets per verdict, worst first", () => {
    expect(
      verdictSummary([
        'OPERATIONAL',
        'DEGRADED',
        'OPERATIONAL',
        'MAJOR_OUTAGE',
        'UNKNOWN',
        'MAINTENANCE',
        'PARTIAL_OUTAGE',
      ]),
    ).toBe('1 major outage, 1 partial outage, 1 degraded, 1 maintenance, 1 unknown, 2 operational');
    expect(verdictSummary([])).toBe('');
    // A verdict the page does not know yet is still counted, after the known ones.
    expect(verdictSummary(['NEW_ONE', 'OPERATIONAL'])).toBe(
      '1 operational, 1 NEW_ONE'.toLowerCase(),
    );
  });

  it('has a distinct message for 401, 403, 404 and 503 of the overview and of a workspace', () => {
    for (const messages of [overviewProblemFor, workspaceProblemFor]) {
      expect([401, 403, 404, 503].map((s) => messages(s).kind)).toEqual([
        'unauthorized',
        'forbidden',
        'not-found',
        'unavailable',
      ]);
      expect(new Set([401, 403, 404, 503].map((s) => messages(s).title)).size).toBe(4);
    }
    expect(overviewProblemFor(403).title).not.toBe(problemFor(403).title);
    expect(overviewProblemFor(404).title).toBe('User not found');
    expect(workspaceProblemFor(404).title).toBe('Workspace not found');
    expect(overviewProblemFor(503, 3).detail).toContain('3 s');
  });
});
