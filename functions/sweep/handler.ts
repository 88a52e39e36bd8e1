// Lambda entry of the sweep (EventBridge rule, every minute): configuration and clients, once
// per cold start. Recorded events reach alerts through the table's stream, so there is no
// publish port here.
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { settingReaders, wire } from './wiring.ts';

const { deps, observability } = lambdaEntryDeps(settingReaders);
const wired = wire(deps);

export const handler = observed(wired.handler, observability, 'sweep');
