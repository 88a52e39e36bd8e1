// Lambda entry of the fan-out (functions/route-table.ts): the table's stream (event-row INSERTs)
// to the delivery queue and the default EventBridge bus. Settings and clients once per cold start.
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { settingReaders, wire } from './wiring.ts';

const { deps, observability } = lambdaEntryDeps(settingReaders);
const wired = wire(deps);

export const handler = observed(wired.handler, observability, 'fanOut');
