/**
 * One entry of GET /workspace/{workspaceId}/buckets: what GET /bucket/{bucketId}/health answers
 * at the request's instant (DESIGN.md section 14), read from the bucket's log instead of its
 * node rows where the log accounts for them (docs/ARCHITECTURE.md, "The workspace overview").
 *
 * GET health's counts are the rows' views; its timeline (the stored checkpoint advanced with
 * the tail and the silences the sweep has not recorded) counts, at the same instant, the nodes
 * per their recorded changes. The two agree node by node when every change of every row is on
 * record, the unrecorded silences included, except for a report exactly stale at that instant
 * (its view still shows it; its change to DISCONNECTED is at that instant). So an entry reads,
 * besides GET health's health partition, the bucket's overview index: the rows that never
 * reported (counted by key), the rows whose report may be stale (read, for their silences and
 * the exact-instant case), and whether a row's changes may be unrecorded. It reads the bucket
 * as GET health does when that is so, when the timeline keeps no `offline` count (a bucket of
 * an older release) or when the counts would put `since` at the latest report (rows and log
 * disagreeing): the same answer in every case, by GET health's own code where it is needed.
 */
import type { BucketOwner } from '../domain/access.ts';
import { bodyVerdict, type NodeCounts, toHealthBody } from '../domain/health-read.ts';
import type { DecideBucketRead } from '../domain/ports/bucket-reads.ts';
import type { HealthNodeRow } from '../domain/ports/health.ts';
import type { LoadOverviewRows } from '../domain/ports/overview.ts';
import {
  advanceToNow,
  lastReportsOf,
  readHealthPartition,
  readStart,
  tailAfterCheckpoint,
} from '../reads/health-timeline-read.ts';
import { type ReadBucketHealthDeps, readBucketHealth } from '../reads/read-bucket-health.ts';
import type { BucketHealth } from '../wire/health.ts';

export interface ReadOverviewEntryDeps extends ReadBucketHealthDeps {
  loadBucketOwner: (bucketId: string) => Promise<BucketOwner | undefined>;
  loadOverviewRows: LoadOverviewRows;
}

/**
 * The views' counts of the rows the log accounts for, from the timeline at `nowMs` (`offline`
 * kept): the log's, plus each candidate row exactly stale at `nowMs` (the log has it
 * DISCONNECTED from that instant; its view shows its status until the next millisecond), plus
 * the rows that never reported (assigned, DISCONNECTED, not counted).
 */
export function countsFromLog(
  log: { counted: number; online: number; offline: number },
  rows: readonly HealthNodeRow[],
  neverReported: number,
  nowMs: number,
  staleMs: number,
): NodeCounts {
  let { online, offline } = log;
  for (const report of lastReportsOf(rows)) {
    if (report.at + staleMs !== nowMs) continue;
    if (report.status === 'ONLINE') online++;
    else offline++;
  }
  return { assigned: log.counted + neverReported, counted: log.counted, online, offline };
}

/** The entry of one bucket at `nowMs` (GET health's body), its access decided by `decide`. */
export async function readOverviewEntry(
  decide: DecideBucketRead,
  bucketId: string,
  deps: ReadOverviewEntryDeps,
  nowMs: number,
): Promise<BucketHealth> {
  const [check, owner, reads, index] = await Promise.all([
    decide(),
    deps.loadBucketOwner(bucketId),
    readHealthPartition(bucketId, nowMs, deps),
    deps.loadOverviewRows(bucketId, nowMs),
  ]);
  check(owner);
  const asGetHealth = () => readBucketHealth(decide, bucketId, { ...deps, now: () => nowMs });
  const stored = reads.state?.checkpoint;
  if (index.pending || stored === undefined || stored.asOf > nowMs) return asGetHealth();
  // A late input of a day before the checkpoint's (a pending change recorded after the sweep's
  // checkpoint passed midnight) is in no read's timeline until the sweep recomputes that day:
  // only the rows account for it.
  const markAt = reads.state?.markAt;
  if (markAt !== undefined && markAt <= stored.asOf && readStart(reads) === stored) {
    return asGetHealth();
  }
  const tail = await tailAfterCheckpoint(bucketId, reads, deps);
  const reports = lastReportsOf(index.rows);
  // A step exists once a checkpoint does; it keeps `offline` when its start does.
  const step = advanceToNow(reads, tail, reports, nowMs, deps);
  if (step?.checkpoint.offline === undefined) return asGetHealth();
  const { checkpoint } = step;
  const staleMs = deps.staleAfterSeconds * 1000;
  const nodes = countsFromLog(
    { ...checkpoint.counts, offline: step.checkpoint.offline },
    index.rows,
    index.neverReported,
    nowMs,
    staleMs,
  );
  // With the checkpoint as of now, this is the step at now again (its start, its end): the
  // same verdict as the timeline's, which adds nothing to `sinceKnown` or `since`.
  const before = advanceToNow(reads, tail, reports, nowMs - 1, deps)?.checkpoint;
  const body = {
    bucketId,
    timeline: checkpoint,
    timelineJustBefore: before,
    windows: reads.windows,
    nowMs,
    eventRetentionDays: deps.eventRetentionDays,
  };
  if (!bodyVerdict(body, nodes).sinceKnown) return asGetHealth();
  return toHealthBody({ ...body, nodes, latestReportAt: undefined });
}
