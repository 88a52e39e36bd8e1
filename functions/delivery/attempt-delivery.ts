import type { DeliveryMessage } from '../domain/alert-message.ts';
import type { DeliveryCheck } from '../domain/alert-policy.ts';
import { webhookHeaders } from '../domain/standard-webhooks.ts';
import type { ResolveHost, UrlPolicy } from '../domain/webhook-url.ts';
import type { DeliveryResult, PostWebhookInput } from './webhook-client.ts';

/**
 * One attempt of one delivery: the webhook is read again (a deleted one gets nothing more, and
 * a changed URL or secret applies at once), signed for this attempt's timestamp, and posted
 * through the SSRF-checked client.
 */
export interface AttemptDeps {
  loadWebhookForDelivery: (
    workspaceId: string,
    slot: number,
    webhookId: string,
  ) => Promise<{ url: string; secret: string } | undefined>;
  post: (input: PostWebhookInput) => Promise<DeliveryResult>;
  policy: UrlPolicy;
  resolve?: ResolveHost;
  /**
   * Whether a waiting change still held at `at + holdSeconds` (functions/data/
   * alert-confirmation.ts). A message with a check and no way to confirm it fails its attempt.
   */
  confirm?: (check: DeliveryCheck) => Promise<boolean>;
  now?: () => number;
}

export type AttemptOutcome = (
  | DeliveryResult
  | { outcome: 'webhook-gone' }
  /** The change was undone or superseded within the webhook's minDurationSeconds. */
  | { outcome: 'not-held' }
) & {
  /** The target's host (for logs); the rest of the URL can carry a secret and is not logged. */
  host?: string;
};

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
};

export async function attemptDelivery(
  message: DeliveryMessage,
  deps: AttemptDeps,
): Promise<AttemptOutcome> {
  // The check and the webhook's row are read in parallel: one round trip more than before
  // only for a message that waited. The check is about a past instant, so every attempt of a
  // message finds the same answer.
  const [webhook, held] = await Promise.all([
    deps.loadWebhookForDelivery(message.workspaceId, message.slot, message.webhookId),
    message.check === undefined
      ? true
      : deps.confirm === undefined
        ? Promise.reject(new Error('no confirmation port for a waiting delivery'))
        : deps.confirm(message.check),
  ]);
  if (webhook === undefined) return { outcome: 'webhook-gone' };
  if (!held) return { outcome: 'not-held' };
  const headers = webhookHeaders({
    secret: webhook.secret,
    messageId: message.messageId,
    timestampSeconds: Math.floor((deps.now ?? Date.now)() / 1000),
    body: message.body,
  });
  const result = await deps.post({
    url: webhook.url,
    body: message.body,
    headers,
    policy: deps.policy,
    ...(deps.resolve !== undefined && { resolve: deps.resolve }),
  });
  const host = hostOf(webhook.url);
  return host === undefined ? result : { ...result, host };
}

/** Success ends a delivery; so do a deleted webhook and a change that did not hold. */
export const isFinal = (outcome: AttemptOutcome) =>
  outcome.outcome === 'delivered' ||
  outcome.outcome === 'webhook-gone' ||
  outcome.outcome === 'not-held';

/** The one log line of an attempt: never the secret, never the URL's path (it can be a secret). */
export function describeAttempt(
  message: DeliveryMessage,
  attempt: number,
  outcome: AttemptOutcome,
) {
  return {
    webhookMessageId: message.messageId,
    eventId: message.eventId,
    webhookId: message.webhookId,
    workspaceId: message.workspaceId,
    attempt,
    outcome: outcome.outcome,
    ...('status' in outcome && outcome.status !== undefined && { status: outcome.status }),
    ...('reason' in outcome && { reason: outcome.reason }),
    ...(outcome.host !== undefined && { host: outcome.host }),
  };
}
