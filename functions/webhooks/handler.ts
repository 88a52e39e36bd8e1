// Lambda entry of the webhooks (management) function (functions/route-table.ts): settings and clients, once
// per cold start. The stack never sets WEBHOOK_ALLOW_LOOPBACK: deployed, only public https
// targets are accepted.
import {
  readHistoryRetentionDays,
  readJwtConfig,
  readStatusPageUrl,
  readWebhookAllowLoopback,
  requireTableName,
} from '../shared/config.ts';
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { dispatchByRoute } from '../shared/wiring.ts';
import { wire } from './wiring.ts';

const env = process.env;
const { deps, observability } = lambdaEntryDeps({
  tableName: requireTableName(env),
  jwt: readJwtConfig(env),
  webhookAllowLoopback: readWebhookAllowLoopback(env),
  statusPageUrl: readStatusPageUrl(env),
  historyRetentionDays: readHistoryRetentionDays(env),
});
const wired = wire(deps);

export const handler = observed(dispatchByRoute(wired.routes), observability, 'webhooks');

// JWT_SECRET_ARN: the secret is fetched during init; one that cannot work fails the cold start.
await wired.ready;
