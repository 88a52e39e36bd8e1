import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { checkpointItem, entryItem } from '../../functions/data/bucket-health.ts';
import { HEALTH_STATE_SK, healthPk } from '../../functions/data/keys.ts';
import { verdictOf } from '../../functions/domain/health.ts';
import { initialCheckpoint } from '../../functions/domain/health-timeline.ts';

/**
 * A bucket's health STATE row holding its initial checkpoint as of `at` (no windows), or one
 * counting `counts` (the nodes counted, ONLINE and OFFLINE as of `at`), written straight to the
 * engine with version 0.
 */
export async function putHealthCheckpoint(
  client: DynamoDBClient,
  tableName: string,
  bucketId: string,
  at: number,
  counts?: { counted: number; online: number; offline: number },
) {
  const initial = initialCheckpoint(at, []);
  const checkpoint =
    counts === undefined
      ? initial
      : {
          ...initial,
          counts: { counted: counts.counted, online: counts.online },
          offline: counts.offline,
          verdict: verdictOf(counts, initial.minOnlinePercent, false),
        };
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        pk: { S: healthPk(bucketId) },
        sk: { S: HEALTH_STATE_SK },
        ...checkpointItem(checkpoint),
        ...entryItem(checkpoint),
        ver: { N: '0' },
      },
    }),
  );
}
