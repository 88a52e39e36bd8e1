// Lambda entry of webhook delivery (functions/route-table.ts): one attempt per SQS message;
// loopback targets are never allowed here. Settings and clients once per cold start.
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { settingReaders, wire } from './wiring.ts';

const { deps, observability } = lambdaEntryDeps(settingReaders);
const wired = wire(deps);

export const handler = observed(wired.handler, observability, 'delivery');
