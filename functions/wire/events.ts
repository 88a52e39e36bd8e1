/** GET /bucket/{bucketId}/events (DESIGN.md section 9). */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Id, IpAddress, NodeState, Region } from './common.ts';

/** One change of a node's state for the bucket. */
export const BucketEvent = Type.Object(
  {
    id: Type.String({
      pattern: '^evt_[A-Za-z0-9_-]{22}$',
      description: 'Stable per event (the same change always has the same id).',
    }),
    host: Id,
    ip: Type.Optional(IpAddress),
    region: Type.Optional(Region),
    from: NodeState,
    to: NodeState,
    at: DateTime('The instant of the change, ISO 8601 UTC.'),
    maintenance: Type.Optional(
      Type.Literal(true, {
        description: "Present when `at` is inside one of the bucket's maintenance windows.",
      }),
    ),
  },
  { additionalProperties: false, description: "One change of a node's state for the bucket." },
);
export type BucketEvent = Static<typeof BucketEvent>;

export const BucketEventsPage = Type.Object(
  {
    bucketId: Id,
    events: Type.Array(BucketEvent, { maxItems: 200, description: 'Newest first.' }),
    nextCursor: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'Present only when older events remain; pass it as `cursor`.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type BucketEventsPage = Static<typeof BucketEventsPage>;
