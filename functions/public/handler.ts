// Lambda entry of the public function (functions/route-table.ts): settings and clients, once
// per cold start; the routes' handlers come from the function's wiring. No token key material:
// the share token in the path is the credential.
import {
  readEventRetentionDays,
  readEventsCursorKeySource,
  readHistoryRetentionDays,
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
  staleAfterSeconds: readStaleAfterSeconds(env),
  historyRetentionDays: readHistoryRetentionDays(env),
  eventRetentionDays: readEventRetentionDays(env),
  eventsCursorKey: readEventsCursorKeySource(env),
});
const wired = wire(deps);

export const handler = observed(dispatchByRoute(wired.routes), observability, 'public');

// EVENTS_CURSOR_SECRET_ARN's secret is fetched during init; one that cannot work fails the
// cold start.
await wired.ready;
