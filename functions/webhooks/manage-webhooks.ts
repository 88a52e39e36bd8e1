import { randomBytes } from 'node:crypto';
import type { VerifiedToken } from '../auth/token-verifier.ts';
import { invalidBearerToken } from '../auth/token-verifier.ts';
import type { WebhookStore, WebhookSummary } from '../data/webhooks.ts';
import { MAX_WEBHOOKS_PER_WORKSPACE } from '../data/webhooks.ts';
import { isTokenRevoked, type UserAccess } from '../domain/access.ts';
import { Conflict, Forbidden, NotFound, ValidationError } from '../domain/errors.ts';
import { generateWebhookSecret } from '../domain/standard-webhooks.ts';
import {
  mayManageWebhooks,
  parseNewWebhook,
  parseWebhookPatch,
  type WebhookPatchInput,
} from '../domain/webhook-access.ts';
import {
  checkWebhookUrl,
  type ResolveHost,
  type UrlPolicy,
  WebhookUrlError,
} from '../domain/webhook-url.ts';
import type { CreatedWebhook, Webhook, WebhookList } from '../wire/webhooks.ts';

/**
 * Port: the principal's profile and workspace roles; undefined when the user does not exist.
 * (An API key never reaches these routes: the function's bearer check refuses it.)
 */
export type LoadUserAccess = (principal: VerifiedToken) => Promise<UserAccess | undefined>;

/** The use cases of the webhook routes (DESIGN.md section 10), over the ports they declare. */
export interface ManageWebhooksDeps {
  loadUserAccess: LoadUserAccess;
  store: Pick<
    WebhookStore,
    'loadWorkspaceWebhooks' | 'putWebhook' | 'updateWebhook' | 'deleteWebhook'
  >;
  urlPolicy: UrlPolicy;
  resolveHost: ResolveHost;
  now?: () => number;
  newWebhookId?: () => string;
}

export type WebhookView = Webhook;

const view = (webhook: WebhookSummary): WebhookView => ({
  id: webhook.webhookId,
  url: webhook.url,
  ...(webhook.description !== undefined && { description: webhook.description }),
  createdAt: webhook.createdAt,
  events: webhook.events,
  minDurationSeconds: webhook.minDurationSeconds,
});

export const newWebhookId = () => `wh_${randomBytes(16).toString('hex')}`;

/**
 * The user's and the workspace's partitions in parallel (one round trip), then, in order:
 * user missing 404, revoked 401, disabled 403, workspace missing 404, access rule 403.
 */
async function authorize(principal: VerifiedToken, workspaceId: string, deps: ManageWebhooksDeps) {
  const [user, workspace] = await Promise.all([
    deps.loadUserAccess(principal),
    deps.store.loadWorkspaceWebhooks(workspaceId),
  ]);
  if (user === undefined) throw new NotFound('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw invalidBearerToken('The token has been revoked');
  }
  if (user.status !== 'ACTIVE') throw new Forbidden('The user is disabled');
  if (workspace.workspace === undefined) throw new NotFound('Workspace not found');
  if (!mayManageWebhooks(user, { workspaceId, orgId: workspace.workspace.orgId })) {
    throw new Forbidden('Managing webhooks needs workspace ADMIN or org OWNER/ADMIN');
  }
  return workspace.webhooks;
}

export async function listWebhooks(
  principal: VerifiedToken,
  workspaceId: string,
  deps: ManageWebhooksDeps,
): Promise<WebhookList> {
  const webhooks = await authorize(principal, workspaceId, deps);
  return {
    webhooks: [...webhooks].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(view),
  };
}

/** The URL rules (DNS now, for an authorized caller); a broken rule is a 400. */
async function checkedUrl(url: string, deps: ManageWebhooksDeps): Promise<URL> {
  try {
    return (await checkWebhookUrl(url, deps.urlPolicy, deps.resolveHost)).url;
  } catch (error) {
    if (error instanceof WebhookUrlError) throw new ValidationError(error.message);
    throw error;
  }
}

export async function createWebhook(
  principal: VerifiedToken,
  workspaceId: string,
  body: unknown,
  deps: ManageWebhooksDeps,
): Promise<CreatedWebhook> {
  let input: ReturnType<typeof parseNewWebhook>;
  try {
    input = parseNewWebhook(body);
  } catch (error) {
    throw new ValidationError((error as Error).message);
  }
  const existing = await authorize(principal, workspaceId, deps);
  if (existing.length >= MAX_WEBHOOKS_PER_WORKSPACE) {
    throw new Conflict(`A workspace has at most ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks`);
  }
  const target = await checkedUrl(input.url, deps);
  const webhook = {
    webhookId: (deps.newWebhookId ?? newWebhookId)(),
    // The parser's canonical form, the URL deliveries go to: no tabs or newlines (the parser
    // drops them), host lower-cased and in punycode, so every listing shows the real target.
    url: target.href,
    description: input.description,
    createdAt: new Date((deps.now ?? Date.now)()).toISOString(),
    events: input.events,
    minDurationSeconds: input.minDurationSeconds,
    secret: generateWebhookSecret(),
  };
  // Free slots first; a slot taken by a concurrent creator makes us try the next one.
  const taken = new Set(existing.map((w) => w.slot));
  for (let slot = 0; slot < MAX_WEBHOOKS_PER_WORKSPACE; slot++) {
    if (taken.has(slot)) continue;
    if (await deps.store.putWebhook(workspaceId, { ...webhook, slot })) {
      return { ...view({ ...webhook, slot }), secret: webhook.secret };
    }
  }
  throw new Conflict(`A workspace has at most ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks`);
}

/**
 * PATCH: the body first (400), then the caller (as POST), then the webhook (404), then a new
 * URL's rules (400), then one conditional UpdateItem of its slot (a webhook deleted meanwhile:
 * 404). Answers the webhook as it now is, never its secret.
 */
export async function updateWebhook(
  principal: VerifiedToken,
  workspaceId: string,
  webhookId: string,
  body: unknown,
  deps: ManageWebhooksDeps,
): Promise<WebhookView> {
  let patch: WebhookPatchInput;
  try {
    patch = parseWebhookPatch(body);
  } catch (error) {
    throw new ValidationError((error as Error).message);
  }
  const existing = await authorize(principal, workspaceId, deps);
  const target = existing.find((w) => w.webhookId === webhookId);
  if (target === undefined) throw new NotFound('Webhook not found');
  const changes =
    patch.url === undefined ? patch : { ...patch, url: (await checkedUrl(patch.url, deps)).href };
  const updated = await deps.store.updateWebhook(workspaceId, target.slot, webhookId, changes);
  if (updated === undefined) throw new NotFound('Webhook not found');
  return view(updated);
}

export async function deleteWebhook(
  principal: VerifiedToken,
  workspaceId: string,
  webhookId: string,
  deps: ManageWebhooksDeps,
): Promise<void> {
  const existing = await authorize(principal, workspaceId, deps);
  const target = existing.find((w) => w.webhookId === webhookId);
  if (
    target === undefined ||
    !(await deps.store.deleteWebhook(workspaceId, target.slot, webhookId))
  ) {
    throw new NotFound('Webhook not found');
  }
}
