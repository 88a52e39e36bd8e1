// Lambda entry of the fan-out (functions/route-table.ts): the table's stream (event-row INSERTs)
// to the delivery queue and the default EventBridge bus. Settings and clients once per cold start.
import { readDeliveryQueueUrl, requireTableName } from '../shared/config.ts';
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { wire } from './wiring.ts';

const env = process.env;
const { deps, observability } = lambdaEntryDeps({
  tableName: requireTableName(env),
  deliveryQueueUrl: readDeliveryQueueUrl(env),
});
const wired = wire(deps);

export const handler = observed(wired.handler, observability, 'fanOut');
