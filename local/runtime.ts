import { mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AdminStore, createAdminStore } from '../admin/operator-store.ts';
import { createWindowLoader } from '../functions/data/maintenance-windows.ts';
import { createWebhookStore } from '../functions/data/webhooks.ts';
import { createDeliveryConfirmer } from '../functions/delivery/confirmer.ts';
import { postWebhook } from '../functions/delivery/webhook-client.ts';
import type { RecordedHealthEvent } from '../functions/domain/alert-message.ts';
import type { RecordedNodeEvent } from '../functions/domain/events.ts';
import { SECURITY_HEADERS } from '../functions/http/response.ts';
import { ConfigError } from '../functions/shared/config.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { bundleWeb } from '../web/build.ts';
import { contentTypeOf, pageHeaders } from '../web/headers.ts';
import { createLocalAlertQueue, type LocalAlertQueue, type LocalTimers } from './alert-queue.ts';
import { type LocalConfig, readLocalConfig } from './config.ts';
import {
  type Demo,
  type DemoFile,
  findExistingDemo,
  mintDemoToken,
  seedDemo,
  writeDemoFile,
} from './demo.ts';
import { type EmbeddedDynamo, ensureTable, startDynalite } from './embedded-dynamodb.ts';
import { createLocalFunctions, type LocalFunctions, lateBoundRoutes } from './handlers.ts';
import {
  createInFlight,
  createLocalHttpServer,
  type ServerLimits,
  type StaticSite,
} from './http-adapter.ts';
import { type SimulatedNodes, startSimulatedNodes } from './simulated-nodes.ts';
import { startSweepTimer } from './sweep-timer.ts';

/**
 * The local runtime of `npm start` as a function: engine, table, demo, API server and
 * simulated nodes, all in this process. local/start.ts is only its command-line wrapper;
 * tests start it on port 0 and stop it again.
 */

export interface LocalRuntimeOptions {
  /** Settings (DESIGN.md section 5); defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** Interface to listen on; loopback by default, since the demo token is printed. */
  host?: string;
  /** Persist dynalite's data in this directory (refused together with DYNAMODB_ENDPOINT). */
  dataDir?: string;
  /** Port of the embedded dynalite (default: any free one); other tools reach it there. */
  dynamoPort?: number;
  /** Where to find and write demo.json; without one, no file is read or written. */
  demoFile?: string;
  simulateNodes?: boolean;
  /** Mean time between simulated reports (default 4 s). */
  reportIntervalMs?: number;
  /** Log every simulated report, not only status changes. */
  verbose?: boolean;
  log?: (line: string) => void;
  /** Run the sweep every SWEEP_INTERVAL_SECONDS (default true). */
  sweep?: boolean;
  /** Also told of every event the sweep or a report records (after the local alert queue). */
  onEventsRecorded?: (events: RecordedNodeEvent[]) => void;
  /** The fetch the simulated nodes send reports with (tests observe the responses). */
  nodeReportFetch?: typeof fetch;
  /** Serve the status page from this built folder (`npm run build:web`); default: built in memory. */
  webDir?: string;
  /** Timeouts and connection cap of the HTTP server (tests shorten them). */
  serverLimits?: Partial<ServerLimits>;
  /**
   * The clock of the functions and of the alert queue's waits and retries (default: the real
   * one). A bench drives a simulated one (with `sweep: false` and no simulated nodes).
   */
  clock?: LocalClock;
}

export interface LocalClock extends LocalTimers {
  now(): number;
}

export interface LocalRuntime {
  apiUrl: string;
  /** The status page on the demo bucket, the demo token in the fragment. */
  statusPageUrl: string;
  port: number;
  demo: DemoFile;
  /** True when an existing demo (demo file + table) was reused instead of seeded. */
  demoReused: boolean;
  /** What holds the data, for humans: "dynalite (in memory)", "dynalite (DIR)", or DYNAMODB_ENDPOINT. */
  engine: string;
  tableName: string;
  dynamoEndpoint: string;
  /** The client every function shares (a bench counts its requests). */
  client: DynamoDBClient;
  /** The wired functions of the route table (scheduled and queue ones are driven from here). */
  functions: LocalFunctions;
  /** The in-process alert queue: every recorded event to the webhooks of its workspace. */
  alerts: LocalAlertQueue;
  /**
   * The operator store on the runtime's table, with its settings and its publish port: the
   * events it records (an unassigned node's change to DISCONNECTED) reach the alert queue. The
   * admin CLI, a process of its own, records them without a local delivery.
   */
  admin: AdminStore;
  /** Stops simulated nodes, the API server, the DynamoDB client and dynalite; idempotent. */
  stop(): Promise<void>;
}

/** A start-up failure with a one-line message for humans (port in use, engine unreachable). */
export class StartupError extends Error {
  override name = 'StartupError';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new StartupError(`port ${port} is already in use (set PORT or --port)`));
      } else if (error.code === 'EACCES') {
        reject(new StartupError(`no permission to listen on port ${port}`));
      } else {
        reject(error);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting, lets in-flight requests finish (their handlers still use the engine, which
 * closes after this), and drops connections that are still busy after a grace period.
 */
function closeServer(server: Server, graceMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function prepareTable(client: DynamoDBClient, config: LocalConfig, endpoint: string) {
  try {
    await ensureTable(client, config.tableName);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new StartupError(
      code === undefined
        ? `cannot create or read table ${config.tableName} at ${endpoint}: ${(error as Error).message}`
        : `cannot reach DynamoDB at ${endpoint} (${code})`,
    );
  }
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

const PAGE_FILES = ['index.html', 'app.js', 'app.css', 'favicon.svg'];

/**
 * The status page as the local runtime serves it: the built files, and a config.json that
 * points the page at its own origin (deployed, the stack writes the API's URL there).
 */
async function loadStatusPage(webDir: string | undefined): Promise<StaticSite> {
  const built =
    webDir === undefined
      ? bundleWeb()
      : new Map(
          await Promise.all(
            PAGE_FILES.map(
              async (name) => [name, await readFile(join(webDir, name))] as [string, Uint8Array],
            ),
          ).catch((error: NodeJS.ErrnoException) => {
            throw new StartupError(
              `the status page is not built in ${webDir} (${error.code}); run npm run build:web`,
            );
          }),
        );
  built.set('config.json', new TextEncoder().encode('{"apiUrl":"/"}\n'));
  return {
    files: new Map(
      [...built].map(([name, body]) => [name, { body, contentType: contentTypeOf(name) }]),
    ),
    headers: pageHeaders(),
  };
}

/** `<page>#bucket=<id>&token=<token>`: what the demo user opens. */
export const statusPageUrlOf = (apiUrl: string, bucketId: string, token: string) =>
  `${apiUrl}/#bucket=${encodeURIComponent(bucketId)}&token=${encodeURIComponent(token)}`;

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const config = readLocalConfig(env, options.port === undefined ? {} : { port: options.port });
  if (options.dynamoPort !== undefined && config.dynamoEndpoint !== undefined) {
    throw new ConfigError('--dynamodb-port does not apply with DYNAMODB_ENDPOINT set');
  }
  if (options.dataDir !== undefined && config.dynamoEndpoint !== undefined) {
    throw new ConfigError(
      '--data-dir does not apply with DYNAMODB_ENDPOINT set (that engine keeps its own data)',
    );
  }
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock;
  const logger = createLogger('bucket-status-local', {
    // Rejected requests are routine locally; errors still show.
    logLevel: env.POWERTOOLS_LOG_LEVEL?.trim() || 'WARN',
  });

  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.resolve(cleanup()).catch(() => undefined);
    }
  };

  try {
    let endpoint = config.dynamoEndpoint;
    let engine: string;
    if (endpoint === undefined) {
      if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
      const dynalite: EmbeddedDynamo = await startDynalite({
        ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
        ...(options.dynamoPort !== undefined && { port: options.dynamoPort }),
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new StartupError(`port ${options.dynamoPort} for dynalite is already in use`);
      });
      cleanups.push(() => dynalite.close());
      endpoint = dynalite.endpoint;
      engine =
        options.dataDir === undefined ? 'dynalite (in memory)' : `dynalite (${options.dataDir})`;
    } else {
      engine = 'DynamoDB from DYNAMODB_ENDPOINT';
    }
    // Deployed, each Lambda container has a client of its own and serves one request at a time.
    // Here every function shares this one client, so a burst of requests (50 uptime reads of 90
    // days are 4,500 Queries) queues on its sockets, and the SDK counts that wait against the
    // connection timeout: 1 s would turn a queue into 503s. The embedded engine also shares this
    // process's event loop, so under a burst one request's answer can take more than the
    // deployed 2 s request timeout while the engine works through the others: the local client
    // waits up to 15 s for both. A refused or dead engine still fails at once (ECONNREFUSED).
    const client = createDynamoClient({
      endpoint,
      connectionTimeoutMs: 15_000,
      requestTimeoutMs: 15_000,
    });
    cleanups.push(() => client.destroy());

    // Alerts: dynalite has no streams and there is no SQS locally, so the event writers'
    // publish port feeds an in-process queue with the deployed semantics (local/alert-queue.ts).
    const webhookStore = createWebhookStore(client, config.tableName);
    const loadWindows = createWindowLoader(client, config.tableName);
    const alerts = createLocalAlertQueue({
      fanOut: {
        loadBucketWorkspace: (bucketId) => webhookStore.loadBucketWorkspace(bucketId),
        listWebhookTargets: (workspaceId) => webhookStore.listWebhookTargets(workspaceId),
        loadWindows,
        ...(clock !== undefined && { now: () => clock.now() }),
      },
      attempt: {
        loadWebhookForDelivery: (workspaceId, slot, webhookId) =>
          webhookStore.loadWebhookForDelivery(workspaceId, slot, webhookId),
        post: postWebhook,
        confirm: createDeliveryConfirmer(client, config.tableName, {
          staleAfterSeconds: config.staleAfterSeconds,
          ...(clock !== undefined && { now: () => clock.now() }),
        }),
        policy: { allowLoopback: config.webhookAllowLoopback },
        ...(clock !== undefined && { now: () => clock.now() }),
      },
      retryBaseSeconds: config.webhookRetryBaseSeconds,
      log,
      ...(clock !== undefined && { timers: clock }),
    });
    // Stopped (pending retries cancelled, attempts in flight finished) before the client closes.
    cleanups.push(() => alerts.stop());
    const publishEvents = (events: RecordedNodeEvent[]) => {
      // One line per change, whoever recorded it (a report, or the sweep for silence).
      for (const e of events) {
        log(`event: node ${e.nodeId} of bucket ${e.bucketId} ${e.from} -> ${e.to} at ${e.at}`);
      }
      alerts.onEventsRecorded(events);
      options.onEventsRecorded?.(events);
    };
    const publishHealth = (events: RecordedHealthEvent[]) => {
      // One line per health change, recorded by the sweep's health step.
      for (const e of events) {
        log(`health: bucket ${e.bucketId} ${e.from} -> ${e.to} at ${e.at}`);
      }
      alerts.onEventsRecorded(events);
    };

    const admin = createAdminStore(client, config.tableName, {
      staleAfterSeconds: config.staleAfterSeconds,
      eventRetentionDays: config.eventRetentionDays,
      historyRetentionDays: config.historyRetentionDays,
      onEventsRecorded: publishEvents,
    });

    // Every function and route of functions/route-table.ts, through its production wiring,
    // once the server listens: STATUS_PAGE_URL defaults to the page this server serves.
    let wired: LocalFunctions | undefined;
    const staticSite = await loadStatusPage(options.webDir);
    // Handler invocations still running when the server closes (a client that aborted, an
    // integration timeout) finish before the alert queue, the client and the engine close.
    const handlers = createInFlight();
    cleanups.push(() => handlers.settled());
    const server = createLocalHttpServer({
      staticSite,
      // Its own 404, 413, 500 and 503 carry the API's security headers like every other answer.
      gatewayHeaders: SECURITY_HEADERS,
      inFlight: handlers,
      ...(options.serverLimits !== undefined && { limits: options.serverLimits }),
      onClientAbort: (context) =>
        logger.info('client closed the connection before its request was read', context),
      routes: lateBoundRoutes(() => wired),
      onError: (error, context) =>
        logger.error('unhandled error in the local HTTP adapter', {
          ...context,
          error: error instanceof Error ? error : String(error),
        }),
    });
    const port = await listen(server, config.port, host);
    cleanups.push(() => closeServer(server));
    const shownHost = loopbackHosts.has(host)
      ? 'localhost'
      : host.includes(':')
        ? `[${host}]`
        : host;
    const apiUrl = `http://${shownHost}:${port}`;
    // The simulated nodes talk to the socket we bound, whatever "localhost" resolves to.
    const boundUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const functions = await createLocalFunctions({
      client,
      settings: { ...config, statusPageUrl: config.statusPageUrl ?? `${apiUrl}/` },
      logger,
      overrides: {
        onEventsRecorded: publishEvents,
        onHealthRecorded: publishHealth,
        ...(clock !== undefined && { now: () => clock.now() }),
      },
    });
    wired = functions;

    await prepareTable(client, config, endpoint);
    if (options.sweep !== false) {
      // The route table's sweep function, wired like its Lambda entry; this timer plays the
      // schedule (DESIGN.md section 9).
      const sweep = functions.events.sweep;
      if (sweep === undefined) throw new Error('the route table has no sweep function');
      const sweepTimer = startSweepTimer({
        intervalMs: config.sweepIntervalSeconds * 1000,
        sweep: () => sweep({}, {}),
        onError: () => undefined, // the sweep has logged it; the next run retries
      });
      // Stopped (and its run awaited) before the client and the engine close.
      cleanups.push(() => sweepTimer.stop());
    }
    const existing =
      options.demoFile === undefined
        ? undefined
        : await findExistingDemo(client, config.tableName, options.demoFile);
    const seeded: Demo = existing ?? (await seedDemo(client, config.tableName));
    const token = await mintDemoToken({
      userId: seeded.userId,
      jwtSecret: config.jwtSecret,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
    const adminToken = await mintDemoToken({
      userId: seeded.adminUserId,
      jwtSecret: config.jwtSecret,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    });
    const statusPageUrl = statusPageUrlOf(apiUrl, seeded.bucketId, token);
    const demo: DemoFile = {
      apiUrl,
      token,
      statusPageUrl,
      adminToken,
      tableName: config.tableName,
      dynamodbEndpoint: endpoint,
      jwtSecret: config.jwtSecret,
      ...seeded,
    };
    if (options.demoFile !== undefined) await writeDemoFile(options.demoFile, demo);

    let simulated: SimulatedNodes | undefined;
    if (options.simulateNodes !== false) {
      simulated = startSimulatedNodes({
        apiUrl: boundUrl,
        bucketId: demo.bucketId,
        nodes: demo.nodes,
        log,
        ...(options.reportIntervalMs !== undefined && { intervalMs: options.reportIntervalMs }),
        ...(options.verbose !== undefined && { verbose: options.verbose }),
        ...(options.nodeReportFetch !== undefined && { fetch: options.nodeReportFetch }),
      });
      const nodes = simulated;
      // Stopped before the server closes: the nodes are clients of it.
      cleanups.push(() => nodes.stop());
      await simulated.firstReports;
    }

    let stopping: Promise<void> | undefined;
    return {
      apiUrl,
      statusPageUrl,
      port,
      demo,
      demoReused: existing !== undefined,
      functions,
      alerts,
      admin,
      engine,
      tableName: config.tableName,
      dynamoEndpoint: endpoint,
      client,
      stop: () => {
        stopping ??= runCleanups();
        return stopping;
      },
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
