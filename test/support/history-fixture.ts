import { gunzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HttpResult } from '../../functions/http/response.ts';
import { wire as wireIngest } from '../../functions/ingest/wiring.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import type { Settings } from '../../functions/shared/wiring.ts';
import { wire as wireStatus } from '../../functions/status/wiring.ts';
import { httpApiEvent, ingestEvent, lambdaContext } from './events.ts';
import { JWT_TEST_SECRET, type Response } from './ingest-fixture.ts';
import { testSettings } from './wiring.ts';

/** The result as a client sees it; a gzip body (asked for with Accept-Encoding) is decoded. */
const toResponse = (result: HttpResult): Response => ({
  statusCode: result.statusCode,
  headers: result.headers,
  body: result.body,
  json: JSON.parse(
    result.isBase64Encoded === true
      ? gunzipSync(Buffer.from(result.body, 'base64')).toString('utf8')
      : result.body,
  ) as Record<string, unknown>,
});

export const statsEvent = (
  bucketId: string,
  body: string | undefined,
  headers: Record<string, string> = {},
  isBase64Encoded = false,
) =>
  httpApiEvent({
    method: 'POST',
    path: `/bucket/${bucketId}/stats`,
    routeKey: 'POST /bucket/{bucketId}/stats',
    pathParameters: { bucketId },
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body }),
    isBase64Encoded,
  });

export function uptimeEvent(
  bucketId: string,
  days: string | undefined,
  headers: Record<string, string> = {},
) {
  const event = httpApiEvent({
    method: 'GET',
    path: `/bucket/${bucketId}/uptime`,
    routeKey: 'GET /bucket/{bucketId}/uptime',
    pathParameters: { bucketId },
    headers,
  });
  if (days === undefined) return event;
  return { ...event, rawQueryString: `days=${days}`, queryStringParameters: { days } };
}

export interface HistoryApiOptions {
  /** The server clock of every handler (receive times, assignment, reads). */
  now?: () => number;
  settings?: Partial<Settings>;
}

/**
 * The ingest, stats and uptime handlers through the production wiring on one client, with a
 * shared (controllable) clock: what the history tests drive.
 */
export function historyApi(
  client: DynamoDBClient,
  tableName: string,
  options: HistoryApiOptions = {},
) {
  const settings = testSettings(tableName, JWT_TEST_SECRET, {
    nodeMinReportIntervalMs: 0,
    ...options.settings,
  });
  const deps = {
    client,
    settings,
    logger: createLogger('bucket-status-test'),
    ...(options.now && { overrides: { now: options.now } }),
  };
  const ingest = wireIngest(deps).routes['POST /node/status'];
  const { routes } = wireStatus(deps);
  const stats = routes['POST /bucket/{bucketId}/stats'];
  const uptime = routes['GET /bucket/{bucketId}/uptime'];
  return {
    settings,
    report: async (body: string, headers: Record<string, string>) =>
      toResponse((await ingest(ingestEvent(body, headers), lambdaContext())) as HttpResult),
    stats: async (bucketId: string, body: unknown, token: string) =>
      toResponse(
        (await stats(
          statsEvent(bucketId, typeof body === 'string' ? body : JSON.stringify(body), {
            authorization: `Bearer ${token}`,
          }),
          lambdaContext(),
        )) as HttpResult,
      ),
    statsEvent: async (event: ReturnType<typeof statsEvent>) =>
      toResponse((await stats(event, lambdaContext())) as HttpResult),
    uptime: async (
      bucketId: string,
      days: number | string | undefined,
      token: string,
      headers: Record<string, string> = {},
    ) =>
      toResponse(
        (await uptime(
          uptimeEvent(bucketId, days === undefined ? undefined : String(days), {
            authorization: `Bearer ${token}`,
            ...headers,
          }),
          lambdaContext(),
        )) as HttpResult,
      ),
  };
}

export type HistoryApi = ReturnType<typeof historyApi>;
