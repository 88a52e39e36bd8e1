/**
 * The service's one route table: every function (its Lambda entry, its wiring, its kind) and
 * every HTTP route (method, path, the function that serves it, its handler module, the table
 * actions it needs). Plain data with no aws-cdk-lib and no runtime import, so the stack
 * (infra/bucket-status-stack.ts), the bundling (infra/bundling.ts), the local runtime
 * (local/handlers.ts, local/runtime.ts), the OpenAPI agreement test and `npm run wire`
 * (openapi.yaml's operations, the client's routes) all read it, and a Lambda bundle that
 * imports it carries no other function's code.
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
 *   status    user reads of a bucket: GET status, POST stats, GET uptime, GET health, GET
 *             health/events, GET maintenance
 *   workspace user reads of a workspace: GET /me, GET /workspace/{id}/buckets, GET
 *             /workspace/{id}/metrics (the overview's listing and index, the Prometheus text)
 *   events    GET /bucket/{id}/events
 *   webhooks  a workspace's webhooks (POST/GET/PATCH/DELETE): the URL checks (ipaddr.js, DNS)
 *             on no other function's cold start
 *   manage    changes to a bucket or workspace: PUT health/policy, POST/DELETE maintenance,
 *             POST/GET/DELETE shares, POST/GET/DELETE api-keys
 *   public    GET /public/{token}/health|status|uptime|health/events (share token, no
 *             bearer: no jose, no user partition)
 *   badge     GET /public/{token}/badge.svg (the public routes' shape, plus badge-maker, which
 *             would otherwise be on the public function's cold start)
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
  /**
   * The settings the function reads, by their keys in functions/shared/config.ts SETTINGS
   * (e.g. `tableName`, `jwt`): its wiring's `settingReaders` has one reader per key (tsc checks
   * both ways), the stack sets their variables, the local runtime reads them all.
   */
  readonly settings: readonly string[];
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
  /** openapi.yaml's operationId: the route's name in the published document. */
  readonly operationId: string;
  /** openapi.yaml's summary: one line. */
  readonly summary: string;
  /**
   * Every status code the route answers (DESIGN.md: each route's table or text; section 7's
   * and 12's rules for every GET, section 12's 413 for every JSON body): openapi.yaml's
   * responses (`npm run wire` adds and removes them), checked by test/openapi/openapi.test.ts.
   */
  readonly answers: readonly Status[];
  /** The components/schemas name of the 200/201 JSON body (absent: no JSON body). */
  readonly response?: string;
  /** The media type of a 200 that is text, not JSON. */
  readonly text?: 'image/svg+xml' | 'text/plain';
  /** The query parameters, as openapi.yaml publishes them (`npm run wire` writes them). */
  readonly query?: Readonly<Record<string, QueryParam>>;
  /**
   * The name of the client's method for a GET route that has none written by hand:
   * `npm run wire` writes it and its `...IfChanged` twin into client/client.ts (the path's
   * ids, then the query, then the RequestOptions; the query checked as `query` says).
   */
  readonly clientMethod?: string;
}

/** A status code an HTTP route may answer. */
export type Status =
  | '200'
  | '201'
  | '204'
  | '304'
  | '400'
  | '401'
  | '403'
  | '404'
  | '406'
  | '409'
  | '413'
  | '429'
  | '500'
  | '503';

export interface QueryParam {
  readonly description?: string;
  /**
   * The value's JSON Schema (`type: 'array'`: a repeated parameter, `?bucket=a&bucket=b`);
   * `$ref`s point into openapi.yaml's components.
   */
  readonly schema: Readonly<Record<string, unknown>>;
}

/**
 * The answers of every route behind the bearer check ("same token, access rule and errors as
 * GET status", DESIGN.md sections 2, 8, 9 and 10).
 */
const BEARER = ['400', '401', '403', '404', '500', '503'] as const;
/** Every GET: 304 (DESIGN.md section 7, ETag) and 406 (section 12, over 6 MB without gzip). */
const CONDITIONAL = ['304', '406'] as const;

/** A page's query: `limit` (1-200) of `items`, and the `cursor` of the previous page. */
const pageQuery = (items: string, defaultLimit: number, cursor: string, cursorMaxLength: number) =>
  ({
    limit: {
      description: `${items} per page, 1-200 (default ${defaultLimit}), in decimal digits without a leading zero (\`050\` is a 400).`,
      schema: { type: 'integer', minimum: 1, maximum: 200, default: defaultLimit },
    },
    cursor: { description: cursor, schema: { type: 'string', maxLength: cursorMaxLength } },
  }) satisfies Record<string, QueryParam>;

export const FUNCTIONS = {
  status: {
    kind: 'http',
    entry: 'functions/status/handler.ts',
    wiring: 'functions/status/wiring.ts',
    settings: [
      'tableName',
      'jwt',
      'staleAfterSeconds',
      'historyRetentionDays',
      'eventRetentionDays',
      'eventsCursorKey',
    ],
    constructId: 'StatusFunction',
    description:
      'user-facing reads of a bucket (GET status, POST stats, GET uptime, GET health, health/events and maintenance)',
    // Token verification and two parallel queries: CPU scales with memory, and so does the
    // cold start of the bundled SDK.
    memorySize: 1024,
    // The bearer check's API key lookup (APIKEY#<hash>/META, one consistent GetItem).
    tableActions: ['dynamodb:GetItem'],
  },
  workspace: {
    kind: 'http',
    entry: 'functions/workspace/handler.ts',
    wiring: 'functions/workspace/wiring.ts',
    settings: [
      'tableName',
      'jwt',
      'staleAfterSeconds',
      'historyRetentionDays',
      'eventRetentionDays',
      'eventsCursorKey',
    ],
    constructId: 'WorkspaceFunction',
    description: 'user-facing reads of a workspace (GET /me, the overview, the metrics)',
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
    settings: [
      'tableName',
      'nodeKeyCacheSeconds',
      'nodeMinReportIntervalMs',
      'staleAfterSeconds',
      'historyRetentionDays',
      'eventRetentionDays',
    ],
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
    settings: ['tableName', 'jwt', 'eventRetentionDays', 'eventsCursorKey'],
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
    settings: ['tableName', 'staleAfterSeconds', 'eventRetentionDays', 'historyRetentionDays'],
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
    settings: ['tableName', 'jwt', 'webhookAllowLoopback'],
    constructId: 'WebhooksFunction',
    description:
      "a workspace's webhooks (POST/GET /workspace/{workspaceId}/webhooks, PATCH/DELETE one)",
    // A token check, two parallel queries, at most one write (and one DNS lookup on create).
    memorySize: 512,
    // The bearer check's API key lookup (a valid key is refused with 403 on every route here).
    tableActions: ['dynamodb:GetItem'],
  },
  manage: {
    kind: 'http',
    entry: 'functions/manage/handler.ts',
    wiring: 'functions/manage/wiring.ts',
    settings: ['tableName', 'jwt', 'statusPageUrl', 'historyRetentionDays'],
    constructId: 'ManageFunction',
    description:
      "management: a bucket's maintenance windows, health policy and shares, a workspace's API keys",
    // A token check, two parallel queries, at most a few writes.
    memorySize: 512,
    // The bearer check's API key lookup (a valid key is refused with 403 on every route here).
    tableActions: ['dynamodb:GetItem'],
  },
  public: {
    kind: 'http',
    entry: 'functions/public/handler.ts',
    wiring: 'functions/public/wiring.ts',
    settings: [
      'tableName',
      'staleAfterSeconds',
      'historyRetentionDays',
      'eventRetentionDays',
      'eventsCursorKey',
    ],
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
    settings: ['tableName', 'staleAfterSeconds', 'historyRetentionDays', 'eventRetentionDays'],
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
    settings: ['tableName', 'deliveryQueueUrl'],
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
    settings: ['tableName', 'staleAfterSeconds', 'deliveryQueueUrl'],
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
    operationId: 'getStorageBucketStatus',
    summary: 'Status of every node connected to a bucket',
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'StorageBucketStatusResponse',
  },
  {
    method: 'POST',
    path: '/node/status',
    function: 'ingest',
    handler: 'functions/ingest/ingest-handler.ts',
    // PutItem: the ended days' history rows and the reported transitions' event rows.
    tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    operationId: 'reportNodeStatus',
    summary: "A bridge node's signed report of the buckets it serves",
    // The rate limit (429); a node state past DynamoDB's item limit (409).
    answers: ['200', '400', '401', '409', '413', '429', '500', '503'],
    response: 'IngestResult',
  },
  // History (DESIGN.md sections 8 and 13): the bucket's rows and history rows; the bucket's
  // verdict figures from its health STATE row (GetItem), its closed days, windows and inputs.
  {
    method: 'POST',
    path: '/bucket/{bucketId}/stats',
    function: 'status',
    handler: 'functions/status/history-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getStorageBucketStats',
    summary: 'Per-node uptime and latency of a bucket for one UTC day',
    answers: ['200', ...BEARER, '413'],
    response: 'StatsResponse',
  },
  {
    method: 'GET',
    path: '/bucket/{bucketId}/uptime',
    function: 'status',
    handler: 'functions/status/history-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getBucketUptime',
    summary: 'Daily uptime of every node of a bucket over the last N days',
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'UptimeResponse',
    query: {
      days: {
        description:
          'How many days, 1-90 (default 30), in decimal digits without a leading zero (`01` is a 400).',
        schema: { type: 'integer', minimum: 1, maximum: 90, default: 30 },
      },
    },
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
    operationId: 'getBucketHealth',
    summary: "The bucket's health verdict now",
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'BucketHealth',
  },
  {
    method: 'GET',
    path: '/bucket/{bucketId}/health/events',
    function: 'status',
    handler: 'functions/status/health-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getBucketHealthEvents',
    summary: "The bucket's verdict changes, newest first",
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'HealthEventsPage',
    query: pageQuery(
      'Health events',
      50,
      "The `nextCursor` of the previous page of this bucket's health events, as it was returned. Opaque and tamper-evident: a cursor of another bucket or route, or one edited or made up, is a 400.",
      512,
    ),
  },
  // The workspace overview (DESIGN.md section 14). GET /me: the user's partition, then the
  // org's listing rows (Query, org OWNER/ADMIN) or the member workspaces' META rows
  // (BatchGetItem). The buckets page: the user's partition, the workspace's META row (GetItem)
  // and one page of its listing rows (Query) in parallel, then GET health's reads per bucket.
  {
    method: 'GET',
    path: '/me',
    function: 'workspace',
    handler: 'functions/workspace/overview-handlers.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:BatchGetItem'],
    operationId: 'getMe',
    summary: 'Who the caller is, and the workspaces whose buckets it may read',
    // DESIGN.md section 14: no path id to be malformed (no 400).
    answers: ['200', ...CONDITIONAL, '401', '403', '404', '500', '503'],
    response: 'Me',
  },
  {
    method: 'GET',
    path: '/workspace/{workspaceId}/buckets',
    function: 'workspace',
    handler: 'functions/workspace/overview-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'listWorkspaceBuckets',
    summary: 'Every bucket of the workspace with its health verdict, a page at a time',
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'WorkspaceBucketsPage',
    query: pageQuery(
      'Buckets',
      100,
      "The `nextCursor` of the previous page of this workspace's buckets, as it was returned. Opaque and tamper-evident: a cursor of another workspace or route, or one edited or made up, is a 400.",
      2048,
    ),
  },
  // Events (DESIGN.md section 9): the user's partition, the bucket's META row, one page of the
  // bucket's EVENTS# partition and its maintenance windows (HEALTH# W#/X#), in parallel.
  {
    method: 'GET',
    path: '/bucket/{bucketId}/events',
    function: 'events',
    handler: 'functions/events/events-handler.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getBucketEvents',
    summary: "The bucket's status changes, newest first",
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'BucketEventsPage',
    query: pageQuery(
      'Events',
      50,
      'The `nextCursor` of the previous page of this bucket, as it was returned. Opaque and tamper-evident: a cursor of another bucket, or one edited or made up, is a 400.',
      512,
    ),
  },
  // Webhook management (DESIGN.md section 10): the user's and the workspace's partitions are
  // queried in parallel; creating claims a free slot row, deleting removes one.
  {
    method: 'POST',
    path: '/workspace/{workspaceId}/webhooks',
    function: 'webhooks',
    handler: 'functions/webhooks/webhooks-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:PutItem'],
    operationId: 'createWebhook',
    summary: "Create a webhook for the workspace's status changes",
    answers: ['201', ...BEARER, '409', '413'],
    response: 'CreatedWebhook',
  },
  {
    method: 'GET',
    path: '/workspace/{workspaceId}/webhooks',
    function: 'webhooks',
    handler: 'functions/webhooks/webhooks-handler.ts',
    tableActions: ['dynamodb:Query'],
    operationId: 'listWebhooks',
    summary: "The workspace's webhooks (never their secrets)",
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'WebhookList',
  },
  // PATCH: the same partitions, then one conditional UpdateItem of the webhook's slot.
  {
    method: 'PATCH',
    path: '/workspace/{workspaceId}/webhooks/{webhookId}',
    function: 'webhooks',
    handler: 'functions/webhooks/webhooks-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    operationId: 'updateWebhook',
    summary: "Change a webhook's alert policy, URL or description; the secret stays",
    answers: ['200', ...BEARER, '413'],
    response: 'Webhook',
  },
  {
    method: 'DELETE',
    path: '/workspace/{workspaceId}/webhooks/{webhookId}',
    function: 'webhooks',
    handler: 'functions/webhooks/webhooks-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:DeleteItem'],
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook; it gets no delivery after this, not even a pending retry',
    answers: ['204', ...BEARER],
  },
  // Shares (DESIGN.md section 17): the user's partition, the bucket's META row and its share
  // slots in parallel; creating claims a free slot and writes the token's lookup row (deleting
  // the slot again if that fails); revoking deletes the lookup row, then the slot.
  {
    method: 'POST',
    path: '/bucket/{bucketId}/shares',
    function: 'manage',
    handler: 'functions/manage/shares-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    operationId: 'createShare',
    summary: 'Create a share link of the bucket (a token for its public routes)',
    // Section 17: the share routes' caller is the webhooks' (section 10's errors).
    answers: ['201', ...BEARER, '409', '413'],
    response: 'CreatedShare',
  },
  {
    method: 'GET',
    path: '/bucket/{bucketId}/shares',
    function: 'manage',
    handler: 'functions/manage/shares-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:GetItem'],
    operationId: 'listShares',
    summary: "The bucket's share links (never their tokens)",
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'ShareList',
  },
  {
    method: 'DELETE',
    path: '/bucket/{bucketId}/shares/{shareId}',
    function: 'manage',
    handler: 'functions/manage/shares-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
    operationId: 'revokeShare',
    summary: 'Revoke a share link; its token is refused from the next request on',
    answers: ['204', ...BEARER],
  },
  // Public reads of a share (DESIGN.md section 17): one consistent GetItem of the token's
  // lookup row, then the bucket's reads as the authenticated routes make them.
  {
    method: 'GET',
    path: '/public/{token}/status',
    function: 'public',
    handler: 'functions/public/public-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getPublicStatus',
    summary: "A shared bucket's status (no account; the share token is the credential)",
    // Public routes: no bearer token, so no 401 or 403; every bad token is the one 404.
    answers: ['200', ...CONDITIONAL, '404', '500', '503'],
    response: 'StorageBucketStatusResponse',
  },
  {
    method: 'GET',
    path: '/public/{token}/uptime',
    function: 'public',
    handler: 'functions/public/public-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getPublicUptime',
    summary: "A shared bucket's uptime per node and day (no account)",
    answers: ['200', ...CONDITIONAL, '400', '404', '500', '503'],
    response: 'UptimeResponse',
    query: {
      days: {
        description: 'The last N days, today included (1-90, default 30).',
        schema: { type: 'string', pattern: '^[0-9]+$' },
      },
    },
  },
  {
    method: 'GET',
    path: '/public/{token}/health',
    function: 'public',
    handler: 'functions/public/public-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getPublicHealth',
    summary: "A shared bucket's health verdict (no account; the share token is the credential)",
    answers: ['200', ...CONDITIONAL, '404', '500', '503'],
    response: 'BucketHealth',
  },
  {
    method: 'GET',
    path: '/public/{token}/health/events',
    function: 'public',
    handler: 'functions/public/public-handlers.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'listPublicHealthEvents',
    summary: "A shared bucket's health events, newest first (no account)",
    answers: ['200', ...CONDITIONAL, '400', '404', '500', '503'],
    response: 'HealthEventsPage',
    query: pageQuery(
      'Health events',
      50,
      "The `nextCursor` of the previous page, as it was returned (another bucket's, edited or made up is a 400).",
      512,
    ),
  },
  {
    method: 'GET',
    path: '/public/{token}/badge.svg',
    function: 'badge',
    handler: 'functions/badge/badge-handler.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getPublicBadge',
    summary: "A shared bucket's badge (SVG, Shields style)",
    answers: ['200', ...CONDITIONAL, '400', '404', '500', '503'],
    text: 'image/svg+xml',
    query: {
      show: {
        schema: { type: 'string', enum: ['health', 'uptime'] },
      },
      days: {
        description:
          'With `show=uptime`, the last N days, today included (1-90, default 30). Checked whatever `show` is (a 400 out of range), since it is part of the cache key.',
        schema: { type: 'string', pattern: '^[0-9]+$' },
      },
    },
  },
  // Maintenance windows and the health policy (DESIGN.md sections 13 and 15), on the manage
  // function: the user's partition and the bucket's META row in parallel, then the
  // bucket's window rows (slots W#00-W#19, ended copies X#<id>) or policy rows; every write
  // marks the bucket's health STATE row for the sweep (UpdateItem).
  {
    method: 'POST',
    path: '/bucket/{bucketId}/maintenance',
    function: 'manage',
    handler: 'functions/manage/health-handler.ts',
    // Query the slots; PutItem an ended window's copy and the claimed slot; UpdateItem the mark.
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    operationId: 'createMaintenanceWindow',
    summary: 'Schedule a maintenance window for the bucket',
    // Sections 13 and 15: the 21st window is a 409.
    answers: ['201', ...BEARER, '409', '413'],
    response: 'MaintenanceWindow',
  },
  {
    method: 'DELETE',
    path: '/bucket/{bucketId}/maintenance/{windowId}',
    function: 'manage',
    handler: 'functions/manage/health-handler.ts',
    // DeleteItem an upcoming window or a freed slot; UpdateItem an active one's end and the
    // mark; PutItem the ended copy.
    tableActions: [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ],
    operationId: 'deleteMaintenanceWindow',
    summary: 'Cancel an upcoming window, or end an active one now',
    // Sections 13 and 15: the deletion of an ended window is a 409.
    answers: ['204', ...BEARER, '409'],
  },
  {
    method: 'PUT',
    path: '/bucket/{bucketId}/health/policy',
    function: 'manage',
    handler: 'functions/manage/health-handler.ts',
    // PutItem the policy input and the current policy; UpdateItem the mark.
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    operationId: 'putHealthPolicy',
    summary: "Set the bucket's health policy",
    // An addition to section 13 (docs/SECURITY.md, H6): the 51st policy change of a UTC day
    // is a 409.
    answers: ['200', ...BEARER, '409', '413'],
    response: 'BucketHealthPolicy',
  },
  // Any reader of the bucket: the user's partition, the bucket's META row and its window rows.
  {
    method: 'GET',
    path: '/bucket/{bucketId}/maintenance',
    function: 'status',
    handler: 'functions/status/maintenance-handler.ts',
    // The META row by a Query of its key, as the status route reads it.
    tableActions: ['dynamodb:Query'],
    operationId: 'listMaintenanceWindows',
    summary: "The bucket's maintenance windows",
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'MaintenanceWindowList',
  },
  // Prometheus metrics (DESIGN.md section 18): the user's partition (none for a key), the
  // workspace's META row (GetItem) and its bucket listing (Query); then each bucket's reads of
  // GET health (its partition, STATE, windows, tail), eight buckets at a time.
  {
    method: 'GET',
    path: '/workspace/{workspaceId}/metrics',
    function: 'workspace',
    handler: 'functions/workspace/metrics-handler.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query'],
    operationId: 'getWorkspaceMetrics',
    summary: "The workspace's buckets and nodes as Prometheus metrics",
    answers: ['200', ...BEARER, ...CONDITIONAL],
    text: 'text/plain',
    query: {
      bucket: {
        description:
          'Only this bucket of the workspace; repeat it for several (`?bucket=a&bucket=b`). Without it, every bucket of the workspace.',
        schema: { type: 'array', items: { $ref: '#/components/schemas/Id' } },
      },
    },
  },
  // Workspace API keys (DESIGN.md section 18), on the manage function: the user's
  // partition and the workspace's META and key slots in parallel; creating claims a free slot
  // (APIKEY#00-19) and writes the key's lookup row, deleting removes both.
  {
    method: 'POST',
    path: '/workspace/{workspaceId}/api-keys',
    function: 'manage',
    handler: 'functions/manage/api-keys-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:PutItem'],
    operationId: 'createApiKey',
    summary: "Create a read-only API key for the workspace's buckets",
    // Section 18: as the webhook routes.
    answers: ['201', ...BEARER, '409', '413'],
    response: 'CreatedApiKey',
  },
  {
    method: 'GET',
    path: '/workspace/{workspaceId}/api-keys',
    function: 'manage',
    handler: 'functions/manage/api-keys-handler.ts',
    tableActions: ['dynamodb:Query'],
    operationId: 'listApiKeys',
    summary: "The workspace's API keys (never a key or its hash)",
    answers: ['200', ...BEARER, ...CONDITIONAL],
    response: 'ApiKeyList',
  },
  {
    method: 'DELETE',
    path: '/workspace/{workspaceId}/api-keys/{keyId}',
    function: 'manage',
    handler: 'functions/manage/api-keys-handler.ts',
    tableActions: ['dynamodb:Query', 'dynamodb:DeleteItem'],
    operationId: 'deleteApiKey',
    summary: 'Revoke an API key; the next request with it is a 401',
    answers: ['204', ...BEARER],
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
