import { ValueErrorType } from '@sinclair/typebox/errors';
import { firstIssue, type Issue } from '../wire/check.ts';
import { MAX_DESCRIPTION_LENGTH, NewWebhook } from '../wire/webhooks.ts';
import type { BucketOwner, UserAccess } from './access.ts';
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

/**
 * Who may change a bucket's health settings (its maintenance windows and policy, DESIGN.md
 * sections 13 and 15): as for webhooks, of the bucket's workspace and organization.
 */
export function mayManageBucket(user: UserAccess, owner: BucketOwner): boolean {
  if (owner.workspaceId === undefined) {
    return (
      user.status === 'ACTIVE' &&
      owner.orgId !== undefined &&
      user.orgId === owner.orgId &&
      ORG_MANAGER_ROLES.has(user.orgRole)
    );
  }
  return mayManageWebhooks(user, { workspaceId: owner.workspaceId, orgId: owner.orgId });
}

export { MAX_DESCRIPTION_LENGTH };

export interface NewWebhookInput {
  url: string;
  description: string | undefined;
}

/**
 * Issues a later step reports itself: the URL rules (checkWebhookUrl, after authorization, with
 * messages per rule) and the description's length, which counts characters, not the UTF-16
 * units a JSON Schema validator counts.
 */
const checkedLater = (issue: Issue) =>
  (issue.path[0] === 'url' && issue.kind !== 'type' && issue.kind !== 'missing') ||
  (issue.path[0] === 'description' && issue.error.type === ValueErrorType.StringMaxLength);

function newWebhookMessage(issue: Issue): string {
  const [field] = issue.path;
  if (field === undefined) return 'body must be a JSON object { "url", "description"? }';
  if (issue.kind === 'unknown') return `unknown field: ${field}`;
  if (field === 'url') return 'url is required and must be a string';
  return 'description must be a string';
}

/** Body of POST /workspace/{workspaceId}/webhooks (wire/webhooks.ts); throws a message naming the field. */
export function parseNewWebhook(value: unknown): NewWebhookInput {
  // A null description is no description.
  const body =
    typeof value === 'object' &&
    value !== null &&
    'description' in value &&
    value.description === null
      ? { ...value, description: undefined }
      : value;
  const issue = firstIssue(NewWebhook, body, { ignore: checkedLater });
  if (issue !== undefined) throw new Error(newWebhookMessage(issue));
  const { url, description } = body as NewWebhook;
  if (description !== undefined) {
    // The rule of every stored text (functions/domain/ids.ts): printable, in code points.
    const problem = textProblem(description, 'description', 0, MAX_DESCRIPTION_LENGTH);
    if (problem !== undefined) throw new Error(problem);
  }
  return { url, description: description !== '' ? description : undefined };
}
