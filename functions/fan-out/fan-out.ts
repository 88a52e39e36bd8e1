import {
  type AlertData,
  alertData,
  type DeliveryMessage,
  deliveryMessage,
  type RecordedEvent,
  webhookBody,
} from '../domain/alert-message.ts';

/**
 * From recorded events to deliveries: each event goes to every webhook of its bucket's
 * workspace (one queue message per event x webhook) and, deployed, to EventBridge.
 */
export interface FanOutDeps {
  loadBucketWorkspace: (bucketId: string) => Promise<string | undefined>;
  listWebhookTargets: (workspaceId: string) => Promise<{ webhookId: string; slot: number }[]>;
  enqueue: (messages: DeliveryMessage[]) => Promise<void>;
  /** EventBridge PutEvents (deployed); absent locally. */
  publish?: (details: AlertData[]) => Promise<void>;
  now?: () => number;
}

export async function fanOutEvents(
  events: readonly RecordedEvent[],
  deps: FanOutDeps,
): Promise<{ messages: DeliveryMessage[]; published: number }> {
  const timestamp = new Date((deps.now ?? Date.now)()).toISOString();
  // Per batch, each bucket's workspace and each workspace's webhooks are read once.
  const workspaces = new Map<string, Promise<string | undefined>>();
  const targets = new Map<string, Promise<{ webhookId: string; slot: number }[]>>();
  const resolved = await Promise.all(
    events.map(async (event) => {
      let workspace = workspaces.get(event.bucketId);
      if (workspace === undefined) {
        workspace = deps.loadBucketWorkspace(event.bucketId);
        workspaces.set(event.bucketId, workspace);
      }
      const workspaceId = await workspace;
      if (workspaceId === undefined) return undefined;
      let hooks = targets.get(workspaceId);
      if (hooks === undefined) {
        hooks = deps.listWebhookTargets(workspaceId);
        targets.set(workspaceId, hooks);
      }
      return { event, workspaceId, hooks: await hooks };
    }),
  );
  const messages: DeliveryMessage[] = [];
  const details: AlertData[] = [];
  for (const entry of resolved) {
    if (entry === undefined) continue;
    const data = alertData(entry.event, entry.workspaceId);
    details.push(data);
    const body = webhookBody(data, timestamp);
    for (const hook of entry.hooks) {
      messages.push(
        deliveryMessage({
          eventId: entry.event.id,
          workspaceId: entry.workspaceId,
          webhookId: hook.webhookId,
          slot: hook.slot,
          body,
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
