// `npm start`: the local runtime (DESIGN.md section 6) on the command line; see runtime.ts.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError } from '../functions/shared/config.ts';
import { type LocalRuntime, StartupError, startLocalRuntime } from './runtime.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_DEMO_FILE = join(PROJECT_ROOT, '.local', 'demo.json');
/** Stopping takes milliseconds; past this something holds the process open, and we say so. */
const SHUTDOWN_GRACE_MS = 5_000;

const HELP = `Usage: npm start -- [options]

Starts the API on http://localhost:$PORT with embedded dynalite (in memory), a seeded demo and
three simulated nodes that report every few seconds. Writes .local/demo.json and prints a curl
line. Ctrl-C stops everything.

Options:
  --data-dir DIR     persist dynalite's data in DIR; a restart reuses the demo
  --port N           port for the API (default $PORT or 3000; 0 picks a free one)
  --dynamodb-port N  port for the embedded dynalite (default: a free one; shown at start)
  --host ADDRESS     interface to listen on (default 127.0.0.1)
  --demo-file FILE   where to write the demo file (default .local/demo.json)
  --no-nodes         do not start the simulated nodes
  --verbose          log every simulated report, not only status changes
  --help, -h         show this help

Environment: PORT, TABLE_NAME (default bucket-status-local), DYNAMODB_ENDPOINT (use that engine
instead of dynalite; an existing demo is reused), JWT_SECRET (default: a fresh random secret),
JWT_ISSUER, JWT_AUDIENCE, STALE_AFTER_SECONDS, NODE_MIN_REPORT_INTERVAL_MS,
JWT_MAX_LIFETIME_SECONDS, HISTORY_RETENTION_DAYS, EVENT_RETENTION_DAYS, SWEEP_INTERVAL_SECONDS,
WEBHOOK_ALLOW_LOOPBACK (default true), WEBHOOK_RETRY_BASE_SECONDS.
`;

class UsageError extends Error {}

function portArg(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > 65_535) {
    throw new UsageError(`${name} must be an integer from 0 to 65535 (got "${raw}")`);
  }
  return Number(raw);
}

function parseCliArgs(argv: string[]) {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        'dynamodb-port': { type: 'string' },
        host: { type: 'string' },
        'demo-file': { type: 'string' },
        'no-nodes': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return {
      ...values,
      port: portArg(values.port, '--port'),
      dynamoPort: portArg(values['dynamodb-port'], '--dynamodb-port'),
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.split('. ')[0]);
  }
}

function printBanner(runtime: LocalRuntime, demoFile: string, nodes: boolean) {
  const { demo } = runtime;
  const lines = [
    `bucket-status local API on ${runtime.apiUrl}`,
    `  data:  ${runtime.engine} at ${runtime.dynamoEndpoint}, table ${runtime.tableName}`,
    `  admin: TABLE_NAME=${runtime.tableName} DYNAMODB_ENDPOINT=${runtime.dynamoEndpoint} npm run admin -- --help`,
    `  demo:  ${runtime.demoReused ? 'reused' : 'seeded'}; user ${demo.userId}, bucket ${demo.bucketId}; written to ${demoFile}`,
    nodes
      ? `  nodes: ${demo.nodes.length} simulated nodes report every few seconds (${demo.nodes.map((n) => n.nodeId).join(', ')})`
      : '  nodes: not simulated (--no-nodes)',
    '',
    'Open the status page:',
    `statusPageUrl ${runtime.statusPageUrl}`,
    '',
    'Try it:',
    `curl -s -H "Authorization: Bearer ${demo.token}" ${runtime.apiUrl}/bucket/${demo.bucketId}/status`,
    '',
    'Alerts (README, "See an alert"): create a webhook with the demo\'s adminToken, run',
    '`npm run webhooks:listen -- --secret whsec_...` in a second terminal, and stop a node:',
    `TABLE_NAME=${runtime.tableName} DYNAMODB_ENDPOINT=${runtime.dynamoEndpoint} npm run admin -- disable-node --node-id ${demo.nodes[0]?.nodeId ?? '<nodeId>'}`,
    '',
    'Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const demoFile = args['demo-file'] === undefined ? DEFAULT_DEMO_FILE : resolve(args['demo-file']);
  const simulateNodes = args['no-nodes'] !== true;

  // Signals that arrive while starting are honoured once start-up has finished or failed.
  let stopRequested = false;
  let runtime: LocalRuntime | undefined;
  const shutdown = async () => {
    if (stopRequested) return;
    stopRequested = true;
    if (runtime === undefined) return;
    // A clean stop needs no forced exit; the timer only reports a leak (and exits non-zero).
    setTimeout(() => {
      console.error(`local runtime: still running ${SHUTDOWN_GRACE_MS} ms after stop; exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    await runtime.stop();
    console.log('stopped');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // `kill <npm pid>` ends npm and its shell but not this process: notice being orphaned.
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid !== parentPid) void shutdown();
  }, 1_000).unref();
  // Output piped into a reader that went away (`npm start | head`): stop like on Ctrl-C.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') void shutdown();
  });

  runtime = await startLocalRuntime({
    env: process.env,
    demoFile,
    simulateNodes,
    ...(args.port !== undefined && { port: args.port }),
    ...(args.dynamoPort !== undefined && { dynamoPort: args.dynamoPort }),
    ...(args.host !== undefined && { host: args.host }),
    ...(args['data-dir'] !== undefined && { dataDir: resolve(args['data-dir']) }),
    ...(args.verbose !== undefined && { verbose: args.verbose }),
  });
  if (stopRequested) {
    stopRequested = false;
    await shutdown();
    return;
  }
  printBanner(runtime, demoFile, simulateNodes);
}

try {
  await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const known =
    error instanceof ConfigError || error instanceof StartupError || error instanceof UsageError;
  process.stderr.write(`npm start: ${known ? message : `unexpected error: ${message}`}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
