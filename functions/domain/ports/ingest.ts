import type { KeyObject } from 'node:crypto';
import type { NodeEvent } from '../events.ts';
import type { BucketReport } from '../node-report.ts';
import type { ReportedStatus } from '../node-status.ts';
import type { DayRecord, Transition } from '../timeline.ts';

/**
 * The ingest use case's ports (IngestDeps in functions/ingest/ports.ts): what it needs from the
 * data layer, which implements them (data/node-registry.ts, data/bucket-timeline.ts,
 * data/history-days.ts, data/events.ts).
 */

/** The node's META row, as far as authenticating its reports needs it. */
export interface RegisteredNode {
  publicKey: KeyObject;
  status: string | undefined;
}

/** Port: the node's key and status; undefined for an unknown node or a corrupt key. */
export type GetRegisteredNode = (nodeId: string) => Promise<RegisteredNode | undefined>;

export type ReportGuardOutcome =
  | 'accepted'
  | 'unknown-node'
  | 'disabled'
  | 'replay'
  | 'too-frequent';

export interface ReportGuardInput {
  nodeId: string;
  /** The node's own clock, ms: must be newer than its last accepted report. */
  timestamp: number;
  receivedAtMs: number;
  /** Reports closer together than this (server clock) are refused; 0 turns the limit off. */
  minIntervalMs: number;
  ip: string;
  region: string;
  version: string;
  /** The report's buckets: the guard keeps each one's hint (docs/ARCHITECTURE.md, "History"). */
  buckets?: readonly { bucketId: string; status: ReportedStatus }[];
}

/** A bucket's predecessor as the guard last saw it (the hint). */
export interface BucketHint {
  /** reportedAt (node timestamp) of that report. */
  ts: number;
  /** Its receive time, ms. */
  at: number;
  status: ReportedStatus;
}

/** An accepted report, with the hints the guard held before it (the buckets' predecessors). */
export interface AcceptedWithHints {
  outcome: 'accepted';
  previous: ReadonlyMap<string, BucketHint>;
}

/** Port: the replay guard and per-node rate limit, one atomic step on the node's row. */
export type AcceptReportTimestamp = (
  input: ReportGuardInput,
) => Promise<ReportGuardOutcome | AcceptedWithHints>;

export interface BucketRowWrite {
  nodeId: string;
  bucket: BucketReport;
  ip: string;
  region: string;
  version: string;
  /** The node's timestamp: orders reports, so an older one never overwrites a newer one. */
  timestamp: number;
  /** The server's receive time, ms: becomes lastUpdated. */
  receivedAtMs: number;
  /** The predecessor the guard returned for this bucket, if any. */
  hint?: BucketHint | undefined;
}

export type BucketWriteOutcome = 'written' | 'not-assigned' | 'superseded';

/**
 * A transition the bucket row holds as not yet recorded (data/bucket-timeline.ts, `pEv`): every
 * write that makes transitions stores them with the row, so an event write that fails after the
 * row landed is retried by the next write to the row (docs/ARCHITECTURE.md, "History").
 */
export interface PendingEvent extends Transition {
  /** The ip and region of the report that made it. */
  ip?: string | undefined;
  region?: string | undefined;
}

/** What a landed write did to the timeline (data/bucket-timeline.ts). */
export interface TimelineWritten {
  outcome: 'written';
  /** The changes this report made (functions/domain/timeline.ts#transitionsOf). */
  transitions: Transition[];
  /** ip and region of the predecessor, for a change to DISCONNECTED it describes. */
  predecessor?: { ip?: string | undefined; region?: string | undefined } | undefined;
  /** Ended days to write to history rows (first report of a new day only). */
  closedDays: DayRecord[];
  assignedAt?: number | undefined;
  /** Transitions the row held as pending before this write (earlier reports' unrecorded ones). */
  pending?: readonly PendingEvent[] | undefined;
  /**
   * The sweep recorded (and marked) the predecessor's change to DISCONNECTED: the report's own
   * transition to DISCONNECTED is on record already.
   */
  silenceRecorded?: boolean | undefined;
}

export type BucketWriteResult =
  | { outcome: Exclude<BucketWriteOutcome, 'written'> }
  | TimelineWritten;

/** Port: one bucket's node row and its day slot, exactly once; conditional. */
export type WriteBucketReport = (
  write: BucketRowWrite,
) => Promise<BucketWriteResult | BucketWriteOutcome>;

export interface HistoryDaysWrite {
  bucketId: string;
  nodeId: string;
  /** The assignment the days belong to (rows of another assignment are ignored on read). */
  assignedAt: number | undefined;
  days: readonly DayRecord[];
}

/** Port: ended days of one node to history rows (data/history-days.ts). */
export type WriteHistoryDays = (write: HistoryDaysWrite) => Promise<void>;

/** Port: remove the hints of these buckets from the node's META row. */
export type ForgetHints = (nodeId: string, bucketIds: readonly string[]) => Promise<void>;

/** Port: the transitions a report made, to the event writer (data/events.ts). */
export type RecordTransitions = (events: readonly NodeEvent[]) => Promise<unknown>;

/**
 * Port: after the events are recorded, clear the row's pending events, unless a later report
 * (`timestamp` is this one's) wrote the row since. Best effort: it never fails the report.
 */
export type ClearPendingEvents = (row: {
  bucketId: string;
  nodeId: string;
  timestamp: number;
}) => Promise<void>;
