/**
 * The service's one route table: every function (its Lambda entry, its wiring, its kind) and
 * every HTTP route (method, path, the function that serves it, its handler module, the table
 * actions it needs). Plain data with no aws-cdk-lib and no runtime import, so the stack
 * (infra/bucket-status-stack.ts), the bundling (infra/bundling.ts), the local runtime
 * (local/handlers.ts, local/runtime.ts) and the OpenAPI agreement test all read it, and a
 * Lambda bundle that imports it carries no other function's code.
 *
 * How to add a route or a function: docs/ARCHITECTURE.md ("How to add a route").
 *
 * One folder per function under functions/ (entry `handler.ts`, `wiring.ts`, its route modules
 * and use cases); libraries shared by functions live in functions/{auth,domain,data,http,shared}
 * and never import a function folder, nor does a function folder import another (checked by
 * `npm run deps`).
 *
 * The third release's routes (DESIGN.md sections 13-18), by function; each function imports
 * only what its routes need:
 *   status    user reads of a bucket or workspace: GET status, POST stats, GET uptime, GET
 *             health, GET health/events, GET /me, GET /workspace/{id}/buckets, GET maintenance,
 *             GET /workspace/{id}/metrics (the overview's reads and verdicts plus a text
 *             formatter: no module another function would not also load, so no cold start of
 *             its own)
 *   events    GET /bucket/{id}/events
 *   manage    changes (constructId WebhooksFunction, the webhooks function grown): webhooks
 *             (POST/GET/PATCH/DELETE), PUT health/policy, POST/DELETE maintenance, POST/GET/DELETE
 *             shares, POST/GET/DELETE api-keys
 *   public    GET /public/{token}/health|status|uptime|health/events (share token, no
 *             bearer: no jose, no user partition)
 *   badge     GET /public/{token}/badge.svg (the public routes' shape, plus badge-maker and its
 *             text-width tables, which would otherwise be most of the public function's cold
 *             start)
 *   ingest    POST /node/status
 *   sweep     the schedule; fanOut (folder fan-out) the stream; delivery the queue
 */

/**
 * How a function is invoked: by API Gateway, by an EventBridge schedule, by an SQS queue, or by
 * the table's DynamoDB stream.
 */
export type FunctionKind = 'http' | 'schedule' | 'queue' | 'stream';

/** The DynamoDB actions a function may be granted (exact actions, no wildcards). */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem';

export interface FunctionSpec {
  readonly kind: FunctionKind;
  /** The Lambda entry, relative to the repository root: exports `handler`. */
  readonly entry: string;
  /**
   * The function's wiring module: exports `wire(deps: WireDeps)` (functions/shared/wiring.ts),
   * used by the Lambda entry, the local runtime and the tests alike.
   */
  readonly wiring: string;
  /** The CDK construct id in the stack (kept stable: it names the deployed resources). */
  readonly constructId: string;
  readonly description: string;
  readonly memorySize: number;
  /**
   * Table actions beyond those of its routes (a scheduled or queue function has no routes, so
   * all of its actions are listed here).
   */
  readonly tableActions: readonly TableAction[];
  /** Secondary indexes the function queries (granted Query on each, nothing else). */
  readonly tableIndexes?: readonly string[];
  /** Lambda timeout. @default 10 s (an HTTP function must answer well inside 15 s) */
  readonly timeoutSeconds?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec<F extends string = string> {
  readonly method: HttpMethod;
  /** API Gateway syntax: literal segments and `{name}` parameters. */
  readonly path: string;
  /** The function (a key of FUNCTIONS, of kind http) that serves the route. */
  readonly function: F;
  /** The module with the route's middy handler (parse, call the use case, respond). */
  readonly handler: string;
  /** The DynamoDB actions the route's use case issues; granted to its function. */
  readonly tableActions: readonly TableAction[];
}

export const FUNCTIONS = {
  status: {
    kind: 'http',
    entry: 'functions/status/handler.ts',
    wiring: 'functions/status/wiring.ts',
    constructId: 'StatusFunction',
    description:
      'user-facing reads (GET status, POST stats, GET uptime, GET health of a bucket, GET metrics of a workspace)',
    // Token verification and two parallel queries: CPU scales with memory, and so does the
    // cold start of the bundled SDK.
    memorySize: 1024,
    // The bearer check's API key lookup (APIKEY#<hash>/META, one consistent GetItem).
    tableActions: ['dynamodb:GetItem'],
    // The workspace overview's rows the bucket's log does not account for (data/overview-index.ts).
    tableIndexes: ['overview'],
  },
  ingest: {
    kind: 'http',
    entry: 'functions/ingest/handler.ts',
    wiring: 'functions/ingest/wiring.ts',
    constructId: 'IngestFunction',
    description: 'signed node reports (POST /node/status)',
    // One Ed25519 verification and a few small writes per report, at the fleet's steady rate.
    memorySize: 512,
    tableActions: [],
  },
  events: {
    kind: 'http',
    entry: 'functions/events/handler.ts',
    wiring: 'functions/events/wiring.ts',
    constructId: 'EventsFunction',
    description: 'user-facing event reads (GET /bucket/{bucketId}/events)',
    // A token check and three small reads in parallel (user partition, bucket META, one page).
    memorySize: 512,
    // The bearer check's API key lookup (APIKEY#<hash>/META, one consistent GetItem).
    tableActions: ['dynamodb:GetItem'],
  },
  sweep: {
    kind: 'schedule',
    entry: 'functions/sweep/handler.ts',
    wiring: 'functions/sweep/wiring.ts',
    constructId: 'SweepFunction',
    description: 'sweep for nodes gone silent (every minute)',
    // A few small requests per silent node; a mass outage of 10,000 nodes is ~30,000
    // requests at 16 at a time, well inside the timeout, which stays under the period.
    memorySize: 256,
    timeoutSeconds: 50,
    // Reads a row it found in the sweep index, records the event, takes the row out of the index;
    // then each marked bucket's health: reads its STATE, inputs, windows and health events
    // (Query), writes health events and days, deletes the ones a recomputation did not produce.
    tableActions: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
    ],
    tableIndexes: ['sweep'],
  },
  webhooks: {
    kind: 'http',
    entry: 'functions/webhooks/handler.ts',
    wiring: 'functions/webhooks/wiring.ts',
    constructId: 'WebhooksFunction',
    description:
      'management: webhooks (POST/GET/DELETE /workspace/{workspaceId}/webhooks...), a ' +
      "bucket's maintenance windows, health policy and shares",
    // A token check, two parallel queries, at most one write (and one DNS lookup on create).
    memorySize: 512,
    // The bearer check's API key lookup (a valid key is refused with 403 on every route here).
    tableActions: ['dynamodb:GetItem'],
  },
  public: {
    kind: 'http',
    entry: 'functions/public/handler.ts',
    wiring: 'functions/public/wiring.ts',
    constructId: 'PublicFunction',
    description: 'share-token reads (GET /public/{token}/...), behind CloudFront',
    // No token verifier and no user partition: one GetItem for the share, then the bucket's
    // reads.
    memorySize: 512,
    tableActions: [],
  },
  badge: {
    kind: 'http',
    entry: 'functions/badge/handler.ts',
    wiring: 'functions/badge/wiring.ts',
    constructId: 'BadgeFunction',
    description: 'share-token badges (GET /public/{token}/badge.svg), behind CloudFront',
    // The public function's reads for one route, plus badge-maker's width tables to parse at
    // cold start (memory buys the CPU that parses them).
    memorySize: 512,
    tableActions: [],
  },
  fanOut: {
    kind: 'stream',
    entry: 'functions/fan-out/handler.ts',
    wiring: 'functions/fan-out/wiring.ts',
    constructId: 'FanOutFunction',
    description: 'recorded events (table stream) to webhook deliveries and EventBridge',
    memorySize: 256,
    timeoutSeconds: 30,
    // The bucket's META row, then its workspace's webhook rows and the bucket's windows.
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  delivery: {
    kind: 'queue',
    entry: 'functions/delivery/handler.ts',
    wiring: 'functions/delivery/wiring.ts',
    constructId: 'DeliveryFunction',
    description: 'signed webhook deliveries (delivery queue)',
    memorySize: 256,
    // Each attempt has a 5 s deadline; the attempts of a batch of 10 run in parallel.
    timeoutSeconds: 15,
    // The webhook row, with its secret, at every attempt; for a delivery that waited, the
    // node's row and its later events and the windows (or the bucket's health events, and its
    // timeline computed as GET health does: STATE, windows, inputs and node rows).
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

export const ROUTES = [
  {
    method: 'GET',
    path: '/bucket/{bucketId}/status',
    function: 'status',
    handler: 'functions/status/status-handler.ts',
    tableActions: ['dynamodb:Query'],
  },
  {
    method: 'POST',
    path: '/node/status',
    function: 'ingest',
    handler: 'functions/ingest/ingest-handler.ts',
    // PutItem: the ended days' history rows and the reported transitions' event rows.
    tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
  },
  // History (DESIGN.md sections 8 and 13): the bucket's rows and history rows; the bucket's
  // verdict figures from its health STATE row (GetItem), its closed days, windows and inputs.
  {
    method: 'POST',
    path: '/bucket/{bucketId}/stats',
    function: 'status',
    handler: 'functions/status/history-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  {
    method: 'GET',
    path: '/bucket/{bucketId}/uptime',
    function: 'status',
    handler: 'functions/status/history-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  // Health (DESIGN.md section 13): the user's partition, the bucket's first page, the health
  // STATE row (GetItem), its windows and the inputs after it in one round trip; health events
  // are a Query of the health partition.
  {
    method: 'GET',
    path: '/bucket/{bucketId}/health',
    function: 'status',
    handler: 'functions/status/health-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  {
    method: 'GET',
    path: '/bucket/{bucketId}/health/events',
    function: 'status',
    handler: 'functions/status/health-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  // The workspace overview (DESIGN.md section 14). GET /me: the user's partition, then the
  // org's listing rows (Query, org OWNER/ADMIN) or the member workspaces' META rows
  // (BatchGetItem). The buckets page: the user's partition, the workspace's META row (GetItem)
  // and one page of its listing rows (Query) in parallel, then GET health's reads per bucket.
  {
    method: 'GET',
    path: '/me',
    function: 'status',
    handler: 'functions/status/overview-handlers.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:BatchGetItem'],
  },
  {
    method: 'GET',
    path: '/workspace/{workspaceId}/buckets',
    function: 'status',
    handler: 'functions/status/overview-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  // Events (DESIGN.md section 9): the user's partition, the bucket's META row, one page of the
  // bucket's EVENTS# partition and its maintenance windows (HEALTH# W#/X#), in parallel.
  {
    method: 'GET',
    path: '/bucket/{bucketId}/events',
    function: 'events',
    handler: 'functions/events/events-handler.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  // Webhook management (DESIGN.md section 10): the user's and the workspace's partitions are
  // queried in parallel; creating claims a free slot row, deleting removes one.
  {
    method: 'POST',
    path: '/workspace/{workspaceId}/webhooks',
    function: 'webhooks',
    handler: 'functions/webhooks/webhooks-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:PutItem'],
  },
  {
    method: 'GET',
    path: '/workspace/{workspaceId}/webhooks',
    function: 'webhooks',
    handler: 'functions/webhooks/webhooks-handler.ts',
    tableActions: ['dynamodb:Query'],
  },
  // PATCH: the same partitions, then one conditional UpdateItem of the webhook's slot.
  {
    method: 'PATCH',
    path: '/workspace/{workspaceId}/webhooks/{webhookId}',
    function: 'webhooks',
    handler: 'functions/webhooks/webhooks-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
  },
  {
    method: 'DELETE',
    path: '/workspace/{workspaceId}/webhooks/{webhookId}',
    function: 'webhooks',
    handler: 'functions/webhooks/webhooks-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:DeleteItem'],
  },
  // Shares (DESIGN.md section 17): the user's partition, the bucket's META row and its share
  // slots in parallel; creating claims a free slot and writes the token's lookup row (deleting
  // the slot again if that fails); revoking deletes the lookup row, then the slot.
  {
    method: 'POST',
    path: '/bucket/{bucketId}/shares',
    function: 'webhooks',
    handler: 'functions/webhooks/shares-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
  },
  {
    method: 'GET',
    path: '/bucket/{bucketId}/shares',
    function: 'webhooks',
    handler: 'functions/webhooks/shares-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:GetItem'],
  },
  {
    method: 'DELETE',
    path: '/bucket/{bucketId}/shares/{shareId}',
    function: 'webhooks',
    handler: 'functions/webhooks/shares-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
  },
  // Public reads of a share (DESIGN.md section 17): one consistent GetItem of the token's
  // lookup row, then the bucket's reads as the authenticated routes make them.
  {
    method: 'GET',
    path: '/public/{token}/status',
    function: 'public',
    handler: 'functions/public/public-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  {
    method: 'GET',
    path: '/public/{token}/uptime',
    function: 'public',
    handler: 'functions/public/public-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  {
    method: 'GET',
    path: '/public/{token}/health',
    function: 'public',
    handler: 'functions/public/public-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  {
    method: 'GET',
    path: '/public/{token}/health/events',
    function: 'public',
    handler: 'functions/public/public-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  {
    method: 'GET',
    path: '/public/{token}/badge.svg',
    function: 'badge',
    handler: 'functions/badge/badge-handler.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  // Maintenance windows and the health policy (DESIGN.md sections 13 and 15), on the
  // management function: the user's partition and the bucket's META row in parallel, then the
  // bucket's window rows (slots W#00-W#19, ended copies X#<id>) or policy rows; every write
  // marks the bucket's health STATE row for the sweep (UpdateItem).
  {
    method: 'POST',
    path: '/bucket/{bucketId}/maintenance',
    function: 'webhooks',
    handler: 'functions/webhooks/health-handler.ts',
    // Query the slots; PutItem an ended window's copy and the claimed slot; UpdateItem the mark.
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  {
    method: 'DELETE',
    path: '/bucket/{bucketId}/maintenance/{windowId}',
    function: 'webhooks',
    handler: 'functions/webhooks/health-handler.ts',
    // DeleteItem an upcoming window or a freed slot; UpdateItem an active one's end and the
    // mark; PutItem the ended copy.
    tableActions: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ],
  },
  {
    method: 'PUT',
    path: '/bucket/{bucketId}/health/policy',
    function: 'webhooks',
    handler: 'functions/webhooks/health-handler.ts',
    // PutItem the policy input and the current policy; UpdateItem the mark.
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  // Any reader of the bucket: the user's partition, the bucket's META row and its window rows.
  {
    method: 'GET',
    path: '/bucket/{bucketId}/maintenance',
    function: 'status',
    handler: 'functions/status/maintenance-handler.ts',
    // The META row by a Query of its key, as the status route reads it.
    tableActions: ['dynamodb:Query'],
  },
  // Prometheus metrics (DESIGN.md section 18): the user's partition (none for a key), the
  // workspace's META row (GetItem) and its bucket listing (Query); then each bucket's reads of
  // GET health (its partition, STATE, windows, tail), eight buckets at a time.
  {
    method: 'GET',
    path: '/workspace/{workspaceId}/metrics',
    function: 'status',
    handler: 'functions/status/metrics-handler.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  // Workspace API keys (DESIGN.md section 18), on the management function: the user's
  // partition and the workspace's META and key slots in parallel; creating claims a free slot
  // (APIKEY#00-19) and writes the key's lookup row, deleting removes both.
  {
    method: 'POST',
    path: '/workspace/{workspaceId}/api-keys',
    function: 'webhooks',
    handler: 'functions/webhooks/api-keys-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:PutItem'],
  },
  {
    method: 'GET',
    path: '/workspace/{workspaceId}/api-keys',
    function: 'webhooks',
    handler: 'functions/webhooks/api-keys-handler.ts',
    tableActions: ['dynamodb:Query'],
  },
  {
    method: 'DELETE',
    path: '/workspace/{workspaceId}/api-keys/{keyId}',
    function: 'webhooks',
    handler: 'functions/webhooks/api-keys-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:DeleteItem'],
  },
] as const satisfies readonly RouteSpec<FunctionName>[];

export type Route = (typeof ROUTES)[number];
/** API Gateway's route key, e.g. `GET /bucket/{bucketId}/status` (also `event.routeKey`). */
export type RouteKey = `${Route['method']} ${Route['path']}`;

export const routeKeyOf = (route: { method: string; path: string }) =>
  `${route.method} ${route.path}` as RouteKey;

/** The functions API Gateway invokes (kind `http`): the ones that serve routes. */
export type HttpFunctionName = {
  [F in FunctionName]: (typeof FUNCTIONS)[F]['kind'] extends 'http' ? F : never;
}[FunctionName];

type RouteKeyOfRoute<R> = R extends {
  readonly method: infer M extends string;
  readonly path: infer P extends string;
}
  ? `${M} ${P}`
  : never;

/**
 * The route keys one function serves, from ROUTES: `RouteKeysOf<'status'>` is
 * `'GET /bucket/{bucketId}/status' | 'POST /bucket/{bucketId}/stats' | ...`. Each HTTP wiring's
 * `routes` is checked against it (functions/shared/wiring.ts, RouteHandlers), so a route
 * without a handler and a handler without a route are both compile errors.
 */
export type RouteKeysOf<F extends HttpFunctionName> = RouteKeyOfRoute<
  Extract<Route, { readonly function: F }>
>;

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/** The routes one function serves, in table order. */
export const routesOf = (name: FunctionName): readonly Route[] =>
  ROUTES.filter((route) => route.function === name);

/** Every table action a function needs: its own plus those of its routes, sorted, unique. */
export function tableActionsOf(name: FunctionName): TableAction[] {
  const actions = new Set<TableAction>(FUNCTIONS[name].tableActions);
  for (const route of routesOf(name)) for (const action of route.tableActions) actions.add(action);
  return [...actions].sort();
}
