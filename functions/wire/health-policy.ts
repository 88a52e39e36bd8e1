/** The bucket's health policy (DESIGN.md section 13): PUT /bucket/{bucketId}/health/policy. */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { Id } from './common.ts';

const MinOnlinePercent = Type.Integer({
  minimum: 1,
  maximum: 100,
  description:
    'The verdict is DEGRADED rather than PARTIAL_OUTAGE while at least ' +
    'max(1, ceil(counted * minOnlinePercent / 100)) counted nodes are ONLINE. Default 50.',
});

export const HealthPolicyRequest = Type.Object(
  { minOnlinePercent: MinOnlinePercent },
  { additionalProperties: false },
);
export type HealthPolicyRequest = Static<typeof HealthPolicyRequest>;

export const BucketHealthPolicy = Type.Object(
  { bucketId: Id, minOnlinePercent: MinOnlinePercent },
  { additionalProperties: false },
);
export type BucketHealthPolicy = Static<typeof BucketHealthPolicy>;
