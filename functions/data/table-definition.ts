/**
 * The single definition of the bucket-status table. The CDK stack, the local runtime, the
 * admin CLI's tests and the test suite all derive the table from this object, so the key
 * schema cannot drift between AWS and local engines.
 */
export const TABLE_KEY = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const TABLE_BILLING_MODE = 'PAY_PER_REQUEST' as const;

/**
 * The TTL attribute (epoch seconds) of every row that expires: events (EVENT_RETENTION_DAYS),
 * history rows (HISTORY_RETENTION_DAYS). DynamoDB deletes expired rows lazily; readers bound
 * their own queries by the retention too (docs/ARCHITECTURE.md).
 */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The sparse GSI through which the sweep finds rows that went silent without a Scan
 * (docs/ARCHITECTURE.md, "Events and the sweep"). Only NODE# rows whose last report has not
 * been swept carry `sweepShard`; the sort key `sweepAt` is the start of the time slot of the
 * row's last report. Keys only: a report in the same slot as the previous one changes no
 * indexed value, so it costs the index no write.
 */
export const SWEEP_INDEX = {
  name: 'sweep',
  partitionKey: 'sweepShard',
  sortKey: 'sweepAt',
} as const;

/**
 * The sparse GSI through which the workspace overview reads, per bucket, only the node rows
 * the bucket's health log does not already account for (docs/ARCHITECTURE.md, "The workspace
 * overview"): partition `pk` (the bucket's), sort `ovAt`: `!N` for a row that never reported
 * since its assignment, `!P` for one whose report's changes may not be recorded yet, else the
 * row's `sweepAt` (the slot of its last report) until the sweep takes it out (`~`: out of the
 * overview's range, set when a recorded row has no slot). Keys only: a report in the same slot
 * as its predecessor changes no indexed value.
 */
export const OVERVIEW_INDEX = {
  name: 'overview',
  partitionKey: 'pk',
  sortKey: 'ovAt',
} as const;

/** The marks of the overview index's sort key (functions/data/overview-index.ts). */
export const OVERVIEW_MARK = { neverReported: '!N', pending: '!P', idle: '~' } as const;

/** CreateTable input (without TableName) for the DynamoDB API: local engines and tests. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: TABLE_BILLING_MODE,
    AttributeDefinitions: [
      { AttributeName: TABLE_KEY.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE_KEY.sortKey, AttributeType: 'S' as const },
      { AttributeName: SWEEP_INDEX.partitionKey, AttributeType: 'S' as const },
      { AttributeName: SWEEP_INDEX.sortKey, AttributeType: 'S' as const },
      { AttributeName: OVERVIEW_INDEX.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: SWEEP_INDEX.name,
        KeySchema: [
          { AttributeName: SWEEP_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: SWEEP_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      },
      {
        IndexName: OVERVIEW_INDEX.name,
        KeySchema: [
          { AttributeName: OVERVIEW_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: OVERVIEW_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      },
    ],
  };
}
