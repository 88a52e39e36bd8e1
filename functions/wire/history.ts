/** POST /bucket/{bucketId}/stats and GET /bucket/{bucketId}/uptime (DESIGN.md section 8). */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Day, NodeState } from './common.ts';
import { BucketDay, BucketUptime } from './health.ts';

export const StatsRequest = Type.Object(
  {
    day: Type.String({
      maxLength: 40,
      description: 'A date `YYYY-MM-DD`, or an ISO 8601 date-time (its UTC day).',
    }),
  },
  { additionalProperties: false },
);
export type StatsRequest = Static<typeof StatsRequest>;

export const Seconds = Type.Number({
  minimum: 0,
  description: 'Seconds, millisecond precision.',
});

const PercUptime = (description?: string) =>
  Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], {
    ...(description !== undefined && { description }),
  });
const Latency = (description?: string) =>
  Type.Integer({ minimum: 0, ...(description !== undefined && { description }) });

/** One node's figures for one UTC day. */
export const NodeStats = Type.Object(
  {
    host: Type.String({ description: "The node's id." }),
    ip: Type.Optional(Type.String()),
    region: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()),
    perc_uptime: PercUptime('100 * online / observed, 2 decimals; null when nothing was observed.'),
    online_seconds: Seconds,
    observed_seconds: Seconds,
    avg_latency_ms: Type.Optional(
      Latency("Mean latency of the day's reports that carried one; omitted when none."),
    ),
    last_latency_ms: Type.Optional(Latency()),
    node_status: {
      ...NodeState,
      description: "The state at the end of the day's observed window.",
    },
    last_updated: Type.Optional(DateTime()),
  },
  { additionalProperties: false },
);
export type NodeStats = Static<typeof NodeStats>;

export const StatsResponse = Type.Object(
  {
    success: Type.Literal(true),
    bucketId: Type.String(),
    day: { ...Day, description: 'YYYY-MM-DD (UTC).' },
    nodeStats: Type.Array(NodeStats),
    bucket: { ...BucketDay, description: "The bucket's verdict figures for the day." },
  },
  { additionalProperties: false },
);
export type StatsResponse = Static<typeof StatsResponse>;

export const UptimeDay = Type.Object(
  {
    day: Day,
    perc_uptime: PercUptime(),
    online_seconds: Seconds,
    observed_seconds: Seconds,
    avg_latency_ms: Type.Optional(Latency()),
  },
  { additionalProperties: false },
);
export type UptimeDay = Static<typeof UptimeDay>;

export const UptimeNode = Type.Object(
  {
    host: Type.String(),
    ip: Type.Optional(Type.String()),
    region: Type.Optional(Type.String()),
    days: Type.Array(UptimeDay, { description: 'One entry per day, ascending.' }),
  },
  { additionalProperties: false },
);
export type UptimeNode = Static<typeof UptimeNode>;

export const UptimeResponse = Type.Object(
  {
    bucketId: Type.String(),
    from: Day,
    to: Day,
    nodes: Type.Array(UptimeNode),
    bucket: { ...BucketUptime, description: "The bucket's verdict figures, one entry per day." },
  },
  { additionalProperties: false },
);
export type UptimeResponse = Static<typeof UptimeResponse>;
