import type { UserAccess } from './access.ts';
import { textProblem } from './ids.ts';

/**
 * Who may manage a workspace's webhooks (DESIGN.md section 10): an ACTIVE user with role
 * ADMIN in the workspace, or with org role OWNER or ADMIN in the workspace's organization.
 * Stricter than the read rule: READ and WRITE members, and org MEMBERs, may not. Both ways
 * require the user to belong to the workspace's organization: a membership row of a user of
 * another org (which `grant` refuses to write) never opens another org's webhooks.
 */
const ORG_MANAGER_ROLES: ReadonlySet<string | undefined> = new Set(['OWNER', 'ADMIN']);

export function mayManageWebhooks(
  user: UserAccess,
  workspace: { workspaceId: string; orgId: string | undefined },
): boolean {
  if (user.status !== 'ACTIVE') return false;
  if (workspace.orgId === undefined || user.orgId !== workspace.orgId) return false;
  if (user.workspaceRoles.get(workspace.workspaceId) === 'ADMIN') return true;
  return ORG_MANAGER_ROLES.has(user.orgRole);
}

export const MAX_DESCRIPTION_LENGTH = 256;

export interface NewWebhookInput {
  url: string;
  description: string | undefined;
}

/** Body of POST /workspace/{workspaceId}/webhooks; throws a message naming the field. */
export function parseNewWebhook(value: unknown): NewWebhookInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('body must be a JSON object { "url", "description"? }');
  }
  const body = value as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (key !== 'url' && key !== 'description') throw new Error(`unknown field: ${key}`);
  }
  if (typeof body.url !== 'string') throw new Error('url is required and must be a string');
  const description = body.description;
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string') throw new Error('description must be a string');
    // The rule of every stored text (functions/domain/ids.ts): printable, in code points.
    const problem = textProblem(description, 'description', 0, MAX_DESCRIPTION_LENGTH);
    if (problem !== undefined) throw new Error(problem);
  }
  return {
    url: body.url,
    description: typeof description === 'string' && description !== '' ? description : undefined,
  };
}
