/** GET /bucket/{bucketId}/status (DESIGN.md section 2). */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Id, IpAddress, NodeState, Region } from './common.ts';

/** Integer milliseconds, as reported by a node. */
export const MAX_LATENCY_MS = 600_000;
export const LatencyMs = Type.Integer({ minimum: 0, maximum: MAX_LATENCY_MS });

/** One node connected to the bucket. */
export const NodeStatus = Type.Object(
  {
    ip: Type.Optional({
      ...IpAddress,
      description: 'Omitted only for a node that never reported (like region and version).',
    }),
    region: Type.Optional(Region),
    version: Type.Optional(Type.String({ maxLength: 64 })),
    status: {
      ...NodeState,
      description: 'DISCONNECTED: no report from the node for this bucket recently, or never.',
    },
    latency_ms: Type.Optional({
      ...LatencyMs,
      description: 'Integer milliseconds; omitted when unknown.',
    }),
    lastUpdated: Type.Optional(
      DateTime("The server's receive time of the node's last accepted report, ISO 8601 UTC."),
    ),
  },
  {
    additionalProperties: false,
    description:
      'One node assigned to the bucket. `ip`, `region`, `version` and `lastUpdated` are\n' +
      'omitted only for a node that never reported; `latency_ms` whenever it is unknown.\n',
  },
);
export type NodeStatus = Static<typeof NodeStatus>;

export const BucketStatusResponse = Type.Object(
  { bucketId: Id, nodeStatus: Type.Array(NodeStatus) },
  { additionalProperties: false },
);
export type BucketStatusResponse = Static<typeof BucketStatusResponse>;
