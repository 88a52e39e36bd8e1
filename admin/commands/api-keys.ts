/** Workspace API keys: list-api-keys, revoke-api-key (DESIGN.md section 18). */
import { type Command, type CommandContext, printJson, printLine } from '../usage.ts';
import { idArg } from '../validators.ts';
import { workspaceId } from './options.ts';

async function listApiKeys({ values, io, store }: CommandContext) {
  const workspace = idArg(values, 'workspace-id');
  printJson(io, { workspaceId: workspace, keys: await store().listApiKeys(workspace) });
}

async function revokeApiKey({ values, io, store }: CommandContext) {
  const workspace = idArg(values, 'workspace-id');
  const keyId = idArg(values, 'key-id');
  await store().revokeApiKey({ workspaceId: workspace, keyId });
  printLine(io, `revoked API key ${keyId} of workspace ${workspace}`);
}

export const API_KEY_COMMANDS: Record<string, Command> = {
  'list-api-keys': {
    summary: "List a workspace's read-only API keys (never the keys)",
    details:
      'Prints one JSON line { workspaceId, keys: [{ id, description?, createdAt, expiresAt }] }, ' +
      'oldest first, expired keys included. Fails if the workspace does not exist.',
    options: { 'workspace-id': workspaceId },
    examples: ['list-api-keys --workspace-id ws-1'],
    run: listApiKeys,
  },
  'revoke-api-key': {
    summary: 'Revoke a workspace API key: the next request with it answers 401',
    details:
      'Deletes the key (as DELETE /workspace/{workspaceId}/api-keys/{keyId} does). Fails if the ' +
      'workspace has no such key.',
    options: {
      'workspace-id': workspaceId,
      'key-id': {
        value: 'ID',
        description: 'the key id (ak_...), as list-api-keys shows it',
        required: true,
      },
    },
    examples: ['revoke-api-key --workspace-id ws-1 --key-id ak_0123456789abcdef0123456789abcdef'],
    run: revokeApiKey,
  },
};
