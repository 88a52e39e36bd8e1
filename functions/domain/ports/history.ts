import type { BucketOwner } from '../access.ts';
import type { DayRecord, SlotState } from '../timeline.ts';
import type { HistoryNode } from '../uptime.ts';

/**
 * The history reads' ports (functions/reads/read-history.ts); data/history-nodes.ts and
 * data/history-days.ts implement them.
 */

/** A NODE# row as the history routes read it. */
export interface HistoryNodeRow extends HistoryNode {
  assignedAt: number | undefined;
  /** undefined before the node's first report since assignment. */
  slot: SlotState | undefined;
}

/** The bucket partition's first page (with the owner) and, once allowed, all its nodes. */
export interface HistoryBucketPage {
  owner: BucketOwner | undefined;
  allNodes(): Promise<HistoryNodeRow[]>;
}

/** A history row as stored, with the assignment it belongs to. */
export interface StoredDay extends DayRecord {
  assignedAt: number | undefined;
}

/** Port: the bucket partition, first page first (a refused read costs one page). */
export type LoadHistoryBucket = (bucketId: string) => Promise<HistoryBucketPage>;
/**
 * Port: the history rows of some days of a bucket, per node and day; expired rows left out.
 * With `maxRowsPerDay`, a ValidationError for a day whose partition holds more rows.
 */
export type LoadHistoryDays = (
  bucketId: string,
  days: readonly string[],
  nowMs: number,
  maxRowsPerDay?: number,
) => Promise<Map<string, Map<string, StoredDay>>>;
