// Lambda entry of the badge function (functions/route-table.ts): settings and clients, once
// per cold start; the route's handler comes from the function's wiring. No key material at
// all: the share token in the path is the credential.
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { dispatchByRoute } from '../shared/wiring.ts';
import { settingReaders, wire } from './wiring.ts';

const { deps, observability } = lambdaEntryDeps(settingReaders);

export const handler = observed(dispatchByRoute(wire(deps).routes), observability, 'badge');
