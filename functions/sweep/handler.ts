// Lambda entry of the sweep (EventBridge rule, every minute): configuration and clients, once
// per cold start. Recorded events reach alerts through the table's stream, so there is no
// publish port here.
import {
  readEventRetentionDays,
  readHistoryRetentionDays,
  readStaleAfterSeconds,
  requireTableName,
} from '../shared/config.ts';
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { wire } from './wiring.ts';

const env = process.env;
const { deps, observability } = lambdaEntryDeps({
  tableName: requireTableName(env),
  staleAfterSeconds: readStaleAfterSeconds(env),
  eventRetentionDays: readEventRetentionDays(env),
  historyRetentionDays: readHistoryRetentionDays(env),
});
const wired = wire(deps);

export const handler = observed(wired.handler, observability, 'sweep');
