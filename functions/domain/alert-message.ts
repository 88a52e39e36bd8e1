import type { DeliveryCheck } from './alert-policy.ts';
import { webhookMessageId } from './standard-webhooks.ts';

/**
 * What an alert carries (DESIGN.md sections 9 and 10): the recorded event, the webhook body
 * built from it, and the queue message that one delivery (event x webhook) travels in.
 */

/** An event as the event writer records it (docs/ARCHITECTURE.md, "Events and the sweep"). */
export interface RecordedEvent {
  id: string;
  bucketId: string;
  /** The node id (`host` in the contract). */
  nodeId: string;
  ip?: string | undefined;
  region?: string | undefined;
  from: string;
  to: string;
  at: string;
}

/** A bucket's health event as the sweep records it (partition HEALTH#<bucketId>, sk E#...). */
export interface RecordedHealthEvent {
  kind: 'health';
  id: string;
  bucketId: string;
  from: string;
  to: string;
  at: string;
  counted: number;
  online: number;
}

/** The webhook body's `data`, and the EventBridge event's `detail`. */
export interface AlertData {
  workspaceId: string;
  bucketId: string;
  host: string;
  /** Optional; an undefined one is left out of the JSON body and detail. */
  ip?: string | undefined;
  region?: string | undefined;
  from: string;
  to: string;
  at: string;
}

/** A bucket health event's `data` (DESIGN.md section 16). */
export interface HealthAlertData {
  workspaceId: string;
  bucketId: string;
  from: string;
  to: string;
  at: string;
  nodes: { counted: number; online: number };
}

export const WEBHOOK_EVENT_TYPE = 'node.status_changed';
export const HEALTH_EVENT_TYPE = 'bucket.health_changed';
export const EVENTBRIDGE_SOURCE = 'bucket-status';
export const EVENTBRIDGE_DETAIL_TYPE = 'Node Status Changed';
export const EVENTBRIDGE_HEALTH_DETAIL_TYPE = 'Bucket Health Changed';

/** One EventBridge entry: its detail-type and detail (the webhook body's `data`). */
export type EventBridgeDetail =
  | { detailType: typeof EVENTBRIDGE_DETAIL_TYPE; detail: AlertData }
  | { detailType: typeof EVENTBRIDGE_HEALTH_DETAIL_TYPE; detail: HealthAlertData };

export function alertData(event: RecordedEvent, workspaceId: string): AlertData {
  return {
    workspaceId,
    bucketId: event.bucketId,
    host: event.nodeId,
    ip: event.ip,
    region: event.region,
    from: event.from,
    to: event.to,
    at: event.at,
  };
}

/** The exact body bytes; built once per delivery so every retry sends the same body. */
export function webhookBody(data: AlertData, timestamp: string): string {
  return JSON.stringify({ type: WEBHOOK_EVENT_TYPE, timestamp, data });
}

export function healthAlertData(event: RecordedHealthEvent, workspaceId: string): HealthAlertData {
  return {
    workspaceId,
    bucketId: event.bucketId,
    from: event.from,
    to: event.to,
    at: event.at,
    nodes: { counted: event.counted, online: event.online },
  };
}

/** A health event's body bytes, built once like a node event's. */
export function healthWebhookBody(data: HealthAlertData, timestamp: string): string {
  return JSON.stringify({ type: HEALTH_EVENT_TYPE, timestamp, data });
}

/** One delivery of one event to one webhook. No secret and no URL: both are read per attempt. */
export interface DeliveryMessage {
  v: 1;
  /** The `webhook-id` header: stable per event and webhook. */
  messageId: string;
  eventId: string;
  workspaceId: string;
  webhookId: string;
  slot: number;
  body: string;
  /**
   * For a webhook with `minDurationSeconds` > 0: what must still hold at `at` + that many
   * seconds (the message waits in the queue until then). Absent: delivered as it is.
   */
  check?: DeliveryCheck;
}

export function deliveryMessage(input: {
  eventId: string;
  workspaceId: string;
  webhookId: string;
  slot: number;
  body: string;
  check?: DeliveryCheck | undefined;
}): DeliveryMessage {
  const { check, ...rest } = input;
  return {
    v: 1,
    messageId: webhookMessageId(input.eventId, input.webhookId),
    ...rest,
    ...(check !== undefined && { check }),
  };
}

const isCheck = (value: unknown): value is DeliveryCheck => {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const common =
    typeof c.bucketId === 'string' &&
    typeof c.to === 'string' &&
    typeof c.at === 'string' &&
    !Number.isNaN(Date.parse(c.at)) &&
    Number.isInteger(c.holdSeconds);
  if (c.subject === 'node') return common && typeof c.nodeId === 'string';
  return c.subject === 'bucket' && common;
};

/** Parses a queued message; undefined for anything that is not one (logged, dead-lettered). */
export function parseDeliveryMessage(raw: string): DeliveryMessage | undefined {
  let m: Record<string, unknown> | null;
  try {
    // Any JSON value; a primitive or an array has no `v`, so the version check refuses it.
    m = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const strings = ['messageId', 'eventId', 'workspaceId', 'webhookId', 'body'] as const;
  if (m === null || m.v !== 1 || !strings.every((key) => typeof m[key] === 'string')) {
    return undefined;
  }
  if (!Number.isInteger(m.slot)) return undefined;
  if (m.check !== undefined && !isCheck(m.check)) return undefined;
  return m as unknown as DeliveryMessage;
}
