import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { readNumber, readString } from '../data/attributes.ts';
import { EVENTS_PK_PREFIX } from '../data/events.ts';
import { HEALTH_EVENT_SK_PREFIX, HEALTH_PK_PREFIX } from '../data/keys.ts';
import type { RecordedEvent, RecordedHealthEvent } from '../domain/alert-message.ts';
import type { Logger } from '../shared/logger.ts';
import { type FannedOutEvent, type FanOutDeps, fanOutEvents } from './fan-out.ts';

/** A health event row's image (HEALTH#<bucketId>, sk E#<at>#<to>); undefined otherwise. */
function healthEventOfImage(
  image: Record<string, AttributeValue>,
): RecordedHealthEvent | undefined {
  const pk = readString(image, 'pk') as string;
  if (!readString(image, 'sk')?.startsWith(HEALTH_EVENT_SK_PREFIX)) return undefined;
  const bucketId = pk.slice(HEALTH_PK_PREFIX.length);
  const id = readString(image, 'id');
  const from = readString(image, 'from');
  const to = readString(image, 'to');
  const at = readString(image, 'at');
  const counted = readNumber(image, 'counted');
  const online = readNumber(image, 'online');
  if (!bucketId || !id || !from || !to || !at || counted === undefined || online === undefined) {
    return undefined;
  }
  return { kind: 'health', id, bucketId, from, to, at, counted, online };
}

/**
 * A stream record's new image as a recorded event: a node event row (EVENTS#) or a bucket
 * health event row (HEALTH#, sk E#); undefined for anything else.
 */
export function eventOfRecord(record: DynamoDBRecord): FannedOutEvent | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
  const pk = image === undefined ? undefined : readString(image, 'pk');
  if (image === undefined || pk === undefined) return undefined;
  if (pk.startsWith(HEALTH_PK_PREFIX)) return healthEventOfImage(image);
  if (!pk.startsWith(EVENTS_PK_PREFIX)) return undefined;
  return nodeEventOfImage(image);
}

function nodeEventOfImage(image: Record<string, AttributeValue>): RecordedEvent | undefined {
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
 * The table's stream (filtered to event-row and health-event-row INSERTs by the event source
 * mapping) to the
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
