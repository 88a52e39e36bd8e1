import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { readString } from '../data/attributes.ts';
import { EVENTS_PK_PREFIX } from '../data/events.ts';
import type { RecordedEvent } from '../domain/alert-message.ts';
import { type FanOutDeps, fanOutEvents } from './fan-out.ts';

/** A stream record's new image as a recorded event; undefined for anything else. */
export function eventOfRecord(record: DynamoDBRecord): RecordedEvent | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
  if (image === undefined || !readString(image, 'pk')?.startsWith(EVENTS_PK_PREFIX)) {
    return undefined;
  }
  const id = readString(image, 'id');
  const bucketId = readString(image, 'bucketId');
  const nodeId = readString(image, 'nodeId');
  const from = readString(image, 'from');
  const to = readString(image, 'to');
  const at = readString(image, 'at');
  if (!id || !bucketId || !nodeId || !from || !to || !at) return undefined;
  return {
    id,
    bucketId,
    nodeId,
    ip: readString(image, 'ip'),
    region: readString(image, 'region'),
    from,
    to,
    at,
  };
}

/**
 * The table's stream (filtered to event-row INSERTs by the event source mapping) to the
 * delivery queue and EventBridge. A failed batch is reported from its first record, so Lambda
 * retries it (bisecting) and, after the retries, parks it in the stream's failure queue;
 * deliveries are at-least-once, and receivers deduplicate by `webhook-id`.
 */
export function createStreamHandler(deps: FanOutDeps & { logger: Logger }) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records ?? [];
    const events = records.map(eventOfRecord).filter((e) => e !== undefined);
    if (events.length === 0) return { batchItemFailures: [] };
    try {
      const { messages, published } = await fanOutEvents(events, deps);
      deps.logger.info('events fanned out', {
        events: events.length,
        deliveries: messages.length,
        published,
      });
      return { batchItemFailures: [] };
    } catch (error) {
      deps.logger.error('fan-out failed; the batch will be retried', {
        error: error instanceof Error ? error : String(error),
      });
      const first = records[0]?.dynamodb?.SequenceNumber;
      return { batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first }] };
    }
  };
}
