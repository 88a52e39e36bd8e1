import type {
  AcceptReportTimestamp,
  ClearPendingEvents,
  ForgetHints,
  GetRegisteredNode,
  RecordTransitions,
  WriteBucketReport,
  WriteHistoryDays,
} from '../domain/ports/ingest.ts';

/** Every port the ingest use case calls (functions/domain/ports/ingest.ts), and its rate limit. */
export interface IngestDeps {
  getRegisteredNode: GetRegisteredNode;
  acceptReportTimestamp: AcceptReportTimestamp;
  writeBucketReport: WriteBucketReport;
  writeHistoryDays: WriteHistoryDays;
  recordTransitions: RecordTransitions;
  clearPendingEvents: ClearPendingEvents;
  /**
   * Drops the guard's hints of buckets the node is not assigned to, so a node reporting for
   * buckets it does not serve cannot grow its META row (data/node-registry.ts). Best effort.
   */
  forgetHints: ForgetHints;
  minReportIntervalMs: number;
}
