/**
 * GET /me and GET /workspace/{workspaceId}/buckets: the workspace overview (DESIGN.md section
 * 14).
 */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { Id } from './common.ts';
import { ActiveMaintenance, BucketHealth, HealthNodeCounts, Verdict } from './health.ts';

const Name = Type.String({ minLength: 1, maxLength: 256 });

export const MeWorkspace = Type.Object(
  {
    workspaceId: Id,
    name: Name,
    role: {
      ...Type.Union([
        Type.Literal('READ'),
        Type.Literal('WRITE'),
        Type.Literal('ADMIN'),
        Type.Literal('ORG_OWNER'),
        Type.Literal('ORG_ADMIN'),
      ]),
      description:
        'The membership role, or for an org OWNER/ADMIN (who reads every workspace of the org) ORG_<orgRole>.',
    },
  },
  { additionalProperties: false, description: 'A workspace whose buckets the caller may read.' },
);
export type MeWorkspace = Static<typeof MeWorkspace>;

export const Me = Type.Object(
  {
    userId: Id,
    orgId: Id,
    orgRole: Type.Union([Type.Literal('OWNER'), Type.Literal('ADMIN'), Type.Literal('MEMBER')]),
    workspaces: Type.Array(MeWorkspace, {
      description: 'By name (code point order), then id.',
    }),
  },
  { additionalProperties: false },
);
export type Me = Static<typeof Me>;

export const WorkspaceBucket = Type.Object(
  {
    bucketId: Id,
    name: Name,
    verdict: Verdict,
    since: BucketHealth.properties.since,
    nodes: HealthNodeCounts,
    maintenance: Type.Optional(ActiveMaintenance),
  },
  {
    additionalProperties: false,
    description:
      'One bucket of the overview: what GET /bucket/{bucketId}/health answers at the same instant (but its policy), with the bucket name.',
  },
);
export type WorkspaceBucket = Static<typeof WorkspaceBucket>;

export const WorkspaceBucketsPage = Type.Object(
  {
    workspaceId: Id,
    buckets: Type.Array(WorkspaceBucket, {
      maxItems: 200,
      description: 'By name (code point order), then id.',
    }),
    nextCursor: Type.Optional(
      Type.String({
        maxLength: 2048,
        description: 'Present only when more buckets follow; pass it as `cursor`.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type WorkspaceBucketsPage = Static<typeof WorkspaceBucketsPage>;
