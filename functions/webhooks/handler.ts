// Lambda entry of the webhooks function (functions/route-table.ts): settings and clients, once
// per cold start. The stack never sets WEBHOOK_ALLOW_LOOPBACK: deployed, only public https
// targets are accepted.
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { dispatchByRoute } from '../shared/wiring.ts';
import { settingReaders, wire } from './wiring.ts';

const { deps, observability } = lambdaEntryDeps(settingReaders);
const wired = wire(deps);

export const handler = observed(dispatchByRoute(wired.routes), observability, 'webhooks');

// JWT_SECRET_ARN: the secret is fetched during init; one that cannot work fails the cold start.
await wired.ready;
