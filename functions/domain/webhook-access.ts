import { firstIssue, type Issue } from '../wire/check.ts';
import { MAX_DESCRIPTION_LENGTH, NewWebhook, WebhookPatch } from '../wire/webhooks.ts';
import type { BucketOwner, UserAccess } from './access.ts';
import {
  DEFAULT_WEBHOOK_EVENTS,
  parseEvents,
  parseMinDuration,
  type WebhookEventType,
} from './alert-policy.ts';
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
  events: WebhookEventType[];
  minDurationSeconds: number;
}

/** Body of PATCH /workspace/{workspaceId}/webhooks/{webhookId}: only the fields it changes. */
export interface WebhookPatchInput {
  url?: string;
  /** Present as undefined: the description is removed (`null` or `""`). */
  description?: string | undefined;
  events?: WebhookEventType[];
  minDurationSeconds?: number;
}

/**
 * Issues a later step reports itself: the URL rules (checkWebhookUrl, after authorization, with
 * messages per rule) and the description's length, which counts characters, not the UTF-16
 * units a JSON Schema validator counts.
 */
const checkedLater = (issue: Issue) =>
  (issue.path[0] === 'url' && issue.kind !== 'type' && issue.kind !== 'missing') ||
  (issue.path[0] === 'description' && issue.error.type === 'StringMaxLength') ||
  // The alert policy's fields are checked by its own parsers, with messages of their own.
  ((issue.path[0] === 'events' || issue.path[0] === 'minDurationSeconds') &&
    issue.kind !== 'unknown');

const BODY_SHAPE =
  'body must be a JSON object { "url", "description"?, "events"?, "minDurationSeconds"? }';

function webhookBodyMessage(issue: Issue, shape: string): string {
  const [field] = issue.path;
  if (field === undefined) return shape;
  if (issue.kind === 'unknown') return `unknown field: ${field}`;
  if (field === 'url') {
    return shape === BODY_SHAPE ? 'url is required and must be a string' : 'url must be a string';
  }
  return 'description must be a string';
}

/** A null description is no description. */
const withoutNullDescription = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  'description' in value &&
  value.description === null
    ? { ...value, description: undefined }
    : value;

function checkedDescription(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  // The rule of every stored text (functions/domain/ids.ts): printable, in code points.
  const problem = textProblem(description, 'description', 0, MAX_DESCRIPTION_LENGTH);
  if (problem !== undefined) throw new Error(problem);
  return description !== '' ? description : undefined;
}

/** Body of POST /workspace/{workspaceId}/webhooks (wire/webhooks.ts); throws a message naming the field. */
export function parseNewWebhook(value: unknown): NewWebhookInput {
  const body = withoutNullDescription(value);
  const issue = firstIssue(NewWebhook, body, { ignore: checkedLater });
  if (issue !== undefined) throw new Error(webhookBodyMessage(issue, BODY_SHAPE));
  const { url, description, events, minDurationSeconds } = body as NewWebhook;
  return {
    url,
    description: checkedDescription(description),
    events: events === undefined ? [...DEFAULT_WEBHOOK_EVENTS] : parseEvents(events),
    minDurationSeconds: minDurationSeconds === undefined ? 0 : parseMinDuration(minDurationSeconds),
  };
}

const PATCH_SHAPE =
  'body must be a JSON object with at least one of "url", "description", "events", "minDurationSeconds"';

/** Body of PATCH /workspace/{workspaceId}/webhooks/{webhookId}; throws a message naming the field. */
export function parseWebhookPatch(value: unknown): WebhookPatchInput {
  const body = withoutNullDescription(value);
  const issue = firstIssue(WebhookPatch, body, { ignore: checkedLater });
  if (issue !== undefined) throw new Error(webhookBodyMessage(issue, PATCH_SHAPE));
  const patch = body as WebhookPatch;
  const present = (key: keyof WebhookPatch) => Object.hasOwn(patch, key);
  if (!(['url', 'description', 'events', 'minDurationSeconds'] as const).some(present)) {
    throw new Error(PATCH_SHAPE);
  }
  return {
    ...(patch.url !== undefined && { url: patch.url }),
    ...(present('description') && { description: checkedDescription(patch.description) }),
    ...(present('events') && { events: parseEvents(patch.events) }),
    ...(present('minDurationSeconds') && {
      minDurationSeconds: parseMinDuration(patch.minDurationSeconds),
    }),
  };
}
