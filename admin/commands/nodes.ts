/** Nodes: register-node, assign-node, unassign-node, disable-node. */
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { publicKeyFromRaw, WeakPublicKeyError } from '../../functions/domain/node-signature.ts';
import { AdminError, type AdminStore } from '../operator-store.ts';
import { type Command, type CommandContext, printJson, printLine, UsageError } from '../usage.ts';
import { idArg, optionalIdArg } from '../validators.ts';
import { bucketId, nodeId } from './options.ts';

async function registerNode({ values, io, store }: CommandContext) {
  const nodeId = idArg(values, 'node-id');
  const orgId = optionalIdArg(values, 'org-id');
  const publicKey = values['public-key'];
  const keyFile = values['key-file'];
  if (publicKey !== undefined && keyFile !== undefined) {
    throw new UsageError('--key-file has nothing to write with --public-key (no private key)');
  }
  if (keyFile === '') throw new UsageError('--key-file must be a file path');
  if (publicKey !== undefined) checkPublicKey(publicKey);
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

function checkPublicKey(value: string): void {
  try {
    publicKeyFromRaw(value);
  } catch (error) {
    throw new UsageError(
      error instanceof WeakPublicKeyError
        ? '--public-key is a weak Ed25519 key (a point of small order, for which forged ' +
            'signatures verify); register the public key of a generated key pair'
        : '--public-key must be base64 of a raw 32-byte Ed25519 public key',
    );
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

export const NODE_COMMANDS: Record<string, Command> = {
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
    details:
      'Deletes the assignment and the last report the node made for that bucket; a node not ' +
      'DISCONNECTED for it changes to DISCONNECTED now (an event, delivered like every other). ' +
      'STALE_AFTER_SECONDS should be the stack setting (default 90).',
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
};
