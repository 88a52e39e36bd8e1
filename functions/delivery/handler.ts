// Lambda entry of webhook delivery (functions/route-table.ts): one attempt per SQS message;
// loopback targets are never allowed here. Settings and clients once per cold start.
import { readDeliveryQueueUrl, readStaleAfterSeconds, requireTableName } from '../shared/config.ts';
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { wire } from './wiring.ts';

const env = process.env;
const { deps, observability } = lambdaEntryDeps({
  tableName: requireTableName(env),
  staleAfterSeconds: readStaleAfterSeconds(env),
  deliveryQueueUrl: readDeliveryQueueUrl(env),
});
const wired = wire(deps);

export const handler = observed(wired.handler, observability, 'delivery');
