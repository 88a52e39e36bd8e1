/**
 * GET /bucket/{bucketId}/health and GET /bucket/{bucketId}/health/events (DESIGN.md section
 * 13), and the public health routes of a share (section 17), each with its access decision
 * (functions/domain/ports/bucket-reads.ts#DecideBucketRead): plain functions over the ports of
 * functions/domain/ports/, the timeline advanced to now by ./health-timeline-read.ts.
 */
import { Unavailable, ValidationError } from '../domain/errors.ts';
import { parseEventsLimit } from '../domain/events.ts';
import { decodeCursor, encodeCursor } from '../domain/events-cursor.ts';
import { MIN_ONLINE_PERCENT, verdictOf } from '../domain/health.ts';
import {
  type CountedView,
  healthEventFloor,
  mergeHealthEvents,
  toHealthBody,
  toHealthEventView,
  withHealthEventId,
} from '../domain/health-read.ts';
import { type NodeStatusView, toNodeStatusViews } from '../domain/node-status.ts';
import type { DecideBucketRead } from '../domain/ports/bucket-reads.ts';
import type {
  HealthNodeRow,
  LoadHealthEventsPage,
  OpenHealthBucket,
} from '../domain/ports/health.ts';
import type { BucketHealth, HealthEventsPage } from '../wire/health.ts';
import {
  advanceToNow,
  type HealthTimelineDeps,
  lastReportsOf,
  readHealthPartition,
  tailAfterCheckpoint,
} from './health-timeline-read.ts';

export type { BucketHealth, HealthEventsPage };

export interface ReadBucketHealthDeps extends HealthTimelineDeps {
  openHealthBucket: OpenHealthBucket;
  eventRetentionDays: number;
  now?: () => number;
}

export interface ReadHealthEventsDeps extends ReadBucketHealthDeps {
  loadHealthEventsPage: LoadHealthEventsPage;
  /** The cursor's HMAC key (functions/shared/cursor-key.ts). */
  cursorKey: () => Promise<Uint8Array>;
}

const DAY_MS = 86_400_000;
type HealthEventsPageOf = Awaited<ReturnType<LoadHealthEventsPage>>;

/**
 * The reads both routes share: the access decision's (the user's partition; nothing for a
 * share), the bucket's first page and the health partition (STATE, windows, the tail from a
 * bound known in advance), with `alongside` (a route's own read, like GET events' page), in
 * one round trip; the decision; then the bucket's further pages and, only when the tail read
 * did not cover the checkpoint, the tail from it, in parallel; then the timeline advanced to
 * now.
 */
async function readTimeline<T = undefined>(
  decide: DecideBucketRead,
  bucketId: string,
  deps: ReadBucketHealthDeps,
  nowMs: number,
  alongside?: () => Promise<T>,
) {
  const [check, page, reads, extra] = await Promise.all([
    decide(),
    deps.openHealthBucket(bucketId),
    readHealthPartition(bucketId, nowMs, deps),
    alongside?.(),
  ]);
  check(page.owner);
  const [rows, tail] = await Promise.all([
    page.allNodes(),
    tailAfterCheckpoint(bucketId, reads, deps),
  ]);
  const step = advanceToNow(reads, tail, lastReportsOf(rows), nowMs, deps);
  return { rows, reads, tail, step, extra };
}

/** GET /bucket/{bucketId}/health. */
export async function readBucketHealth(
  decide: DecideBucketRead,
  bucketId: string,
  deps: ReadBucketHealthDeps,
): Promise<BucketHealth> {
  const nowMs = (deps.now ?? Date.now)();
  return (await readBucketHealthAndNodes(decide, bucketId, deps, nowMs)).health;
}

/** A bucket at one instant: GET health's body and GET status's node views of the same rows. */
export interface BucketHealthAndNodes {
  health: BucketHealth;
  /** The bucket's node rows, in sort-key order. */
  rows: HealthNodeRow[];
  /** GET status's view of each row (`statuses[i]` is `rows[i]`'s), at the same instant. */
  statuses: NodeStatusView[];
}

/**
 * GET health at `nowMs`, with the node rows it read and their GET status views (the one
 * toNodeStatusViews of GET status, at the same instant): what the workspace's metrics expose.
 */
export async function readBucketHealthAndNodes(
  decide: DecideBucketRead,
  bucketId: string,
  deps: ReadBucketHealthDeps,
  nowMs: number,
): Promise<BucketHealthAndNodes> {
  const { rows, reads, tail, step } = await readTimeline(decide, bucketId, deps, nowMs);
  const statuses = toNodeStatusViews(rows, nowMs, deps.staleAfterSeconds * 1000);
  const views: CountedView[] = rows.map((row, i) => ({
    status: statuses[i]?.status ?? 'DISCONNECTED',
    counted: row.lastAt !== undefined || row.lastUpdated !== undefined,
  }));
  let latestReportAt: number | undefined;
  for (const row of rows) {
    if (row.lastAt !== undefined && (latestReportAt === undefined || row.lastAt > latestReportAt)) {
      latestReportAt = row.lastAt;
    }
  }
  const checkpoint = step?.checkpoint;
  // The timeline 1 ms before now, when the stored checkpoint is not later than that.
  const storedAsOf = reads.state?.checkpoint?.asOf;
  const before =
    storedAsOf !== undefined && nowMs - 1 >= storedAsOf
      ? advanceToNow(reads, tail, lastReportsOf(rows), nowMs - 1, deps)?.checkpoint
      : undefined;
  const health = toHealthBody({
    bucketId,
    views,
    // No checkpoint yet (a bucket from before health, until the sweep starts its timeline):
    // the rows' verdict under the default policy, with no change on record.
    timeline: checkpoint ?? {
      verdict: verdictOf(
        {
          counted: views.filter((v) => v.counted).length,
          online: views.filter((v) => v.status === 'ONLINE').length,
        },
        MIN_ONLINE_PERCENT.fallback,
        false,
      ),
      minOnlinePercent: MIN_ONLINE_PERCENT.fallback,
    },
    latestReportAt,
    timelineJustBefore: before,
    windows: reads.windows,
    nowMs,
    eventRetentionDays: deps.eventRetentionDays,
  });
  return { health, rows, statuses };
}

async function keyOf(deps: ReadHealthEventsDeps): Promise<Uint8Array> {
  try {
    return await deps.cursorKey();
  } catch (error) {
    throw new Unavailable('Health events are temporarily unavailable; retry shortly', 1, {
      cause: error,
    });
  }
}

export interface HealthEventsQuery {
  bucketId: string;
  limit: string | undefined;
  cursor: string | undefined;
}

/**
 * The MAC's scope of a health events cursor: the bucket and `health` (ids hold no newline and
 * positions none either), so a cursor of GET events never passes here, nor one of here there.
 */
const cursorScope = (bucketId: string) => `${bucketId}\nhealth`;

/** Positions of health events: `E#<at ISO>#<verdict>`. */
const HEALTH_POSITION = /^E#\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Z_]{1,20}$/;

/**
 * GET /bucket/{bucketId}/health/events: the limit and the cursor checked first (400 before any
 * read), then the reads of GET health with one page of recorded health events alongside, then
 * the page: recorded events merged with the changes the read computed after the checkpoint.
 */
export async function readBucketHealthEvents(
  decide: DecideBucketRead,
  query: HealthEventsQuery,
  deps: ReadHealthEventsDeps,
): Promise<HealthEventsPage> {
  const { bucketId } = query;
  const limit = parseEventsLimit(query.limit);
  const key = await keyOf(deps);
  let before: string | undefined;
  if (query.cursor !== undefined) {
    before = decodeCursor(key, cursorScope(bucketId), query.cursor);
    if (before === undefined || !HEALTH_POSITION.test(before)) {
      throw new ValidationError("cursor is not a cursor of this bucket's health events");
    }
  }
  const nowMs = (deps.now ?? Date.now)();
  const oldestMs = nowMs - deps.eventRetentionDays * DAY_MS;
  const oldestAt = new Date(oldestMs).toISOString();
  const { step, extra } = await readTimeline(decide, bucketId, deps, nowMs, () =>
    deps.loadHealthEventsPage({ bucketId, limit, before, oldestAt }),
  );
  const computed = (step?.changes ?? []).map((change) => withHealthEventId(bucketId, change));
  const page = mergeHealthEvents(
    extra as HealthEventsPageOf,
    computed,
    limit,
    before,
    healthEventFloor(oldestAt),
    step?.from,
  );
  const response: HealthEventsPage = { bucketId, events: page.events.map(toHealthEventView) };
  const last = page.events.at(-1);
  if (page.more && last !== undefined) {
    response.nextCursor = encodeCursor(key, cursorScope(bucketId), last.position);
  }
  return response;
}
