// Standard Webhooks: a receiver using the reference `standardwebhooks` package accepts what we
// send and rejects a tampered delivery; our own receiver check (webhooks:listen) agrees with it.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
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
    expect(verifyWebhook({ secret, body, headers })).toEqual({ ok: true, messageId: 'msg_1' });
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

describe('secret shape (webhooks:listen refuses a malformed --secret)', () => {
  const key = (bytes: number) => Buffer.alloc(bytes, 0xfb).toString('base64');

  it('accepts whsec_ + base64 of at least 24 key bytes, padded or not', () => {
    expect(key(33)).not.toContain('=');
    expect(key(31)).toMatch(/[^=]==$/);
    for (const bytes of [24, 31, 32, 33, 64]) {
      expect(isWellFormedSecret(`whsec_${key(bytes)}`)).toBe(true);
    }
  });

  it.each([
    ['another prefix', `whsek_${key(32)}`],
    ['no prefix', key(32)],
    ['fewer than 24 key bytes', `whsec_${key(16)}`],
    ['23 key bytes', `whsec_${key(23)}`],
    ['its padding cut off', `whsec_${key(32).replace(/=+$/, '')}`],
    ['a space inside', `whsec_${key(16)} ${key(16)}`],
    ['base64url characters', `whsec_${key(33).replace(/\+/g, '-').replace(/\//g, '_')}`],
    ['junk before the key', `whsec_!!!!${key(33)}`],
    ['junk after the key', `whsec_${key(33)}!!!!`],
    ['three padding characters', `whsec_${key(30).slice(0, -4)}A===`],
  ])('refuses a secret with %s', (_what, secret) => {
    expect(isWellFormedSecret(secret)).toBe(false);
  });

  it('signing refuses a secret without whsec_ or without key bytes', () => {
    const sign = (secret: string) =>
      signWebhook({ secret, messageId: 'msg_1', timestampSeconds: 1, body: '{}' });
    expect(() => sign(`sk_live_${key(32)}`)).toThrow(/must start with whsec_/);
    expect(() => sign('whsec_')).toThrow(/no key bytes/);
    expect(() => sign('whsec_====')).toThrow(/no key bytes/);
  });
});

describe('our receiver check (webhooks:listen) refuses what a reference receiver refuses', () => {
  const secret = generateWebhookSecret();
  const at = 1_800_000_000;
  const signed = webhookHeaders({ secret, messageId: 'msg_r', timestampSeconds: at, body });
  const mac = (signed['webhook-signature'] as string).slice(3);
  const verify = (headers: Record<string, string | string[] | undefined>, nowSeconds = at) =>
    verifyWebhook({ secret, body, headers, nowSeconds });
  const byPackage = (headers: Record<string, string>) => {
    try {
      new Webhook(secret).verify(body, headers);
      return true;
    } catch {
      return false;
    }
  };

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'a delivery without %s is refused as missing headers',
    (name) => {
      expect(verify({ ...signed, [name]: undefined })).toEqual({
        ok: false,
        reason: 'missing headers',
      });
      expect(verify({ ...signed, [name]: '' })).toEqual({ ok: false, reason: 'missing headers' });
    },
  );

  it('a header sent twice is read from its first value', () => {
    const headers = { ...signed, 'webhook-id': ['msg_r', 'msg_other'] };
    expect(verify(headers)).toEqual({ ok: true, messageId: 'msg_r' });
  });

  it.each([
    'soon',
    `${at}abc`,
    `x${at}`,
    `${at}.5`,
    `-${at}`,
    ` ${at}`,
    '0x6b49d200',
    '1'.repeat(13),
  ])('a webhook-timestamp of %j is refused as a bad timestamp', (timestamp) => {
    // Even with the MAC computed over exactly that header text.
    const mac = createHmac('sha256', secretKey(secret))
      .update(`msg_r.${timestamp}.${body}`)
      .digest('base64');
    const headers = {
      ...signed,
      'webhook-timestamp': timestamp,
      'webhook-signature': `v1,${mac} ${signed['webhook-signature']}`,
    };
    expect(verify(headers)).toEqual({ ok: false, reason: 'bad timestamp' });
  });

  it('accepts a timestamp up to 5 minutes either side of its clock, as the package does', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const skew of [-301, -300, -1, 0, 1, 300, 301]) {
        vi.setSystemTime((at + skew) * 1000 + 999);
        const accepted = Math.abs(skew) <= 300;
        // No nowSeconds: the receiver reads the (fixed) clock, as webhooks:listen does.
        expect(verifyWebhook({ secret, body, headers: signed })).toEqual(
          accepted
            ? { ok: true, messageId: 'msg_r' }
            : { ok: false, reason: 'timestamp outside the tolerance' },
        );
        expect(byPackage(signed)).toBe(accepted);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    ['the right MAC under another version', `v2,${mac}`, false],
    ['the right MAC under a look-alike version', `v1a,${mac} V1,${mac}`, false],
    ['a bare v1 and then the right signature', `v1 v1,${mac}`, true],
    ['only a bare v1', 'v1', false],
    ['a truncated MAC', `v1,${mac.slice(0, 20)}`, false],
    ['an empty MAC', 'v1,', false],
    ['a wrong MAC, then the right one (key rotation)', `v1,${'A'.repeat(43)}= v1,${mac}`, true],
    ['the right one, then a v2 one', `v1,${mac} v2,abc`, true],
  ])('webhook-signature with %s: same verdict as the package', (_what, signature, ok) => {
    const headers = { ...signed, 'webhook-signature': signature };
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(at * 1000);
      expect(byPackage(headers)).toBe(ok);
    } finally {
      vi.useRealTimers();
    }
    expect(verify(headers)).toEqual(
      ok ? { ok: true, messageId: 'msg_r' } : { ok: false, reason: 'no matching signature' },
    );
  });
});
