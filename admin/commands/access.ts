/** Workspace access: grant, revoke. */
import { WORKSPACE_ROLES, type WorkspaceRole } from '../../functions/domain/access.ts';
import { type Command, type CommandContext, printLine } from '../usage.ts';
import { enumArg, idArg } from '../validators.ts';
import { userId, workspaceId } from './options.ts';

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

export const ACCESS_COMMANDS: Record<string, Command> = {
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
};
