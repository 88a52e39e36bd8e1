import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com), the parts this service sends: the secret format,
 * the message id, and the v1 signature. Verified in tests against the `standardwebhooks`
 * package, the reference receiver.
 */

export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The HMAC key: the base64-decoded part after `whsec_`. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('webhook secret must start with whsec_');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('webhook secret has no key bytes');
  return key;
}

/** True for a secret of the shape this service issues (used by the receiver's CLI checks). */
export function isWellFormedSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const body = secret.slice(SECRET_PREFIX.length);
  return (
    /^[A-Za-z0-9+/]+={0,2}$/.test(body) &&
    Buffer.from(body, 'base64').length >= 24 &&
    body.length % 4 === 0
  );
}

/**
 * `webhook-id`: unique per event and webhook, and the same on every attempt, so a receiver
 * can deduplicate at-least-once deliveries. Derived, not stored: a hash of the two ids.
 */
export function webhookMessageId(eventId: string, webhookId: string): string {
  const digest = createHash('sha256').update(`${eventId}\n${webhookId}`).digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. */
export function signWebhook(input: {
  secret: string;
  messageId: string;
  timestampSeconds: number;
  body: string;
}): string {
  const mac = createHmac('sha256', secretKey(input.secret))
    .update(`${input.messageId}.${input.timestampSeconds}.${input.body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers of one attempt, plus the content type. */
export function webhookHeaders(input: {
  secret: string;
  messageId: string;
  timestampSeconds: number;
  body: string;
}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': input.messageId,
    'webhook-timestamp': String(input.timestampSeconds),
    'webhook-signature': signWebhook(input),
  };
}

/** Standard Webhooks' default tolerance between a delivery's timestamp and the receiver's clock. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/**
 * A receiver's check, as the Standard Webhooks reference libraries do it: the three headers
 * present, the timestamp within 5 minutes, and one of the space-separated `v1,` signatures
 * equal (in constant time) to the expected one. Returns the reason for a refusal.
 */
export function verifyWebhook(input: {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  nowSeconds?: number;
}): { ok: true; messageId: string } | { ok: false; reason: string } {
  const header = (name: string) => {
    const value = input.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const messageId = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!messageId || !timestamp || !signatures) return { ok: false, reason: 'missing headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad timestamp' };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'timestamp outside the tolerance' };
  }
  const expected = Buffer.from(
    signWebhook({
      secret: input.secret,
      messageId,
      timestampSeconds: Number(timestamp),
      body: input.body,
    }).slice(3),
    'base64',
  );
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || value === undefined) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      return { ok: true, messageId };
    }
  }
  return { ok: false, reason: 'no matching signature' };
}
