import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type {
  BucketRowWrite,
  BucketWriteOutcome,
  WriteBucketReport,
} from '../ingest/receive-node-report.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { N, readNumber, S } from './attributes.ts';
import { bucketPk, nodeSk } from './keys.ts';

/**
 * The conditional UpdateItem for one bucket's NODE# row: the row must exist (the node is
 * assigned to the bucket) and hold no newer report. Exported so the benchmark's floor issues
 * exactly the same request.
 */
export function bucketRowUpdate(tableName: string, write: BucketRowWrite): UpdateItemCommandInput {
  const { bucket } = write;
  const values: UpdateItemCommandInput['ExpressionAttributeValues'] = {
    ':ts': N(write.timestamp),
    ':ip': S(write.ip),
    ':region': S(write.region),
    ':version': S(write.version),
    ':status': S(bucket.status),
    ':lastUpdated': S(write.receivedAt),
  };
  let update =
    'SET reportedAt = :ts, ip = :ip, #region = :region, #version = :version,' +
    ' #status = :status, lastUpdated = :lastUpdated';
  if (bucket.latencyMs === undefined) {
    update += ' REMOVE latency_ms';
  } else {
    update += ', latency_ms = :latency';
    values[':latency'] = N(bucket.latencyMs);
  }
  return {
    TableName: tableName,
    Key: { pk: S(bucketPk(bucket.bucketId)), sk: S(nodeSk(write.nodeId)) },
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(reportedAt) OR reportedAt < :ts)',
    UpdateExpression: update,
    ExpressionAttributeNames: { '#region': 'region', '#version': 'version', '#status': 'status' },
    ExpressionAttributeValues: values,
  };
}

export function createBucketReportWriter(
  client: DynamoDBClient,
  tableName: string,
): WriteBucketReport {
  return async function writeBucketReport(write: BucketRowWrite): Promise<BucketWriteOutcome> {
    const input = bucketRowUpdate(tableName, write);
    try {
      await client.send(new UpdateItemCommand(input));
      return 'written';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) rethrowAsUnavailable(error);
    }
    // Refused: tell "not assigned" from "a newer report is already stored" (failure path only).
    // An equal reportedAt is this very report: the SDK retried a write whose first attempt
    // landed but timed out. Only one request per (node, timestamp) passes the replay guard.
    const existing = await client
      .send(
        new GetItemCommand({
          TableName: tableName,
          Key: input.Key,
          ProjectionExpression: 'reportedAt',
          ConsistentRead: true,
        }),
      )
      .catch(rethrowAsUnavailable);
    if (existing.Item === undefined) return 'not-assigned';
    return readNumber(existing.Item, 'reportedAt') === write.timestamp ? 'written' : 'superseded';
  };
}
