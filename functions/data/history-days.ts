/**
 * History rows (docs/ARCHITECTURE.md, "History"): `HIST#<bucketId>#<day>` / `NODE#<nodeId>`, one
 * per node and ended day, TTL `expiresAt` = end of the day + HISTORY_RETENTION_DAYS.
 */
import {
  type DynamoDBClient,
  PutItemCommand,
  type PutItemCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../domain/errors.ts';
import type { ReportedStatus } from '../domain/node-status.ts';
import type { LoadHistoryDays, StoredDay } from '../domain/ports/history.ts';
import type { HistoryDaysWrite, WriteHistoryDays } from '../domain/ports/ingest.ts';
import { DAY_MS, type DayRecord, dayStartMs } from '../domain/timeline.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { HISTORY_ATTR as H, type Item, N, readNumber, readString, S } from './attributes.ts';
import { NODE_SK_PREFIX, nodeSk } from './keys.ts';
import { queryAll } from './query-all.ts';

export const HISTORY_PK_PREFIX = 'HIST#';
export const historyPk = (bucketId: string, day: string) =>
  `${HISTORY_PK_PREFIX}${bucketId}#${day}`;

const DAY_SECONDS = 86_400;

/** The history row's TTL: the end of its day plus the retention, epoch seconds. */
export const historyExpiresAt = (day: string, retentionDays: number) =>
  Math.floor((dayStartMs(day) + DAY_MS) / 1000) + retentionDays * DAY_SECONDS;

/** The PutItem of one ended day: deterministic content, so repeating it changes nothing. */
export function historyDayPut(
  tableName: string,
  write: Omit<HistoryDaysWrite, 'days'>,
  record: DayRecord,
  retentionDays: number,
): PutItemCommandInput {
  const item: Item = {
    pk: S(historyPk(write.bucketId, record.day)),
    sk: S(nodeSk(write.nodeId)),
    [H.day]: S(record.day),
    [H.onlineMs]: N(record.onlineMs),
    [H.latencySum]: N(record.latSum),
    [H.latencyCount]: N(record.latCount),
    [H.expiresAt]: N(historyExpiresAt(record.day, retentionDays)),
  };
  if (write.assignedAt !== undefined) item[H.assignedAt] = N(write.assignedAt);
  if (record.lastLatencyMs !== undefined) item[H.lastLatencyMs] = N(record.lastLatencyMs);
  if (record.lastAt !== undefined) item[H.lastAt] = N(record.lastAt);
  if (record.lastStatus !== undefined) item[H.lastStatus] = S(record.lastStatus);
  return { TableName: tableName, Item: item };
}

/** Writes ended days, all in parallel. Transient faults: ServiceUnavailableError. */
export function createHistoryDayWriter(
  client: DynamoDBClient,
  tableName: string,
  options: { retentionDays: number },
): WriteHistoryDays {
  return async function writeHistoryDays(write: HistoryDaysWrite): Promise<void> {
    await Promise.all(
      write.days.map((record) =>
        client
          .send(new PutItemCommand(historyDayPut(tableName, write, record, options.retentionDays)))
          .catch(rethrowAsUnavailable),
      ),
    );
  };
}

/** The Query of one bucket-day: every node's row of that day. Exported for the benchmark. */
export function historyDayQuery(
  tableName: string,
  bucketId: string,
  day: string,
): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': S(historyPk(bucketId, day)) },
    ProjectionExpression: [
      'sk',
      H.assignedAt,
      '#day',
      '#on',
      H.latencySum,
      H.latencyCount,
      H.lastLatencyMs,
      '#at',
      H.lastStatus,
      H.expiresAt,
    ].join(', '),
    // Reserved words in DynamoDB expressions.
    ExpressionAttributeNames: { '#day': H.day, '#on': H.onlineMs, '#at': H.lastAt },
  };
}

const isStatus = (s: string | undefined): s is ReportedStatus => s === 'ONLINE' || s === 'OFFLINE';

/**
 * Reads the history rows of `days` for a bucket: one Query per day, all in parallel, pages
 * followed. Rows whose TTL has passed are left out (TTL deletes late). Returns, per node, its
 * stored days. With `maxRowsPerDay`, a day whose partition holds more rows (nodes that have left
 * the bucket keep theirs) is a ValidationError after reading at most one row more.
 */
export function createHistoryDayReader(client: DynamoDBClient, tableName: string): LoadHistoryDays {
  return async function loadHistoryDays(
    bucketId: string,
    days: readonly string[],
    nowMs: number,
    maxRowsPerDay?: number,
  ): Promise<Map<string, Map<string, StoredDay>>> {
    const byNode = new Map<string, Map<string, StoredDay>>();
    const nowS = nowMs / 1000;
    await Promise.all(
      days.map(async (day) => {
        const complete = await queryAll(
          client,
          historyDayQuery(tableName, bucketId, day),
          (items) => {
            for (const item of items) {
              const sk = readString(item, 'sk');
              const onlineMs = readNumber(item, H.onlineMs);
              const expiresAt = readNumber(item, H.expiresAt);
              if (sk === undefined || !sk.startsWith(NODE_SK_PREFIX) || onlineMs === undefined) {
                continue;
              }
              if (expiresAt !== undefined && expiresAt <= nowS) continue;
              const nodeId = sk.slice(NODE_SK_PREFIX.length);
              const status = readString(item, H.lastStatus);
              let stored = byNode.get(nodeId);
              if (stored === undefined) {
                stored = new Map();
                byNode.set(nodeId, stored);
              }
              stored.set(day, {
                day,
                onlineMs,
                latSum: readNumber(item, H.latencySum) ?? 0,
                latCount: readNumber(item, H.latencyCount) ?? 0,
                lastLatencyMs: readNumber(item, H.lastLatencyMs),
                lastAt: readNumber(item, H.lastAt),
                lastStatus: isStatus(status) ? status : undefined,
                assignedAt: readNumber(item, H.assignedAt),
              });
            }
          },
          maxRowsPerDay,
        );
        if (!complete) {
          throw new ValidationError(
            `the bucket's history of ${day} holds more than ${maxRowsPerDay} rows (nodes that ` +
              `have left the bucket keep theirs), the most each of ${days.length} days may ` +
              'read; ask for fewer days',
          );
        }
      }),
    );
    return byNode;
  };
}
