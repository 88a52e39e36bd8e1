/**
 * The tail of a bucket's verdict timeline: every recorded input after an instant (node events
 * of `EVENTS#<bucketId>`, uncount and policy inputs `I#` of `HEALTH#<bucketId>`), read by the
 * health reads to advance a copy of the checkpoint to now.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HealthInput } from '../domain/health.ts';
import type { NodeStatus } from '../domain/node-status.ts';
import type { LoadHealthTail } from '../domain/ports/health.ts';
import { type Item, readNumber, readString, S } from './attributes.ts';
import { eventsPk } from './events.ts';
import { healthPk } from './keys.ts';
import { queryAll } from './query-all.ts';

const STATES: ReadonlySet<string | undefined> = new Set(['ONLINE', 'OFFLINE', 'DISCONNECTED']);
/** '$' follows '#': above every key that begins with `<prefix>#`. */
const after = (prefix: string) => `${prefix}$`;

function nodeInput(item: Item): HealthInput | undefined {
  const nodeId = readString(item, 'nodeId');
  const from = readString(item, 'from');
  const to = readString(item, 'to');
  const at = Date.parse(readString(item, 'at') ?? '');
  if (nodeId === undefined || !STATES.has(from) || !STATES.has(to) || !Number.isFinite(at)) {
    return undefined;
  }
  return {
    kind: 'node',
    at,
    nodeId,
    from: from as NodeStatus,
    to: to as NodeStatus,
    first: item.first?.BOOL === true,
  };
}

/** `I#<at ISO>#U#<nodeId>` (an uncount) or `I#<at ISO>#P` (a policy, attribute `pct`). */
function otherInput(item: Item): HealthInput | undefined {
  const match = /^I#([^#]+)#(U#(.+)|P)$/.exec(readString(item, 'sk') ?? '');
  if (match === null) return undefined;
  const at = Date.parse(match[1] as string);
  if (!Number.isFinite(at)) return undefined;
  if (match[3] !== undefined) return { kind: 'uncount', at, nodeId: match[3] };
  const pct = readNumber(item, 'pct');
  return pct === undefined ? undefined : { kind: 'policy', at, minOnlinePercent: pct };
}

export function createHealthTailReader(client: DynamoDBClient, tableName: string): LoadHealthTail {
  return async function loadHealthTail(bucketId, afterMs) {
    const afterIso = new Date(afterMs).toISOString();
    const inputs: HealthInput[] = [];
    const collect = (read: (item: Item) => HealthInput | undefined) => (items: Item[]) => {
      for (const item of items) {
        const input = read(item);
        if (input !== undefined) inputs.push(input);
      }
    };
    await Promise.all([
      queryAll(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': S(eventsPk(bucketId)), ':after': S(after(afterIso)) },
          ProjectionExpression: 'nodeId, #from, #to, #at, #first',
          ExpressionAttributeNames: { '#from': 'from', '#to': 'to', '#at': 'at', '#first': 'first' },
        },
        collect(nodeInput),
      ),
      queryAll(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :after AND :ceiling',
          ExpressionAttributeValues: {
            ':pk': S(healthPk(bucketId)),
            ':after': S(after(`I#${afterIso}`)),
            ':ceiling': S('I$'),
          },
        },
        collect(otherInput),
      ),
    ]);
    return inputs;
  };
}
