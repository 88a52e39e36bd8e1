// Lambda entry of the workspace function (functions/route-table.ts): settings and clients, once
// per cold start; the routes' handlers come from the function's wiring.
import { lambdaEntryDeps } from '../shared/lambda-entry.ts';
import { observed } from '../shared/observability.ts';
import { dispatchByRoute } from '../shared/wiring.ts';
import { settingReaders, wire } from './wiring.ts';

const { deps, observability } = lambdaEntryDeps(settingReaders);
const wired = wire(deps);

export const handler = observed(dispatchByRoute(wired.routes), observability, 'workspace');

// The secrets named by JWT_SECRET_ARN / EVENTS_CURSOR_SECRET_ARN are fetched during init; one
// that cannot work fails the cold start.
await wired.ready;
