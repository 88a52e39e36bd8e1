/**
 * @bucket-status/client: a typed client for the bucket-status API. No dependencies; runs
 * wherever a global fetch does (Node >= 20, browsers, Deno, Bun).
 */
export {
  type BadgeQuery,
  BucketStatusClient,
  type BucketStatusClientOptions,
  type Conditional,
  type ConditionalOptions,
  type EventsQuery,
  type NewMaintenanceWindowInput,
  type RequestOptions,
  type RetryOptions,
  retryAfterMs,
} from './client.ts';
export { HttpError, isApiErrorBody } from './errors.ts';
/** The first release's name for BucketStatusResponse. */
export type {
  ActiveMaintenance,
  ApiErrorBody,
  BucketDay,
  BucketEventsPage,
  BucketHealth,
  BucketHealthPolicy,
  BucketStatsResponse,
  BucketStatusResponse,
  BucketStatusResponse as StorageBucketStatusResponse,
  BucketUptime,
  BucketUptimeResponse,
  CreatedShare,
  CreatedWebhook,
  HealthEvent,
  HealthEventsPage,
  HealthNodeCounts,
  HealthPolicyRequest,
  HealthPolicyView,
  MaintenanceWindow,
  MaintenanceWindowList,
  NewMaintenanceWindow,
  NewShare,
  NewWebhook,
  NodeDayStats,
  NodeEvent,
  NodeState,
  NodeStatus,
  NodeUptime,
  Share,
  ShareList,
  UptimeDay,
  Verdict,
  Webhook,
  WebhookList,
} from './types.ts';
