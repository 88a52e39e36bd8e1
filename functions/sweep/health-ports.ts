import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ATTR as A, readNumber, readString, S } from '../data/attributes.ts';
import { createHealthReader, createHealthWriter } from '../data/bucket-health.ts';
import { createNodeInputReader } from '../data/events.ts';
import { createHealthInputs } from '../data/health-inputs.ts';
import { createMarkedBucketsFinder } from '../data/health-marks.ts';
import { bucketPk, META_SK, NODE_SK_PREFIX } from '../data/keys.ts';
import { createWindowLoader } from '../data/maintenance-windows.ts';
import { queryAll } from '../data/query-all.ts';
import type { RecordedHealthEvent } from '../domain/alert-message.ts';
import { healthEventId } from '../domain/events.ts';
import type { BootstrapRow } from '../domain/health-bootstrap.ts';
import type { HealthChange } from '../domain/health-timeline.ts';
import { type HealthStepPorts, LAST_INSTANT } from './health-step.ts';

const minDefined = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** The health step's ports on the table (docs/ARCHITECTURE.md, "Bucket health"). */
export function createHealthStepPorts(
  client: DynamoDBClient,
  tableName: string,
  options: { eventRetentionDays: number; historyRetentionDays: number },
): HealthStepPorts {
  const reader = createHealthReader(client, tableName);
  const writer = createHealthWriter(client, tableName, options);
  const nodeInputs = createNodeInputReader(client, tableName);
  const otherInputs = createHealthInputs(client, tableName, {
    retentionDays: options.historyRetentionDays,
  });
  return {
    findMarked: createMarkedBucketsFinder(client, tableName),
    loadState: (bucketId) => reader.loadHealthState(bucketId, true),
    loadDayEntry: async (bucketId, day) =>
      (await reader.loadClosedDays(bucketId, day, day))[0]?.entry,
    loadInputs: async (bucketId, afterMs, toMs) =>
      (
        await Promise.all([
          nodeInputs.loadNodeInputs(bucketId, afterMs, toMs, true),
          otherInputs.loadOtherInputs(bucketId, afterMs, toMs, true),
        ])
      ).flat(),
    firstInputAfter: async (bucketId, afterMs) => {
      const [node, other] = await Promise.all([
        nodeInputs.firstNodeInputAfter(bucketId, afterMs),
        otherInputs.firstOtherInputAfter(bucketId, afterMs),
      ]);
      return minDefined(node, other);
    },
    loadWindows: createWindowLoader(client, tableName),
    loadRecordedChanges: async (bucketId, afterMs) =>
      (await reader.loadHealthChangesBetween(bucketId, afterMs + 1, LAST_INSTANT, true)).map(
        ({ at, to }) => ({ at, to }),
      ),
    putChanges: writer.putHealthChanges,
    deleteChanges: writer.deleteHealthChanges,
    putClosedDays: writer.putClosedDays,
    writeCheckpoint: writer.writeCheckpoint,
    loadBootstrap: async (bucketId) => {
      const rows: BootstrapRow[] = [];
      let createdAt: number | undefined;
      await queryAll(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': S(bucketPk(bucketId)) },
          ProjectionExpression: 'sk, createdAt, #status, lastAt, lastUpdated',
          ExpressionAttributeNames: { '#status': A.status },
          ConsistentRead: true,
        },
        (items) => {
          for (const item of items) {
            const sk = readString(item, A.sk) ?? '';
            if (sk === META_SK) {
              const created = Date.parse(readString(item, 'createdAt') ?? '');
              if (Number.isFinite(created)) createdAt = created;
              continue;
            }
            if (!sk.startsWith(NODE_SK_PREFIX)) continue;
            const status = readString(item, A.status);
            const at =
              readNumber(item, A.lastAt) ?? Date.parse(readString(item, A.lastUpdated) ?? '');
            const nodeId = sk.slice(NODE_SK_PREFIX.length);
            rows.push(
              (status === 'ONLINE' || status === 'OFFLINE') && Number.isFinite(at)
                ? { nodeId, last: { at, status } }
                : { nodeId },
            );
          }
        },
      );
      return { rows, createdAt };
    },
  };
}

/** A health event as the alert path takes it (functions/domain/alert-message.ts). */
export function recordedHealthEvent(bucketId: string, change: HealthChange): RecordedHealthEvent {
  const at = new Date(change.at).toISOString();
  return {
    kind: 'health',
    id: healthEventId(bucketId, at, change.to),
    bucketId,
    from: change.from,
    to: change.to,
    at,
    counted: change.counts.counted,
    online: change.counts.online,
  };
}
