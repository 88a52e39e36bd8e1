// Standard Webhooks: a receiver using the reference `standardwebhooks` package accepts what we
// send and rejects a tampered delivery; our own receiver check (webhooks:listen) agrees with it.
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  isWellFormedSecret,
  secretKey,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  webhookMessageId,
} from '../../functions/domain/standard-webhooks.ts';

const body = JSON.stringify({
  type: 'node.status_changed',
  timestamp: '2026-12-01T09:00:00.000Z',
  data: { workspaceId: 'w', bucketId: 'b', host: 'n', from: 'ONLINE', to: 'DISCONNECTED', at: 'x' },
});

describe('secrets', () => {
  it('are whsec_ + base64 of 32 random bytes, each one new', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(a)).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(isWellFormedSecret(a)).toBe(true);
    expect(isWellFormedSecret('whsec_')).toBe(false);
    expect(isWellFormedSecret('sk_abc')).toBe(false);
  });
});

describe('signatures', () => {
  const secret = generateWebhookSecret();
  const now = Math.floor(Date.now() / 1000);
  const headers = webhookHeaders({ secret, messageId: 'msg_1', timestampSeconds: now, body });

  it('the standardwebhooks package accepts our delivery', () => {
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it.each([
    ['body', { body: body.replace('DISCONNECTED', 'ONLINE') }],
    ['webhook-id', { headers: { ...headers, 'webhook-id': 'msg_2' } }],
    ['timestamp', { headers: { ...headers, 'webhook-timestamp': String(now + 1) } }],
    ['signature', { headers: { ...headers, 'webhook-signature': `v1,${'A'.repeat(43)}=` } }],
  ])('a tampered %s is rejected by the package and by our receiver', (_what, change) => {
    const input = { body, headers, ...change };
    expect(() => new Webhook(secret).verify(input.body, input.headers)).toThrow();
    expect(verifyWebhook({ secret, body: input.body, headers: input.headers }).ok).toBe(false);
  });

  it('another secret does not verify, and an old timestamp is refused', () => {
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
    const old = webhookHeaders({ secret, messageId: 'm', timestampSeconds: now - 600, body });
    expect(() => new Webhook(secret).verify(body, old)).toThrow(/timestamp/i);
    expect(verifyWebhook({ secret, body, headers: old })).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance',
    });
  });

  it('our receiver and the package agree on random messages and tampering', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.boolean(), (text, id, tamper) => {
        const h = webhookHeaders({ secret, messageId: id, timestampSeconds: now, body: text });
        const sent = tamper ? `${text}x` : text;
        let packageOk = true;
        try {
          new Webhook(secret).verify(sent, h, { jsonParse: false } as never);
        } catch {
          packageOk = false;
        }
        expect(verifyWebhook({ secret, body: sent, headers: h, nowSeconds: now }).ok).toBe(
          packageOk,
        );
        expect(packageOk).toBe(!tamper);
      }),
      { numRuns: 200 },
    );
  });

  it('signs exactly <id>.<timestamp>.<body> with the decoded key', () => {
    const ref = new Webhook(secret).sign('msg_x', new Date(1_700_000_000_000), body);
    expect(signWebhook({ secret, messageId: 'msg_x', timestampSeconds: 1_700_000_000, body })).toBe(
      ref,
    );
  });
});

describe('webhook-id', () => {
  it('is stable per event and webhook, and differs across either', () => {
    expect(webhookMessageId('evt_1', 'wh_1')).toBe(webhookMessageId('evt_1', 'wh_1'));
    expect(webhookMessageId('evt_1', 'wh_1')).not.toBe(webhookMessageId('evt_1', 'wh_2'));
    expect(webhookMessageId('evt_1', 'wh_1')).not.toBe(webhookMessageId('evt_2', 'wh_1'));
    expect(webhookMessageId('evt_1', 'wh_1')).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
  });
});
