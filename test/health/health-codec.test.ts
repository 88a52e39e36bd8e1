// The health partition's row codecs (functions/data/bucket-health.ts, health-inputs.ts) on their
// own: every field written, and a row missing or spoiling any field read as none.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  CLOSED_DAY_SK_PREFIX,
  checkpointItem,
  closedDayItem,
  entryItem,
  healthEventItem,
  healthEventsPageQuery,
  readCheckpoint,
  readClosedDay,
  readHealthEvent,
  readHealthState,
} from '../../functions/data/bucket-health.ts';
import { toOtherInput, uncountPut } from '../../functions/data/health-inputs.ts';
import { HEALTH_EVENT_SK_PREFIX } from '../../functions/data/keys.ts';
import { healthEventId } from '../../functions/domain/events.ts';
import type {
  DayDurations,
  HealthCheckpoint,
  HealthPoint,
} from '../../functions/domain/health-timeline.ts';

type Item = Record<string, AttributeValue>;
const T = Date.parse('2026-12-06T10:11:12.345Z');
const durations: DayDurations = {
  operationalMs: 1,
  degradedMs: 2,
  partialOutageMs: 3,
  majorOutageMs: 4,
  maintenanceMs: 5,
  unknownMs: 6,
  observedMs: 21,
};
const checkpoint: HealthCheckpoint = {
  asOf: T,
  createdAt: T - 1000,
  day: '2026-12-06',
  counts: { counted: 4, online: 3 },
  minOnlinePercent: 75,
  verdict: 'DEGRADED',
  since: T - 10,
  dayDurations: durations,
};
const entry: HealthPoint = {
  counts: { counted: 2, online: 1 },
  minOnlinePercent: 60,
  verdict: 'PARTIAL_OUTAGE',
  since: T - 99_000,
};
const without = (item: Item, name: string): Item => {
  const { [name]: _, ...rest } = item;
  return rest;
};

describe('STATE', () => {
  const item: Item = {
    ...checkpointItem(checkpoint),
    ...entryItem(entry),
    ver: { N: '3' },
    markSeq: { N: '7' },
    sweepAt: { S: 'H2026-12-06T10:00:00.000Z' },
  };

  it('writes every field under its name', () => {
    expect(checkpointItem(checkpoint)).toStrictEqual({
      asOf: { N: String(T) },
      createdAt: { N: String(T - 1000) },
      day: { S: '2026-12-06' },
      counted: { N: '4' },
      online: { N: '3' },
      pct: { N: '75' },
      verdict: { S: 'DEGRADED' },
      since: { N: String(T - 10) },
      dOp: { N: '1' },
      dDeg: { N: '2' },
      dPart: { N: '3' },
      dMaj: { N: '4' },
      dMaint: { N: '5' },
      dUnk: { N: '6' },
      dObs: { N: '21' },
    });
    expect(entryItem(entry)).toStrictEqual({
      eCounted: { N: '2' },
      eOnline: { N: '1' },
      ePct: { N: '60' },
      eVerdict: { S: 'PARTIAL_OUTAGE' },
      eSince: { N: String(T - 99_000) },
    });
  });

  it('reads back the checkpoint, the entry, the version, the mark count and the mark', () => {
    expect(readHealthState(item)).toStrictEqual({
      checkpoint,
      entry,
      ver: 3,
      markSeq: 7,
      markAt: Date.parse('2026-12-06T10:00:00.000Z'),
    });
  });

  it('a missing or spoiled field makes the checkpoint or the entry none', () => {
    for (const name of [
      'asOf',
      'createdAt',
      'day',
      'counted',
      'online',
      'pct',
      'verdict',
      'dObs',
    ]) {
      expect(readCheckpoint(without(item, name)), name).toBeUndefined();
    }
    expect(readCheckpoint({ ...item, verdict: { S: 'FINE' } })).toBeUndefined();
    for (const name of ['eCounted', 'eOnline', 'ePct', 'eVerdict']) {
      const state = readHealthState(without(item, name));
      expect(state.entry, name).toBeUndefined();
      expect(state.checkpoint).toStrictEqual(checkpoint);
    }
    const { since: _, ...noSince } = checkpoint;
    expect(readHealthState(without(item, 'since')).checkpoint).toStrictEqual(noSince);
    expect('since' in (readHealthState(without(item, 'since')).checkpoint ?? {})).toBe(false);
  });

  it('a mark that is not an H mark is none', () => {
    expect(readHealthState({ ...item, sweepAt: { S: '2026-12-06T10:00:00.000Z' } }).markAt).toBe(
      undefined,
    );
    expect(readHealthState({ ...item, sweepAt: { S: 'Hnot-a-time' } }).markAt).toBeUndefined();
    expect(readHealthState(without(item, 'sweepAt')).markAt).toBeUndefined();
  });
});

describe('E# rows', () => {
  const change = {
    from: 'OPERATIONAL' as const,
    to: 'MAJOR_OUTAGE' as const,
    at: T,
    counts: { counted: 3, online: 0 },
  };
  const item = healthEventItem('b1', change, 90);

  it('writes the event with its id and TTL (the instant + the retention)', () => {
    const atIso = new Date(T).toISOString();
    expect(healthEventItem('b1', change, 90)).toStrictEqual({
      pk: { S: 'HEALTH#b1' },
      sk: { S: `E#${atIso}#MAJOR_OUTAGE` },
      id: { S: healthEventId('b1', atIso, 'MAJOR_OUTAGE') },
      from: { S: 'OPERATIONAL' },
      to: { S: 'MAJOR_OUTAGE' },
      at: { S: atIso },
      counted: { N: '3' },
      online: { N: '0' },
      expiresAt: { N: String(Math.floor(T / 1000) + 90 * 86_400) },
    });
    expect(HEALTH_EVENT_SK_PREFIX).toBe('E#');
  });

  it('reads it back; without an id it derives it; a missing field is none', () => {
    const atIso = new Date(T).toISOString();
    const read = {
      ...change,
      id: healthEventId('b1', atIso, 'MAJOR_OUTAGE'),
      position: item.sk?.S,
    };
    expect(readHealthEvent(item, 'b1')).toStrictEqual(read);
    expect(readHealthEvent(without(item, 'id'), 'b1')).toStrictEqual(read);
    for (const name of ['sk', 'from', 'to', 'at', 'counted', 'online']) {
      expect(readHealthEvent(without(item, name), 'b1'), name).toBeUndefined();
    }
    expect(readHealthEvent({ ...item, at: { S: 'yesterday' } }, 'b1')).toBeUndefined();
    expect(readHealthEvent({ ...item, to: { S: 'DOWN' } }, 'b1')).toBeUndefined();
    expect(readHealthEvent({ ...item, from: { S: 'UP' } }, 'b1')).toBeUndefined();
  });

  it('pages newest first between the retention floor and above every event', () => {
    expect(
      healthEventsPageQuery('t', { bucketId: 'b1', oldestAt: '2026-12-01T00:00:00.000Z' }),
    ).toStrictEqual({
      TableName: 't',
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :oldest AND :ceiling',
      ExpressionAttributeValues: {
        ':pk': { S: 'HEALTH#b1' },
        ':oldest': { S: 'E#2026-12-01T00:00:00.000Z' },
        ':ceiling': { S: 'E$' },
      },
      ScanIndexForward: false,
    });
  });
});

describe('D# rows', () => {
  const day = { day: '2026-12-05', durations, entry };
  const item = closedDayItem('b1', day, 400);

  it('writes the day with its entry and TTL (the day end + the retention)', () => {
    expect(closedDayItem('b1', day, 400)).toStrictEqual({
      pk: { S: 'HEALTH#b1' },
      sk: { S: 'D#2026-12-05' },
      dOp: { N: '1' },
      dDeg: { N: '2' },
      dPart: { N: '3' },
      dMaj: { N: '4' },
      dMaint: { N: '5' },
      dUnk: { N: '6' },
      dObs: { N: '21' },
      counted: { N: '2' },
      online: { N: '1' },
      pct: { N: '60' },
      verdict: { S: 'PARTIAL_OUTAGE' },
      since: { N: String(T - 99_000) },
      expiresAt: { N: String(Date.parse('2026-12-06T00:00:00.000Z') / 1000 + 400 * 86_400) },
    });
    expect(CLOSED_DAY_SK_PREFIX).toBe('D#');
  });

  it('reads it back; a missing field or another sort key is none', () => {
    expect(readClosedDay(item)).toStrictEqual(day);
    for (const name of ['sk', 'dOp', 'dObs', 'counted', 'verdict']) {
      expect(readClosedDay(without(item, name)), name).toBeUndefined();
    }
    expect(readClosedDay({ ...item, sk: { S: 'E#2026-12-05' } })).toBeUndefined();
  });
});

describe('I# rows', () => {
  it('the uncount put: its key, fields and TTL', () => {
    expect(
      uncountPut('t', { bucketId: 'b1', nodeId: 'n1', atMs: T }, { retentionDays: 400 }),
    ).toStrictEqual({
      TableName: 't',
      Item: {
        pk: { S: 'HEALTH#b1' },
        sk: { S: `I#${new Date(T).toISOString()}#U#n1` },
        kind: { S: 'U' },
        nodeId: { S: 'n1' },
        at: { N: String(T) },
        expiresAt: { N: String(Math.floor(T / 1000) + 400 * 86_400) },
      },
    });
  });

  it('reads an uncount and a policy; anything else is none', () => {
    const iso = new Date(T).toISOString();
    expect(toOtherInput({ sk: { S: `I#${iso}#U#n1` }, nodeId: { S: 'n1' } })).toStrictEqual({
      kind: 'uncount',
      at: T,
      nodeId: 'n1',
    });
    expect(toOtherInput({ sk: { S: `I#${iso}#P` }, pct: { N: '1' } })).toStrictEqual({
      kind: 'policy',
      at: T,
      minOnlinePercent: 1,
    });
    for (const item of [
      {},
      { sk: { S: `X#${iso}#P` }, pct: { N: '50' } },
      { sk: { S: 'I#2026-12-06T10:11:12Z#P' }, pct: { N: '50' } },
      { sk: { S: `I#${iso}#Q` }, pct: { N: '50' } },
      { sk: { S: `I#${iso}#U#n1` } },
      { sk: { S: `I#${iso}#U#n1` }, nodeId: { S: 'n2' } },
      { sk: { S: `I#${iso}#U#undefined` } },
      { sk: { S: 'I#2026-13-01T00:00:00.000Z#P' }, pct: { N: '50' } },
      { sk: { S: 'I#2026-12-06 10:11:12.345Z#P' }, pct: { N: '50' } },
      { sk: { S: `I#${iso}#X#n1` }, nodeId: { S: 'n1' } },
    ] as Item[]) {
      expect(toOtherInput(item), JSON.stringify(item)).toBeUndefined();
    }
  });
});
