import { type FileHandle, open, unlink } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AdminError, type AdminStore, createAdminStore } from '../functions/data/operator.ts';
import {
  ORG_ROLES,
  type OrgRole,
  WORKSPACE_ROLES,
  type WorkspaceRole,
} from '../functions/domain/access.ts';
import { isValidId } from '../functions/domain/ids.ts';
import { publicKeyFromRaw } from '../functions/domain/node-signature.ts';
import {
  ConfigError,
  readDynamoEndpoint,
  readTokenMintingConfig,
  requireTableName,
} from '../functions/shared/config.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { mintToken } from './mint-token.ts';

/**
 * The operator CLI of DESIGN.md section 6 as a plain function, so tests run every command in
 * process against a real engine. Exit codes: 0 done, 1 the action failed (row missing or
 * duplicate, DynamoDB unreachable), 2 the invocation is wrong (bad flag, id, role or setting).
 */
export type Env = Record<string, string | undefined>;
export interface AdminIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The invocation is wrong: exit 2, and nothing was written. */
export class UsageError extends Error {
  override name = 'UsageError';
}

interface OptionSpec {
  description: string;
  /** Placeholder in help text; absent for boolean flags. */
  value?: string;
  required?: boolean;
}

interface CommandContext {
  values: Record<string, string | undefined>;
  env: Env;
  io: AdminIo;
  /** Opens the table lazily: commands that do not need it never read TABLE_NAME. */
  store(): AdminStore;
}

interface Command {
  /** One line for the command list. */
  summary: string;
  /** More for the command's own --help. */
  details?: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  run(context: CommandContext): Promise<void>;
}

const ID_HINT = '1-128 chars of [A-Za-z0-9_-]';
const MAX_TOKEN_LIFETIME_SECONDS = 31 * 24 * 3600;

// ---- argument validation (usage errors) ----

function requiredValue(values: CommandContext['values'], name: string): string {
  const value = values[name];
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

function idArg(values: CommandContext['values'], name: string): string {
  const value = requiredValue(values, name);
  if (!isValidId(value)) throw new UsageError(`--${name} must be ${ID_HINT} (got "${value}")`);
  return value;
}

function optionalIdArg(values: CommandContext['values'], name: string): string | undefined {
  return values[name] === undefined ? undefined : idArg(values, name);
}

function enumArg<T extends string>(
  values: CommandContext['values'],
  name: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const value = values[name] ?? fallback;
  if (value === undefined) throw new UsageError(`--${name} is required`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

function secondsArg(values: CommandContext['values'], name: string, max: number) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(`--${name} must be an integer from 1 to ${max} seconds (got "${raw}")`);
  }
  return Number(raw);
}

const printJson = (io: AdminIo, value: unknown) => io.stdout.write(`${JSON.stringify(value)}\n`);
const printLine = (io: AdminIo, line: string) => io.stdout.write(`${line}\n`);

// ---- commands ----

async function createUser({ values, io, store }: CommandContext) {
  const userId = idArg(values, 'user-id');
  const orgId = idArg(values, 'org-id');
  const orgRole = enumArg<OrgRole>(values, 'org-role', ORG_ROLES, 'MEMBER');
  await store().createUser({ userId, orgId, orgRole });
  printLine(io, `created user ${userId} (org ${orgId}, ${orgRole}, ACTIVE)`);
}

async function grant({ values, io, store }: CommandContext) {
  const userId = idArg(values, 'user-id');
  const workspaceId = idArg(values, 'workspace-id');
  const role = enumArg<WorkspaceRole>(values, 'role', WORKSPACE_ROLES);
  await store().grant({ userId, workspaceId, role });
  printLine(io, `granted ${role} on workspace ${workspaceId} to user ${userId}`);
}

async function revoke({ values, io, store }: CommandContext) {
  const userId = idArg(values, 'user-id');
  const workspaceId = idArg(values, 'workspace-id');
  await store().revoke({ userId, workspaceId });
  printLine(io, `revoked user ${userId}'s access to workspace ${workspaceId}`);
}

async function createBucket({ values, io, store }: CommandContext) {
  const bucketId = idArg(values, 'bucket-id');
  const workspaceId = idArg(values, 'workspace-id');
  const orgId = idArg(values, 'org-id');
  const name = values.name ?? bucketId;
  if (name.trim() === '' || name.length > 256) throw new UsageError('--name must be 1-256 chars');
  await store().createBucket({ bucketId, workspaceId, orgId, name });
  printLine(io, `created bucket ${bucketId} in workspace ${workspaceId} (org ${orgId})`);
}

async function registerNode({ values, io, store }: CommandContext) {
  const nodeId = idArg(values, 'node-id');
  const orgId = optionalIdArg(values, 'org-id');
  const publicKey = values['public-key'];
  const keyFile = values['key-file'];
  if (publicKey !== undefined && keyFile !== undefined) {
    throw new UsageError('--key-file has nothing to write with --public-key (no private key)');
  }
  if (keyFile === '') throw new UsageError('--key-file must be a file path');
  if (publicKey !== undefined && !isRawPublicKey(publicKey)) {
    throw new UsageError('--public-key must be base64 of a raw 32-byte Ed25519 public key');
  }
  const input = {
    nodeId,
    ...(orgId !== undefined && { orgId }),
    ...(publicKey !== undefined && { publicKey }),
  };
  const adminStore = store();
  if (keyFile === undefined) {
    // The only time the private key exists outside the node: printed once, never stored.
    printJson(io, await adminStore.registerNode(input));
    return;
  }
  // Create the file before registering, so an unwritable or existing path registers nothing.
  const file = await createKeyFile(keyFile);
  let registered: Awaited<ReturnType<AdminStore['registerNode']>>;
  try {
    registered = await adminStore.registerNode(input);
  } catch (error) {
    await file.close();
    await unlink(keyFile).catch(() => undefined);
    throw error;
  }
  try {
    await file.writeFile(`${registered.privateKey}\n`);
  } catch (error) {
    throw new AdminError(
      `node ${nodeId} was registered but its key could not be written to ${keyFile} ` +
        `(${(error as Error).message}); disable it and register a new node`,
    );
  } finally {
    await file.close();
  }
  printJson(io, { nodeId: registered.nodeId, publicKey: registered.publicKey, keyFile });
}

function isRawPublicKey(value: string): boolean {
  try {
    publicKeyFromRaw(value);
    return true;
  } catch {
    return false;
  }
}

async function createKeyFile(path: string): Promise<FileHandle> {
  try {
    // 'wx': fail if the file exists; 0600: only the operator can read the private key.
    return await open(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`--key-file ${path} exists; refusing to overwrite`);
    throw new AdminError(`cannot create key file ${path}: ${code ?? (error as Error).message}`);
  }
}

async function assignNode({ values, io, store }: CommandContext) {
  const bucketId = idArg(values, 'bucket-id');
  const nodeId = idArg(values, 'node-id');
  await store().assignNode({ bucketId, nodeId });
  printLine(io, `node ${nodeId} is assigned to bucket ${bucketId}`);
}

async function unassignNode({ values, io, store }: CommandContext) {
  const bucketId = idArg(values, 'bucket-id');
  const nodeId = idArg(values, 'node-id');
  await store().unassignNode({ bucketId, nodeId });
  printLine(io, `node ${nodeId} is no longer assigned to bucket ${bucketId}`);
}

async function disableNode({ values, io, store }: CommandContext) {
  const nodeId = idArg(values, 'node-id');
  await store().disableNode(nodeId);
  printLine(io, `disabled node ${nodeId}`);
}

async function disableUser({ values, io, store }: CommandContext) {
  const userId = idArg(values, 'user-id');
  await store().disableUser(userId);
  printLine(io, `disabled user ${userId}`);
}

async function revokeTokens({ values, io, store }: CommandContext) {
  const userId = idArg(values, 'user-id');
  const tokensValidAfter = await store().revokeTokens(userId);
  printJson(io, {
    userId,
    tokensValidAfter,
    revokedBefore: new Date(tokensValidAfter * 1000).toISOString(),
  });
}

async function mintTokenCommand({ values, env, io }: CommandContext) {
  const userId = idArg(values, 'user-id');
  const expiresInSeconds = secondsArg(values, 'expires-in', MAX_TOKEN_LIFETIME_SECONDS);
  // Secret (byte for byte), issuer and audience list: the status function's own readers.
  const { secret, issuer, audience } = readTokenMintingConfig(env);
  const token = await mintToken({
    userId,
    secret,
    ...(expiresInSeconds !== undefined && { expiresInSeconds }),
    ...(issuer !== undefined && { issuer }),
    // The status API accepts any one of the JWT_AUDIENCE list; claim them all.
    ...(audience && { audience: audience.length === 1 ? (audience[0] as string) : audience }),
  });
  printLine(io, token);
}

const userId = { value: 'ID', description: `user id (${ID_HINT})`, required: true };
const workspaceId = { value: 'ID', description: 'workspace id', required: true };
const bucketId = { value: 'ID', description: 'bucket id', required: true };
const nodeId = { value: 'ID', description: 'node id', required: true };

export const COMMANDS: Record<string, Command> = {
  'create-user': {
    summary: 'Create an ACTIVE user in an organization',
    details: 'Fails if the user exists. Org OWNERs and ADMINs may read every bucket of their org.',
    options: {
      'user-id': userId,
      'org-id': { value: 'ID', description: 'organization id', required: true },
      'org-role': {
        value: ORG_ROLES.join('|'),
        description:
          'role in the organization (default MEMBER); OWNER and ADMIN read every bucket of the org',
      },
    },
    examples: ['create-user --user-id alice --org-id acme --org-role MEMBER'],
    run: createUser,
  },
  grant: {
    summary: 'Give a user a role in a workspace',
    details: "The user must exist. Replaces the user's earlier role in that workspace.",
    options: {
      'user-id': userId,
      'workspace-id': workspaceId,
      role: { value: WORKSPACE_ROLES.join('|'), description: 'workspace role', required: true },
    },
    examples: ['grant --user-id alice --workspace-id ws-1 --role READ'],
    run: grant,
  },
  revoke: {
    summary: "Remove a user's role in a workspace",
    options: { 'user-id': userId, 'workspace-id': workspaceId },
    examples: ['revoke --user-id alice --workspace-id ws-1'],
    run: revoke,
  },
  'create-bucket': {
    summary: 'Create a bucket in a workspace and organization',
    details: 'Fails if the bucket exists.',
    options: {
      'bucket-id': bucketId,
      'workspace-id': workspaceId,
      'org-id': { value: 'ID', description: 'organization id', required: true },
      name: { value: 'NAME', description: 'display name (default: the bucket id)' },
    },
    examples: ['create-bucket --bucket-id b-1 --workspace-id ws-1 --org-id acme --name photos'],
    run: createBucket,
  },
  'register-node': {
    summary: 'Register a node and print its new private key once',
    details:
      'Generates an Ed25519 key pair, stores the public key (status ACTIVE) and prints ' +
      '{ nodeId, publicKey, privateKey } as JSON; with --key-file the private key goes to a new ' +
      'file (mode 0600) instead of the output. The private key is not stored anywhere else.',
    options: {
      'node-id': nodeId,
      'org-id': { value: 'ID', description: 'organization the node belongs to (optional)' },
      'key-file': {
        value: 'FILE',
        description: 'write the private key (base64 raw seed) to a new file, mode 0600',
      },
      'public-key': {
        value: 'BASE64',
        description: 'store this raw 32-byte Ed25519 public key instead of generating a pair',
      },
    },
    examples: [
      'register-node --node-id node-1 --org-id acme --key-file node-1.key',
      'register-node --node-id node-2',
    ],
    run: registerNode,
  },
  'assign-node': {
    summary: 'Let a node report for a bucket',
    details:
      'The bucket and node must exist (and share the org when the node has one). Assigning ' +
      'again is harmless: the stored report is kept.',
    options: { 'bucket-id': bucketId, 'node-id': nodeId },
    examples: ['assign-node --bucket-id b-1 --node-id node-1'],
    run: assignNode,
  },
  'unassign-node': {
    summary: 'Remove a node from a bucket',
    details: 'Deletes the assignment and the last report the node made for that bucket.',
    options: { 'bucket-id': bucketId, 'node-id': nodeId },
    examples: ['unassign-node --bucket-id b-1 --node-id node-1'],
    run: unassignNode,
  },
  'disable-node': {
    summary: 'Refuse all further reports from a node',
    details: 'The node then shows as DISCONNECTED once its last report is stale.',
    options: { 'node-id': nodeId },
    examples: ['disable-node --node-id node-1'],
    run: disableNode,
  },
  'disable-user': {
    summary: 'Disable a user',
    details: "Every status request with the user's tokens then answers 403.",
    options: { 'user-id': userId },
    examples: ['disable-user --user-id alice'],
    run: disableUser,
  },
  'revoke-tokens': {
    summary: 'Revoke every token issued to a user so far',
    details: 'Tokens issued up to and including the current second answer 401; later ones work.',
    options: { 'user-id': userId },
    examples: ['revoke-tokens --user-id alice'],
    run: revokeTokens,
  },
  'mint-token': {
    summary: 'Print a development HS256 token for a user',
    details:
      'Signed with JWT_SECRET; carries JWT_ISSUER and JWT_AUDIENCE when set. Needs no table ' +
      'and does not check that the user exists.',
    options: {
      'user-id': userId,
      'expires-in': { value: 'SECONDS', description: 'token lifetime (default 3600)' },
    },
    examples: ['mint-token --user-id alice --expires-in 600'],
    run: mintTokenCommand,
  },
};

const TABLE_COMMANDS_NOTE =
  'Environment: TABLE_NAME (required), DYNAMODB_ENDPOINT (a local engine instead of AWS).';

export function cliHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = [
    'Usage: npm run admin -- <command> [options]',
    '',
    'Operator commands for the bucket-status table.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(
      ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
    ),
    '',
    TABLE_COMMANDS_NOTE,
    "Run `npm run admin -- <command> --help` for a command's options.",
    'Exit codes: 0 done, 1 the action failed, 2 invalid command, option or setting.',
  ];
  return `${lines.join('\n')}\n`;
}

export function commandHelp(name: string): string {
  const command = COMMANDS[name];
  if (command === undefined) throw new UsageError(`unknown command "${name}"`);
  const flags = Object.entries(command.options).map(([option, spec]) => [
    `--${option}${spec.value ? ` ${spec.value}` : ''}`,
    `${spec.required ? '(required) ' : ''}${spec.description}`,
  ]);
  flags.push(['--help, -h', 'show this help']);
  const width = Math.max(...flags.map(([flag]) => (flag as string).length));
  const lines = [
    `Usage: npm run admin -- ${name} [options]`,
    '',
    `${command.summary}.${command.details ? ` ${command.details}` : ''}`,
    '',
    'Options:',
    ...flags.map(([flag, text]) => `  ${(flag as string).padEnd(width)}  ${text}`),
    '',
    name === 'mint-token'
      ? 'Environment: JWT_SECRET (required, >= 32 bytes), JWT_ISSUER, JWT_AUDIENCE.'
      : TABLE_COMMANDS_NOTE,
    '',
    'Examples:',
    ...command.examples.map((example) => `  npm run admin -- ${example}`),
  ];
  return `${lines.join('\n')}\n`;
}

const wantsHelp = (args: string[]) => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

function parseCommandArgs(name: string, command: Command, args: string[]) {
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        Object.keys(command.options).map((option) => [option, { type: 'string' as const }]),
      ),
    });
    return values as Record<string, string | undefined>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']+)'/.exec(message)?.[1] ?? 'option';
      throw new UsageError(`unknown option ${option} for ${name} (see ${name} --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec(message)?.[1] ?? '';
      throw new UsageError(`unexpected argument "${arg}" for ${name} (options take --name VALUE)`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const option = /'(--[^ ']+)/.exec(message)?.[1] ?? 'an option';
      throw new UsageError(`${option} needs a value (see ${name} --help)`);
    }
    throw error;
  }
}

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
        client = createDynamoClient({ endpoint: readDynamoEndpoint(env) });
        store = createAdminStore(client, tableName);
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
