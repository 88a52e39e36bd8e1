// SSRF: the URL rules of DESIGN.md section 10 over a matrix of spellings, names that resolve to
// private addresses (injected resolver), and a name that changes address between creation
// and delivery. Every refused case names the rule; every allowed case is a public address.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from '../../functions/delivery/webhook-client.ts';
import {
  addressRefusal,
  checkWebhookUrl,
  type ResolveHost,
  WebhookUrlError,
} from '../../functions/domain/webhook-url.ts';

const strict = { allowLoopback: false };
const local = { allowLoopback: true };

/** A resolver that answers from a table and fails like DNS for anything else. */
const resolverOf =
  (table: Record<string, string[]>): ResolveHost =>
  async (host) => {
    const answers = table[host];
    if (answers === undefined) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const dns = resolverOf({
  'hooks.example.com': ['93.184.215.14'],
  'dual.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'internal.example.com': ['10.0.0.7'],
  'mixed.example.com': ['93.184.215.14', '192.168.1.20'],
  'rebind.example.com': ['127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'v6metadata.example.com': ['fd00:ec2::254'],
  'ula.example.com': ['fd12:3456:789a::1'],
  'mapped.example.com': ['::ffff:10.1.2.3'],
  'cgnat.example.com': ['100.64.0.1'],
  localhost: ['127.0.0.1', '::1'],
  'metadata.google.internal': ['169.254.169.254'],
  'a.b.c': ['93.184.215.14'],
  'empty.example.com': [],
  'garbage.example.com': ['not-an-address'],
});

/** A DNS name of exactly `length` characters: three 63-character labels, one more, `.example`. */
const label63 = 'x'.repeat(63);
const nameOf = (length: number) =>
  `${label63}.${label63}.${label63}.${'x'.repeat(length - 200)}.example`;

const refused: [url: string, why: RegExp][] = [
  // loopback, every spelling the WHATWG parser turns into 127.0.0.1
  ['https://127.0.0.1/', /loopback/],
  ['https://2130706433/', /loopback/],
  ['https://0x7f000001/', /loopback/],
  ['https://0x7f.0.0.1/', /loopback/],
  ['https://0177.0.0.1/', /loopback/],
  ['https://017700000001/', /loopback/],
  ['https://127.1/', /loopback/],
  ['https://127.0.1/', /loopback/],
  ['https://127.255.255.254/', /loopback/],
  ['https://[::1]/', /loopback/],
  ['https://[0:0:0:0:0:0:0:1]/', /loopback/],
  ['https://[::ffff:127.0.0.1]/', /loopback/],
  ['https://[::ffff:7f00:1]/', /loopback/],
  ['https://localhost/', /loopback/],
  // unspecified
  ['https://0.0.0.0/', /unspecified/],
  ['https://0/', /unspecified/],
  ['https://[::]/', /unspecified/],
  // private (RFC 1918) and IPv6 ULA
  ['https://10.0.0.1/', /private/],
  ['https://172.16.5.4/', /private/],
  ['https://172.31.255.255/', /private/],
  ['https://192.168.0.1/', /private/],
  ['https://0xa.0.0.1/', /private/],
  ['https://[::ffff:192.168.1.1]/', /private/],
  ['https://[fc00::1]/', /uniqueLocal/],
  ['https://[fd12:3456:789a::1]/', /uniqueLocal/],
  // link-local and the metadata address in its spellings
  ['https://169.254.169.254/latest/meta-data/', /linkLocal/],
  ['https://2852039166/', /linkLocal/],
  ['https://0xa9fea9fe/', /linkLocal/],
  ['https://0251.0376.0251.0376/', /linkLocal/],
  ['https://169.254.43518/', /linkLocal/],
  ['https://[::ffff:169.254.169.254]/', /linkLocal/],
  ['https://[fe80::1]/', /linkLocal/],
  ['https://[fd00:ec2::254]/', /uniqueLocal/],
  ['https://metadata.google.internal/computeMetadata/v1/', /linkLocal/],
  // CGNAT, multicast, broadcast, reserved
  ['https://100.64.0.1/', /carrierGradeNat/],
  ['https://100.100.100.200/', /carrierGradeNat/],
  ['https://224.0.0.1/', /multicast/],
  ['https://[ff02::1]/', /multicast/],
  ['https://255.255.255.255/', /broadcast/],
  ['https://240.0.0.1/', /reserved/],
  ['https://[::127.0.0.1]/', /not global unicast/],
  ['https://[::a00:1]/', /not global unicast/],
  ['https://[64:ff9b::a9fe:a9fe]/', /rfc6052/],
  ['https://[2002:a9fe:a9fe::]/', /6to4/],
  // names that resolve to refused addresses (injected resolver)
  ['https://internal.example.com/hook', /private/],
  ['https://mixed.example.com/hook', /private/],
  ['https://rebind.example.com/hook', /loopback/],
  ['https://metadata.example.com/', /linkLocal/],
  ['https://v6metadata.example.com/', /uniqueLocal/],
  ['https://ula.example.com/', /uniqueLocal/],
  ['https://mapped.example.com/', /private/],
  ['https://cgnat.example.com/', /carrierGradeNat/],
  ['https://does-not-resolve.example.com/', /does-not-resolve.example.com does not resolve/],
  ['https://empty.example.com/', /empty.example.com does not resolve/],
  // a resolver answer that is not an address fails closed
  ['https://garbage.example.com/', /not an IP address/],
  // host names the URL parser lets through but DNS does not have
  ['https://exa!mple.com/', /not a valid host name/],
  ['https://exa!mple.com./', /not a valid host name/],
  ['https://-hooks.example.com/', /not a valid host name/],
  ['https://hooks-.example.com/', /not a valid host name/],
  ['https://hooks..example.com/', /not a valid host name/],
  [`https://${'x'.repeat(64)}.example.com/`, /not a valid host name/],
  [`https://${nameOf(254)}/`, /not a valid host name/],
  [`https://${nameOf(254)}./`, /not a valid host name/],
  // scheme, user info, length, garbage
  ['http://hooks.example.com/hook', /https/],
  ['ftp://hooks.example.com/', /https/],
  ['file:///etc/passwd', /https/],
  ['javascript:alert(1)', /https/],
  ['https://user:pass@hooks.example.com/', /user info/],
  ['https://user@hooks.example.com/', /user info/],
  ['https://:secret@hooks.example.com/', /user info/],
  [`https://hooks.example.com/${'a'.repeat(2048)}`, /at most 2048/],
  // the text as given is bounded too, even when the parser shortens it ('/./' segments)
  [`https://hooks.example.com/${'./'.repeat(1012)}`, /at most 2048 characters$/],
  ['not a url', /valid absolute URL/],
  ['', /non-empty/],
  ['//hooks.example.com/', /valid absolute URL/],
  // port 0 is no port: Node's agent connects to 443 instead, so the URL would not say where
  // deliveries go
  ['https://hooks.example.com:0/', /port/],
  ['https://93.184.215.14:00/', /port/],
];

describe('URL rules: refused', () => {
  it('the matrix has at least 30 URLs', () => {
    expect(refused.length).toBeGreaterThanOrEqual(30);
  });

  it.each(refused)('%s is refused (%s)', async (url, why) => {
    const error = await checkWebhookUrl(url, strict, dns).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebhookUrlError);
    expect(String(error)).toMatch(/^WebhookUrlError: /);
    expect((error as Error).message).toMatch(why);
  });

  it.each([
    ['a URL object', new URL('https://hooks.example.com/')],
    ['a number', 42],
    ['undefined', undefined],
  ])('%s is not a URL string', async (_name, raw) => {
    await expect(checkWebhookUrl(raw, strict, dns)).rejects.toThrow(
      /url must be a non-empty string/,
    );
  });
});

describe('URL rules: a refused name does not tell what it resolves to', () => {
  // The message reaches the caller: naming the address would turn webhook creation into a
  // lookup service for internal DNS names (what `db.internal` resolves to, behind the API).
  it.each([
    ['https://internal.example.com/hook', '10.0.0.7'],
    ['https://mixed.example.com/hook', '192.168.1.20'],
    ['https://v6metadata.example.com/', 'fd00:ec2::254'],
    ['https://mapped.example.com/', '10.1.2.3'],
  ])('%s', async (url, address) => {
    const error = await checkWebhookUrl(url, strict, dns).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebhookUrlError);
    expect((error as Error).message).toMatch(/resolves to a non-public address/);
    expect((error as Error).message).not.toContain(address);
  });
});

describe('URL rules: allowed', () => {
  it.each([
    ['https://hooks.example.com/hook', '93.184.215.14'],
    ['https://dual.example.com:8443/a?b=c', '93.184.215.14'],
    ['https://93.184.215.14/hook', '93.184.215.14'],
    ['https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    ['https://HOOKS.EXAMPLE.COM./hook', undefined],
    // one-character labels are names too
    ['https://a.b.c/', '93.184.215.14'],
    // exactly 2,048 characters, typed and sent
    [`https://hooks.example.com/${'a'.repeat(2022)}`, '93.184.215.14'],
    // 253 characters is the longest name, with or without the root dot
    [`https://${nameOf(253)}/`, '93.184.215.14'],
    [`https://${nameOf(253)}./`, '93.184.215.14'],
  ])('%s is a public target', async (url, first) => {
    const resolve: ResolveHost = async (host) =>
      host.startsWith(label63)
        ? [{ address: '93.184.215.14', family: 4 }]
        : dns(host.replace(/\.$/, '')).catch(() => dns(host));
    const checked = await checkWebhookUrl(url, strict, resolve);
    if (first !== undefined) expect(checked.addresses[0]?.address).toBe(first);
    for (const { address } of checked.addresses)
      expect(addressRefusal(address, strict)).toBeUndefined();
  });

  it('an address literal is the one target, with its family, and needs no DNS', async () => {
    const noDns: ResolveHost = async () => {
      throw new Error('no lookup expected');
    };
    const v4 = await checkWebhookUrl('https://93.184.215.14/hook', strict, noDns);
    expect(v4.addresses).toEqual([{ address: '93.184.215.14', family: 4 }]);
    const v6 = await checkWebhookUrl('https://[2606:2800:21f:cb07::1]/', strict, noDns);
    expect(v6.addresses).toEqual([{ address: '2606:2800:21f:cb07::1', family: 6 }]);
  });

  it('locally (WEBHOOK_ALLOW_LOOPBACK) http and loopback are accepted, private still is not', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:4000/', local, dns)).resolves.toBeDefined();
    await expect(checkWebhookUrl('http://localhost:4000/', local, dns)).resolves.toBeDefined();
    await expect(checkWebhookUrl('http://[::1]:4000/', local, dns)).resolves.toBeDefined();
    await expect(checkWebhookUrl('http://10.0.0.1/', local, dns)).rejects.toThrow(/private/);
    await expect(checkWebhookUrl('http://169.254.169.254/', local, dns)).rejects.toThrow(
      /linkLocal/,
    );
    await expect(checkWebhookUrl('http://127.0.0.1/', strict, dns)).rejects.toThrow(/https/);
    // only http is added locally, no other scheme
    await expect(checkWebhookUrl('ws://127.0.0.1:4000/', local, dns)).rejects.toThrow(/https/);
    await expect(checkWebhookUrl('ftp://127.0.0.1/', local, dns)).rejects.toThrow(/https/);
  });
});

describe('delivery re-checks the resolved address and connects to it', () => {
  let server: Server;
  let port: number;
  const seen: { host: string | undefined }[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ host: request.headers.host });
      request.resume();
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a name that changes address between creation and delivery is refused at delivery', async () => {
    let answer = '93.184.215.14';
    let lookups = 0;
    const changing: ResolveHost = async () => {
      lookups++;
      return [{ address: answer, family: 4 }];
    };
    await expect(
      checkWebhookUrl('https://flip.example.com/', strict, changing),
    ).resolves.toBeDefined();
    answer = '127.0.0.1';
    const before = seen.length;
    const result = await postWebhook({
      url: `https://flip.example.com:${port}/`,
      body: '{}',
      headers: {},
      policy: strict,
      resolve: changing,
    });
    expect(result.outcome).toBe('refused');
    expect(result.outcome === 'refused' && result.reason).toMatch(/loopback/);
    expect(seen.length).toBe(before);
    expect(lookups).toBe(2);
  });

  it('connects to the checked address with one lookup, keeping the name in Host', async () => {
    let lookups = 0;
    const pinned: ResolveHost = async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const result = await postWebhook({
      url: `http://hooks.receiver.test:${port}/in`,
      body: '{}',
      headers: {},
      policy: local,
      resolve: pinned,
    });
    expect(result).toEqual({ outcome: 'delivered', status: 204 });
    expect(lookups).toBe(1);
    expect(seen.at(-1)?.host).toBe(`hooks.receiver.test:${port}`);
  });

  it('a name resolving to a private address is never connected to, even locally', async () => {
    const before = seen.length;
    const result = await postWebhook({
      url: `http://internal.example.com:${port}/`,
      body: '{}',
      headers: {},
      policy: local,
      resolve: dns,
    });
    expect(result.outcome).toBe('refused');
    expect(seen.length).toBe(before);
  });
});
