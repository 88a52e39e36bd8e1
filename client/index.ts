/**
 * @bucket-status/client: a typed client for the bucket-status API. No dependencies; runs
 * wherever a global fetch does (Node >= 20, browsers, Deno, Bun).
 */
export {
  BucketStatusClient,
  type BucketStatusClientOptions,
  type Conditional,
  type ConditionalOptions,
  type EventsQuery,
  type RequestOptions,
  type RetryOptions,
  retryAfterMs,
} from './client.ts';
export { HttpError, isApiErrorBody } from './errors.ts';
/** The first release's name for BucketStatusResponse. */
export type {
  ApiErrorBody,
  ApiKey,
  ApiKeyList,
  BucketEventsPage,
  BucketStatsResponse,
  BucketStatusResponse,
  BucketStatusResponse as StorageBucketStatusResponse,
  BucketUptimeResponse,
  CreatedApiKey,
  CreatedWebhook,
  NewApiKey,
  NewWebhook,
  NodeDayStats,
  NodeEvent,
  NodeState,
  NodeStatus,
  NodeUptime,
  UptimeDay,
  Webhook,
  WebhookList,
} from './types.ts';
