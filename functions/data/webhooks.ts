import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { storedPolicy, type WebhookEventType } from '../domain/alert-policy.ts';
import { rethrowAsUnavailable } from '../shared/dynamo-client.ts';
import { type Item, N, readNumber, readString, S } from './attributes.ts';
import { bucketPk, META_SK, workspacePk } from './keys.ts';
import { queryAll } from './query-all.ts';

/**
 * Webhook rows (docs/ARCHITECTURE.md, "Webhook rows"). They live in the workspace's own
 * partition, next to its META row, under ten fixed slot keys:
 *
 *   pk WORKSPACE#<workspaceId>  sk WEBHOOK#<slot 0-9>
 *   webhookId, url, description?, createdAt, secret, events? (L of S), minDuration? (N)
 *
 * A row without `events` or `minDuration` reads as both event types and 0 (DESIGN.md
 * section 16: the webhooks created before the fields existed).
 *
 * The slot keys are what makes the limit of ten race-safe without transactions (dynalite has
 * none): creating is one PutItem on a free slot with `attribute_not_exists(pk)`; two creators
 * racing for the same slot cannot both win, and an eleventh row has no key to go to.
 * Deleting is one DeleteItem conditioned on the webhookId, so a slot reused after a delete is
 * never deleted by a stale request, and a delivery for the old webhook finds another id.
 */

export const MAX_WEBHOOKS_PER_WORKSPACE = 10;
export const WEBHOOK_SK_PREFIX = 'WEBHOOK#';
export { workspacePk };
export const webhookSk = (slot: number) => `${WEBHOOK_SK_PREFIX}${slot}`;

export interface WebhookSummary {
  webhookId: string;
  slot: number;
  url: string;
  description: string | undefined;
  createdAt: string;
  events: WebhookEventType[];
  minDurationSeconds: number;
}

/** A new row: without `events` or `minDurationSeconds` it reads as the defaults. */
export interface WebhookWithSecret
  extends Omit<WebhookSummary, 'events' | 'minDurationSeconds'>,
    Partial<Pick<WebhookSummary, 'events' | 'minDurationSeconds'>> {
  secret: string;
}

/** What PATCH may change; an absent field stays, a `description` of undefined is removed. */
export interface WebhookChanges {
  url?: string;
  description?: string | undefined;
  events?: WebhookEventType[];
  minDurationSeconds?: number;
}

const EVENTS_ATTR = 'events';
const MIN_DURATION_ATTR = 'minDuration';

export interface WorkspaceWebhooks {
  /** The workspace's META row; undefined when the workspace does not exist. */
  workspace: { orgId: string | undefined } | undefined;
  /** In slot order. */
  webhooks: WebhookSummary[];
}

/**
 * The ten slot keys, each to its slot. Any other sort key under the prefix (`WEBHOOK#10`,
 * `WEBHOOK#01`, `WEBHOOK#`) is no webhook row: its webhook could be neither delivered to nor
 * deleted, since both address the slot's own key.
 */
const SLOT_OF_SK: ReadonlyMap<string | undefined, number> = new Map(
  Array.from({ length: MAX_WEBHOOKS_PER_WORKSPACE }, (_, slot) => [webhookSk(slot), slot]),
);

function toSummary(item: Item, slot: number): WebhookSummary | undefined {
  const webhookId = readString(item, 'webhookId');
  const url = readString(item, 'url');
  const createdAt = readString(item, 'createdAt');
  if (webhookId === undefined || url === undefined || createdAt === undefined) return undefined;
  const events = item[EVENTS_ATTR]?.L?.map((v) => v.S).filter((v) => v !== undefined);
  return {
    webhookId,
    slot,
    url,
    description: readString(item, 'description'),
    createdAt,
    ...storedPolicy(events, readNumber(item, MIN_DURATION_ATTR)),
  };
}

const eventsValue = (events: readonly string[]) => ({ L: events.map(S) });

export function createWebhookStore(client: DynamoDBClient, tableName: string) {
  return {
    /**
     * The workspace partition from META on, in one Query: META and the webhook rows, never the
     * secrets (the projection leaves them out), never the API key slots (`APIKEY#` sorts
     * before `META`). At most 11 small rows, so one page. The Query returns them in key order,
     * WEBHOOK#0 to WEBHOOK#9: slot order.
     */
    async loadWorkspaceWebhooks(workspaceId: string): Promise<WorkspaceWebhooks> {
      let workspace: WorkspaceWebhooks['workspace'];
      const webhooks: WebhookSummary[] = [];
      await queryAll(
        client,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :meta',
          ExpressionAttributeValues: { ':pk': S(workspacePk(workspaceId)), ':meta': S(META_SK) },
          ProjectionExpression: `sk, orgId, webhookId, #url, description, createdAt, #events, ${MIN_DURATION_ATTR}`,
          ExpressionAttributeNames: { '#url': 'url', '#events': EVENTS_ATTR },
          ConsistentRead: true,
        },
        (items) => {
          for (const item of items) {
            const sk = readString(item, 'sk');
            if (sk === META_SK) workspace = { orgId: readString(item, 'orgId') };
            const slot = SLOT_OF_SK.get(sk);
            const summary = slot === undefined ? undefined : toSummary(item, slot);
            if (summary !== undefined) webhooks.push(summary);
          }
        },
      );
      // Key order is slot order only while slots are single digits: sort, at no cost.
      webhooks.sort((a, b) => a.slot - b.slot);
      return { workspace, webhooks };
    },

    /** Claims a slot; false when another writer holds it already. */
    async putWebhook(workspaceId: string, webhook: WebhookWithSecret): Promise<boolean> {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: S(workspacePk(workspaceId)),
              sk: S(webhookSk(webhook.slot)),
              webhookId: S(webhook.webhookId),
              url: S(webhook.url),
              ...(webhook.description !== undefined && { description: S(webhook.description) }),
              createdAt: S(webhook.createdAt),
              secret: S(webhook.secret),
              ...(webhook.events !== undefined && { [EVENTS_ATTR]: eventsValue(webhook.events) }),
              ...(webhook.minDurationSeconds !== undefined && {
                [MIN_DURATION_ATTR]: N(webhook.minDurationSeconds),
              }),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        return rethrowAsUnavailable(error);
      }
    },

    /**
     * Changes the webhook in `slot` if it is still `webhookId` (one UpdateItem on that
     * condition); the changed webhook, or undefined when the slot holds no such webhook.
     */
    async updateWebhook(
      workspaceId: string,
      slot: number,
      webhookId: string,
      changes: WebhookChanges,
    ): Promise<WebhookSummary | undefined> {
      const sets: string[] = [];
      const removes: string[] = [];
      const names: Record<string, string> = {};
      const values: Item = { ':id': S(webhookId) };
      const set = (attribute: string, value: Item[string]) => {
        names[`#${attribute}`] = attribute;
        values[`:${attribute}`] = value;
        sets.push(`#${attribute} = :${attribute}`);
      };
      if (changes.url !== undefined) set('url', S(changes.url));
      if ('description' in changes) {
        if (changes.description === undefined) {
          names['#description'] = 'description';
          removes.push('#description');
        } else {
          set('description', S(changes.description));
        }
      }
      if (changes.events !== undefined) set(EVENTS_ATTR, eventsValue(changes.events));
      if (changes.minDurationSeconds !== undefined) {
        set(MIN_DURATION_ATTR, N(changes.minDurationSeconds));
      }
      const update = [
        ...(sets.length > 0 ? [`SET ${sets.join(', ')}`] : []),
        ...(removes.length > 0 ? [`REMOVE ${removes.join(', ')}`] : []),
      ].join(' ');
      try {
        const { Attributes: item } = await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: S(workspacePk(workspaceId)), sk: S(webhookSk(slot)) },
            // An empty change still proves the webhook is there (and answers it).
            UpdateExpression: update === '' ? 'SET webhookId = :id' : update,
            ConditionExpression: 'webhookId = :id',
            ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return item === undefined ? undefined : toSummary(item, slot);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        return rethrowAsUnavailable(error);
      }
    },

    /** Deletes the webhook in `slot` if it is still `webhookId`; false otherwise. */
    async deleteWebhook(workspaceId: string, slot: number, webhookId: string): Promise<boolean> {
      try {
        await client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: { pk: S(workspacePk(workspaceId)), sk: S(webhookSk(slot)) },
            ConditionExpression: 'webhookId = :id',
            ExpressionAttributeValues: { ':id': S(webhookId) },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        return rethrowAsUnavailable(error);
      }
    },

    /** The webhook a delivery is for, with its secret; undefined once it was deleted. */
    async loadWebhookForDelivery(
      workspaceId: string,
      slot: number,
      webhookId: string,
    ): Promise<WebhookWithSecret | undefined> {
      const { Item: item } = await client
        .send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: S(workspacePk(workspaceId)), sk: S(webhookSk(slot)) },
            ConsistentRead: true,
          }),
        )
        .catch(rethrowAsUnavailable);
      if (item === undefined || readString(item, 'webhookId') !== webhookId) return undefined;
      const summary = toSummary(item, slot);
      const secret = readString(item, 'secret');
      return summary === undefined || secret === undefined ? undefined : { ...summary, secret };
    },

    /** The delivery targets of a workspace (ids and slots, no secrets): for the fan-out. */
    async listWebhookTargets(workspaceId: string): Promise<WebhookSummary[]> {
      return (await this.loadWorkspaceWebhooks(workspaceId)).webhooks;
    },

    /** The workspace a bucket belongs to (its META row). */
    async loadBucketWorkspace(bucketId: string): Promise<string | undefined> {
      const { Item: item } = await client
        .send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: S(bucketPk(bucketId)), sk: S(META_SK) },
            ProjectionExpression: 'workspaceId',
          }),
        )
        .catch(rethrowAsUnavailable);
      return item === undefined ? undefined : readString(item, 'workspaceId');
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
