import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Minimal typed readers for the few scalar attributes this table holds. Cheaper on the hot
 * read path than a general unmarshaller, and absent or mistyped attributes read as undefined.
 */
export type Item = Record<string, AttributeValue>;

export const readString = (item: Item, name: string): string | undefined => item[name]?.S;

/** A number attribute; undefined when absent, not a number attribute, or not finite. */
export const readNumber = (item: Item, name: string): number | undefined => {
  // Number(undefined) is NaN: an absent or non-N attribute fails the finiteness check too.
  const n = Number(item[name]?.N);
  return Number.isFinite(n) ? n : undefined;
};

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });

/**
 * The stored attribute names of a bucket's NODE# row, by meaning (DESIGN.md section 4;
 * docs/ARCHITECTURE.md, "History"). The slot attributes have short stored names (every report
 * writes them); code names them here and the stored names stay as they are.
 */
export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  /** The assignment's start, ms (the operator's write): the node's observed window begins. */
  assignedAt: 'assignedAt',
  // The last report.
  ip: 'ip',
  region: 'region',
  version: 'version',
  status: 'status',
  latencyMs: 'latency_ms',
  /** Its receive time, ISO (the status route's freshness). */
  lastUpdated: 'lastUpdated',
  /** Its receive time, ms (the timeline's instant). */
  lastAt: 'lastAt',
  /** The node's timestamp of the last report: orders reports. */
  reportedAt: 'reportedAt',
  /** The node's timestamp of the report before it (recognises a retried write). */
  previousReportedAt: 'prevTs',
  // The day slot: the figures of the last report's UTC day.
  slotDay: 'hDay',
  /** ONLINE ms of the day so far, less the start of a run still going (domain/timeline.ts). */
  slotOnlineBase: 'hOn',
  slotLatencySum: 'hLs',
  slotLatencyCount: 'hLc',
  // The closed slot: the day that ended at the last rollover.
  closedDay: 'cDay',
  closedOnlineMs: 'cOn',
  closedLatencySum: 'cLs',
  closedLatencyCount: 'cLc',
  closedLastLatencyMs: 'cLat',
  closedLastAt: 'cAt',
  closedLastStatus: 'cStatus',
  // The spill: ONLINE time in the day after the closed one, when that day held no report.
  spillDay: 'sDay',
  spillOnlineMs: 'sOn',
  /** Transitions not yet recorded as events (data/pending-events.ts). */
  pendingEvents: 'pEv',
  /** Set (N 1) while the closed slot is not yet known to be in HIST# rows. */
  pendingHistory: 'pH',
  // The sweep's sparse index (data/sweep-index.ts).
  sweepShard: 'sweepShard',
  sweepAt: 'sweepAt',
  /**
   * The `lastUpdated` of the report whose change to DISCONNECTED the sweep recorded (and
   * marked) when it took the row out of its index; a later report's write makes it stale.
   */
  silenceRecorded: 'sRec',
  /** The overview index's sort key (data/overview-index.ts). */
  overviewAt: 'ovAt',
  /** A health STATE row's count of mark calls (data/health-marks.ts). */
  healthMarkSeq: 'markSeq',
} as const;

/** The stored attribute names of a HIST# row: one node's figures of one ended day. */
export const HISTORY_ATTR = {
  day: 'day',
  onlineMs: 'on',
  latencySum: 'ls',
  latencyCount: 'lc',
  lastLatencyMs: 'lat',
  lastAt: 'at',
  lastStatus: 'st',
  assignedAt: 'assignedAt',
  /** The TTL, epoch seconds. */
  expiresAt: 'expiresAt',
} as const;
