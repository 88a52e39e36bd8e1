/**
 * Events (DESIGN.md section 9): every change of a node's state for a bucket, as pure data.
 * Which changes happen is the state timeline's business (functions/domain/timeline.ts); this
 * module gives an event its identity and its wire shape.
 */

import { createHash } from 'node:crypto';
import type { BucketEvent } from '../wire/events.ts';
import type { NodeStatus } from './node-status.ts';
import { parseIntegerParam } from './query-params.ts';

/** One change of the state timeline of one node for one bucket. */
export interface NodeEvent {
  bucketId: string;
  nodeId: string;
  /** From the report that made the change (for a change to DISCONNECTED: the last report). */
  ip?: string | undefined;
  region?: string | undefined;
  from: NodeStatus;
  to: NodeStatus;
  /** The instant of the change, ISO 8601 UTC with milliseconds (toISOString). */
  at: string;
  /**
   * The node's first accepted report since its assignment (functions/domain/timeline.ts
   * `Transition.first`): it starts to count toward the bucket's health. Internal: stored on
   * the event row, never part of the event's wire shape.
   */
  first?: true;
}

/** A recorded event: what the publish port hands to alerts (their `RecordedEvent`). */
export interface RecordedNodeEvent extends NodeEvent {
  id: string;
}

export const withEventId = (event: NodeEvent): RecordedNodeEvent => ({
  ...event,
  id: eventId(event),
});

/** The event as `GET /bucket/{bucketId}/events` returns it, in the contract's field order. */
export type EventView = BucketEvent;

/**
 * A stable, opaque id: the same change always gets the same id, whoever records it (a report
 * or the sweep), so alerts can derive a `webhook-id` that survives every retry.
 */
export function eventId(event: Pick<NodeEvent, 'bucketId' | 'nodeId' | 'at' | 'to'>): string {
  const digest = createHash('sha256')
    .update(`${event.bucketId}\n${event.nodeId}\n${event.at}\n${event.to}`)
    .digest();
  return `evt_${digest.subarray(0, 16).toString('base64url')}`;
}

/**
 * A health event's id (DESIGN.md section 13): `hev_` + 22 base64url characters of SHA-256 over
 * the bucket, the change's instant (ISO) and its new verdict. Deterministic like `eventId`: the
 * sweep's stored row and a read's computed change of the same instant share it.
 */
export function healthEventId(bucketId: string, atIso: string, to: string): string {
  const digest = createHash('sha256').update(`${bucketId}\n${atIso}\n${to}`).digest();
  return `hev_${digest.subarray(0, 16).toString('base64url')}`;
}

export function toEventView(event: NodeEvent): EventView {
  const view = { id: eventId(event), host: event.nodeId } as EventView;
  if (event.ip !== undefined) view.ip = event.ip;
  if (event.region !== undefined) view.region = event.region;
  view.from = event.from;
  view.to = event.to;
  view.at = event.at;
  return view;
}

/** `GET /bucket/{bucketId}/events?limit=L`: 1-200, default 50. */
export const EVENTS_LIMIT = { min: 1, max: 200, fallback: 50 } as const;

/** The limit parameter; a 400 (ValidationError) when it is not a canonical integer in range. */
export const parseEventsLimit = (raw: string | undefined): number =>
  parseIntegerParam('limit', raw, EVENTS_LIMIT);
