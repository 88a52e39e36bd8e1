/**
 * GET /bucket/{bucketId}/health and GET /bucket/{bucketId}/health/events, and the bucket's day
 * figures of GET uptime and POST stats (DESIGN.md section 13).
 */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Day, Id } from './common.ts';

export const Verdict = Type.Union([
  Type.Literal('OPERATIONAL'),
  Type.Literal('DEGRADED'),
  Type.Literal('PARTIAL_OUTAGE'),
  Type.Literal('MAJOR_OUTAGE'),
  Type.Literal('MAINTENANCE'),
  Type.Literal('UNKNOWN'),
]);
export type Verdict = Static<typeof Verdict>;

const Count = Type.Integer({ minimum: 0 });

export const HealthNodeCounts = Type.Object(
  {
    assigned: Count,
    counted: {
      ...Count,
      description: 'Assigned nodes with an accepted report since their assignment.',
    },
    online: Count,
    offline: Count,
    disconnected: Count,
  },
  {
    additionalProperties: false,
    description:
      'The assigned nodes as GET /bucket/{bucketId}/status shows them at the same instant.',
  },
);
export type HealthNodeCounts = Static<typeof HealthNodeCounts>;

export const HealthPolicyView = Type.Object(
  {
    minOnlinePercent: Type.Integer({ minimum: 1, maximum: 100 }),
    minOnline: {
      ...Type.Integer({ minimum: 1 }),
      description: 'q = max(1, ceil(counted * minOnlinePercent / 100)).',
    },
  },
  { additionalProperties: false },
);
export type HealthPolicyView = Static<typeof HealthPolicyView>;

export const ActiveMaintenance = Type.Object(
  {
    id: Type.String({ pattern: '^mw_[A-Za-z0-9_-]{22}$' }),
    start: DateTime(),
    end: DateTime(),
    reason: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false, description: 'The active maintenance window.' },
);
export type ActiveMaintenance = Static<typeof ActiveMaintenance>;

export const BucketHealth = Type.Object(
  {
    bucketId: Id,
    verdict: Verdict,
    since: Type.Optional(
      DateTime(
        'The instant the current verdict began; omitted when no change is on record within the event retention.',
      ),
    ),
    nodes: HealthNodeCounts,
    policy: HealthPolicyView,
    maintenance: Type.Optional(ActiveMaintenance),
  },
  { additionalProperties: false },
);
export type BucketHealth = Static<typeof BucketHealth>;

export const HealthEvent = Type.Object(
  {
    id: Type.String({
      pattern: '^hev_[A-Za-z0-9_-]{22}$',
      description: 'Stable per health event (the same change always has the same id).',
    }),
    from: Verdict,
    to: Verdict,
    at: DateTime('The instant of the change, ISO 8601 UTC.'),
    nodes: Type.Object(
      { counted: Count, online: Count },
      { additionalProperties: false, description: 'The counts just after the change.' },
    ),
  },
  { additionalProperties: false, description: "One change of the bucket's verdict." },
);
export type HealthEvent = Static<typeof HealthEvent>;

export const HealthEventsPage = Type.Object(
  {
    bucketId: Id,
    events: Type.Array(HealthEvent, { maxItems: 200, description: 'Newest first.' }),
    nextCursor: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'Present only when older health events remain; pass it as `cursor`.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type HealthEventsPage = Static<typeof HealthEventsPage>;

const VerdictSeconds = Type.Number({ minimum: 0, description: 'Seconds, millisecond precision.' });

/** The bucket's figures for one UTC day. */
export const BucketDay = Type.Object(
  {
    day: Day,
    operational_seconds: VerdictSeconds,
    degraded_seconds: VerdictSeconds,
    partial_outage_seconds: VerdictSeconds,
    major_outage_seconds: VerdictSeconds,
    maintenance_seconds: VerdictSeconds,
    unknown_seconds: VerdictSeconds,
    observed_seconds: VerdictSeconds,
    perc_available: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], {
      description:
        '100 * (operational + degraded) / (observed - maintenance - unknown), 2 decimals; null when that is 0.',
    }),
  },
  { additionalProperties: false, description: "The bucket's verdict figures for one UTC day." },
);
export type BucketDay = Static<typeof BucketDay>;

export const BucketUptime = Type.Object(
  { days: Type.Array(BucketDay, { description: 'One entry per day, ascending.' }) },
  { additionalProperties: false },
);
export type BucketUptime = Static<typeof BucketUptime>;
