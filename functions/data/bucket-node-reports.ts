/**
 * The writer of a report's bucket rows. Since history (docs/ARCHITECTURE.md, "History") the
 * NODE# row is also the state timeline's store, so the writer is the timeline writer.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTimelineWriter } from './bucket-timeline.ts';

export { steadyUpdate as bucketRowUpdate } from './bucket-timeline.ts';

export function createBucketReportWriter(
  client: DynamoDBClient,
  tableName: string,
  options: { staleAfterMs: number },
) {
  return createTimelineWriter(client, tableName, options);
}

export type WriteBucketReport = ReturnType<typeof createBucketReportWriter>;
