/**
 * The operator CLI of DESIGN.md section 6 as a plain function, so tests run every command in
 * process against a real engine. Commands: admin/commands/ (one file per group), flags:
 * admin/validators.ts and admin/argv.ts, help: admin/help.ts, exit codes: admin/usage.ts.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConfigError,
  readDynamoEndpoint,
  readEventRetentionDays,
  readHistoryRetentionDays,
  readStaleAfterSeconds,
  requireTableName,
} from '../functions/shared/config.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { parseCommandArgs, wantsHelp } from './argv.ts';
import { COMMANDS } from './command-table.ts';
import { cliHelp, commandHelp } from './help.ts';
import { type AdminStore, createAdminStore } from './operator-store.ts';
import {
  type AdminIo,
  type CommandContext,
  type Env,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
} from './usage.ts';

export type { AdminIo, Env };

/** One line for the operator; never a stack trace. */
function describeFailure(error: unknown, env: Env): string {
  if (!(error instanceof Error)) return String(error);
  const endpoint = env.DYNAMODB_ENDPOINT?.trim() || 'AWS DynamoDB';
  if (error.name === 'ResourceNotFoundException') {
    return `table ${env.TABLE_NAME?.trim()} not found at ${endpoint}`;
  }
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return `cannot reach DynamoDB at ${endpoint} (${code})`;
  }
  return error.message || error.name;
}

/**
 * Runs one CLI invocation: `argv` without the node and script paths. Returns the exit code;
 * output goes to `io` only.
 */
export async function runAdmin(
  argv: string[],
  env: Env = process.env,
  io: AdminIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr.write(cliHelp());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = args[0];
    if (topic !== undefined && topic in COMMANDS) io.stdout.write(commandHelp(topic));
    else io.stdout.write(cliHelp());
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`error: unknown command "${name}" (see --help for the list)\n`);
    return EXIT_USAGE;
  }
  if (wantsHelp(args)) {
    io.stdout.write(commandHelp(name));
    return EXIT_OK;
  }

  let client: DynamoDBClient | undefined;
  let store: AdminStore | undefined;
  const context: CommandContext = {
    values: {},
    env,
    io,
    store() {
      if (store === undefined) {
        const tableName = requireTableName(env);
        // The stack's settings: when an unassigned node's last report went stale, how long the
        // event of its change to DISCONNECTED is kept, and the health inputs (an unassignment's,
        // a policy change's).
        const settings = {
          staleAfterSeconds: readStaleAfterSeconds(env),
          eventRetentionDays: readEventRetentionDays(env),
          historyRetentionDays: readHistoryRetentionDays(env),
        };
        client = createDynamoClient({ endpoint: readDynamoEndpoint(env) });
        store = createAdminStore(client, tableName, settings);
      }
      return store;
    },
  };
  try {
    context.values = parseCommandArgs(name, command, args);
    await command.run(context);
    return EXIT_OK;
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof ConfigError;
    io.stderr.write(`error: ${usage ? (error as Error).message : describeFailure(error, env)}\n`);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  } finally {
    client?.destroy();
  }
}
