import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { wire as wireIngest } from '../../functions/ingest/wiring.ts';
import { wire as wireManage } from '../../functions/manage/wiring.ts';
import {
  readNodeKeyCacheSeconds,
  readNodeMinReportIntervalMs,
  readReleaseTwoSettings,
  readStaleAfterSeconds,
} from '../../functions/shared/config.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import type { Settings, WireOverrides } from '../../functions/shared/wiring.ts';
import { wire as wireStatus } from '../../functions/status/wiring.ts';
import { wire as wireWebhooks } from '../../functions/webhooks/wiring.ts';

/**
 * Handlers for tests, built through the production wiring (the same `wire(deps)` the Lambda
 * entries and the local runtime call). Settings default to production's defaults, as parsed
 * from an environment that sets nothing but the table; a test overrides only what it means to.
 */
export function testSettings(
  tableName: string,
  jwtSecret: string,
  overrides: Partial<Settings> = {},
): Settings {
  const none = {};
  return {
    tableName,
    jwt: { source: { kind: 'secret', secret: jwtSecret } },
    staleAfterSeconds: readStaleAfterSeconds(none),
    nodeKeyCacheSeconds: readNodeKeyCacheSeconds(none),
    nodeMinReportIntervalMs: readNodeMinReportIntervalMs(none),
    eventsCursorKey: { kind: 'secret', secret: jwtSecret, setting: 'JWT_SECRET' },
    ...readReleaseTwoSettings(none),
    statusPageUrl: 'https://status.example.com/',
    ...overrides,
  };
}

export interface TestWiring {
  client: DynamoDBClient;
  settings: Settings;
  overrides?: WireOverrides;
  logger?: ReturnType<typeof createLogger>;
}

const depsOf = ({ client, settings, overrides, logger }: TestWiring) => ({
  client,
  settings,
  logger: logger ?? createLogger('bucket-status-test'),
  ...(overrides && { overrides }),
});

export const statusHandlerFor = (wiring: TestWiring) =>
  wireStatus(depsOf(wiring)).routes['GET /bucket/{bucketId}/status'];

export const ingestHandlerFor = (wiring: TestWiring) =>
  wireIngest(depsOf(wiring)).routes['POST /node/status'];

/** The management routes' handlers (the `webhooks` and `manage` functions), by route key. */
export const managementRoutesFor = (wiring: TestWiring) => ({
  ...wireWebhooks(depsOf(wiring)).routes,
  ...wireManage(depsOf(wiring)).routes,
});
