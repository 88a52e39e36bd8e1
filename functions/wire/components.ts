/**
 * Every wire shape by the name it is published under: openapi.yaml's components/schemas (in
 * this order) and, where `client` is given, the type client/types.ts exports. A route's
 * response shape not named here is published after these under its export name, as is its
 * client type (scripts/wire-shapes.ts, `published`). Read by scripts/wire-shapes.ts
 * (`npm run wire`) and its staleness test, never by a Lambda.
 */
import type { TSchema } from '@sinclair/typebox';
import { ApiKey, ApiKeyList, CreatedApiKey, NewApiKey } from './api-keys.ts';
import { ApiErrorBody, GatewayError, Id, NodeState } from './common.ts';
import { BucketEvent, BucketEventsPage } from './events.ts';
import {
  ActiveMaintenance,
  BucketDay,
  BucketHealth,
  BucketUptime,
  HealthEvent,
  HealthEventsPage,
  HealthNodeCounts,
  HealthPolicyView,
  Verdict,
} from './health.ts';
import { BucketHealthPolicy, HealthPolicyRequest } from './health-policy.ts';
import {
  NodeStats,
  Seconds,
  StatsRequest,
  StatsResponse,
  UptimeDay,
  UptimeNode,
  UptimeResponse,
} from './history.ts';
import {
  BucketReport,
  IngestResult,
  NodeReport,
  PartialIngestError,
  RejectedBucket,
} from './ingest.ts';
import { MaintenanceWindow, MaintenanceWindowList, NewMaintenanceWindow } from './maintenance.ts';
import { Me, MeWorkspace, WorkspaceBucket, WorkspaceBucketsPage } from './overview.ts';
import { CreatedShare, NewShare, Share, ShareList } from './shares.ts';
import { BucketStatusResponse, NodeStatus } from './status.ts';
import {
  BucketHealthChanged,
  CreatedWebhook,
  NewWebhook,
  NodeStatusChanged,
  Webhook,
  WebhookList,
  WebhookPatch,
} from './webhooks.ts';

export interface Component {
  schema: TSchema;
  /** The name client/types.ts exports it under; absent: not in the client. */
  client?: string;
  /** The client type's doc comment. */
  doc?: string;
}

export const COMPONENTS: Record<string, Component> = {
  Id: { schema: Id },
  NodeState: { schema: NodeState, client: 'NodeState' },
  NodeStatus: {
    schema: NodeStatus,
    client: 'NodeStatus',
    doc: 'One node connected to the bucket (GET /bucket/{bucketId}/status).',
  },
  BucketEvent: {
    schema: BucketEvent,
    client: 'NodeEvent',
    doc: "One change of a node's state for the bucket (GET /bucket/{bucketId}/events).",
  },
  BucketEventsPage: { schema: BucketEventsPage, client: 'BucketEventsPage' },
  StorageBucketStatusResponse: { schema: BucketStatusResponse, client: 'BucketStatusResponse' },
  BucketReport: { schema: BucketReport },
  NodeReport: { schema: NodeReport },
  RejectedBucket: { schema: RejectedBucket },
  IngestResult: { schema: IngestResult },
  StatsRequest: { schema: StatsRequest },
  Seconds: { schema: Seconds },
  NodeStats: {
    schema: NodeStats,
    client: 'NodeDayStats',
    doc: "One node's figures for one UTC day (POST /bucket/{bucketId}/stats).",
  },
  StatsResponse: { schema: StatsResponse, client: 'BucketStatsResponse' },
  UptimeDay: { schema: UptimeDay, client: 'UptimeDay' },
  UptimeNode: { schema: UptimeNode, client: 'NodeUptime' },
  UptimeResponse: {
    schema: UptimeResponse,
    client: 'BucketUptimeResponse',
    doc: 'GET /bucket/{bucketId}/uptime?days=N.',
  },
  Verdict: { schema: Verdict, client: 'Verdict' },
  HealthNodeCounts: { schema: HealthNodeCounts, client: 'HealthNodeCounts' },
  HealthPolicyView: { schema: HealthPolicyView, client: 'HealthPolicyView' },
  ActiveMaintenance: { schema: ActiveMaintenance, client: 'ActiveMaintenance' },
  BucketHealth: {
    schema: BucketHealth,
    client: 'BucketHealth',
    doc: 'GET /bucket/{bucketId}/health.',
  },
  HealthEvent: {
    schema: HealthEvent,
    client: 'HealthEvent',
    doc: "One change of the bucket's verdict (GET /bucket/{bucketId}/health/events).",
  },
  HealthEventsPage: { schema: HealthEventsPage, client: 'HealthEventsPage' },
  BucketDay: {
    schema: BucketDay,
    client: 'BucketDay',
    doc: "The bucket's verdict figures for one UTC day (GET uptime, POST stats).",
  },
  BucketUptime: { schema: BucketUptime, client: 'BucketUptime' },
  MeWorkspace: { schema: MeWorkspace, client: 'MeWorkspace' },
  Me: { schema: Me, client: 'Me', doc: 'GET /me: who the caller is and the workspaces it reads.' },
  WorkspaceBucket: { schema: WorkspaceBucket, client: 'WorkspaceBucket' },
  WorkspaceBucketsPage: {
    schema: WorkspaceBucketsPage,
    client: 'WorkspaceBucketsPage',
    doc: 'GET /workspace/{workspaceId}/buckets: one page of the overview.',
  },
  NewWebhook: { schema: NewWebhook, client: 'NewWebhook' },
  WebhookPatch: {
    schema: WebhookPatch,
    client: 'WebhookPatch',
    doc: 'PATCH /workspace/{workspaceId}/webhooks/{webhookId}: the fields it changes.',
  },
  Webhook: { schema: Webhook, client: 'Webhook' },
  CreatedWebhook: {
    schema: CreatedWebhook,
    client: 'CreatedWebhook',
    doc: 'POST /workspace/{workspaceId}/webhooks: the secret is shown only here.',
  },
  WebhookList: { schema: WebhookList, client: 'WebhookList' },
  NodeStatusChanged: { schema: NodeStatusChanged },
  BucketHealthChanged: { schema: BucketHealthChanged },
  NewShare: { schema: NewShare, client: 'NewShare' },
  Share: { schema: Share, client: 'Share' },
  CreatedShare: {
    schema: CreatedShare,
    client: 'CreatedShare',
    doc: 'POST /bucket/{bucketId}/shares: the token is shown only here.',
  },
  ShareList: { schema: ShareList, client: 'ShareList' },
  NewMaintenanceWindow: {
    schema: NewMaintenanceWindow,
    client: 'NewMaintenanceWindow',
    doc: 'POST /bucket/{bucketId}/maintenance.',
  },
  MaintenanceWindow: {
    schema: MaintenanceWindow,
    client: 'MaintenanceWindow',
    doc: "One of a bucket's maintenance windows: active on [start, end).",
  },
  MaintenanceWindowList: {
    schema: MaintenanceWindowList,
    client: 'MaintenanceWindowList',
    doc: 'GET /bucket/{bucketId}/maintenance.',
  },
  HealthPolicyRequest: {
    schema: HealthPolicyRequest,
    client: 'HealthPolicyRequest',
    doc: 'PUT /bucket/{bucketId}/health/policy.',
  },
  BucketHealthPolicy: {
    schema: BucketHealthPolicy,
    client: 'BucketHealthPolicy',
    doc: "The bucket's health policy, as PUT /bucket/{bucketId}/health/policy answers it.",
  },
  NewApiKey: { schema: NewApiKey, client: 'NewApiKey' },
  ApiKey: { schema: ApiKey, client: 'ApiKey' },
  CreatedApiKey: {
    schema: CreatedApiKey,
    client: 'CreatedApiKey',
    doc: 'POST /workspace/{workspaceId}/api-keys: the key is shown only here.',
  },
  ApiKeyList: { schema: ApiKeyList, client: 'ApiKeyList' },
  Error: {
    schema: ApiErrorBody,
    client: 'ApiErrorBody',
    doc: 'The body of every error the API itself returns.',
  },
  PartialIngestError: { schema: PartialIngestError },
  GatewayError: { schema: GatewayError },
};
