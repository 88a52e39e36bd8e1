// Lambda entry of the ingest function (functions/route-table.ts): settings and clients, once
// per cold start; the routes' handlers come from the function's wiring.
import {
  readEventRetentionDays,
  readHistoryRetentionDays,
  readNodeKeyCacheSeconds,
  readNodeMinReportIntervalMs,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { dispatchByRoute } from '../shared/wiring.ts';
import { wire } from './wiring.ts';

const env = process.env;
const { deps, observability } = lambdaEntryDeps({
  tableName: requireTableName(env),
  nodeKeyCacheSeconds: readNodeKeyCacheSeconds(env),
  nodeMinReportIntervalMs: readNodeMinReportIntervalMs(env),
  staleAfterSeconds: readStaleAfterSeconds(env),
  historyRetentionDays: readHistoryRetentionDays(env),
  eventRetentionDays: readEventRetentionDays(env),
});
const wired = wire(deps);

export const handler = observed(dispatchByRoute(wired.routes), observability, 'ingest');
