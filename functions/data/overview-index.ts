/**
 * The overview index (`overview`: partition `pk`, sort `ovAt`; functions/data/table-definition.ts):
 * per bucket, the node rows its health log does not account for by itself, so the workspace
 * overview reads those rows only (docs/ARCHITECTURE.md, "The workspace overview"). A row's
 * `ovAt` is
 * - `!N` from its assignment until its first report (it is assigned, and counts nowhere yet);
 * - `!P` from a write that may leave changes unrecorded (a report's write that plans from its
 *   predecessor) until they are recorded (the pending events' clearer);
 * - the `sweepAt` of its last report otherwise, until the sweep takes the row out (REMOVE);
 * - `~` (after every slot) when the clearer finds the row already swept.
 * Both marks sort before every slot (`!` < digits), so one Query `ovAt <= <slot>` returns the
 * marked rows and the rows whose last report's slot is that old.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HealthNodeRow } from '../domain/ports/health.ts';
import type { LoadOverviewRows } from '../domain/ports/overview.ts';
import { ATTR as A, type Item, readString, S } from './attributes.ts';
import { batchGetAll } from './batch-get.ts';
import { HEALTH_ROW_PROJECTION, healthNodeRowOf } from './bucket-nodes.ts';
import { bucketPk, NODE_SK_PREFIX } from './keys.ts';
import { queryAll } from './query-all.ts';
import { OVERVIEW_INDEX, OVERVIEW_MARK } from './table-definition.ts';

/**
 * The reader: the bucket's marked rows and the rows whose last report's slot started at or
 * before `nowMs - stale` (every row whose report may be stale by `nowMs`, and no row whose
 * report is fresh for a whole slot longer), keys only; then those rows' reports (BatchGetItem),
 * unless a row is pending (the overview then reads the bucket as GET health). The bound is the
 * instant, not the start of its slot (the same rows while the slot width holds): a row's slot
 * may be of another width (written under another STALE_AFTER_SECONDS), and any slot starts at
 * or before its report.
 */
export function createOverviewRowsReader(
  client: DynamoDBClient,
  tableName: string,
  staleAfterSeconds: number,
): LoadOverviewRows {
  return async function loadOverviewRows(bucketId, nowMs) {
    const cutoff = new Date(nowMs - staleAfterSeconds * 1000).toISOString();
    const keys: Item[] = [];
    let neverReported = 0;
    let pending = false;
    await queryAll(
      client,
      {
        TableName: tableName,
        IndexName: OVERVIEW_INDEX.name,
        KeyConditionExpression: `${A.pk} = :pk AND ${A.overviewAt} <= :cutoff`,
        ExpressionAttributeValues: { ':pk': S(bucketPk(bucketId)), ':cutoff': S(cutoff) },
      },
      (items) => {
        for (const item of items) {
          const mark = readString(item, A.overviewAt);
          if (mark === OVERVIEW_MARK.pending) pending = true;
          else if (mark === OVERVIEW_MARK.neverReported) neverReported++;
          else keys.push({ pk: item[A.pk] as Item[string], sk: item[A.sk] as Item[string] });
        }
      },
    );
    if (pending) return { pending: true };
    // No keys, no request.
    const items = await batchGetAll(client, tableName, keys, HEALTH_ROW_PROJECTION);
    const rows: HealthNodeRow[] = [];
    for (const item of items) {
      const sk = readString(item, A.sk);
      if (sk?.startsWith(NODE_SK_PREFIX)) {
        rows.push(healthNodeRowOf(sk.slice(NODE_SK_PREFIX.length), item));
      }
    }
    return { pending: false, neverReported, rows };
  };
}
