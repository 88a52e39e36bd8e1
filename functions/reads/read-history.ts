/**
 * The history reads (DESIGN.md section 8): POST /bucket/{bucketId}/stats and GET
 * /bucket/{bucketId}/uptime, and the public uptime route of a share (DESIGN.md section 17), each
 * with its access decision (functions/domain/ports/bucket-reads.ts#DecideBucketRead). Plain
 * functions over the ports of functions/domain/ports/history.ts;
 * the figures are functions/domain/timeline.ts#dayFigures over what storage holds.
 */
import type { HealthInput } from '../domain/health.ts';
import { bucketDays, type LastReport } from '../domain/health-read.ts';
import type { DayDurations } from '../domain/health-timeline.ts';
import type { BucketReadGrant, DecideBucketRead } from '../domain/ports/bucket-reads.ts';
import type { LoadClosedDays } from '../domain/ports/health.ts';
import type {
  HistoryBucketPage,
  HistoryNodeRow,
  LoadHistoryBucket,
  LoadHistoryDays,
  StoredDay,
} from '../domain/ports/history.ts';
import {
  type DayFigures,
  type DayRecord,
  dayFigures,
  dayOf,
  dayStartMs,
} from '../domain/timeline.ts';
import {
  assertUptimeReadBounded,
  lastDays,
  MAX_UPTIME_NODE_DAYS,
  oldestKeptDay,
  parseStatsDay,
  toStatsEntry,
  toUptimeDay,
} from '../domain/uptime.ts';
import type { StatsResponse, UptimeNode, UptimeResponse } from '../wire/history.ts';
import {
  advanceToNow,
  type HealthReads,
  type HealthTimelineDeps,
  readHealthPartition,
  tailAfterCheckpoint,
} from './health-timeline-read.ts';

export interface ReadHistoryDeps extends HealthTimelineDeps {
  loadClosedDays: LoadClosedDays;
  loadHistoryBucket: LoadHistoryBucket;
  loadHistoryDays: LoadHistoryDays;
  staleAfterSeconds: number;
  historyRetentionDays: number;
  now?: () => number;
}

export type { StatsResponse, UptimeNode, UptimeResponse };

/**
 * The access decision's reads, the bucket's first page and the health partition (STATE,
 * windows, the recent tail) in parallel, then the decision: the page, the health reads, and
 * what the reader may see.
 */
async function authorize(
  decide: DecideBucketRead,
  bucketId: string,
  nowMs: number,
  deps: ReadHistoryDeps,
): Promise<{ page: HistoryBucketPage; health: HealthReads; grant: BucketReadGrant }> {
  const [check, page, health] = await Promise.all([
    decide(),
    deps.loadHistoryBucket(bucketId),
    readHealthPartition(bucketId, nowMs, deps),
  ]);
  return { page, health, grant: check(page.owner) };
}

/** The rows' last reports since assignment (their slots), as the verdict timeline sees them. */
const lastReportsOf = (nodes: readonly HistoryNodeRow[]): LastReport[] =>
  nodes.flatMap((node) =>
    node.slot === undefined
      ? []
      : [{ nodeId: node.nodeId, at: node.slot.lastAt, status: node.slot.status }],
  );

/** The stored closed days among `days` (those before the checkpoint's day): one Query. */
async function loadStoredDays(
  bucketId: string,
  days: readonly string[],
  health: HealthReads,
  deps: ReadHistoryDeps,
): Promise<Map<string, DayDurations>> {
  const checkpointDay = health.state?.checkpoint?.day;
  const last = days.filter((day) => checkpointDay !== undefined && day < checkpointDay).at(-1);
  if (last === undefined) return new Map();
  const stored = await deps.loadClosedDays(bucketId, days[0] as string, last);
  return new Map(stored.map((d) => [d.day, d.durations]));
}

/**
 * The bucket's verdict figures of `days` (ascending): the stored closed days before the
 * checkpoint's day, the others from the checkpoint advanced to now.
 */
const bucketFigures = (
  days: readonly string[],
  stored: ReadonlyMap<string, DayDurations>,
  health: HealthReads,
  tail: readonly HealthInput[],
  nodes: readonly HistoryNodeRow[],
  nowMs: number,
  deps: ReadHistoryDeps,
) => bucketDays(days, stored, advanceToNow(health, tail, lastReportsOf(nodes), nowMs, deps));

/** A node's stored days of its current assignment (rows of an earlier one are ignored). */
const NO_RECORDS: ReadonlyMap<string, DayRecord> = new Map();

function recordsOf(
  node: HistoryNodeRow,
  stored: Map<string, Map<string, StoredDay>>,
): ReadonlyMap<string, DayRecord> {
  const all = stored.get(node.nodeId);
  if (all === undefined) return NO_RECORDS;
  let foreign = false;
  for (const record of all.values()) if (record.assignedAt !== node.assignedAt) foreign = true;
  if (!foreign) return all;
  const records = new Map<string, DayRecord>();
  for (const [day, record] of all) {
    if (record.assignedAt === node.assignedAt) records.set(day, record);
  }
  return records;
}

function figuresOf(
  node: HistoryNodeRow,
  day: string,
  records: ReadonlyMap<string, DayRecord>,
  nowMs: number,
  deps: ReadHistoryDeps,
  dayStart?: number,
): DayFigures {
  return dayFigures(
    day,
    { row: node.slot, records, assignedAt: node.assignedAt },
    nowMs,
    deps.staleAfterSeconds * 1000,
    dayStart,
  );
}

/** POST /bucket/{bucketId}/stats with an already parsed JSON body. */
export async function readBucketStats(
  decide: DecideBucketRead,
  bucketId: string,
  body: unknown,
  deps: ReadHistoryDeps,
): Promise<StatsResponse> {
  const nowMs = (deps.now ?? Date.now)();
  const day = parseStatsDay(body, nowMs, deps.historyRetentionDays);
  const { page, health } = await authorize(decide, bucketId, nowMs, deps);
  // Today has no history row yet: its figures are all in the bucket rows.
  const [nodes, tail, stored, closed] = await Promise.all([
    page.allNodes(),
    tailAfterCheckpoint(bucketId, health, deps),
    day === dayOf(nowMs) ? new Map() : deps.loadHistoryDays(bucketId, [day], nowMs),
    loadStoredDays(bucketId, [day], health, deps),
  ]);
  const figures = bucketFigures([day], closed, health, tail, nodes, nowMs, deps);
  return {
    success: true,
    bucketId,
    day,
    nodeStats: nodes.map((node) =>
      toStatsEntry(node, figuresOf(node, day, recordsOf(node, stored), nowMs, deps)),
    ),
    bucket: figures[0] as StatsResponse['bucket'],
  };
}

/**
 * GET /bucket/{bucketId}/uptime?days=N. The nodes first (no request more when the bucket's
 * first page holds them all), then, if nodes x ended days is within MAX_UPTIME_NODE_DAYS, one
 * Query per ended day in the window (in parallel), each reading at most its share of that bound
 * (a 400 for a day with more rows, which nodes that left the bucket cause); days older than the
 * retention show nothing observed.
 */
export async function readBucketUptime(
  decide: DecideBucketRead,
  bucketId: string,
  dayCount: number,
  deps: ReadHistoryDeps,
): Promise<UptimeResponse> {
  const nowMs = (deps.now ?? Date.now)();
  const days = lastDays(nowMs, dayCount);
  const oldest = oldestKeptDay(nowMs, deps.historyRetentionDays);
  const today = dayOf(nowMs);
  const dayStarts = days.map(dayStartMs);
  const { page, health, grant } = await authorize(decide, bucketId, nowMs, deps);
  const [nodes, tail] = await Promise.all([
    page.allNodes(),
    tailAfterCheckpoint(bucketId, health, deps),
  ]);
  const historyDays = days.filter((day) => day >= oldest && day !== today);
  assertUptimeReadBounded(nodes.length, dayCount, historyDays.length);
  // A day's partition also holds the rows of nodes that have left the bucket: each day may
  // read its share of the bound, no more.
  const [stored, closed] = await Promise.all([
    deps.loadHistoryDays(
      bucketId,
      historyDays,
      nowMs,
      Math.floor(MAX_UPTIME_NODE_DAYS / historyDays.length),
    ),
    loadStoredDays(bucketId, days, health, deps),
  ]);
  const figures = bucketFigures(days, closed, health, tail, nodes, nowMs, deps);
  return {
    bucketId,
    from: days[0] as string,
    to: today,
    nodes: nodes.map((node) => {
      const records = recordsOf(node, stored);
      const entry = { host: node.nodeId } as UptimeNode;
      if (node.ip !== undefined && grant.showIps) entry.ip = node.ip;
      if (node.region !== undefined) entry.region = node.region;
      entry.days = days.map((day, i) =>
        day < oldest
          ? { day, perc_uptime: null, online_seconds: 0, observed_seconds: 0 }
          : toUptimeDay(figuresOf(node, day, records, nowMs, deps, dayStarts[i])),
      );
      return entry;
    }),
    bucket: { days: figures },
  };
}
