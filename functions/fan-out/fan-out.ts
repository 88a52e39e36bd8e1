import {
  type AlertData,
  alertData,
  type DeliveryMessage,
  deliveryMessage,
  EVENTBRIDGE_DETAIL_TYPE,
  EVENTBRIDGE_HEALTH_DETAIL_TYPE,
  type EventBridgeDetail,
  type HealthAlertData,
  healthAlertData,
  healthWebhookBody,
  type RecordedEvent,
  type RecordedHealthEvent,
  webhookBody,
} from '../domain/alert-message.ts';
import {
  type AlertPolicy,
  confirmationDelaySeconds,
  type DeliveryCheck,
  silencedByMaintenance,
  storedPolicy,
  subscribes,
} from '../domain/alert-policy.ts';
import type { MaintenanceWindow } from '../domain/health.ts';

/**
 * From recorded events to deliveries (DESIGN.md sections 10, 15 and 16): a node event goes to
 * the webhooks of its bucket's workspace that take `node.status_changed`, unless its instant
 * is inside an active maintenance window of the bucket; a bucket health event goes to those
 * that take `bucket.health_changed`. One queue message per event x webhook; a webhook with
 * `minDurationSeconds` D > 0 gets its message with a check of what must still hold at
 * `at + D` (the queue delays it until then, see `deliveryDelaySeconds`). Deployed, every event
 * also goes to EventBridge.
 */
export interface WebhookTarget extends Partial<AlertPolicy> {
  webhookId: string;
  slot: number;
}

export interface FanOutDeps {
  loadBucketWorkspace: (bucketId: string) => Promise<string | undefined>;
  /** A target without `events` or `minDurationSeconds` reads as both types and 0. */
  listWebhookTargets: (workspaceId: string) => Promise<WebhookTarget[]>;
  /** The bucket's maintenance windows (functions/data/maintenance-windows.ts#loadWindows). */
  loadWindows?: (bucketId: string) => Promise<MaintenanceWindow[]>;
  enqueue: (messages: DeliveryMessage[]) => Promise<void>;
  /** EventBridge PutEvents (deployed); absent locally. */
  publish?: (details: EventBridgeDetail[]) => Promise<void>;
  now?: () => number;
}

export type FannedOutEvent = RecordedEvent | RecordedHealthEvent;

const isHealth = (event: FannedOutEvent): event is RecordedHealthEvent =>
  'kind' in event && event.kind === 'health';

/**
 * When the queue hands a message to its delivery: at once without a check; otherwise at
 * `at + holdSeconds`, or at once when that has passed.
 */
export const deliveryDelaySeconds = (message: DeliveryMessage, nowMs: number) =>
  message.check === undefined
    ? 0
    : confirmationDelaySeconds(Date.parse(message.check.at), message.check.holdSeconds, nowMs);

/** Per batch, each bucket's workspace, windows and each workspace's webhooks are read once. */
function memo<T>(load: (key: string) => Promise<T>) {
  const seen = new Map<string, Promise<T>>();
  return (key: string) => {
    let value = seen.get(key);
    if (value === undefined) {
      value = load(key);
      seen.set(key, value);
    }
    return value;
  };
}

export async function fanOutEvents(
  events: readonly FannedOutEvent[],
  deps: FanOutDeps,
): Promise<{ messages: DeliveryMessage[]; published: number }> {
  const timestamp = new Date((deps.now ?? Date.now)()).toISOString();
  const workspaceOf = memo(deps.loadBucketWorkspace);
  const targetsOf = memo(deps.listWebhookTargets);
  const loadWindows = deps.loadWindows;
  const windowsOf = memo(async (bucketId) =>
    loadWindows === undefined ? [] : loadWindows(bucketId),
  );
  const resolved = await Promise.all(
    events.map(async (event) => {
      const workspaceId = await workspaceOf(event.bucketId);
      if (workspaceId === undefined) return undefined;
      const [hooks, windows] = await Promise.all([
        targetsOf(workspaceId),
        // Windows silence node events only: a health event is read without them.
        isHealth(event) ? [] : windowsOf(event.bucketId),
      ]);
      return { event, workspaceId, hooks, windows };
    }),
  );
  const messages: DeliveryMessage[] = [];
  const details: EventBridgeDetail[] = [];
  for (const entry of resolved) {
    if (entry === undefined) continue;
    const { event, workspaceId } = entry;
    let body: string;
    let type: 'node.status_changed' | 'bucket.health_changed';
    let check: (holdSeconds: number) => DeliveryCheck;
    if (isHealth(event)) {
      const data: HealthAlertData = healthAlertData(event, workspaceId);
      details.push({ detailType: EVENTBRIDGE_HEALTH_DETAIL_TYPE, detail: data });
      body = healthWebhookBody(data, timestamp);
      type = 'bucket.health_changed';
      check = (holdSeconds) => ({
        subject: 'bucket',
        bucketId: event.bucketId,
        to: event.to,
        at: event.at,
        holdSeconds,
      });
    } else {
      const data: AlertData = alertData(event, workspaceId);
      details.push({ detailType: EVENTBRIDGE_DETAIL_TYPE, detail: data });
      if (silencedByMaintenance(entry.windows, Date.parse(event.at))) continue;
      body = webhookBody(data, timestamp);
      type = 'node.status_changed';
      check = (holdSeconds) => ({
        subject: 'node',
        bucketId: event.bucketId,
        nodeId: event.nodeId,
        to: event.to,
        at: event.at,
        holdSeconds,
      });
    }
    for (const hook of entry.hooks) {
      const policy = storedPolicy(hook.events, hook.minDurationSeconds);
      if (!subscribes(policy, type)) continue;
      messages.push(
        deliveryMessage({
          eventId: event.id,
          workspaceId,
          webhookId: hook.webhookId,
          slot: hook.slot,
          body,
          check: policy.minDurationSeconds > 0 ? check(policy.minDurationSeconds) : undefined,
        }),
      );
    }
  }
  await Promise.all([
    messages.length > 0 ? deps.enqueue(messages) : undefined,
    details.length > 0 && deps.publish ? deps.publish(details) : undefined,
  ]);
  return { messages, published: deps.publish ? details.length : 0 };
}
