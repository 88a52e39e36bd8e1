import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as Client from '../../client/index.ts';
import type { EventView } from '../../functions/domain/events.ts';
import {
  type BucketReport,
  type NodeReport,
  parseNodeReport,
} from '../../functions/domain/node-report.ts';
import type {
  NodeStatus,
  NodeStatusView,
  ReportedStatus,
} from '../../functions/domain/node-status.ts';
import type { StatsEntry, UptimeDay } from '../../functions/domain/uptime.ts';
import type { BucketEventsResponse } from '../../functions/events/read-bucket-events.ts';
import type { BucketHealth, HealthEventsPage } from '../../functions/reads/read-bucket-health.ts';
import type { BucketStatusResponse } from '../../functions/reads/read-bucket-status.ts';
import type {
  StatsResponse,
  UptimeNode,
  UptimeResponse,
} from '../../functions/reads/read-history.ts';
import type {
  createWebhook,
  listWebhooks,
  WebhookView,
} from '../../functions/webhooks/manage-webhooks.ts';
import type { IngestResult, RejectedBucket } from '../../functions/wire/ingest.ts';
import type * as Reporter from '../../reporter/wire.ts';

/**
 * The client (client/types.ts) and the reporter (reporter/wire.ts) copy the API's wire types
 * so that they stay dependency-free. These assertions are checked by tsc (`npm run check`
 * type-checks test/): when a handler's type and its copy drift apart, the check fails.
 */

/** `A & B` as one object type (expect-type tells an intersection with optional fields apart). */
type Simplify<T> = { [K in keyof T]: T[K] };

describe('client wire types = the handlers types', () => {
  it('GET /bucket/{bucketId}/status', () => {
    expectTypeOf<Client.NodeState>().toEqualTypeOf<NodeStatus>();
    expectTypeOf<Client.NodeStatus>().toEqualTypeOf<NodeStatusView>();
    expectTypeOf<Client.BucketStatusResponse>().toEqualTypeOf<BucketStatusResponse>();
  });

  it('POST /bucket/{bucketId}/stats and GET /bucket/{bucketId}/uptime (entries)', () => {
    expectTypeOf<Client.NodeDayStats>().toEqualTypeOf<StatsEntry>();
    expectTypeOf<Client.BucketStatsResponse>().toEqualTypeOf<StatsResponse>();
    expectTypeOf<Client.UptimeDay>().toEqualTypeOf<UptimeDay>();
    expectTypeOf<Client.NodeUptime>().toEqualTypeOf<UptimeNode>();
    expectTypeOf<Client.BucketUptimeResponse>().toEqualTypeOf<UptimeResponse>();
  });

  it('GET /bucket/{bucketId}/events', () => {
    expectTypeOf<Client.NodeEvent>().toEqualTypeOf<EventView>();
    expectTypeOf<Client.BucketEventsPage>().toEqualTypeOf<BucketEventsResponse>();
  });

  it('GET /bucket/{bucketId}/health and health/events', () => {
    type ReadHealth = typeof import('../../functions/reads/read-bucket-health.ts');
    expectTypeOf<Client.BucketHealth>().toEqualTypeOf<BucketHealth>();
    expectTypeOf<Client.BucketHealth>().toEqualTypeOf<
      Awaited<ReturnType<ReadHealth['readBucketHealth']>>
    >();
    expectTypeOf<Client.HealthEventsPage>().toEqualTypeOf<HealthEventsPage>();
    expectTypeOf<Client.HealthEventsPage>().toEqualTypeOf<
      Awaited<ReturnType<ReadHealth['readBucketHealthEvents']>>
    >();
    expectTypeOf<Client.HealthEvent>().toEqualTypeOf<HealthEventsPage['events'][number]>();
    expectTypeOf<Client.BucketDay>().toEqualTypeOf<StatsResponse['bucket']>();
  });

  it('the webhook routes', () => {
    expectTypeOf<Client.Webhook>().toEqualTypeOf<WebhookView>();
    expectTypeOf<Client.CreatedWebhook>().toEqualTypeOf<
      Simplify<Awaited<ReturnType<typeof createWebhook>>>
    >();
    expectTypeOf<Client.WebhookList>().toEqualTypeOf<Awaited<ReturnType<typeof listWebhooks>>>();
  });
});

describe('reporter wire types = the ingest handlers types', () => {
  it('the 200 body', () => {
    expectTypeOf<Reporter.IngestResponse>().toEqualTypeOf<IngestResult>();
    expectTypeOf<Reporter.RejectedBucket>().toEqualTypeOf<RejectedBucket>();
  });

  it('the request body: the same fields, latency_ms on the wire for latencyMs', () => {
    expectTypeOf<keyof Reporter.ReportBody>().toEqualTypeOf<keyof NodeReport>();
    expectTypeOf<Reporter.NodeIdentity>().toEqualTypeOf<Omit<NodeReport, 'buckets'>>();
    expectTypeOf<Reporter.ReportedBucketStatus>().toEqualTypeOf<ReportedStatus>();
    type Wire = Reporter.ReportedBucket;
    expectTypeOf<Omit<Wire, 'latency_ms'>>().toEqualTypeOf<Omit<BucketReport, 'latencyMs'>>();
    expectTypeOf<NonNullable<Wire['latency_ms']>>().toEqualTypeOf<
      NonNullable<BucketReport['latencyMs']>
    >();
  });

  it('a body the reporter builds is one the ingest validation accepts, field for field', () => {
    const body: Reporter.ReportBody = {
      ip: '192.0.2.1',
      region: 'eu-west-1',
      version: '1.2.3',
      buckets: [
        { bucketId: 'b1', status: 'ONLINE', latency_ms: 12 },
        { bucketId: 'b2', status: 'OFFLINE' },
      ],
    };
    expect(parseNodeReport(Buffer.from(JSON.stringify(body)))).toEqual({
      ip: '192.0.2.1',
      region: 'eu-west-1',
      version: '1.2.3',
      buckets: [
        { bucketId: 'b1', status: 'ONLINE', latencyMs: 12 },
        { bucketId: 'b2', status: 'OFFLINE', latencyMs: undefined },
      ],
    });
  });
});
